import assert from 'node:assert/strict';
import { migrateLatest } from '../../src/db';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/server';
import { acceptedOrders, runLedgerVerify, tradingCast, type Cast } from '../helpers/trading';

/**
 * A server killed with SIGKILL in the middle of a stream of payments: after a restart the books verify, every payment
 * the server acknowledged is there, and every order is either paid with its settlement or still accepted without one;
 * with Idempotency-Keys, retrying every payment after the restart pays each order exactly once and answers each retry.
 */
describe(`a server killed during a stream of payments (${ENGINE})`, function () {
  this.timeout(240000);
  let tdb: TestDatabase;
  let server: RunningServer | null = null;
  let cast: Cast;
  let orderIds: number[] = [];

  before(async () => {
    tdb = await freshDatabase();
    await migrateLatest(tdb.db);
    cast = await tradingCast(tdb.db);
    orderIds = await acceptedOrders(tdb.db, cast, 120);
  });

  after(async () => {
    await server?.stop();
    await tdb?.drop();
  });

  async function login(url: string): Promise<string> {
    const res = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: cast.users.buyerA.username, password: 'demo-password' }),
    });
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  }

  /**
   * Starts the server, pays `ids` from 6 concurrent clients, kills the server with SIGKILL once `killAfter` payments
   * were answered, and returns the answered payments (order id → answer body).
   */
  async function payUntilKilled(ids: number[], killAfter: number, headers: (id: number) => Record<string, string> = () => ({})): Promise<Map<number, unknown>> {
    await server?.stop();
    server = await startServer({ databaseUrl: tdb.url });
    const { url } = server;
    const auth = await login(url);
    const acknowledged = new Map<number, unknown>();
    const queue = [...ids];
    let killed = false;
    const worker = async () => {
      for (;;) {
        const id = queue.shift();
        if (id === undefined || killed) return;
        try {
          const res = await fetch(`${url}/api/v1/orders/${id}/pay`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', ...headers(id) }, body: '{}' });
          if (res.status !== 200) assert.fail(`payment of ${id} answered ${res.status} ${await res.text()}`);
          acknowledged.set(id, await res.json());
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          return; // the connection died with the server
        }
        if (acknowledged.size >= killAfter && !killed) {
          killed = true;
          server?.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, () => worker()));
    assert.ok(killed, 'the server was killed mid-stream');
    await server.stop();
    return acknowledged;
  }

  it('SIGKILL mid-stream: ledger:verify passes after restart and no acknowledged payment is missing', async () => {
    const acknowledged = [...(await payUntilKilled(orderIds, 30)).keys()];
    assert.ok(acknowledged.length >= 30);

    // Restart on the same database.
    server = await startServer({ databaseUrl: tdb.url });
    const verify = await runLedgerVerify(tdb.url);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(JSON.parse(verify.stdout).ok, true);

    for (const id of acknowledged) {
      const order = await tdb.db('orders').where({ id }).first();
      assert.equal(order.status, 'paid', `acknowledged payment of order ${id} is missing`);
    }
    // Atomicity: every order is paid with exactly one settlement and one trade, or accepted with neither.
    for (const id of orderIds) {
      const [order, settles, trades] = await Promise.all([
        tdb.db('orders').where({ id }).first(),
        tdb.db('ledger_transfers').where({ order_id: id, kind: 'settle' }),
        tdb.db('trades').where({ order_id: id }),
      ]);
      if (order.status === 'paid') {
        assert.equal(settles.length, 1);
        assert.equal(trades.length, 1);
      } else {
        assert.equal(order.status, 'accepted');
        assert.equal(settles.length, 0);
        assert.equal(trades.length, 0);
      }
    }

    // The restarted server takes the rest of the stream.
    const auth2 = await login(server.url);
    const rest = (await tdb.db('orders').whereIn('id', orderIds).andWhere({ status: 'accepted' }).select('id')).map((r) => r.id as number);
    for (const id of rest) {
      const res: Response = await fetch(`${server.url}/api/v1/orders/${id}/pay`, { method: 'POST', headers: { authorization: auth2, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 200, await res.text());
    }
    const again = await runLedgerVerify(tdb.url);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(JSON.parse(again.stdout).transfers, 1 + 120 + 120);
  });

  it('SIGKILL mid-stream with Idempotency-Keys: after restart every retry with its key answers 200 paid, and each order is paid once', async () => {
    const ids = await acceptedOrders(tdb.db, cast, 60);
    const keyOf = (id: number) => ({ 'idempotency-key': `pay-${id}` });
    const pay = (url: string, auth: string, id: number) =>
      fetch(`${url}/api/v1/orders/${id}/pay`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', ...keyOf(id) }, body: '{}' });
    const acknowledged = await payUntilKilled(ids, 15, keyOf);

    // Restart; the client retries every payment with its own key — those answered, those whose answer was lost with
    // the process (both replay the stored answer), those cut off before they committed (nothing was stored: they run).
    server = await startServer({ databaseUrl: tdb.url });
    const auth2 = await login(server.url);
    const retries = await Promise.all(ids.map(async (id) => ({ id, res: await pay(server!.url, auth2, id) })));
    for (const { id, res } of retries) {
      const body = (await res.json()) as { id: number; status: string };
      assert.equal(res.status, 200, `retry of ${id}: ${JSON.stringify(body)}`);
      assert.equal(body.id, id);
      assert.equal(body.status, 'paid');
      if (acknowledged.has(id)) {
        assert.equal(res.headers.get('idempotent-replayed'), 'true', `retry of acknowledged ${id} is a replay`);
        assert.deepEqual(body, acknowledged.get(id), 'the replay is the first answer');
      }
    }
    for (const id of ids) {
      assert.equal((await tdb.db('ledger_transfers').where({ order_id: id, kind: 'settle' })).length, 1, `order ${id} settled once`);
    }
    const verify = await runLedgerVerify(tdb.url);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(JSON.parse(verify.stdout).ok, true);
  });
});
