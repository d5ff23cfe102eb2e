import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { OrderService } from '../../src/orders/service';
import { BudgetService } from '../../src/ledger/budgets';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { actorFor } from '../helpers/trading';

const MIGRATION = 'order_numbers';

/**
 * The migration that gives orders their numbers people read (API.md "Numbers people read"): existing orders are
 * numbered per year of placement (Asia/Shanghai) in the order they were placed; the service then continues each
 * year's sequence; rolled back, the column and the sequences are gone.
 */
describe(`order numbers: the migration backfills existing orders (${ENGINE})`, function () {
  this.timeout(120000);
  let t: TestDatabase;
  const ids: Record<string, number> = {};

  before(async () => {
    t = await freshDatabase();
    // Up to, not including, the migration that adds the numbers; then orders written the old way.
    for (;;) {
      const [, pending] = (await t.db.migrate.list()) as [unknown[], Array<{ file: string }>];
      if (pending[0].file.includes(MIGRATION)) break;
      await t.db.migrate.up();
    }
    const unit = await makePurchaser(t.db);
    const vendor = await makeVendor(t.db);
    const insert = async (key: string, createdAt: string) => {
      const [row] = await t.db('orders').insert({ purchaser_id: unit.id, vendor_id: vendor.id, status: 'paid', total_fen: 100, created_at: createdAt, updated_at: createdAt }).returning('id');
      ids[key] = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    };
    // Inserted out of date order: the numbers follow the placing time, not the id.
    await insert('b2020', '2020-06-01T02:00:00.000Z');
    await insert('a2020', '2020-01-02T02:00:00.000Z');
    await insert('newYear2021', '2020-12-31T16:30:00.000Z'); // 00:30 on 1 January 2021 in Shanghai
    await insert('c2020', '2020-12-31T15:00:00.000Z'); // 23:00 on 31 December 2020 in Shanghai
    await insert('a2026', '2026-03-02T02:00:00.000Z');
    await insert('sameTime1', '2026-05-05T02:00:00.000Z');
    await insert('sameTime2', '2026-05-05T02:00:00.000Z');
    await t.db.migrate.latest();
  });
  after(async () => {
    await t?.drop();
  });

  const numberOf = async (key: string) => (await t.db('orders').where({ id: ids[key] }).first('order_no')).order_no as string;

  it('numbers every existing order by year and placing time', async () => {
    assert.equal(await numberOf('a2020'), 'ZJJP-2020-000001');
    assert.equal(await numberOf('b2020'), 'ZJJP-2020-000002');
    assert.equal(await numberOf('c2020'), 'ZJJP-2020-000003');
    assert.equal(await numberOf('newYear2021'), 'ZJJP-2021-000001');
    assert.equal(await numberOf('a2026'), 'ZJJP-2026-000001');
    assert.equal(await numberOf('sameTime1'), 'ZJJP-2026-000002', 'the same instant: by id');
    assert.equal(await numberOf('sameTime2'), 'ZJJP-2026-000003');
    const sequences = await t.db('order_number_sequences').orderBy('year').select('year', 'last');
    assert.deepEqual(
      sequences.map((r) => [Number(r.year), Number(r.last)]),
      [
        [2020, 3],
        [2021, 1],
        [2026, 3],
      ],
    );
  });

  it('the service continues the year’s sequence after the backfill', async () => {
    const clock = new FakeClock();
    clock.set(new Date('2026-06-01T02:00:00Z'), { freeze: true });
    const unit = await makePurchaser(t.db);
    const vendor = await makeVendor(t.db);
    const product = await makeProduct(t.db, vendor, { price_fen: 1_000_00, stock: 10 });
    const admin = await makeUser(t.db, { role: 'admin' });
    const buyer = await makeUser(t.db, { role: 'purchaser', purchaser_id: unit.id });
    await new BudgetService(t.db, clock).allocate(actorFor(admin, {}), { purchaserId: unit.id, amountFen: 10_000_00 });
    const placed = await new OrderService(t.db, clock).place(actorFor(buyer, { purchaserId: unit.id }), [{ productId: product.id, quantity: 1 }]);
    assert.equal(placed.orderNo, 'ZJJP-2026-000004');
  });

  it('refuses a second order with an existing number (unique)', async () => {
    const row = await t.db('orders').where({ id: ids.a2020 }).first();
    const { id: _id, ...copy } = row;
    await assert.rejects(t.db('orders').insert(copy));
  });

  it('rolls back: no number column, no sequences', async () => {
    const [done] = (await t.db.migrate.list()) as [Array<{ name: string } | string>, unknown[]];
    const name = done.map((m) => (typeof m === 'string' ? m : m.name)).find((n) => n.includes(MIGRATION));
    assert.ok(name);
    await t.db.migrate.down({ name });
    const columns = await t.db('orders').columnInfo();
    assert.equal('order_no' in columns, false);
    assert.equal(await t.db.schema.hasTable('order_number_sequences'), false);
    await t.db.migrate.latest();
    assert.equal(await numberOf('a2020'), 'ZJJP-2020-000001', 'numbered again the same way');
  });
});
