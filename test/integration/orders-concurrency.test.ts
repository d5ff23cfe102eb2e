import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';
import { Ledger } from '../../src/ledger/service';
import { SystemClock } from '../../src/clock';

/**
 * Concurrency on one server (in process): SQLite queues writers on its single connection, PostgreSQL runs them on a
 * pool of ten with row locks and the ledger's conditional debit. The two-process case is in test/e2e.
 */
describe(`orders under concurrency (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;

  before(async () => {
    t = testApp(ctx.db);
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
  });

  /** A placed order of unit A walked by its vendor and buyer to `accepted`, ready to pay. */
  const accepted = async (id: number) => {
    for (const [who, step] of [
      [tok.sellerA, 'confirm'],
      [tok.sellerA, 'deliver'],
      [tok.buyerA, 'accept'],
    ]) {
      assert.equal((await t.http.post(`/api/v1/orders/${id}/${step}`).set('Authorization', who).send({})).status, 200);
    }
  };

  const order = (who: string, productId: number, quantity = 1, key?: string) => {
    const req = t.http.post('/api/v1/orders').set('Authorization', who);
    if (key) req.set('Idempotency-Key', key);
    return req.send({ items: [{ productId, quantity }] });
  };

  it('50 concurrent orders for a product with stock 1: exactly one placed, stock 0, exactly one reserve transfer', async () => {
    const product = await makeProduct(ctx.db, cast.vendorA, { title: '限量展品', price_fen: 10_000_00, stock: 1 });
    await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId: cast.unitA.id, amount: '10000000' }).expect(201);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => order(i % 2 ? tok.buyerA : tok.buyerA2, product.id)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 49, JSON.stringify(results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.body)));
    assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'insufficient_stock' && r.body.error.message.includes('限量展品')));
    assert.equal(Number((await ctx.db('products').where({ id: product.id }).first()).stock), 0);
    const orders = await ctx.db('order_items').where({ product_id: product.id });
    assert.equal(orders.length, 1);
    const reserves = await ctx.db('ledger_transfers').where({ kind: 'reserve', order_id: orders[0].order_id });
    assert.equal(reserves.length, 1);
    assert.equal(await ctx.db('ledger_transfers').where({ kind: 'reserve' }).count({ n: '*' }).first().then((r) => Number(r?.n)), 1);
  });

  it('50 concurrent orders each costing the whole remaining budget: exactly one placed, the budget never below zero', async () => {
    const product = await makeProduct(ctx.db, cast.vendorB, { title: '智能巡检机器人', price_fen: 300_000_00, stock: 1000 });
    await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId: cast.unitB.id, amount: '300000' }).expect(201);
    const results = await Promise.all(Array.from({ length: 50 }, () => order(tok.buyerB, product.id)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.ok(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error.code === 'insufficient_budget'), JSON.stringify(results.map((r) => r.body)));
    const budget = (await t.http.get('/api/v1/budget').set('Authorization', tok.buyerB)).body;
    assert.deepEqual(budget, { purchaserId: cast.unitB.id, allocated: '300000.00', reserved: '300000.00', available: '0.00', spent: '0.00' });
    assert.equal(Number((await ctx.db('products').where({ id: product.id }).first()).stock), 999, 'the 49 refused orders returned nothing half-taken');
    const accounts = await ctx.db('ledger_accounts').whereNot({ type: 'treasury' });
    assert.ok(accounts.every((a) => Number(a.balance_fen) >= 0));
    assert.equal((await new Ledger(new SystemClock()).verify(ctx.db)).ok, true);
  });

  it('the same Idempotency-Key 10 times at once: one order and ten identical responses; the key with another body is 409', async () => {
    const product = await makeProduct(ctx.db, cast.vendorA, { title: '电子上臂式血压计', price_fen: 3_000_00, stock: 100 });
    const before = Number((await ctx.db('orders').count({ n: '*' }).first())?.n);
    const results = await Promise.all(Array.from({ length: 10 }, () => order(tok.buyerA, product.id, 2, 'same-key-10x')));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(10).fill(201),
      JSON.stringify(results.map((r) => r.body)),
    );
    for (const r of results) assert.deepEqual(r.body, results[0].body);
    assert.equal(results[0].body.status, 'placed');
    assert.equal(results[0].body.total, '6000.00');
    assert.equal(Number((await ctx.db('orders').count({ n: '*' }).first())?.n), before + 1);
    assert.equal(Number((await ctx.db('products').where({ id: product.id }).first()).stock), 98);
    const other = await order(tok.buyerA, product.id, 3, 'same-key-10x');
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'idempotency_mismatch');
  });

  it('ten concurrent payments of one order: one settlement, the others 409 (or the replayed first answer with a key)', async () => {
    const product = await makeProduct(ctx.db, cast.vendorA, { title: '医用空气消毒机', price_fen: 12_000_00, stock: 10 });
    const placed = await order(tok.buyerA, product.id);
    const id = placed.body.id as number;
    await accepted(id);
    const pays = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const req = t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA);
        if (i < 5) req.set('Idempotency-Key', `pay-${id}`);
        return req.send({});
      }),
    );
    const ok = pays.filter((r) => r.status === 200);
    assert.ok(ok.length >= 1 && ok.length <= 6, JSON.stringify(pays.map((r) => r.status)));
    assert.ok(pays.every((r) => r.status === 200 || (r.status === 409 && r.body.error.code === 'invalid_state')));
    assert.equal((await ctx.db('ledger_transfers').where({ order_id: id, kind: 'settle' })).length, 1);
    assert.equal((await ctx.db('trades').where({ order_id: id })).length, 1);
  });

  it('the same Idempotency-Key on a payment 10 times at once, for each of five orders at once: ten identical 200 answers per order, one settlement each', async () => {
    const product = await makeProduct(ctx.db, cast.vendorA, { title: '便携式彩超', price_fen: 2_000_00, stock: 10 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await order(tok.buyerA, product.id)).body.id as number);
    for (const id of ids) await accepted(id);
    const pays = await Promise.all(
      ids.flatMap((id) => Array.from({ length: 10 }, () => t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).set('Idempotency-Key', `pay-10x-${id}`).send({}))),
    );
    for (const [n, id] of ids.entries()) {
      const mine = pays.slice(n * 10, n * 10 + 10);
      assert.deepEqual(
        mine.map((r) => r.status),
        Array(10).fill(200),
        JSON.stringify(mine.map((r) => r.body)),
      );
      for (const r of mine) assert.deepEqual(r.body, mine[0].body);
      assert.equal(mine[0].body.id, id);
      assert.equal(mine[0].body.status, 'paid');
      assert.equal((await ctx.db('ledger_transfers').where({ order_id: id, kind: 'settle' })).length, 1);
    }
    assert.equal((await new Ledger(new SystemClock()).verify(ctx.db)).ok, true);
  });
});
