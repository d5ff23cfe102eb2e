import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { FakeClock } from '../../src/clock';
import { withUnitOfWork } from '../../src/db';
import { InsuranceService } from '../../src/insurance/service';
import { Ledger } from '../../src/ledger/service';
import { DEMO_INSURANCE, seedDemoInsurance } from '../../seeds/demo-insurance';
import { seedCatalogue } from '../../seeds/lib/catalogue';
import { DEMO_LOAD_TIMEOUT, ENGINE, useMigratedDb } from '../helpers/db';

/** The demo's insurance compensation (issue 16, DESIGN §7–§8): the report's figures, produced by real claims. */
describe(`demo insurance compensation (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useMigratedDb();
  const now = new Date('2026-11-27T09:00:00+08:00');
  let svc: InsuranceService;
  let vendorId: number;

  before(async () => {
    await ctx.db.transaction(async (trx) => {
      const clock = new FakeClock();
      clock.set(now, { freeze: true });
      const ids = await seedCatalogue(trx, clock);
      vendorId = ids.demoVendors.vendor;
      await withUnitOfWork(trx, () => seedDemoInsurance(ctx.db, ids, now));
    });
    const clock = new FakeClock();
    clock.set(now, { freeze: true });
    svc = new InsuranceService(ctx.db, clock);
  });

  it('every paid claim told the hosts so: one compensation.paid event on its stream (docs/integration.md)', async () => {
    const paid: Array<{ id: number }> = await ctx.db('insurance_claims').where({ status: 'paid' }).select('id');
    assert.ok(paid.length >= 86, `${paid.length} paid claims`);
    const events: Array<{ stream: string }> = await ctx.db('outbox_events').where({ type: 'compensation.paid' }).select('stream');
    assert.deepEqual(events.map((e) => e.stream).sort(), paid.map((c) => `insurance_claim:${c.id}`).sort());
  });

  it('each compensation.paid event names its claim by the number people read (claimNo, API.md "Numbers")', async () => {
    const claims = new Map((await ctx.db('insurance_claims').where({ status: 'paid' }).select('id', 'claim_no')).map((c: { id: number; claim_no: string }) => [`insurance_claim:${c.id}`, c.claim_no]));
    const events: Array<{ stream: string; data: unknown }> = await ctx.db('outbox_events').where({ type: 'compensation.paid' }).select('stream', 'data');
    assert.equal(events.length, claims.size);
    for (const e of events) {
      const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as { after: { claimNo?: string; status: string } };
      assert.match(String(claims.get(e.stream)), /^ZJBX-\d{4}-\d{6}$/);
      assert.deepEqual(data.after, { claimNo: claims.get(e.stream), status: 'paid' });
    }
  });

  it('2020: 86 projects, ¥2,494,000,000.00 insured, ¥55,655,000.00 of compensation, +58.9% on 2019; national 8, ¥1,867,000,000.00, ¥43,860,000.00', async () => {
    const y2020 = await svc.yearTotals(2020);
    const y2019 = await svc.yearTotals(2019);
    assert.deepEqual(y2020, { year: 2020, projects: 86, insuredValue: '2494000000.00', compensation: '55655000.00', national: { projects: 8, insuredValue: '1867000000.00', compensation: '43860000.00' } });
    assert.equal(y2019.projects, DEMO_INSURANCE[2019].projects);
    const yoy = new Decimal(y2020.compensation).dividedBy(y2019.compensation).minus(1).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
    assert.equal(yoy.toFixed(1), '58.9');
  });

  it('every paid claim went through the rule (pre-2021 for 2019–2020) and both reviews, and was paid within 30 days through the subsidy fund', async () => {
    const paid = await ctx.db('insurance_claims').whereIn('year', [2019, 2020]).where({ status: 'paid' });
    assert.equal(paid.length, 86 + DEMO_INSURANCE[2019].projects);
    for (const c of paid) {
      assert.equal(c.rule_version, 'pre-2021');
      assert.equal(Number(c.compensation_fen), Math.round((Math.min(Number(c.premium_fen), Number(c.insured_value_fen) * 0.03) * 80) / 100));
      assert.ok(c.paid_at <= c.payout_due_at, `${c.claim_no} paid in time`);
      assert.equal(String(c.paid_at).slice(0, 4), String(c.year), 'paid in its year');
      const actions = (await ctx.db('insurance_claim_history').where({ claim_id: c.id }).orderBy('id')).map((h: { action: string }) => h.action);
      assert.deepEqual(actions, ['create', 'submit', 'admin_review', 'finance_review', 'finance_disburse']);
    }
    const transfers = await ctx.db('ledger_transfers').where('idempotency_key', 'like', 'insurance:%:pay');
    assert.equal(transfers.length, paid.length);
    assert.equal(transfers.reduce((s: number, t: { amount_fen: number | string }) => s + Number(t.amount_fen), 0), 55_655_000_00 + 35_025_000_00);
    assert.equal(Number((await ctx.db('trades').count({ n: '*' }).first())?.n ?? 0) >= 0, true);
    assert.equal((await ctx.db('trades').where('transfer_id', 'in', transfers.map((t: { id: number }) => t.id))).length, 0, 'compensation is not a trade');
    assert.equal((await new Ledger(new FakeClock()).verify(ctx.db)).ok, true);
    // Rejected claims say why and count for nothing.
    const rejected = await ctx.db('insurance_claims').where({ status: 'rejected' });
    assert.ok(rejected.length >= 2 && rejected.every((c: { admin_opinion: string | null; finance_opinion: string | null }) => !!(c.admin_opinion || c.finance_opinion)));
  });

  it('DESIGN §7: the demo `vendor` claimed in 2020 under its 2019 certificate, valid at the policy start and expired since', async () => {
    const c = await ctx.db('insurance_claims as c').join('certifications as cert', 'cert.id', 'c.cert_id').where({ 'c.vendor_id': vendorId, 'c.year': 2020, 'c.status': 'paid' }).orderBy('c.id').first('c.policy_start', 'cert.year', 'cert.valid_until', 'cert.status');
    assert.ok(c, 'a paid 2020 claim of vendor');
    assert.equal(Number(c.year), 2019);
    assert.ok(c.valid_until >= String(c.policy_start).slice(0, 10));
    assert.equal(c.status, 'expired');
  });

  it('leaves claims on every desk of the demo day, one payout overdue', async () => {
    const open = await ctx.db('insurance_claims').whereIn('status', ['draft', 'submitted', 'joint_review', 'approved']).select('status');
    assert.deepEqual([...new Set(open.map((c: { status: string }) => c.status))].sort(), ['approved', 'draft', 'joint_review', 'submitted']);
    const desk = await svc.financeDesk();
    assert.equal(desk.overdue, 1);
  });

  it('the statistics of 2020 agree with the report: 86 projects, ¥55,655,000.00, +58.9% on 2019, whichever way they are grouped', async () => {
    const admin = { id: 1, username: 'admin', role: 'admin' as const, displayName: 'admin', purchaserId: null, vendorId: null };
    const fen = (yuan: string) => Number(yuan.replace('.', ''));
    for (const groupBy of ['level', 'field', 'city'] as const) {
      const s = await svc.stats(admin, { year: 2020, groupBy });
      assert.equal(s.projects, 86, groupBy);
      assert.equal(s.insuredValue, '2494000000.00', groupBy);
      assert.equal(s.compensation, '55655000.00', groupBy);
      assert.equal(s.yoy.compensation, '58.9', groupBy);
      assert.equal(s.previous.compensation, '35025000.00', groupBy);
      assert.deepEqual(s.national, { projects: 8, insuredValue: '1867000000.00', compensation: '43860000.00' });
      assert.equal(s.rows.reduce((n, r) => n + r.projects, 0), 86, `${groupBy}: the rows add up to the projects`);
      assert.equal(s.rows.reduce((n, r) => n + fen(r.compensation), 0), 55_655_000_00, `${groupBy}: and to the compensation`);
      assert.equal(s.rows.reduce((n, r) => n + fen(r.previous.compensation), 0), 35_025_000_00, `${groupBy}: and 2019's`);
    }
    const years = await svc.stats(admin, { year: 2020, groupBy: 'year' });
    assert.deepEqual(
      years.rows.filter((r) => r.key === '2019' || r.key === '2020').map((r) => [r.key, r.projects, r.compensation, r.yoy.compensation]),
      [['2019', DEMO_INSURANCE[2019].projects, '35025000.00', null], ['2020', 86, '55655000.00', '58.9']],
    );
    const finance = { ...admin, role: 'finance' as const };
    assert.equal((await svc.stats(finance, { year: 2020, groupBy: 'level' })).projects, 86);
    await assert.rejects(svc.stats({ ...admin, role: 'vendor' as const, vendorId: vendorId }, { year: 2020, groupBy: 'level' }), /wrong_role/);
  });

  it('the loader walks claims through the same steps without reading them back: a quiet submission is answered nothing, and a second is refused as any would be', async () => {
    const draft = await ctx.db('insurance_claims').where({ vendor_id: vendorId, status: 'draft' }).first('id');
    assert.ok(draft, 'the demo vendor has a draft');
    const user = await ctx.db('users').where({ role: 'vendor', vendor_id: vendorId }).orderBy('id').first('id', 'username');
    const vendor = { id: user.id, username: user.username, role: 'vendor' as const, displayName: user.username, purchaserId: null, vendorId };
    assert.equal(await svc.submit(vendor, draft.id, { answer: false }), undefined);
    const claim = await svc.getClaim(vendor, draft.id);
    assert.equal(claim.status, 'submitted');
    assert.deepEqual(claim.history?.map((h) => h.action).slice(-1), ['submit']);
    await assert.rejects(svc.submit(vendor, draft.id, { answer: false }), (e: { code?: string }) => e.code === 'invalid_state');
  });

  it('the overdue payout, paid: no longer overdue, and on record as paid late; a payout in time is not', async () => {
    const finance = { id: 1, username: 'finance', role: 'finance' as const, displayName: 'finance', purchaserId: null, vendorId: null };
    const [late] = (await svc.financeDesk()).payoutsDue.filter((c) => c.overdue);
    assert.ok(late, 'the demo day has an overdue payout');
    const paid = await svc.disburse(finance, late.id);
    assert.deepEqual([paid.status, paid.overdue, paid.paidLate], ['paid', false, true]);
    const inTime = await ctx.db('insurance_claims').where({ status: 'paid' }).whereNot({ id: late.id }).first('id');
    assert.equal((await svc.getClaim(finance, inTime.id)).paidLate, false);
  });
});
