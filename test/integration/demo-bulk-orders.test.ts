import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit';
import { toActor } from '../../src/auth/repo';
import { FakeClock } from '../../src/clock';
import type { Executor } from '../../src/db';
import { BudgetService } from '../../src/ledger/budgets';
import { Ledger } from '../../src/ledger/service';
import { OrderService } from '../../src/orders/service';
import type { Actor } from '../../src/web/state';
import { BULK_STEPS, BulkOrders } from '../../seeds/lib/bulk-orders';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';

/**
 * The demo's history loader (seeds/lib/bulk-orders.ts) writes a week's orders at a time. It must write what
 * OrderService writes for the same orders — orders, items, history, audit records, ledger transfers, trade facts —
 * and refuse what the service refuses.
 */
describe(`demo history: batched orders write what OrderService writes (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let buyer: Actor;
  let seller: Actor;
  let productA: number;
  let productB: number;
  const service: number[] = [];
  const batched: number[] = [];

  const actor = async (db: Executor, id: number): Promise<Actor> => toActor(await db('users').where({ id }).first());

  before(async () => {
    const db = ctx.db;
    const purchaser = await makePurchaser(db, { city: '杭州', type: 'hospital' });
    const vendor = await makeVendor(db, { city: '宁波' });
    productA = (await makeProduct(db, vendor, { kind: 'boutique', field: '高端医疗装备', price_fen: 28_600_00, stock: 50, status: 'approved', created_at: '2020-01-01T00:00:00.000Z' })).id;
    productB = (await makeProduct(db, vendor, { kind: 'boutique', field: '高端医疗装备', price_fen: 9_800_00, stock: 50, status: 'approved', created_at: '2020-01-01T00:00:00.000Z' })).id;
    buyer = await actor(db, (await makeUser(db, { role: 'purchaser', purchaser_id: purchaser.id })).id);
    seller = await actor(db, (await makeUser(db, { role: 'vendor', vendor_id: vendor.id })).id);
    const admin = await actor(db, (await makeUser(db, { role: 'admin' })).id);
    const clock = new FakeClock();
    clock.set(new Date('2020-03-02T01:00:00.000Z'), { freeze: true });
    await new BudgetService(db, clock).allocate(admin, { purchaserId: purchaser.id, amountFen: 1_000_000_00 }, 'bulk-test');

    // Two orders one call at a time through OrderService …
    const orders = new OrderService(db, clock);
    const times = ['2020-03-02T02:00:00.000Z', '2020-03-03T02:00:00.000Z', '2020-03-05T02:00:00.000Z', '2020-03-06T02:00:00.000Z', '2020-03-09T02:00:00.000Z'];
    for (const [productId, quantity] of [
      [productA, 2],
      [productB, 3],
    ]) {
      clock.set(new Date(times[0]), { freeze: true });
      const { id } = await orders.place(buyer, [{ productId, quantity }]);
      for (const [i, action] of (['confirm', 'deliver', 'accept', 'pay'] as const).entries()) {
        clock.set(new Date(times[i + 1]), { freeze: true });
        await orders.act(action === 'confirm' || action === 'deliver' ? seller : buyer, id, action);
      }
      service.push(id);
    }
    // … and the same two as one batch, a week later.
    const later = times.map((t) => t.replace('2020-03-0', '2020-03-1').replace('2020-03-19', '2020-03-16'));
    await db.transaction(async (trx) => {
      const bulk = new BulkOrders(trx, new FakeClock(), 1_000_000_00);
      const batch = await bulk.place(later[0], [
        { buyer, seller, productId: productA, quantity: 2 },
        { buyer, seller, productId: productB, quantity: 3 },
      ]);
      for (const [i, step] of BULK_STEPS.slice(1).entries()) await bulk.step(later[i + 1], batch, step as Exclude<(typeof BULK_STEPS)[number], 'place'>);
      batched.push(...batch.orders.map((o) => o.id));
    });
  });

  const strip = <T extends Record<string, unknown>>(rows: T[], drop: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))));

  it('the same orders, items and history rows', async () => {
    const orders = async (ids: number[]) => strip(await ctx.db('orders').whereIn('id', ids).orderBy('id'), ['id', 'order_no', 'created_at', 'updated_at']);
    assert.deepEqual(await orders(batched), await orders(service));
    const items = async (ids: number[]) => strip(await ctx.db('order_items').whereIn('order_id', ids).orderBy('id'), ['id', 'order_id']);
    assert.deepEqual(await items(batched), await items(service));
    const history = async (ids: number[]) => strip(await ctx.db('order_history').whereIn('order_id', ids).orderBy(['order_id', 'id']), ['id', 'order_id', 'at']);
    assert.deepEqual(await history(batched), await history(service));
    const numbers = (await ctx.db('orders').whereIn('id', [...service, ...batched]).orderBy('id').pluck('order_no')) as string[];
    assert.deepEqual(numbers, ['ZJJP-2020-000001', 'ZJJP-2020-000002', 'ZJJP-2020-000003', 'ZJJP-2020-000004']);
  });

  it('the same audit records, ledger transfers and trade facts; the chains verify', async () => {
    const audit = async (ids: number[]) =>
      (await ctx.db('audit_log').where('entity', 'order').whereIn('entity_id', ids.map(String)).orderBy('id')).map((r) => {
        const after = r.after ? JSON.parse(r.after) : null;
        if (after?.orderNo) after.orderNo = '#';
        return [r.actor_id, r.action, r.before, JSON.stringify(after)];
      });
    assert.deepEqual((await audit(batched)).sort(), (await audit(service)).sort());
    const transfers = async (ids: number[]) => strip(await ctx.db('ledger_transfers').whereIn('order_id', ids).orderBy('id'), ['id', 'order_id', 'idempotency_key', 'created_at', 'prev_hash', 'hash']);
    assert.deepEqual((await transfers(batched)).map((t) => JSON.stringify(t)).sort(), (await transfers(service)).map((t) => JSON.stringify(t)).sort());
    const trades = async (ids: number[]) => strip(await ctx.db('trades').whereIn('order_id', ids).orderBy('id'), ['id', 'order_id', 'transfer_id', 'at', 'day', 'month', 'created_at']);
    assert.deepEqual(await trades(batched), await trades(service));
    assert.equal((await new Ledger(new FakeClock()).verify(ctx.db)).ok, true);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
    const stock = await ctx.db('products').whereIn('id', [productA, productB]).orderBy('id').pluck('stock');
    assert.deepEqual(stock.map(Number), [46, 44]);
  });

  it('refuses what the service refuses: a step out of turn, a vendor placing, an order above the limit, too little stock', async () => {
    const attempt = (work: (bulk: BulkOrders) => Promise<unknown>) => ctx.db.transaction(async (trx) => work(new BulkOrders(trx, new FakeClock(), 1_000_000_00)));
    await assert.rejects(attempt((b) => b.place('2020-04-01T02:00:00.000Z', [{ buyer: seller, seller, productId: productA, quantity: 1 }])), /may not place/);
    await assert.rejects(attempt((b) => b.place('2020-04-01T02:00:00.000Z', [{ buyer, seller, productId: productA, quantity: 40 }])), /direct-purchase limit/);
    await assert.rejects(attempt((b) => b.place('2020-04-01T02:00:00.000Z', [{ buyer, seller, productId: productB, quantity: 45 }])), /in stock/);
    await assert.rejects(
      attempt(async (b) => b.step('2020-04-02T02:00:00.000Z', await b.place('2020-04-01T02:00:00.000Z', [{ buyer, seller, productId: productB, quantity: 1 }]), 'pay')),
      /pay refused/,
    );
    await assert.rejects(
      attempt(async (b) => b.step('2020-04-02T02:00:00.000Z', await b.place('2020-04-01T02:00:00.000Z', [{ buyer, seller, productId: productB, quantity: 1 }]), 'accept')),
      /accept refused/,
    );
  });
});
