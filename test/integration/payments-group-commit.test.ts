import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit/service';
import { SystemClock } from '../../src/clock';
import { AppError } from '../../src/errors';
import { withCommitHook, type CommitHook } from '../../src/db/commit-hook';
import { QueueClosed } from '../../src/db/group-commit';
import { commitmentAccount } from '../../src/ledger/accounts';
import { Ledger } from '../../src/ledger/service';
import { OrderService, type StepResult } from '../../src/orders/service';
import type { Actor } from '../../src/web/state';
import { bearer, testApp } from '../helpers/app';
import { ENGINE, migratedDb, useMigratedDb } from '../helpers/db';
import { acceptedOrders, actorFor, fundedTradingCast, makeProduct, tradingCast, type Cast } from '../helpers/trading';

/**
 * Group commit (src/db/group-commit.ts): payments that arrive while another transaction runs are paid together in the
 * next one. What each caller sees must be exactly what paying alone would have shown it.
 */
describe(`payments that arrive together commit together (${ENGINE})`, function () {
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

  /** `n` orders of one unit from one vendor, walked to `accepted` (or stopped at `upTo`). */
  async function orders(buyer: Actor, seller: Actor, vendor: Cast['vendorA'], n: number, priceFen: number, upTo: 'placed' | 'accepted' = 'accepted'): Promise<number[]> {
    const service = new OrderService(ctx.db, clock);
    const product = await makeProduct(ctx.db, vendor, { title: `批量付款测试品${priceFen}`, price_fen: priceFen, stock: n + 5 });
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const { id } = await service.place(buyer, [{ productId: product.id, quantity: 1 }]);
      if (upTo === 'accepted') {
        await service.act(seller, id, 'confirm');
        await service.act(seller, id, 'deliver');
        await service.act(buyer, id, 'accept');
      }
      ids.push(id);
    }
    return ids;
  }

  /** A service whose payments queue has one slot on both engines, so that payments sent together are grouped. */
  const grouped = () => {
    const service = new OrderService(ctx.db, clock, { paymentSlots: 1 });
    assert.ok(service.payments);
    return { service, queue: service.payments };
  };

  const fen = async (code: string) => Number((await ctx.db('ledger_accounts').where({ code }).first())?.balance_fen ?? 0);

  it('every step of an order, one at a time or grouped, publishes its event with the order\'s number (API.md "Numbers people read")', async () => {
    const [id] = await orders(buyerA, sellerA, cast.vendorA, 1, 1_000_00);
    const { service } = grouped();
    await Promise.all([service.act(buyerA, id!, 'pay')]);
    const orderNo = (await ctx.db('orders').where({ id }).first('order_no')).order_no as string;
    const events = await ctx.db('outbox_events').where({ stream: `order:${id}` }).orderBy('seq');
    assert.deepEqual(events.map((e) => e.type), ['order.placed', 'order.confirmed', 'order.delivered', 'order.accepted', 'order.paid']);
    for (const e of events) {
      const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as { after: { orderNo?: string } };
      assert.equal(data.after.orderNo, orderNo, e.type);
    }
  });

  it('24 payments of two units to two vendors at once: fewer commits than payments, each order paid once with its history, audit record, settlement and trade fact; the books and the audit chain verify', async () => {
    const a = await orders(buyerA, sellerA, cast.vendorA, 12, 1_234_56);
    const b = await orders(buyerB, sellerB, cast.vendorB, 12, 2_000_01);
    const { service, queue } = grouped();
    const commitBefore = { a: await fen(commitmentAccount(cast.unitA.id)), b: await fen(commitmentAccount(cast.unitB.id)) };

    const results = await Promise.all([...a.map((id) => service.act(buyerA, id, 'pay')), ...b.map((id) => service.act(buyerB, id, 'pay'))]);

    assert.ok(queue.stats.batches >= 1 && queue.stats.batched >= 20, `payments were grouped: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, 0);
    assert.deepEqual(
      results.map((r) => [r.id, r.status, r.total]),
      [...a.map((id) => [id, 'paid', '1234.56']), ...b.map((id) => [id, 'paid', '2000.01'])],
    );
    const transfers = await ctx.db('ledger_transfers').where({ kind: 'settle' }).whereIn('order_id', [...a, ...b]).orderBy('id');
    assert.equal(transfers.length, 24);
    assert.deepEqual(
      results.map((r) => r.transferId).sort((x, y) => Number(x) - Number(y)),
      transfers.map((t) => Number(t.id)),
      'each caller is told its own transfer',
    );
    for (const r of results) {
      const t = transfers.find((x) => Number(x.id) === r.transferId);
      assert.equal(Number(t.order_id), r.id);
      assert.equal(Number(t.amount_fen), r.total === '1234.56' ? 1_234_56 : 2_000_01);
    }
    const trades = await ctx.db('trades').whereIn('order_id', [...a, ...b]);
    assert.equal(trades.length, 24);
    assert.equal(trades.filter((t) => Number(t.vendor_id) === cast.vendorB.id).reduce((s, t) => s + Number(t.amount_fen), 0), 12 * 2_000_01);
    const history = await ctx.db('order_history').whereIn('order_id', [...a, ...b]).andWhere({ to_status: 'paid' });
    assert.equal(history.length, 24);
    assert.ok(history.every((h) => h.from_status === 'accepted' && Number(h.actor_id) === (a.includes(Number(h.order_id)) ? buyerA.id : buyerB.id)));
    const audit = await ctx.db('audit_log').where({ action: 'order.pay' }).whereIn('entity_id', [...a, ...b].map(String));
    assert.equal(audit.length, 24);
    assert.ok(audit.every((r) => r.actor_name === (a.includes(Number(r.entity_id)) ? buyerA.username : buyerB.username)));

    assert.equal(await fen(commitmentAccount(cast.unitA.id)), commitBefore.a - 12 * 1_234_56);
    assert.equal(await fen(commitmentAccount(cast.unitB.id)), commitBefore.b - 12 * 2_000_01);
    assert.equal(await fen(`vendor:${cast.vendorB.id}`), 12 * 2_000_01, "vendor B's account, made in the batch, holds its twelve settlements");
    const budget = await new Ledger(clock).budget(ctx.db, cast.unitB.id);
    assert.equal(budget.spent, '24000.12');
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });

  it('each payment of a batch gets its own answer: someone else’s order 403 (not yours), a vendor 403, an order not yet accepted 409 in its state, the same order twice paid once; the rest are paid', async () => {
    const good = await orders(buyerA, sellerA, cast.vendorA, 6, 500_00);
    const [unaccepted] = await orders(buyerA, sellerA, cast.vendorA, 1, 500_00, 'placed');
    const { service, queue } = grouped();
    const jobs: Array<[Actor, number]> = [
      [buyerA, good[0]], // alone: starts the queue
      [buyerA, good[1]],
      [buyerB, good[2]], // another unit's order
      [sellerA, good[3]], // the vendor may not pay
      [buyerA, unaccepted],
      [buyerA, good[4]],
      [buyerA, good[4]], // twice
      [buyerA, good[5]],
    ];
    const settled = await Promise.allSettled(jobs.map(([who, id]) => service.act(who, id, 'pay')));
    const seen = settled.map((s) => (s.status === 'fulfilled' ? (s.value as StepResult).status : `${(s.reason as AppError).code} ${(s.reason as AppError).messageKey}`));
    assert.deepEqual(seen, [
      'paid',
      'paid',
      'forbidden errors.forbidden',
      'forbidden orders.guard_purchaser',
      'invalid_state orders.in_state_placed',
      'paid',
      'invalid_state orders.in_state_paid',
      'paid',
    ]);
    assert.ok(queue.stats.batched >= 3, `the payments after the first were paid together: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, 0);
    const statuses = await ctx.db('orders').whereIn('id', [...good, unaccepted]).orderBy('id').pluck('status');
    assert.deepEqual(statuses, ['paid', 'paid', 'accepted', 'accepted', 'paid', 'paid', 'placed']);
    assert.equal((await ctx.db('ledger_transfers').where({ kind: 'settle', order_id: good[4] })).length, 1);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
  });

  it('through HTTP with Idempotency-Keys: payments paid together store each their own answer, and each key replays it', async () => {
    const ids = await orders(buyerA, sellerA, cast.vendorA, 8, 300_00);
    const t = testApp(ctx.db);
    const token = await bearer(t.http, cast.users.buyerA.username);
    const pay = (id: number) => t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', token).set('Idempotency-Key', `group-pay-${id}`).send({});
    const first = await Promise.all(ids.map(pay));
    assert.deepEqual(
      first.map((r) => [r.status, r.body.id, r.body.status]),
      ids.map((id) => [200, id, 'paid']),
    );
    const again = await Promise.all(ids.map(pay));
    for (const [i, r] of again.entries()) assert.deepEqual([r.status, r.body], [200, first[i].body]);
    assert.equal((await ctx.db('ledger_transfers').where({ kind: 'settle' }).whereIn('order_id', ids)).length, 8);
  });

  it('each request’s commit hook (its Idempotency-Key record) runs once, inside the batch’s transaction, with its own answer, and is marked committed', async () => {
    const ids = await orders(buyerA, sellerA, cast.vendorA, 6, 400_00);
    const { service, queue } = grouped();
    const before = { ...queue.stats };
    const seen: Array<{ orderId: number; resultId: number; status: string; settled: number }> = [];
    const hooks = ids.map(
      (orderId): CommitHook => ({
        committed: false,
        async beforeCommit(trx, result) {
          // What the hook's transaction sees: the payment itself, written but not yet committed.
          const status = (await trx('orders').where({ id: orderId }).first('status')).status as string;
          const settled = (await trx('ledger_transfers').where({ order_id: orderId, kind: 'settle' })).length;
          seen.push({ orderId, resultId: (result as StepResult).id, status, settled });
        },
      }),
    );
    const results = await Promise.all(ids.map((id, i) => withCommitHook(hooks[i], () => service.act(buyerA, id, 'pay'))));
    assert.deepEqual(results.map((r) => r.status), Array(6).fill('paid'));
    assert.equal(queue.stats.fallbacks, before.fallbacks);
    assert.equal(queue.stats.batched - before.batched, 5, 'the five after the first were paid together');
    assert.deepEqual(
      seen.sort((x, y) => x.orderId - y.orderId),
      ids.map((id) => ({ orderId: id, resultId: id, status: 'paid', settled: 1 })),
    );
    assert.ok(hooks.every((h) => h.committed));
  });

  it('a commit hook that fails inside a batch fails only its own payment: the batch is redone payment by payment', async () => {
    const ids = await orders(buyerA, sellerA, cast.vendorA, 5, 400_00);
    const { service, queue } = grouped();
    const before = { ...queue.stats };
    const hooks = ids.map(
      (orderId): CommitHook => ({
        committed: false,
        async beforeCommit() {
          if (orderId === ids[3]) throw new Error('the key store is unavailable');
        },
      }),
    );
    const settled = await Promise.allSettled(ids.map((id, i) => withCommitHook(hooks[i], () => service.act(buyerA, id, 'pay'))));
    assert.deepEqual(
      settled.map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as Error).message)),
      ['paid', 'paid', 'paid', 'the key store is unavailable', 'paid'],
    );
    assert.equal(queue.stats.fallbacks, before.fallbacks + 1);
    assert.equal(queue.stats.lastFallback, 'the key store is unavailable');
    assert.deepEqual(hooks.map((h) => h.committed), [true, true, true, false, true]);
    assert.deepEqual(await ctx.db('orders').whereIn('id', ids).orderBy('id').pluck('status'), ['paid', 'paid', 'paid', 'accepted', 'paid']);
    assert.equal((await ctx.db('ledger_transfers').where({ order_id: ids[3], kind: 'settle' })).length, 0, 'nothing of the failed one was written');
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });
  it('the books verify while payments are being made: verify checks one consistent cut, not balances read after transfers', async () => {
    const ids = await orders(buyerA, sellerA, cast.vendorA, 45, 150_00);
    const service = new OrderService(ctx.db, clock);
    const ledger = new Ledger(clock);
    let paying = true;
    // Three purchasers' clerks paying one order after another: many commits, between any two statements of verify.
    const clerk = async (mine: number[]) => {
      for (const id of mine) await service.act(buyerA, id, 'pay');
    };
    const payments = Promise.all([0, 1, 2].map((k) => clerk(ids.filter((_, i) => i % 3 === k)))).finally(() => (paying = false));
    const reports = [];
    while (paying || reports.length < 3) reports.push(await ledger.verify(ctx.db));
    await payments;
    assert.ok(reports.length >= 3);
    assert.deepEqual(
      reports.filter((r) => !r.ok),
      [],
    );
  });

  // SQLite has one writer: there a transaction that holds a row holds the whole database, for everyone alike.
  if (ENGINE === 'postgres') {
    it('an order whose row another transaction holds delays its own payment, not the payments of other orders', async () => {
      const [held, ...others] = await orders(buyerA, sellerA, cast.vendorA, 6, 100_00);
      const service = new OrderService(ctx.db, clock);
      const holder = await ctx.db.transaction();
      try {
        await holder('orders').where({ id: held }).forUpdate().first();
        let heldDone = false;
        const heldPayment = service.act(buyerA, held, 'pay').finally(() => (heldDone = true));
        const results = await Promise.all(others.map((id) => service.act(buyerA, id, 'pay')));
        assert.deepEqual(results.map((r) => r.status), Array(5).fill('paid'));
        assert.equal(heldDone, false, 'the held order is still waiting for its row');
        await holder.commit();
        assert.equal((await heldPayment).status, 'paid');
      } finally {
        if (!holder.isCompleted()) await holder.rollback();
      }
      assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
    });
  }

  // Last: it takes money from the books behind the ledger's back, so they no longer verify afterwards.
  it('a batch that cannot be done as one is undone and redone payment by payment: the payment its unit’s commitment no longer covers is refused in the ledger’s words, the others are paid', async () => {
    const a = await orders(buyerA, sellerA, cast.vendorA, 3, 700_00);
    const b = await orders(buyerB, sellerB, cast.vendorB, 3, 800_00);
    const { service, queue } = grouped();
    // Unit B's reserved money vanishes behind the ledger's back.
    await ctx.db('ledger_accounts').where({ code: commitmentAccount(cast.unitB.id) }).update({ balance_fen: 800_00 });
    const settled = await Promise.allSettled([a[0], a[1], b[0], b[1], a[2]].map((id) => service.act(a.includes(id) ? buyerA : buyerB, id, 'pay')));
    assert.equal(queue.stats.fallbacks, 1, JSON.stringify(queue.stats));
    const seen = settled.map((s) => (s.status === 'fulfilled' ? s.value.status : (s.reason as AppError).messageKey));
    // The redone payments start in arrival order; on PostgreSQL they then run side by side, as concurrent requests
    // would without the queue, so either of unit B's two may be the one its 800 yuan still covers.
    assert.deepEqual([seen[0], seen[1], seen[4]], ['paid', 'paid', 'paid']);
    assert.deepEqual([seen[2], seen[3]].sort(), ['ledger.insufficient_funds', 'paid']);
    const refused = seen[2] === 'paid' ? b[1] : b[0];
    assert.deepEqual(await ctx.db('orders').whereIn('id', [b[0], b[1]]).orderBy('id').pluck('status'), [b[0], b[1]].map((id) => (id === refused ? 'accepted' : 'paid')));
    assert.equal((await ctx.db('order_history').where({ order_id: refused, to_status: 'paid' })).length, 0, 'nothing of the refused payment was written');
    assert.equal((await ctx.db('audit_log').where({ action: 'order.pay', entity_id: String(refused) })).length, 0);
    assert.equal((await verifyAudit(ctx.db)).ok, true, 'the undone batch left no link in the audit chain');
  });
});

describe(`payments waiting when the database closes (${ENGINE})`, function () {
  this.timeout(120000);

  it('are all answered — paid, or refused because the database closed — instead of waiting for a connection that never comes', async () => {
    const t = await migratedDb();
    try {
      const cast = await tradingCast(t.db);
      const ids = await acceptedOrders(t.db, cast, 12);
      const buyer = actorFor(cast.users.buyerA, { purchaserId: cast.unitA.id });
      const service = new OrderService(t.db, new SystemClock());
      const pending = ids.map((id) => service.act(buyer, id, 'pay'));
      const closing = t.db.destroy();
      const settled = await Promise.allSettled(pending);
      await closing;
      const refused = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as Error);
      assert.ok(refused.length > 0, 'the database closed while payments waited');
      assert.ok(
        refused.every((e) => e instanceof QueueClosed || /aborted|acquire|closed/i.test(e.message)),
        refused.map((e) => e.message).join('; '),
      );
    } finally {
      await t.drop().catch(() => undefined);
    }
  });
});
