import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit/service';
import { SystemClock } from '../../src/clock';
import { withCommitHook, type CommitHook } from '../../src/db/commit-hook';
import { AppError } from '../../src/errors';
import { Ledger } from '../../src/ledger/service';
import { OrderService, type PlacedOrder } from '../../src/orders/service';
import type { Actor } from '../../src/web/state';
import { bearer, testApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, useFundedTradingCast } from '../helpers/trading';

/**
 * Orders placed at the same moment commit together (OrderService.placeTogether), each in a savepoint of its own: what
 * each caller hears and what the tables hold must be exactly what placing them one after another gives.
 */
describe(`orders placed together commit together (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  const clock = new SystemClock();
  const who = useFundedTradingCast(ctx);

  /** A service whose queues have one slot on both engines, so that placements sent together are grouped. */
  const grouped = () => {
    const service = new OrderService(ctx.db, clock, { paymentSlots: 1 });
    return { service, queue: service.placements };
  };

  const budgetOf = async (purchaserId: number) => Number((await ctx.db('ledger_accounts').where({ code: `budget:${purchaserId}` }).first('balance_fen'))?.balance_fen);
  const stockOf = async (productId: number) => Number((await ctx.db('products').where({ id: productId }).first('stock')).stock);

  it('16 orders of two units placed at once: fewer commits than orders; each order has its items, history row, audit record and reservation; stock and budgets moved by exactly the orders; ledger and audit chain verify', async () => {
    const product = await makeProduct(ctx.db, who.cast.vendorA, { title: '批量下单测试品', price_fen: 1_234_56, stock: 200 });
    const { service, queue } = grouped();
    const before = { a: await budgetOf(who.cast.unitA.id), b: await budgetOf(who.cast.unitB.id) };
    const buyers = Array.from({ length: 16 }, (_, i) => (i % 2 ? who.buyerB : who.buyerA));

    const placed = await Promise.all(buyers.map((buyer, i) => service.place(buyer, [{ productId: product.id, quantity: i + 1 }])));

    assert.ok(queue.stats.batches >= 1 && queue.stats.batched >= 10, `placements were grouped: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, 0);
    assert.equal(new Set(placed.map((p) => p.id)).size, 16);
    assert.equal(new Set(placed.map((p) => p.orderNo)).size, 16, 'every order its own number');
    assert.deepEqual(placed.map((p) => [p.status, p.total, p.vendorId]), buyers.map((_, i) => ['placed', ((1_234_56 * (i + 1)) / 100).toFixed(2), who.cast.vendorA.id]));
    assert.equal(await stockOf(product.id), 200 - (16 * 17) / 2);
    const spentA = buyers.reduce((s, b, i) => s + (b === who.buyerA ? 1_234_56 * (i + 1) : 0), 0);
    const spentB = buyers.reduce((s, b, i) => s + (b === who.buyerB ? 1_234_56 * (i + 1) : 0), 0);
    assert.equal(await budgetOf(who.cast.unitA.id), before.a - spentA);
    assert.equal(await budgetOf(who.cast.unitB.id), before.b - spentB);

    const ids = placed.map((p) => p.id);
    const rows = await ctx.db('orders').whereIn('id', ids).orderBy('id').select('id', 'purchaser_id', 'total_fen');
    for (const [i, p] of placed.entries()) {
      const row = rows.find((r) => Number(r.id) === p.id);
      assert.equal(Number(row.purchaser_id), buyers[i].purchaserId);
      assert.equal(Number(row.total_fen), 1_234_56 * (i + 1));
    }
    const items = await ctx.db('order_items').whereIn('order_id', ids);
    assert.equal(items.length, 16);
    assert.equal((await ctx.db('order_history').whereIn('order_id', ids).where({ to_status: 'placed' })).length, 16);
    assert.equal((await ctx.db('audit_log').where({ action: 'order.place' }).whereIn('entity_id', ids.map(String))).length, 16);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });

  it('each placement of a batch hears what it would alone — the stock left, a vendor may not buy, a product not listed — and leaves nothing behind; the rest are placed', async () => {
    const product = await makeProduct(ctx.db, who.cast.vendorA, { title: '库存有限测试品', price_fen: 100_00, stock: 5 });
    const hidden = await makeProduct(ctx.db, who.cast.vendorA, { title: '未上架测试品', price_fen: 100_00, stock: 5, status: 'pending' });
    const { service, queue } = grouped();
    const before = { ...queue.stats };
    const ordersBefore = Number((await ctx.db('orders').count({ n: '*' }).first())?.n);
    const jobs: Array<[Actor, number, number]> = [
      [who.buyerA, product.id, 1], // alone: starts the queue
      [who.buyerA, product.id, 2],
      [who.buyerB, product.id, 3], // only 2 left by then
      [who.sellerA, product.id, 1], // a vendor places no orders
      [who.buyerB, hidden.id, 1], // not listed
      [who.buyerB, product.id, 2],
    ];
    const settled = await Promise.allSettled(jobs.map(([who, productId, quantity]) => service.place(who, [{ productId, quantity }])));
    const seen = settled.map((s) => (s.status === 'fulfilled' ? (s.value as PlacedOrder).status : `${(s.reason as AppError).code} ${(s.reason as AppError).messageKey}`));
    assert.deepEqual(seen, ['placed', 'placed', 'insufficient_stock orders.insufficient_stock', 'forbidden errors.wrong_role', 'validation_failed orders.product_unavailable', 'placed']);
    const short = (settled[2] as PromiseRejectedResult).reason as AppError;
    assert.deepEqual(short.params, { product: '库存有限测试品', available: 2, quantity: 3, unit: '台' });
    assert.ok(queue.stats.batched - before.batched >= 2, `the placements after the first were taken together: ${JSON.stringify(queue.stats)}`);
    assert.equal(queue.stats.fallbacks, before.fallbacks);
    assert.equal(await stockOf(product.id), 0);
    assert.equal(await stockOf(hidden.id), 5);
    assert.equal(Number((await ctx.db('orders').count({ n: '*' }).first())?.n), ordersBefore + 3, 'the refused left no order');
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
  });

  it('two orders of one unit in one batch whose budget covers only the first: the first is placed, the second is refused in the purchaser’s words, as one after the other would be', async () => {
    const product = await makeProduct(ctx.db, who.cast.vendorA, { title: '大额测试设备', price_fen: 900_000_00, stock: 100 });
    const { service } = grouped();
    // Leave unit B enough for one such order and not for two.
    const left = await budgetOf(who.cast.unitB.id);
    const spend = Math.floor((left - 900_000_00) / 900_000_00);
    for (let i = 0; i < spend; i++) await service.place(who.buyerB, [{ productId: product.id, quantity: 1 }]);
    const remaining = await budgetOf(who.cast.unitB.id);
    assert.ok(remaining >= 900_000_00 && remaining < 1_800_000_00, `remaining ${remaining}`);

    // Another unit's order starts the queue, so that the three go into one batch together.
    const starter = await makeProduct(ctx.db, who.cast.vendorA, { title: '开队测试品', price_fen: 1_00, stock: 5 });
    const [first, ...settled] = await Promise.allSettled([
      service.place(who.buyerA, [{ productId: starter.id, quantity: 1 }]),
      ...[1, 2, 3].map(() => service.place(who.buyerB, [{ productId: product.id, quantity: 1 }])),
    ]);
    assert.equal(first.status, 'fulfilled');
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? 'placed' : (s.reason as AppError).code)),
      ['placed', 'insufficient_budget', 'insufficient_budget'],
    );
    assert.equal(((settled[1] as PromiseRejectedResult).reason as AppError).messageKey, 'orders.insufficient_budget');
    assert.equal(await budgetOf(who.cast.unitB.id), remaining - 900_000_00);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
  });

  it('a batch mixing orders, refusals (role, limit, paperwork) and a checkout of two vendors: stock and order numbers go in arrival order, the checkout places both its orders, the refused take nothing', async () => {
    const a = await makeProduct(ctx.db, who.cast.vendorA, { title: '到达顺序测试品甲', price_fen: 50_00, stock: 6 });
    const b = await makeProduct(ctx.db, who.cast.vendorB, { title: '到达顺序测试品乙', price_fen: 70_00, stock: 6 });
    const { service } = grouped();
    const dear = await makeProduct(ctx.db, who.cast.vendorA, { title: '超限测试设备', price_fen: 600_000_00, stock: 6 });
    const settled = await Promise.allSettled([
      service.place(who.buyerA, [{ productId: a.id, quantity: 1 }]), // alone: starts the queue
      service.place(who.buyerA, [{ productId: a.id, quantity: 1 }]),
      service.place(who.sellerA, [{ productId: a.id, quantity: 1 }]), // refused: a vendor places no orders
      service.place(who.buyerA, [{ productId: dear.id, quantity: 2 }]), // refused: above the direct-purchase limit
      service.place(who.buyerA, [{ productId: a.id, quantity: 1 }], { budgetCode: '无效' }), // refused: its paperwork
      service.place(who.buyerB, [{ productId: a.id, quantity: 1 }]),
      service.placeOrders(who.buyerB, [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 3 }]),
      service.place(who.buyerA, [{ productId: a.id, quantity: 2 }]), // only 1 left by then
      service.place(who.buyerA, [{ productId: b.id, quantity: 3 }]),
    ]);
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? 'placed' : `${(s.reason as AppError).code} ${(s.reason as AppError).messageKey}`)),
      [
        'placed',
        'placed',
        'forbidden errors.wrong_role',
        'direct_purchase_limit orders.direct_purchase_limit',
        'validation_failed orders.budget_code_invalid',
        'placed',
        'placed',
        'insufficient_stock orders.insufficient_stock',
        'placed',
      ],
    );
    assert.equal(((settled[4] as PromiseRejectedResult).reason as AppError).field, 'budgetCode');
    assert.equal(await stockOf(dear.id), 6);
    const checkout = (settled[6] as PromiseFulfilledResult<PlacedOrder[]>).value;
    assert.deepEqual(checkout.map((o) => [o.vendorId, o.total]), [[who.cast.vendorA.id, '100.00'], [who.cast.vendorB.id, '210.00']]);
    const numbers = [0, 1, 5, 6, 8].flatMap((i) => {
      const v = (settled[i] as PromiseFulfilledResult<PlacedOrder | PlacedOrder[]>).value;
      return (Array.isArray(v) ? v : [v]).map((o) => o.orderNo);
    });
    assert.deepEqual([...numbers].sort(), numbers, 'order numbers in arrival order');
    assert.equal(((settled[7] as PromiseRejectedResult).reason as AppError).params?.available, 1);
    assert.equal(await stockOf(a.id), 1);
    assert.equal(await stockOf(b.id), 0);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
  });

  it('each caller’s commit hook runs inside the batch with its own order and is marked committed; a batch that fails as a whole is redone placement by placement', async () => {
    const product = await makeProduct(ctx.db, who.cast.vendorA, { title: '钩子测试品', price_fen: 10_00, stock: 50 });
    const { service, queue } = grouped();
    const seen: Array<[PlacedOrder, string] | undefined> = [];
    const hook = (i: number): CommitHook => ({
      committed: false,
      async beforeCommit(trx, result) {
        const id = (result as PlacedOrder).id;
        seen[i] = [result as PlacedOrder, (await trx('orders').where({ id }).first('status')).status as string];
      },
    });
    const hooks = [0, 1, 2, 3].map(hook);
    const placed = await Promise.all(hooks.map((h) => withCommitHook(h, () => service.place(who.buyerA, [{ productId: product.id, quantity: 1 }]))));
    assert.deepEqual(seen, placed.map((p) => [p, 'placed']), 'each hook saw its own caller’s answer, inside the transaction');
    assert.ok(hooks.every((h) => h.committed));

    // A hook that fails with a database error (not a refusal) takes the batch down; each placement then runs alone.
    const before = { ...queue.stats };
    const broken: CommitHook = {
      committed: false,
      async beforeCommit(trx) {
        await trx.raw('SELECT * FROM no_such_table');
      },
    };
    const stockBefore = await stockOf(product.id);
    const settled = await Promise.allSettled([
      service.place(who.buyerA, [{ productId: product.id, quantity: 1 }]),
      service.place(who.buyerA, [{ productId: product.id, quantity: 1 }]),
      withCommitHook(broken, () => service.place(who.buyerA, [{ productId: product.id, quantity: 1 }])),
      service.place(who.buyerA, [{ productId: product.id, quantity: 1 }]),
    ]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.equal(queue.stats.fallbacks, before.fallbacks + 1);
    assert.equal(await stockOf(product.id), stockBefore - 3);
    assert.equal(broken.committed, false);
  });

  it('through HTTP, orders sent together with their own Idempotency-Keys are each placed once: 201 each, and sending them again answers the same orders', async () => {
    const product = await makeProduct(ctx.db, who.cast.vendorA, { title: '接口批量下单品', price_fen: 20_00, stock: 50 });
    const t = testApp(ctx.db);
    const token = await bearer(t.http, who.cast.users.buyerA.username);
    const send = (i: number) =>
      t.http
        .post('/api/v1/orders')
        .set('Authorization', token)
        .set('Idempotency-Key', `batch-place-${ENGINE}-${i}`)
        .send({ items: [{ productId: product.id, quantity: 1 }], budgetCode: `浙财采计〔2026〕0012${i}号` });
    const first = await Promise.all([0, 1, 2, 3, 4, 5].map(send));
    assert.deepEqual(first.map((r) => r.status), Array(6).fill(201), JSON.stringify(first.map((r) => r.body)));
    assert.equal(new Set(first.map((r) => r.body.id)).size, 6);
    const again = await Promise.all([0, 1, 2, 3, 4, 5].map(send));
    assert.deepEqual(again.map((r) => [r.status, r.body.id]), first.map((r) => [201, r.body.id]));
    assert.equal(await stockOf(product.id), 44);
  });
});
