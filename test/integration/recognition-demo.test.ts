import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { withUnitOfWork } from '../../src/db';
import { Ledger } from '../../src/ledger';
import { seedCatalogue } from '../../seeds/lib/catalogue';
import { DEMO_EXPERTS, DEMO_LIST_2020, DEMO_LIST_TRACK_2020, ROUND_2020, seedDemoRecognition } from '../../seeds/demo-recognition';
import { DEMO_LOAD_TIMEOUT, ENGINE, useMigratedDb } from '../helpers/db';

/**
 * The demo's 2020 certification (issue 15 item 6, DESIGN §8): the registry's 216 equipment certificates of 2020 each
 * reached through an application, its experts and one round, with no second set of certificates; the awards
 * ¥76,000,000.00, paid through the ledger.
 */
describe(`demo certification 2020 (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useMigratedDb();
  const now = new Date('2026-11-27T09:00:00+08:00');
  let summary: Awaited<ReturnType<typeof seedDemoRecognition>>;
  let certsBefore: number;

  before(async () => {
    await ctx.db.transaction(async (trx) => {
      const clock = new FakeClock();
      clock.set(now, { freeze: true });
      const ids = await seedCatalogue(trx, clock);
      certsBefore = Number((await trx('certifications').count({ n: '*' }).first())?.n);
      summary = await withUnitOfWork(trx, () => seedDemoRecognition(ctx.db, ids, now));
    });
  });

  it('the pool, the 2020 list, and 216 certified applications whose awards total ¥76,000,000.00 (2 / 30 / 184)', async () => {
    assert.equal(summary.experts, DEMO_EXPERTS);
    assert.equal(summary.listEntries, DEMO_LIST_2020);
    assert.equal(summary.certified2020, 216);
    assert.equal(summary.awards2020Fen, 76_000_000_00);
    const awards = await ctx.db('cert_awards').where({ year: 2020 }).select('level', 'status', 'amount_fen', 'transfer_id', 'paid_at');
    assert.equal(awards.reduce((s, w) => s + Number(w.amount_fen), 0), 76_000_000_00);
    const by = (l: string) => awards.filter((w) => w.level === l).length;
    assert.deepEqual([by('international'), by('domestic'), by('provincial')], [2, 30, 184]);
    assert.ok(awards.every((w) => w.status === 'paid' && w.transfer_id !== null && String(w.paid_at) >= '2020-11-30'));
  });

  it('each application confirms a 2020 equipment certificate the registry already held, of its own enterprise: no second set', async () => {
    assert.equal(Number((await ctx.db('certifications').count({ n: '*' }).first())?.n), certsBefore);
    const rows = await ctx
      .db('cert_applications as a')
      .join('certifications as c', 'c.id', 'a.cert_id')
      .join('vendors as v', 'v.id', 'a.vendor_id')
      .where('a.status', 'certified')
      .select('a.cert_id', 'a.cert_no', 'a.list_entry_id', 'a.recommended_level', 'c.cert_no as registry_no', 'c.year', 'c.kind', 'c.level', 'c.credit_code', 'v.credit_code as vendor_code');
    assert.equal(rows.length, 216);
    assert.equal(new Set(rows.map((r) => r.cert_id)).size, 216);
    for (const r of rows) {
      assert.equal(r.cert_no, r.registry_no);
      assert.equal(r.year, 2020);
      assert.equal(r.kind, 'equipment');
      assert.equal(r.level, r.recommended_level);
      assert.equal(r.credit_code, r.vendor_code);
    }
    assert.equal(rows.filter((r) => r.list_entry_id !== null).length, DEMO_LIST_TRACK_2020);
  });

  it('every application went through the steps: submitted, screened, 3 experts drawn who scored, recommended, the round', async () => {
    const actions = (await ctx.db('cert_application_history').select('action')).map((h) => h.action as string);
    for (const a of ['create', 'submit', 'screen', 'experts', 'scored', 'recommend', 'enter_round', 'certify']) {
      assert.equal(actions.filter((x) => x === a).length, a === 'scored' ? 216 * 3 : a === 'create' ? 217 : 216, a);
    }
    assert.equal(Number((await ctx.db('cert_draws').count({ n: '*' }).first())?.n), 216);
  });

  it('the 2020 round’s 公示 is a public certification notice of 2 November 2020; the round is finalized', async () => {
    const notices = await ctx.db('notices').where({ type: 'certification' }).select('published_at', 'round_id', 'case_id');
    assert.equal(notices.length, 1);
    assert.equal(new Date(notices[0].published_at).toISOString(), new Date(ROUND_2020.publishedAt).toISOString());
    assert.equal(notices[0].case_id, null);
    const round = await ctx.db('cert_rounds').where({ id: notices[0].round_id }).first();
    assert.equal(round.status, 'finalized');
    assert.equal(round.year, 2020);
  });

  it('its events name the applications by the numbers people read: the round lists applicationNos, each award.paid its applicationNo', async () => {
    const parse = (d: unknown) => (typeof d === 'string' ? JSON.parse(d) : d) as { after: { applications?: number[]; applicationNos?: string[]; applicationNo?: string; status?: string } };
    const numberOf = new Map((await ctx.db('cert_applications').select('id', 'application_no')).map((a: { id: number; application_no: string }) => [Number(a.id), a.application_no]));
    const [published] = await ctx.db('outbox_events').where({ type: 'certification_round.published' }).select('data');
    const round = parse(published.data).after;
    assert.equal(round.applications?.length, 216);
    assert.deepEqual(round.applicationNos, round.applications?.map((id) => numberOf.get(id)));
    const paid: Array<{ data: unknown }> = await ctx.db('outbox_events').where({ type: 'award.paid' }).select('data');
    const awards = new Map((await ctx.db('cert_awards').select('application_id')).map((w: { application_id: number }) => [numberOf.get(Number(w.application_id)), true]));
    assert.equal(paid.length, 216);
    for (const e of paid) {
      const after = parse(e.data).after;
      assert.equal(after.status, 'paid');
      assert.ok(after.applicationNo && awards.has(after.applicationNo), `award.paid names ${String(after.applicationNo)}`);
    }
  });

  it('the awards are not trades; the award fund is spent; the ledger verifies', async () => {
    assert.equal(Number((await ctx.db('trades').count({ n: '*' }).first())?.n), 0);
    const report = await new Ledger(new FakeClock()).verify(ctx.db);
    assert.ok(report.ok, JSON.stringify(report).slice(0, 500));
  });

  it('the vendor account has a draft on its desk', async () => {
    const user = await ctx.db('users').where({ username: 'vendor' }).first('vendor_id');
    const drafts = await ctx.db('cert_applications').where({ vendor_id: user.vendor_id, status: 'draft' });
    assert.equal(drafts.length, 1);
  });
});
