import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ENGINE } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/server';
import { acceptedOrders, runLedgerVerify, tradingCast } from '../helpers/trading';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw keep-alive connection, to hold a request half-sent: the server has taken the connection (a first request was
 * answered on it) and is in the middle of reading the next request when the signal comes.
 */
class Connection {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The next whole response (Content-Length framed); rejects if the connection closes before it is complete. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (this.buffer.length >= end + 4 + length) {
          const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + length);
          return { status: Number(statusLine.split(' ')[1]), headers, body };
        }
      }
      if (this.closed) throw new Error(`connection closed before a whole response: ${this.buffer.toString('utf8')}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves once the server has closed the connection. */
  async ended(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One payment on a connection of its own: the whole answer, or the socket error's code (ECONNREFUSED…). */
function pay(port: number, token: string, orderId: number): Promise<{ status: number; body: unknown } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/api/v1/orders/${orderId}/pay`, agent: false, headers: { authorization: token } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

async function waitFor(what: string, test: () => boolean, timeoutMs = 15000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exitOf = (server: RunningServer): Promise<number | null> =>
  server.child.exitCode !== null ? Promise.resolve(server.child.exitCode) : new Promise((resolve) => server.child.once('exit', (code) => resolve(code)));

/** Logs in as a purchaser through the running server. */
async function login(server: RunningServer, username: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo-password' }) });
  assert.equal(res.status, 200);
  return `Bearer ${((await res.json()) as { token: string }).token}`;
}

/** Headers and the first byte of a two-byte body: the server is reading this payment when the signal comes. */
const halfPayment = (orderId: number, token: string) =>
  `POST /api/v1/orders/${orderId}/pay HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{`;

describe(`graceful shutdown of the standalone server (${ENGINE})`, function () {
  this.timeout(180000);
  let server: RunningServer | null = null;

  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('SIGTERM in the middle of payments: every request taken is answered in full, readyz says 503, exit 0, the ledger verifies', async () => {
    let orders: number[] = [];
    let buyer = '';
    server = await startServer({
      env: { LOG_LEVEL: 'info' },
      prepare: async (db) => {
        const cast = await tradingCast(db);
        buyer = cast.users.buyerA.username;
        orders = await acceptedOrders(db, cast, 40);
      },
    });
    const s = server;
    const token = await login(s, buyer);
    const exited = exitOf(s);
    const held = orders.slice(0, 15);
    const racing = orders.slice(15);

    // Payments whose bodies are still arriving, and a readiness probe whose headers are, each on a taken connection.
    const slow = await Promise.all(held.map(() => Connection.open(s.port)));
    for (const c of slow) c.send('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (const c of slow) assert.equal((await c.response()).status, 200);
    held.forEach((id, i) => slow[i].send(halfPayment(id, token)));
    const probe = await Connection.open(s.port);
    probe.send('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await probe.response()).status, 200);
    probe.send('GET /readyz HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((r) => setTimeout(r, 200));

    // More payments, each on a connection of its own, racing the signal: taken and answered, or never taken.
    const race = racing.map((id) => pay(s.port, token, id).then((r) => ({ id, r })));
    s.child.kill('SIGTERM');
    await waitFor('the drain to begin', () => /shutting down: draining/.test(s.stdout()));
    const draining = JSON.parse(s.stdout().split('\n').find((l) => l.includes('shutting down: draining')) as string) as { inFlight: number };
    assert.ok(draining.inFlight >= held.length, `${draining.inFlight} requests in flight at the signal`);

    // No new connection is taken…
    assert.deepEqual(await pay(s.port, token, racing[0]), { error: 'ECONNREFUSED' });
    // …and the requests in flight complete, each answered in full, its connection closed after it.
    probe.send('\r\n');
    const ready = await probe.response();
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), { status: 'unavailable', reason: 'shutting down' });
    assert.equal(ready.headers.connection, 'close');
    await probe.ended();
    for (const c of slow) c.send('}');
    for (const c of slow) {
      const paid = await c.response();
      assert.equal(paid.status, 200, paid.body);
      assert.equal((JSON.parse(paid.body) as { status: string }).status, 'paid');
      assert.equal(paid.headers.connection, 'close');
      await c.ended();
    }

    const results = await Promise.all(race);
    assert.equal(await exited, 0, s.stdout() + s.stderr());
    assert.match(s.stdout(), /"msg":"shut down"/);

    // Whatever the server took, it answered: an order is paid exactly when its payment got a whole 200.
    for (const { id, r } of results) {
      if ('error' in r) assert.ok(['ECONNREFUSED', 'ECONNRESET'].includes(r.error), `order ${id}: ${r.error}`);
      else assert.equal(r.status, 200, `order ${id}: ${JSON.stringify(r.body)}`);
    }
    const answeredPaid = [...held, ...results.filter(({ r }) => 'status' in r).map(({ id }) => id)].sort((a, b) => a - b);
    const paidInDb = (await s.db!('orders').whereIn('id', orders).where({ status: 'paid' }).pluck('id')).map(Number).sort((a, b) => a - b);
    assert.deepEqual(paidInDb, answeredPaid);
    const verify = await runLedgerVerify(s.databaseUrl);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('a request still running at SHUTDOWN_TIMEOUT_MS: exit 1 with a log line, nothing half-written', async () => {
    let orders: number[] = [];
    let buyer = '';
    server = await startServer({
      env: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '1000' },
      prepare: async (db) => {
        const cast = await tradingCast(db);
        buyer = cast.users.buyerA.username;
        orders = await acceptedOrders(db, cast, 1);
      },
    });
    const s = server;
    const token = await login(s, buyer);
    const exited = exitOf(s);
    const stuck = await Connection.open(s.port);
    stuck.send('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await stuck.response()).status, 200);
    stuck.send(halfPayment(orders[0], token));
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    s.child.kill('SIGTERM');
    assert.equal(await exited, 1);
    const took = Date.now() - signalled;
    assert.ok(took >= 900 && took < 10000, `exited after ${took} ms`);
    assert.match(s.stdout(), /shutdown deadline passed with work unfinished: exiting 1/);
    assert.match(s.stdout(), /"inFlight":1/);
    stuck.destroy();
    assert.equal((await s.db!('orders').where({ id: orders[0] }).first()).status, 'accepted');
    const verify = await runLedgerVerify(s.databaseUrl);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
