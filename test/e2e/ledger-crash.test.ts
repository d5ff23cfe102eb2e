import assert from 'node:assert/strict';
import { migrateLatest } from '../../src/db';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/server';
import { acceptedOrders, runLedgerVerify, tradingCast, type Cast } from '../helpers/trading';

/**
 * A server killed with SIGKILL in the middle of a stream of payments: after a restart the books verify, every payment
 * the server acknowledged is there, and every order is either paid with its settlement or still accepted without one.
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

  it('SIGKILL mid-stream: ledger:verify passes after restart and no acknowledged payment is missing', async () => {
    server = await startServer({ databaseUrl: tdb.url });
    const auth = await login(server.url);
    const acknowledged: number[] = [];
    const queue = [...orderIds];
    let killed = false;
    const worker = async (url: string) => {
      for (;;) {
        const id = queue.shift();
        if (id === undefined || killed) return;
        try {
          const res = await fetch(`${url}/api/v1/orders/${id}/pay`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' });
          if (res.status === 200) acknowledged.push(id);
          else assert.fail(`payment of ${id} answered ${res.status} ${await res.text()}`);
        } catch {
          return; // the connection died with the server
        }
        if (acknowledged.length >= 30 && !killed) {
          killed = true;
          server?.child.kill('SIGKILL');
        }
      }
    };
    const url = server.url;
    await Promise.all(Array.from({ length: 6 }, () => worker(url)));
    assert.ok(killed, 'the server was killed mid-stream');
    assert.ok(acknowledged.length >= 30);
    await server.stop();

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
});
