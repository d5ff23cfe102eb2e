import assert from 'node:assert/strict';
import { DEFAULT_DIRECT_PURCHASE_LIMIT_FEN } from '../../src/settings';
import { REPORT_2020_BOUTIQUE } from '../../seeds/demo-orders';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';

/**
 * The demo's boutique orders (seeds/demo-orders.ts) under the direct-purchase limit (DESIGN §9) and with their
 * numbers, in the demo data as a first start loads it (a copy of the run's demo database): whatever the other demo
 * steps add, no order is above the limit, 2020 keeps the report's figures, and the numbers run without a gap.
 */
describe(`demo boutique orders: within the direct-purchase limit, numbered (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();

  it('no order is above the default limit of ¥1,000,000.00 for its vendor', async () => {
    const row = await ctx.db('orders').max({ m: 'total_fen' }).first();
    assert.ok(Number(row?.m) > 0);
    assert.ok(Number(row?.m) <= DEFAULT_DIRECT_PURCHASE_LIMIT_FEN, `the largest order is ${row?.m} fen`);
  });

  it('2020 still holds the report’s 1097 boutique trades totalling ¥117.5–118.5M', async () => {
    const r = await ctx.db('trades').where({ channel: 'boutique', year: 2020 }).select(ctx.db.raw('COALESCE(SUM(count_delta), 0) as n'), ctx.db.raw('COALESCE(SUM(amount_fen), 0) as fen')).first();
    assert.equal(Number(r.n), REPORT_2020_BOUTIQUE.count);
    assert.ok(Number(r.fen) >= REPORT_2020_BOUTIQUE.minFen && Number(r.fen) <= REPORT_2020_BOUTIQUE.maxFen, `2020 total ${r.fen} fen`);
  });

  it('every order has its own number, of the year it was placed (Shanghai); each year’s numbers run 1…n without a gap', async () => {
    const orders: Array<{ id: number; order_no: string | null; created_at: string }> = await ctx.db('orders').orderBy([{ column: 'created_at' }, { column: 'id' }]).select('id', 'order_no', 'created_at');
    assert.ok(orders.length > 1097);
    const seen = new Set<string>();
    const ofYear = new Map<number, number[]>();
    for (const o of orders) {
      assert.match(String(o.order_no), /^ZJJP-\d{4}-\d{6}$/);
      assert.ok(!seen.has(o.order_no!), `${o.order_no} twice`);
      seen.add(o.order_no!);
      const year = new Date(Date.parse(o.created_at) + 8 * 3600_000).getUTCFullYear();
      assert.equal(o.order_no!.slice(5, 9), String(year), `${o.order_no} placed ${o.created_at}`);
      ofYear.set(year, [...(ofYear.get(year) ?? []), Number(o.order_no!.slice(10))]);
    }
    for (const [year, seqs] of ofYear) {
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        seqs.map((_, i) => i + 1),
        `${year}`,
      );
    }
  });
});
