import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { acceptedOrders, makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';

/**
 * What an Idempotency-Key promises when things go wrong: the key and its answer commit with the effect (never one
 * without the other), and concurrent requests with one key are settled by the key: one effect, one answer.
 */
describe(`Idempotency-Key under failure (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;
  let productId: number;

  const pay = (id: number, key: string) => t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).set('Idempotency-Key', key).send({});
  const statusOf = async (id: number) => (await ctx.db('orders').where({ id }).first('status')).status as string;
  const settlements = async (id: number) => ctx.db('ledger_transfers').where({ order_id: id, kind: 'settle' });

  /** An order walked to `accepted`, ready to pay. */
  const acceptedOrder = async () => (await acceptedOrders(ctx.db, cast, 1))[0];

  before(async () => {
    t = testApp(ctx.db);
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
    productId = (await makeProduct(ctx.db, cast.vendorA, { title: '医用输液泵', price_fen: 2_500_00, stock: 100 })).id;
    const res = await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId: cast.unitA.id, amount: '100000' });
    assert.equal(res.status, 201);
  });

  it('stores the answer in the payment’s own transaction: if storing it fails, the payment is rolled back too', async () => {
    const id = await acceptedOrder();
    // Sabotage: the database refuses to record any answer.
    if (ENGINE === 'postgres') {
      await ctx.db.raw(`CREATE FUNCTION refuse_answers() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no answers today'; END $$ LANGUAGE plpgsql`);
      await ctx.db.raw('CREATE TRIGGER refuse_answers BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_answers()');
    } else {
      await ctx.db.raw(`CREATE TRIGGER refuse_answers BEFORE INSERT ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'no answers today'); END`);
    }
    try {
      const failed = await pay(id, 'pay-atomic-1');
      assert.equal(failed.status, 500);
      assert.equal(await statusOf(id), 'accepted', 'the order did not move');
      assert.equal((await settlements(id)).length, 0, 'no money moved');
      assert.equal((await ctx.db('idempotency_keys').where({ key: 'pay-atomic-1' })).length, 0, 'the failed attempt left no key');
    } finally {
      await ctx.db.raw(ENGINE === 'postgres' ? 'DROP TRIGGER refuse_answers ON idempotency_keys' : 'DROP TRIGGER refuse_answers');
      if (ENGINE === 'postgres') await ctx.db.raw('DROP FUNCTION refuse_answers()');
    }
    const retried = await pay(id, 'pay-atomic-1');
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.status, 'paid');
    assert.equal((await settlements(id)).length, 1);
    const [row] = await ctx.db('idempotency_keys').where({ key: 'pay-atomic-1' });
    assert.equal(Number(row.status_code), 200);
    assert.deepEqual(JSON.parse(row.response_body), retried.body, 'the stored answer is the one sent');
  });

  it('stores a creation’s answer with its 201', async () => {
    const res = await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).set('Idempotency-Key', 'create-1').send({ items: [{ productId, quantity: 2 }] });
    assert.equal(res.status, 201);
    const [row] = await ctx.db('idempotency_keys').where({ key: 'create-1' });
    assert.equal(Number(row.status_code), 201);
    assert.deepEqual(JSON.parse(row.response_body), res.body);
    const again = await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).set('Idempotency-Key', 'create-1').send({ items: [{ productId, quantity: 2 }] });
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, res.body);
  });

  it('two requests with one key at the same time: one pays, the other rolls back and answers with the first’s answer', async () => {
    const id = await acceptedOrder();
    const [a, b] = await Promise.all([pay(id, 'pay-race'), pay(id, 'pay-race')]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.deepEqual(a.body, b.body);
    assert.equal([a, b].filter((r) => r.headers['idempotent-replayed'] === 'true').length, 1);
    assert.equal((await settlements(id)).length, 1);
  });

  it('two creations with one key and different bodies at the same time: one order, the other request 409', async () => {
    const before = Number((await ctx.db('orders').count({ n: '*' }).first())?.n);
    const create = (quantity: number) => t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).set('Idempotency-Key', 'create-race').send({ items: [{ productId, quantity }] });
    const results = await Promise.all([create(1), create(3)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    assert.equal(results.find((r) => r.status === 409)?.body.error.code, 'idempotency_mismatch');
    assert.equal(Number((await ctx.db('orders').count({ n: '*' }).first())?.n), before + 1);
  });

  it('a payment that was refused stored no answer: the same key with the same body runs again', async () => {
    const id = await acceptedOrder();
    await ctx.db('orders').where({ id }).update({ status: 'delivered' });
    const early = await pay(id, 'pay-too-early');
    assert.equal(early.status, 409);
    const rows = await ctx.db('idempotency_keys').where({ key: 'pay-too-early' });
    assert.deepEqual(rows.map((r) => [r.status_code, r.response_body]), [[null, null]], 'the key is bound to the body, with no answer');
    await ctx.db('orders').where({ id }).update({ status: 'accepted' });
    const res = await pay(id, 'pay-too-early');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'paid');
    const again = await pay(id, 'pay-too-early');
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.body, res.body);
  });

  it('a key whose first use was refused cannot be spent on another body (409), and nothing is written', async () => {
    const create = (items: unknown) => t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).set('Idempotency-Key', 'create-refused').send({ items });
    const scarce = (await makeProduct(ctx.db, cast.vendorA, { title: '手术机器人', price_fen: 100_00, stock: 1 })).id;
    const before = Number((await ctx.db('orders').count({ n: '*' }).first())?.n);
    const refused = await create([{ productId: scarce, quantity: 2 }]);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'insufficient_stock');
    const other = await create([{ productId, quantity: 1 }]);
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.error.code, 'idempotency_mismatch');
    assert.equal(Number((await ctx.db('orders').count({ n: '*' }).first())?.n), before, 'no order was placed');
    // The refused body itself may be retried: it runs again (and is refused again, the stock being what it is).
    assert.equal((await create([{ productId: scarce, quantity: 2 }])).body.error.code, 'insufficient_stock');
  });

  it('a request whose input is invalid (422) never started: its key stays unused, for the corrected request', async () => {
    const create = (items: unknown) => t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).set('Idempotency-Key', 'create-invalid').send({ items });
    assert.equal((await create([])).status, 422);
    assert.equal((await ctx.db('idempotency_keys').where({ key: 'create-invalid' })).length, 0);
    const corrected = await create([{ productId, quantity: 1 }]);
    assert.equal(corrected.status, 201, JSON.stringify(corrected.body));
  });

  it('no body and an empty JSON object are the same body', async () => {
    const id = await acceptedOrder();
    const first = await t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).set('Idempotency-Key', 'pay-empty');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const again = await pay(id, 'pay-empty');
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.body, first.body);
  });
});
