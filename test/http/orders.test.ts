import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { DEMO_PASSWORD } from '../helpers/factories';
import { makeProduct, moneyFloats, tokens, tradingCast, type Cast } from '../helpers/trading';

const MONEY = /^\d+\.\d{2}$/;

function assertError(res: Response, status: number, code: string, field?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  if (field !== undefined) assert.equal(res.body.error.field, field);
  assert.equal(typeof res.body.error.message, 'string');
}

describe(`orders over HTTP (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;
  const p: Record<string, number> = {};

  const allocate = (purchaserId: number, amount: string) => t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId, amount });
  const order = (who: string, items: unknown, key?: string) => {
    const req = t.http.post('/api/v1/orders').set('Authorization', who);
    if (key) req.set('Idempotency-Key', key);
    return req.send({ items });
  };
  const step = (who: string, id: number, action: string, body: object = {}) => t.http.post(`/api/v1/orders/${id}/${action}`).set('Authorization', who).send(body);
  const stock = async (id: number) => Number((await ctx.db('products').where({ id }).first('stock')).stock);
  const budget = async (who: string) => (await t.http.get('/api/v1/budget').set('Authorization', who)).body;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
    p.a1 = (await makeProduct(ctx.db, cast.vendorA, { title: '智能快递柜', price_fen: 1_000_00, stock: 5 })).id;
    p.a2 = (await makeProduct(ctx.db, cast.vendorA, { title: '医用输液泵', price_fen: 2_500_50, stock: 100 })).id;
    p.b1 = (await makeProduct(ctx.db, cast.vendorB, { title: '电动巡逻车', price_fen: 50_000_00, stock: 3 })).id;
    p.pending = (await makeProduct(ctx.db, cast.vendorA, { title: '待审核商品', status: 'pending_review' })).id;
    assert.equal((await allocate(cast.unitA.id, '20000')).status, 201);
  });

  describe('POST /api/v1/orders', () => {
    it('401 without identity, 403 for a vendor or an admin', async () => {
      assertError(await t.http.post('/api/v1/orders').send({ items: [{ productId: p.a1, quantity: 1 }] }), 401, 'unauthenticated');
      assertError(await order(tok.sellerA, [{ productId: p.a1, quantity: 1 }]), 403, 'forbidden');
      assertError(await order(tok.admin, [{ productId: p.a1, quantity: 1 }]), 403, 'forbidden');
    });

    it('422 naming the field for missing, empty or malformed items', async () => {
      assertError(await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).send({}), 422, 'validation_failed', 'items');
      assertError(await order(tok.buyerA, []), 422, 'validation_failed', 'items');
      assertError(await order(tok.buyerA, [{ productId: p.a1, quantity: 0 }]), 422, 'validation_failed', 'items.0.quantity');
      assertError(await order(tok.buyerA, [{ productId: p.a1, quantity: 1.5 }]), 422, 'validation_failed', 'items.0.quantity');
      assertError(await order(tok.buyerA, [{ productId: p.a1, quantity: 'many' }]), 422, 'validation_failed', 'items.0.quantity');
      assertError(await order(tok.buyerA, [{ productId: -3, quantity: 1 }]), 422, 'validation_failed', 'items.0.productId');
      assertError(await order(tok.buyerA, 'everything'), 422, 'validation_failed', 'items');
    });

    it('another method on a known address: 405 in the error shape, with the Allow header', async () => {
      const put = await t.http.put('/api/v1/orders').set('Authorization', tok.buyerA).send({ items: [] });
      assertError(put, 405, 'method_not_allowed');
      assert.match(put.headers.allow, /POST/);
      assert.match(put.body.error.message, /PUT/);
      const en = await t.http.delete('/api/v1/budget').set('Authorization', tok.buyerA).set('Accept-Language', 'en');
      assertError(en, 405, 'method_not_allowed');
      assert.match(en.body.error.message, /not allowed/);
    });

    it('422 for a product that does not exist or is not approved, naming the line', async () => {
      assertError(await order(tok.buyerA, [{ productId: p.a1, quantity: 1 }, { productId: 999999, quantity: 1 }]), 422, 'validation_failed', 'items.1.productId');
      assertError(await order(tok.buyerA, [{ productId: p.pending, quantity: 1 }]), 422, 'validation_failed', 'items.0.productId');
    });

    it('422 for products of two vendors in one order', async () => {
      assertError(await order(tok.buyerA, [{ productId: p.a1, quantity: 1 }, { productId: p.b1, quantity: 1 }]), 422, 'validation_failed', 'items');
    });

    it('409 insufficient_stock naming the product; nothing written', async () => {
      const before = await ctx.db('orders').count({ n: '*' }).first();
      const res = await order(tok.buyerA, [{ productId: p.a2, quantity: 1 }, { productId: p.a1, quantity: 6 }]);
      assertError(res, 409, 'insufficient_stock');
      assert.match(res.body.error.message, /智能快递柜/);
      assert.equal(await stock(p.a1), 5);
      assert.equal(await stock(p.a2), 100, 'the other line’s stock is restored by the rollback');
      assert.deepEqual(await ctx.db('orders').count({ n: '*' }).first(), before);
    });

    it('409 insufficient_budget naming the product; stock and budget untouched', async () => {
      const res = await order(tok.buyerB, [{ productId: p.b1, quantity: 1 }]);
      assertError(res, 409, 'insufficient_budget');
      assert.match(res.body.error.message, /电动巡逻车/);
      assert.equal(await stock(p.b1), 3);
      assert.equal((await budget(tok.buyerB)).available, '0.00');
    });

    it('201 {id, status:"placed", total}: stock and budget reserved in one step, one reserve transfer keyed by the order', async () => {
      const res = await order(tok.buyerA, [{ productId: p.a1, quantity: 2 }, { productId: p.a2, quantity: 1 }, { productId: p.a1, quantity: 1 }]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'placed');
      assert.equal(res.body.total, '5500.50');
      assert.equal(typeof res.body.id, 'number');
      assert.equal(await stock(p.a1), 2);
      assert.equal(await stock(p.a2), 99);
      assert.deepEqual(await budget(tok.buyerA), { purchaserId: cast.unitA.id, allocated: '20000.00', reserved: '5500.50', available: '14499.50', spent: '0.00' });
      const transfers = await ctx.db('ledger_transfers').where({ order_id: res.body.id });
      assert.equal(transfers.length, 1);
      assert.equal(transfers[0].kind, 'reserve');
      assert.equal(transfers[0].idempotency_key, `order:${res.body.id}:reserve`);
      const history = await ctx.db('order_history').where({ order_id: res.body.id });
      assert.deepEqual(history.map((h) => [h.from_status, h.to_status]), [[null, 'placed']]);
      const audit = await ctx.db('audit_log').where({ entity: 'order', entity_id: String(res.body.id) });
      assert.deepEqual(audit.map((a) => a.action), ['order.place']);
    });

    it('Idempotency-Key: a replay returns the first response, another body with the key is 409', async () => {
      const first = await order(tok.buyerA, [{ productId: p.a2, quantity: 1 }], 'order-key-1');
      assert.equal(first.status, 201);
      const again = await order(tok.buyerA, [{ productId: p.a2, quantity: 1 }], 'order-key-1');
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assertError(await order(tok.buyerA, [{ productId: p.a2, quantity: 2 }], 'order-key-1'), 409, 'idempotency_mismatch');
      assert.equal(await ctx.db('orders').where({ purchaser_id: cast.unitA.id }).count({ n: '*' }).first().then((r) => Number(r?.n)), 2);
    });
  });

  describe('the order’s life: confirm → deliver → accept → pay → refund', () => {
    let id: number;
    before(async () => {
      id = (await order(tok.buyerA, [{ productId: p.a2, quantity: 2 }])).body.id;
    });

    it('confirm: 401, 403 for the purchaser, 403 for another vendor (API.md: not yours), 404 for none, 200 for the vendor, then 409 naming the state', async () => {
      assertError(await t.http.post(`/api/v1/orders/${id}/confirm`), 401, 'unauthenticated');
      assertError(await step(tok.buyerA, id, 'confirm'), 403, 'forbidden');
      assertError(await step(tok.sellerB, id, 'confirm'), 403, 'forbidden');
      assertError(await step(tok.sellerA, 99999, 'confirm'), 404, 'not_found');
      assertError(await step(tok.sellerA, 'abc' as unknown as number, 'confirm'), 404, 'not_found');
      const res = await step(tok.sellerA, id, 'confirm');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'confirmed');
      const again = await step(tok.sellerA, id, 'confirm');
      assertError(again, 409, 'invalid_state');
      assert.match(again.body.error.message, /已确认/);
    });

    it('accept before delivery is 409; deliver by the vendor', async () => {
      assertError(await step(tok.buyerA, id, 'accept'), 409, 'invalid_state');
      assertError(await step(tok.buyerA, id, 'deliver'), 403, 'forbidden');
      const res = await step(tok.sellerA, id, 'deliver');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'delivered');
    });

    it('cancel after delivery is 409 (the message names the state)', async () => {
      const res = await step(tok.buyerA, id, 'cancel');
      assertError(res, 409, 'invalid_state');
      assert.match(res.body.error.message, /已交付/);
    });

    it('accept: 403 for the vendor and for another unit, 422 for a too-long note, 200 with the 验收意见 recorded', async () => {
      assertError(await step(tok.sellerA, id, 'accept'), 403, 'forbidden');
      assertError(await step(tok.buyerB, id, 'accept'), 403, 'forbidden');
      assertError(await step(tok.buyerA, id, 'accept', { note: 'x'.repeat(1001) }), 422, 'validation_failed', 'note');
      const res = await step(tok.buyerA2, id, 'accept', { note: '设备运行正常，验收合格' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'accepted');
      assert.equal(res.body.acceptanceNote, '设备运行正常，验收合格');
    });

    it('pay settles the trade (commitment → vendor) with the trade facts; a body that is not an object is 400; a second payment is 409', async () => {
      assertError(await step(tok.sellerA, id, 'pay'), 403, 'forbidden');
      const notAnObject = await t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).set('content-type', 'application/json').send('[1]');
      assertError(notAnObject, 400, 'malformed');
      assert.equal((await ctx.db('orders').where({ id }).first()).status, 'accepted', 'a malformed payment pays nothing');
      const res = await step(tok.buyerA, id, 'pay');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'paid');
      assert.equal(typeof res.body.transferId, 'number');
      const settle = await ctx.db('ledger_transfers').where({ order_id: id, kind: 'settle' });
      assert.equal(settle.length, 1);
      assert.equal(Number(settle[0].amount_fen), 5_001_00);
      assert.equal(settle[0].idempotency_key, `order:${id}:settle`);
      const trade = await ctx.db('trades').where({ order_id: id }).first();
      assert.equal(trade.channel, 'boutique');
      assert.equal(trade.purchaser_city, '杭州');
      assert.equal(trade.purchaser_type, 'hospital');
      assert.equal(trade.vendor_city, '温州');
      assert.equal(trade.product_title, '医用输液泵');
      assert.equal(trade.count_delta, 1);
      assert.equal(trade.day, '2026-03-02');
      const again = await step(tok.buyerA, id, 'pay');
      assertError(again, 409, 'invalid_state');
      assert.match(again.body.error.message, /已付款/);
      assert.equal((await ctx.db('ledger_transfers').where({ order_id: id, kind: 'settle' })).length, 1);
    });

    it('refund: 403 for the purchaser and for another vendor, 200 for the vendor: a reversing trade restores the budget', async () => {
      const before = await budget(tok.buyerA);
      assertError(await step(tok.buyerA, id, 'refund'), 403, 'forbidden');
      assertError(await step(tok.sellerB, id, 'refund'), 403, 'forbidden');
      const res = await step(tok.sellerA, id, 'refund');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'refunded');
      const after = await budget(tok.buyerA);
      assert.equal(after.spent, '0.00');
      assert.equal(Number(after.available) - Number(before.available), 5001);
      const trades = await ctx.db('trades').where({ order_id: id }).orderBy('id');
      assert.deepEqual(trades.map((x) => [x.count_delta, Number(x.amount_fen)]), [[1, 500100], [-1, -500100]]);
      assertError(await step(tok.admin, id, 'refund'), 409, 'invalid_state');
    });

    it('the history has a row per step with the actor, the audit log a record per step', async () => {
      const res = await t.http.get(`/api/v1/orders/${id}`).set('Authorization', tok.buyerA);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.history.map((h: { to: string }) => h.to), ['placed', 'confirmed', 'delivered', 'accepted', 'paid', 'refunded']);
      assert.ok(res.body.history.every((h: { actor: string | null; at: string }) => h.actor && h.at));
      assert.equal(res.body.history[3].note, '设备运行正常，验收合格');
      const audit = await ctx.db('audit_log').where({ entity: 'order', entity_id: String(id) }).orderBy('id');
      assert.deepEqual(audit.map((a) => a.action), ['order.place', 'order.confirm', 'order.deliver', 'order.accept', 'order.pay', 'order.refund']);
    });
  });

  describe('cancel', () => {
    it('before delivery: budget released and stock restored; 403 for the vendor; a second cancel 409', async () => {
      const before = await budget(tok.buyerA);
      const placed = await order(tok.buyerA, [{ productId: p.a2, quantity: 3 }]);
      const id = placed.body.id as number;
      assert.equal((await step(tok.sellerA, id, 'confirm')).status, 200);
      assertError(await step(tok.sellerA, id, 'cancel'), 403, 'forbidden');
      const stockBefore = await stock(p.a2);
      const res = await step(tok.buyerA, id, 'cancel');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'cancelled');
      assert.equal(await stock(p.a2), stockBefore + 3);
      assert.deepEqual(await budget(tok.buyerA), before);
      const kinds = (await ctx.db('ledger_transfers').where({ order_id: id }).orderBy('id')).map((x) => x.kind);
      assert.deepEqual(kinds, ['reserve', 'release']);
      const again = await step(tok.buyerA, id, 'cancel');
      assertError(again, 409, 'invalid_state');
      assert.match(again.body.error.message, /已取消/);
    });
  });

  describe('GET /api/v1/orders, /api/v1/orders/:id, /api/v1/vendor/orders', () => {
    it('401 without identity', async () => {
      assertError(await t.http.get('/api/v1/orders'), 401, 'unauthenticated');
      assertError(await t.http.get('/api/v1/vendor/orders'), 401, 'unauthenticated');
    });

    it('a purchaser sees only its own unit’s orders; another unit’s order is 403 (not yours)', async () => {
      const mine = await t.http.get('/api/v1/orders').set('Authorization', tok.buyerA);
      assert.equal(mine.status, 200);
      assert.deepEqual(Object.keys(mine.body).sort(), ['items', 'page', 'pageSize', 'total']);
      assert.ok(mine.body.total >= 3);
      assert.ok(mine.body.items.every((o: { purchaser: { id: number } }) => o.purchaser.id === cast.unitA.id));
      const theirs = await t.http.get('/api/v1/orders').set('Authorization', tok.buyerB);
      assert.equal(theirs.body.total, 0);
      assertError(await t.http.get(`/api/v1/orders/${mine.body.items[0].id}`).set('Authorization', tok.buyerB), 403, 'forbidden');
    });

    it('pages with page and pageSize; 422 for pageSize=1000 or an unknown status', async () => {
      const res = await t.http.get('/api/v1/orders?pageSize=1&page=2').set('Authorization', tok.buyerA);
      assert.equal(res.status, 200);
      assert.equal(res.body.items.length, 1);
      assert.equal(res.body.page, 2);
      assert.equal(res.body.pageSize, 1);
      assertError(await t.http.get('/api/v1/orders?pageSize=1000').set('Authorization', tok.buyerA), 422, 'validation_failed', 'pageSize');
      assertError(await t.http.get('/api/v1/orders?status=lost').set('Authorization', tok.buyerA), 422, 'validation_failed', 'status');
      const cancelled = await t.http.get('/api/v1/orders?status=cancelled').set('Authorization', tok.buyerA);
      assert.ok(cancelled.body.items.length >= 1);
      assert.ok(cancelled.body.items.every((o: { status: string }) => o.status === 'cancelled'));
    });

    it('the vendor list: 403 for a purchaser; a vendor sees its own orders only', async () => {
      assertError(await t.http.get('/api/v1/vendor/orders').set('Authorization', tok.buyerA), 403, 'forbidden');
      const a = await t.http.get('/api/v1/vendor/orders').set('Authorization', tok.sellerA);
      assert.ok(a.body.total >= 3);
      assert.ok(a.body.items.every((o: { vendor: { id: number } }) => o.vendor.id === cast.vendorA.id));
      const b = await t.http.get('/api/v1/vendor/orders').set('Authorization', tok.sellerB);
      assert.equal(b.body.total, 0);
    });

    it('the detail lists the steps the caller may take', async () => {
      const id = (await order(tok.buyerA, [{ productId: p.a2, quantity: 1 }])).body.id;
      const asBuyer = await t.http.get(`/api/v1/orders/${id}`).set('Authorization', tok.buyerA);
      assert.deepEqual(asBuyer.body.actions, ['cancel']);
      const asSeller = await t.http.get(`/api/v1/orders/${id}`).set('Authorization', tok.sellerA);
      assert.deepEqual(asSeller.body.actions, ['confirm', 'decline']);
      assert.equal(asSeller.body.items[0].unitPrice, '2500.50');
    });

    it('money is never a JSON number', async () => {
      const bodies = [
        (await t.http.get('/api/v1/orders').set('Authorization', tok.buyerA)).body,
        (await t.http.get('/api/v1/vendor/orders').set('Authorization', tok.sellerA)).body,
        await budget(tok.buyerA),
      ];
      for (const b of bodies) assert.deepEqual(moneyFloats(b), []);
      const list = bodies[0] as { items: Array<{ total: string }> };
      assert.ok(list.items.every((o) => MONEY.test(o.total)));
    });
  });

  describe('times', () => {
    it('every time in an answer is ISO 8601 with the +08:00 offset (orders, their history, the token)', async () => {
      const SHANGHAI = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/;
      const placed = await order(tok.buyerA, [{ productId: p.a2, quantity: 1 }]);
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      assert.match(placed.body.createdAt, SHANGHAI);
      const list = await t.http.get('/api/v1/orders').set('Authorization', tok.buyerA);
      for (const o of list.body.items) {
        assert.match(o.createdAt, SHANGHAI);
        assert.match(o.updatedAt, SHANGHAI);
      }
      const detail = await t.http.get(`/api/v1/orders/${placed.body.id}`).set('Authorization', tok.buyerA);
      assert.equal(detail.status, 200);
      assert.ok(detail.body.history.length >= 1);
      for (const h of detail.body.history) assert.match(h.at, SHANGHAI);
      const token = await t.http.post('/api/v1/auth/token').send({ username: cast.users.buyerA.username, password: DEMO_PASSWORD });
      assert.match(token.body.expiresAt, SHANGHAI);
      assert.equal(Date.parse(placed.body.createdAt), Date.parse((await ctx.db('orders').where({ id: placed.body.id }).first()).created_at), 'the same instant as stored');
      const before = t.clock.now();
      const clock = await t.http.post('/api/v1/admin/clock').send({ now: '2026-03-02T02:00:00Z' });
      assert.equal(clock.status, 200);
      assert.match(clock.body.now, SHANGHAI);
      assert.match(clock.body.now, /^2026-03-02T10:00/);
      t.clock.set(before);
    });
  });
});
