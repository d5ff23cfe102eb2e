import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/db/hash-chain';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';

const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');

/**
 * What an Idempotency-Key promises when things go wrong: the stored answer commits with the effect (never one
 * without the other), and a key left behind by an attempt that died is taken over by the retry.
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

  /** An order walked to `accepted` over HTTP, ready to pay. */
  async function acceptedOrder(): Promise<number> {
    const placed = await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).send({ items: [{ productId, quantity: 1 }] });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    for (const [who, action] of [
      [tok.sellerA, 'confirm'],
      [tok.sellerA, 'deliver'],
      [tok.buyerA, 'accept'],
    ] as const) {
      const res = await t.http.post(`/api/v1/orders/${placed.body.id}/${action}`).set('Authorization', who).send({});
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    return placed.body.id as number;
  }

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
      await ctx.db.raw('CREATE TRIGGER refuse_answers BEFORE UPDATE ON idempotency_keys FOR EACH ROW WHEN (NEW.status_code IS NOT NULL) EXECUTE FUNCTION refuse_answers()');
    } else {
      await ctx.db.raw(`CREATE TRIGGER refuse_answers BEFORE UPDATE ON idempotency_keys WHEN NEW.status_code IS NOT NULL BEGIN SELECT RAISE(ABORT, 'no answers today'); END`);
    }
    try {
      const failed = await pay(id, 'pay-atomic-1');
      assert.equal(failed.status, 500);
      assert.equal(await statusOf(id), 'accepted', 'the order did not move');
      assert.equal((await settlements(id)).length, 0, 'no money moved');
      assert.equal((await ctx.db('idempotency_keys').where({ key: 'pay-atomic-1' })).length, 0, 'the failed attempt freed its key');
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

  it('a key left without an answer by an attempt that died is taken over once its claim ran out: the retry pays, once', async () => {
    const id = await acceptedOrder();
    // What a process killed mid-request leaves behind: the claim, no answer (its transaction never committed).
    await ctx.db('idempotency_keys').insert({
      scope: `${cast.users.buyerA.id}:POST /api/v1/orders/${id}/pay`,
      key: 'pay-after-crash',
      request_hash: requestHash({}),
      created_at: new Date().toISOString(),
      claim_token: 'dead-attempt',
      claimed_until: Date.now() - 1,
    });
    const res = await pay(id, 'pay-after-crash');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'paid');
    assert.equal((await settlements(id)).length, 1);
    const replay = await pay(id, 'pay-after-crash');
    assert.equal(replay.status, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replay.body, res.body);
    assert.equal((await settlements(id)).length, 1, 'still one settlement');
  });

  it('a key still claimed by a running attempt is not taken over: the other body is 409, the same body waits for the answer', async () => {
    const id = await acceptedOrder();
    const scope = `${cast.users.buyerA.id}:POST /api/v1/orders/${id}/pay`;
    await ctx.db('idempotency_keys').insert({ scope, key: 'pay-running', request_hash: requestHash({}), created_at: new Date().toISOString(), claim_token: 'live-attempt', claimed_until: Date.now() + 60_000 });
    const other = await t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).set('Idempotency-Key', 'pay-running').send({ note: 'x' });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'idempotency_mismatch');
    // The "running attempt" answers while the retry waits: the retry replays that answer and pays nothing itself.
    const waiting = pay(id, 'pay-running');
    await new Promise((r) => setTimeout(r, 200));
    await ctx.db('idempotency_keys').where({ scope, key: 'pay-running' }).update({ status_code: 200, response_body: JSON.stringify({ answered: 'by the first attempt' }) });
    const res = await waiting;
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { answered: 'by the first attempt' });
    assert.equal(await statusOf(id), 'accepted');
    assert.equal((await settlements(id)).length, 0);
  });
});
