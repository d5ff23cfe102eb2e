import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit/service';
import { SystemClock } from '../../src/clock';
import { AppError } from '../../src/errors';
import { withCommitHook, type CommitHook } from '../../src/db/commit-hook';
import { OrderService, type StepResult } from '../../src/orders/service';
import type { Actor } from '../../src/web/state';
import { bearer, testApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { fundedTradingCast, makeProduct, type Cast } from '../helpers/trading';

/**
 * Confirmations, deliveries and acceptances that arrive together commit together (OrderService.stepsTogether), as
 * payments do: what each caller sees, and what the tables hold, must be exactly what taking the step alone gives.
 */
describe(`order steps that arrive together commit together (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  const clock = new SystemClock();
  let cast: Cast;
  let buyerA: Actor;
  let buyerB: Actor;
  let sellerA: Actor;
  let sellerB: Actor;

  before(async () => {
    ({ cast, buyerA, buyerB, sellerA, sellerB } = await fundedTradingCast(ctx.db));
  });

  async function placed(buyer: Actor, vendor: Cast['vendorA'], n: number): Promise<number[]> {
    const service = new OrderService(ctx.db, clock);
    const product = await makeProduct(ctx.db, vendor, { title: `批量确认测试品${n}`, price_fen: 1_000_00, stock: n + 5 });
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await service.place(buyer, [{ productId: product.id, quantity: 1 }])).id);
    return ids;
  }

  /** A service whose queues have one slot on both engines, so that steps sent together are grouped. */
  const grouped = () => {
    const service = new OrderService(ctx.db, clock, { paymentSlots: 1 });
    return { service, queue: service.steps };
  };

  it('16 confirmations, then deliveries, then acceptances with notes, of two vendors at once: fewer commits than steps; each order moved once with its history row and audit record; the audit chain verifies', async () => {
    const a = await placed(buyerA, cast.vendorA, 8);
    const b = await placed(buyerB, cast.vendorB, 8);
    const { service, queue } = grouped();
    const all = [...a, ...b];
    const sellerOf = (id: number) => (a.includes(id) ? sellerA : sellerB);
    const buyerOf = (id: number) => (a.includes(id) ? buyerA : buyerB);

    const confirmed = await Promise.all(all.map((id) => service.act(sellerOf(id), id, 'confirm')));
    const delivered = await Promise.all(all.map((id) => service.act(sellerOf(id), id, 'deliver')));
    const accepted = await Promise.all(all.map((id) => service.act(buyerOf(id), id, 'accept', { note: `验收合格 ${id}` })));

    assert.ok(queue.stats.batches >= 3 && queue.stats.batched >= 40, `steps were grouped: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, 0);
    assert.deepEqual(confirmed.map((r) => [r.id, r.status, r.transferId]), all.map((id) => [id, 'confirmed', null]));
    assert.deepEqual(delivered.map((r) => r.status), Array(16).fill('delivered'));
    assert.deepEqual(accepted.map((r) => r.status), Array(16).fill('accepted'));
    const rows = await ctx.db('orders').whereIn('id', all).orderBy('id').select('id', 'status', 'acceptance_note');
    assert.ok(rows.every((r) => r.status === 'accepted' && r.acceptance_note === `验收合格 ${r.id}`));
    const history = await ctx.db('order_history').whereIn('order_id', all).orderBy('id');
    assert.equal(history.length, 16 * 4, 'placed, confirmed, delivered, accepted: one row each');
    for (const id of all) {
      const own = history.filter((h) => Number(h.order_id) === id);
      assert.deepEqual(own.map((h) => [h.from_status, h.to_status]), [[null, 'placed'], ['placed', 'confirmed'], ['confirmed', 'delivered'], ['delivered', 'accepted']]);
      assert.equal(own[3].note, `验收合格 ${id}`);
      assert.equal(Number(own[1].actor_id), sellerOf(id).id);
      assert.equal(Number(own[3].actor_id), buyerOf(id).id);
    }
    const audit = await ctx.db('audit_log').whereIn('action', ['order.confirm', 'order.deliver', 'order.accept']).whereIn('entity_id', all.map(String));
    assert.equal(audit.length, 48);
    const acceptRecord = audit.find((r) => r.action === 'order.accept' && Number(r.entity_id) === a[0]);
    const orderNo = (await ctx.db('orders').where({ id: a[0] }).first('order_no')).order_no;
    assert.deepEqual(JSON.parse(acceptRecord.after), { orderNo, status: 'accepted', note: `验收合格 ${a[0]}` });
    assert.deepEqual(JSON.parse(acceptRecord.before), { status: 'delivered' });
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });

  it('each step of a batch gets its own answer, in the words a step alone gives: someone else’s order 403, the buyer confirming 403, an order already confirmed 409, the same order twice confirmed once; the rest move', async () => {
    const ids = await placed(buyerA, cast.vendorA, 5);
    const { service, queue } = grouped();
    const before = { ...queue.stats };
    const jobs: Array<[Actor, number]> = [
      [sellerA, ids[0]], // alone: starts the queue
      [sellerA, ids[1]],
      [sellerB, ids[2]], // another vendor's order
      [buyerA, ids[3]], // a purchaser may not confirm
      [sellerA, ids[4]],
      [sellerA, ids[4]], // twice
    ];
    const settled = await Promise.allSettled(jobs.map(([who, id]) => service.act(who, id, 'confirm')));
    const seen = settled.map((s) => (s.status === 'fulfilled' ? (s.value as StepResult).status : `${(s.reason as AppError).code} ${(s.reason as AppError).messageKey}`));
    assert.deepEqual(seen, ['confirmed', 'confirmed', 'forbidden errors.forbidden', 'forbidden orders.guard_vendor', 'confirmed', 'invalid_state orders.in_state_confirmed']);
    assert.ok(queue.stats.batched - before.batched >= 2, `the steps after the first were taken together: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, before.fallbacks);
    assert.deepEqual(await ctx.db('orders').whereIn('id', ids).orderBy('id').pluck('status'), ['confirmed', 'confirmed', 'placed', 'placed', 'confirmed']);
    assert.equal((await ctx.db('order_history').where({ order_id: ids[4], to_status: 'confirmed' })).length, 1);
  });

  it('each caller’s commit hook runs inside the batch’s transaction with its own answer and is marked committed; through HTTP, confirmations sent together each get their own answer, and a second confirmation is a 409', async () => {
    const ids = await placed(buyerA, cast.vendorA, 6);
    const { service } = grouped();
    const seen: Array<[number, number, string]> = [];
    const hooks = ids.map(
      (orderId): CommitHook => ({
        committed: false,
        async beforeCommit(trx, result) {
          const status = (await trx('orders').where({ id: orderId }).first('status')).status as string;
          seen.push([orderId, (result as StepResult).id, status]);
        },
      }),
    );
    await Promise.all(ids.slice(0, 3).map((id, i) => withCommitHook(hooks[i], () => service.act(sellerA, id, 'confirm'))));
    assert.deepEqual(seen.sort((x, y) => x[0] - y[0]), ids.slice(0, 3).map((id) => [id, id, 'confirmed']));
    assert.ok(hooks.slice(0, 3).every((h) => h.committed));

    // Only money-moving steps honour Idempotency-Key (workflow/registrar.ts): a confirmation sent again is refused.
    const t = testApp(ctx.db);
    const token = await bearer(t.http, cast.users.sellerA.username);
    const confirm = (id: number) => t.http.post(`/api/v1/orders/${id}/confirm`).set('Authorization', token).send({});
    const rest = ids.slice(3);
    const first = await Promise.all(rest.map(confirm));
    assert.deepEqual(first.map((r) => [r.status, r.body.id, r.body.status]), rest.map((id) => [200, id, 'confirmed']));
    const again = await Promise.all(rest.map(confirm));
    assert.deepEqual(again.map((r) => [r.status, r.body.error?.code]), rest.map(() => [409, 'invalid_state']));
    assert.equal((await ctx.db('order_history').whereIn('order_id', rest).andWhere({ to_status: 'confirmed' })).length, 3);
  });
});
