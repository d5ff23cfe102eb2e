import assert from 'node:assert/strict';
import { SystemClock } from '../../src/clock';
import { migrateLatest } from '../../src/db';
import { BudgetService } from '../../src/ledger/budgets';
import { Ledger } from '../../src/ledger/service';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/server';
import { actorFor, makeProduct, tradingCast, type Cast } from '../helpers/trading';

/**
 * Two server processes behind an imaginary load balancer, sharing one database: the app keeps nothing in memory
 * that the other instance would need (sessions, tokens, idempotency keys, stock and budgets all live in the database).
 * PostgreSQL is the engine for this; SQLite is run too — two processes on one file, writers queued by SQLite's
 * lock with busy_timeout, and a transaction that loses the race retried (writeTransaction).
 */
describe(`orders on two server processes sharing one database (${ENGINE})`, function () {
  this.timeout(240000);
  let tdb: TestDatabase;
  let servers: RunningServer[] = [];
  let cast: Cast;
  const token: Record<string, string> = {};

  before(async () => {
    tdb = await freshDatabase();
    await migrateLatest(tdb.db);
    cast = await tradingCast(tdb.db);
    servers = await Promise.all([startServer({ databaseUrl: tdb.url }), startServer({ databaseUrl: tdb.url })]);
    for (const [k, u] of Object.entries(cast.users)) {
      const res = await fetch(`${servers[0].url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: 'demo-password' }),
      });
      token[k] = `Bearer ${((await res.json()) as { token: string }).token}`;
    }
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await tdb?.drop();
  });

  async function post(i: number, path: string, who: string, body: unknown, key?: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: who };
    if (key) headers['idempotency-key'] = key;
    const res = await fetch(`${servers[i % 2].url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const errorCode = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string } | undefined)?.code;

  it('50 concurrent orders for a product with stock 1, spread over both servers: exactly one placed', async () => {
    const product = await makeProduct(tdb.db, cast.vendorA, { title: '限量展品', price_fen: 10_000_00, stock: 1 });
    await new BudgetService(tdb.db, new SystemClock()).allocate(actorFor(cast.users.admin, {}), { purchaserId: cast.unitA.id, amountFen: 1_000_000_00 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i, '/api/v1/orders', i % 4 < 2 ? token.buyerA : token.buyerA2, { items: [{ productId: product.id, quantity: 1 }] })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.ok(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && errorCode(r) === 'insufficient_stock'), JSON.stringify(results.map((r) => r.body)));
    assert.equal(Number((await tdb.db('products').where({ id: product.id }).first()).stock), 0);
    assert.equal((await tdb.db('ledger_transfers').where({ kind: 'reserve' })).length, 1);
  });

  it('50 concurrent orders each costing the whole remaining budget, over both servers: exactly one placed', async () => {
    const product = await makeProduct(tdb.db, cast.vendorB, { title: '智能巡检机器人', price_fen: 300_000_00, stock: 1000 });
    await new BudgetService(tdb.db, new SystemClock()).allocate(actorFor(cast.users.admin, {}), { purchaserId: cast.unitB.id, amountFen: 300_000_00 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i, '/api/v1/orders', token.buyerB, { items: [{ productId: product.id, quantity: 1 }] })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.ok(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && errorCode(r) === 'insufficient_budget'), JSON.stringify(results.map((r) => r.body)));
    const budget = await tdb.db('ledger_accounts').where({ code: `budget:${cast.unitB.id}` }).first();
    assert.equal(Number(budget.balance_fen), 0);
    assert.equal(Number((await tdb.db('products').where({ id: product.id }).first()).stock), 999);
    assert.equal((await new Ledger(new SystemClock()).verify(tdb.db)).ok, true);
  });

  it('the same Idempotency-Key ten times over both servers: one order, ten identical answers', async () => {
    const product = await makeProduct(tdb.db, cast.vendorA, { title: '电子上臂式血压计', price_fen: 3_000_00, stock: 100 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i, '/api/v1/orders', token.buyerA, { items: [{ productId: product.id, quantity: 1 }] }, 'two-servers-key')));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(10).fill(201),
      JSON.stringify(results.map((r) => r.body)),
    );
    for (const r of results) assert.deepEqual(r.body, results[0].body);
    assert.equal((await tdb.db('order_items').where({ product_id: product.id })).length, 1);
  });
});
