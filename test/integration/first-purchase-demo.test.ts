import { withUnitOfWork } from '../../src/db';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { Ledger } from '../../src/ledger/service';
import { seedCatalogue } from '../../seeds/lib/catalogue';
import { REPORT_2020_FIRST_PURCHASES, seedDemoFirstPurchases, type DemoFirstPurchasesSummary } from '../../seeds/demo-first-purchases';
import { DEMO_LOAD_TIMEOUT, ENGINE, useMigratedDb } from '../helpers/db';


/** The demo's government first purchases (DESIGN §5), written through the service on the seeded catalogue. */
describe(`demo first purchases (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useMigratedDb();
  let summary: DemoFirstPurchasesSummary;
  let demo: { purchaser: number; purchaser2: number; vendor: number; vendor2: number };
  const now = new Date('2026-11-27T09:00:00+08:00');

  before(async () => {
    await ctx.db.transaction(async (trx) => {
      const clock = new FakeClock();
      clock.set(now, { freeze: true });
      const ids = await seedCatalogue(trx, clock);
      demo = { ...ids.demoPurchasers, ...ids.demoVendors };
      summary = await withUnitOfWork(trx, () => seedDemoFirstPurchases(ctx.db, ids, now));
    });
  });

  it('2020 holds exactly 4 settled first purchases of high-end medical equipment totalling ¥11,200,000.00', async () => {
    const rows = await ctx.db('trades').where({ channel: 'first_purchase', year: 2020 });
    assert.equal(rows.length, REPORT_2020_FIRST_PURCHASES.count);
    assert.equal(
      rows.reduce((s, r) => s + Number(r.amount_fen), 0),
      11_200_000_00,
    );
    assert.ok(rows.every((r) => r.field === '高端医疗装备' && Number(r.count_delta) === 1));
    const titles = rows.map((r) => r.product_title).sort();
    assert.deepEqual(titles, ['1.5T MR', '64排CT', '全自动流式荧光化学发光一体化分析系统', '全自动流式荧光化学发光一体化分析系统']);
    assert.deepEqual(summary.paid2020, { count: 4, fen: 11_200_000_00 });
  });

  it('other years hold first purchases too, so year-on-year figures exist', async () => {
    const years: Array<{ year: number }> = await ctx.db('trades').where({ channel: 'first_purchase' }).distinct('year').orderBy('year');
    assert.deepEqual(
      years.map((y) => Number(y.year)),
      [2020, 2021, 2022, 2023, 2024, 2025, 2026],
    );
  });

  it('the demo purchaser has a case in every state, each naming a product of the demo vendor', async () => {
    const rows: Array<{ status: string; vendor_id: number }> = await ctx.db('fp_cases').where({ purchaser_id: demo.purchaser }).select('status', 'vendor_id');
    assert.deepEqual([...new Set(rows.map((r) => r.status))].sort(), ['accepted', 'approved', 'awarded', 'contracted', 'draft', 'notice', 'paid', 'terminated']);
    assert.ok(rows.every((r) => Number(r.vendor_id) === demo.vendor));
    const p2 = await ctx.db('fp_cases').where({ purchaser_id: demo.purchaser2 }).select('status');
    assert.ok(p2.length >= 4);
  });

  it('a case in its notice period has an open objection and takes objections now', async () => {
    const open = await ctx.db('fp_cases as f').join('objections as o', 'o.case_id', 'f.id').where({ 'f.status': 'notice', 'o.status': 'open', 'f.purchaser_id': demo.purchaser }).first('f.notice_ends_at');
    assert.ok(open, 'a notice with an open objection');
    assert.ok(new Date(open.notice_ends_at).getTime() > now.getTime(), `its period runs past the demo day: ${open.notice_ends_at}`);
  });

  it('every case has its notices and a complete history; the books balance', async () => {
    const paid = await ctx.db('fp_cases').where({ status: 'paid' }).pluck('id');
    for (const id of paid) {
      const types = (await ctx.db('notices').where({ case_id: id }).orderBy('id').pluck('type')) as string[];
      assert.deepEqual(types, ['single_source', 'result', 'contract']);
      const steps = (await ctx.db('fp_history').where({ case_id: id }).orderBy('id').pluck('action')) as string[];
      assert.deepEqual(
        steps.filter((s) => !s.startsWith('objection')),
        ['create', 'submit', 'approve', 'award', 'contract', 'filing', 'accept', 'pay'],
      );
      // Approved and the contract filed (合同备案) by the finance department, with its opinion and number.
      const c = await ctx.db('fp_cases as f').join('users as u', 'u.id', 'f.approved_by').where('f.id', id).first('u.username', 'f.approval_no', 'f.approval_opinion', 'f.filed_at');
      assert.equal(c.username, 'finance');
      assert.ok(c.approval_no && c.approval_opinion && c.filed_at, `approval and filing of case ${id}`);
    }
    const terminated = await ctx.db('fp_cases').where({ status: 'terminated' }).pluck('id');
    for (const id of terminated) assert.ok(await ctx.db('notices').where({ case_id: id, type: 'termination' }).first(), `termination notice of ${id}`);
    const unmarked = await ctx.db('fp_cases').where({ demo: false }).count<{ n: number }[]>({ n: '*' }).first();
    assert.equal(Number(unmarked?.n), 0, 'every case is marked demo');
    const report = await new Ledger(new FakeClock()).verify(ctx.db);
    assert.equal(report.ok, true, JSON.stringify(report));
  });
});
