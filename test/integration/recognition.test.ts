import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { withUnitOfWork } from '../../src/db';
import { Ledger } from '../../src/ledger';
import { RecognitionService } from '../../src/recognition';
import { ApplicationInput, ListEntryInput } from '../../src/recognition/schema';
import type { Actor } from '../../src/web/state';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { LIST_ENTRY, applicationBody, makeRecWorld, type RecWorld } from '../helpers/recognition';

/** The certification lifecycle through its service, on a real database: whole steps or nothing, draws on record. */
describe(`certification lifecycle service (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let w: RecWorld;
  let clock: FakeClock;
  let svc: RecognitionService;
  const actors = {} as Record<'vendor' | 'admin' | 'finance', Actor>;
  const actor = async (username: string): Promise<Actor> => {
    const u = await ctx.db('users').where({ username }).first();
    return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
  };
  const count = async (table: string) => Number((await ctx.db(table).count({ n: '*' }).first())?.n ?? 0);

  before(async () => {
    w = await makeRecWorld(ctx.db);
    clock = new FakeClock();
    clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    let n = 0;
    svc = new RecognitionService(ctx.db, clock, (k) => n++ % k);
    actors.vendor = await actor(w.users.vendor);
    actors.admin = await actor(w.users.admin);
    actors.finance = await actor(w.users.finance);
  });

  /** An application walked to recommended, every expert scoring `score`. */
  async function recommended(score = 80): Promise<number> {
    const entry = await svc.addListEntry(actors.admin, ListEntryInput.parse(LIST_ENTRY));
    const a = await svc.createApplication(actors.vendor, ApplicationInput.parse(applicationBody({ listEntryId: entry.id })));
    await svc.submit(actors.vendor, a.id);
    await svc.screen(actors.admin, a.id, { passed: true, opinion: undefined });
    const drawn = await svc.drawExperts(actors.admin, a.id, { count: 3 });
    for (const d of drawn.experts) {
      const ex = await actor(d.username as string);
      await svc.review(ex, a.id, { conflict: false, score, recommendLevel: 'provincial', opinion: '意见' });
    }
    await svc.recommend(actors.admin, a.id);
    return a.id;
  }

  it('a caller that shows nothing of the answers (the demo loader) makes the same steps, refused the same way, and is answered nothing', async () => {
    const quiet = { answer: false } as const;
    const entry = await svc.addListEntry(actors.admin, ListEntryInput.parse(LIST_ENTRY));
    const created = await svc.createApplication(actors.vendor, ApplicationInput.parse(applicationBody({ listEntryId: entry.id })), { ...quiet });
    assert.deepEqual(Object.keys(created), ['id']);
    // A refusal is a refusal, quiet or not: the screening before the submission is out of turn.
    await assert.rejects(svc.screen(actors.admin, created.id, { passed: true, opinion: undefined }, quiet), (e: { code?: string; messageKey?: string }) => e.code === 'invalid_state' && e.messageKey === 'recognition.wrong_state_draft');
    assert.equal(await svc.submit(actors.vendor, created.id, quiet), undefined);
    assert.equal(await svc.screen(actors.admin, created.id, { passed: true, opinion: undefined }, quiet), undefined);
    const drawn = await svc.drawExperts(actors.admin, created.id, { count: 3 }, quiet);
    assert.deepEqual(Object.keys(drawn), ['experts']);
    assert.equal(drawn.experts.length, 3);
    for (const d of drawn.experts) assert.equal(await svc.review(await actor(d.username as string), created.id, { conflict: false, score: 90, recommendLevel: 'domestic', opinion: '同意' }, quiet), undefined);
    assert.equal(await svc.recommend(actors.admin, created.id, quiet), undefined);
    const view = await svc.getApplication(actors.admin, created.id);
    assert.equal(view.status, 'recommended');
    assert.equal(view.recommendedLevel, 'domestic');
    assert.deepEqual(
      view.history.map((h) => h.action),
      ['create', 'submit', 'screen', 'experts', 'scored', 'scored', 'scored', 'recommend'],
    );
  });

  it('a finalization that fails half-way (the registry\'s certificate it would confirm is another enterprise\'s) leaves nothing written', async () => {
    const id = await recommended();
    const round = await svc.createRound(actors.admin, { year: 2026, applicationIds: [id] });
    clock.set(new Date('2026-03-11T02:00:00Z'), { freeze: true });
    await ctx.db('certifications').insert({
      cert_no: 'ZJ-STT-2026-9000',
      product_name: '另一企业的证书',
      enterprise_name: '某企业',
      credit_code: w.vendorB.credit_code,
      kind: 'equipment',
      level: 'provincial',
      field: '数控机床',
      year: 2026,
      valid_until: '2029-01-01',
      indicators: '[]',
      status: 'valid',
      key_supported: false,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    const before = { awards: await count('cert_awards'), transfers: await count('ledger_transfers'), history: await count('cert_application_history'), audit: await count('audit_log') };
    const other = await ctx.db('certifications').where({ cert_no: 'ZJ-STT-2026-9000' }).first('id');
    await assert.rejects(svc.finalizeRound(actors.admin, round.id, { registered: new Map([[id, Number(other.id)]]) }), (e: { code?: string; messageKey?: string }) => e.code === 'invalid_state' && e.messageKey === 'recognition.registered_mismatch');
    assert.deepEqual({ awards: await count('cert_awards'), transfers: await count('ledger_transfers'), history: await count('cert_application_history'), audit: await count('audit_log') }, before);
    assert.equal((await ctx.db('cert_rounds').where({ id: round.id }).first()).status, 'notice');
    assert.equal((await ctx.db('cert_applications').where({ id }).first()).status, 'in_round');
  });

  it('a round finalized: the award funded from the treasury, paid to the vendor; the ledger verifies; no trade', async () => {
    const id = await recommended(90);
    clock.set(new Date('2026-03-12T02:00:00Z'), { freeze: true });
    const round = await svc.createRound(actors.admin, { year: 2026, applicationIds: [id] });
    clock.set(new Date('2026-03-25T02:00:00Z'), { freeze: true });
    await svc.finalizeRound(actors.admin, round.id);
    const award = await ctx.db('cert_awards').where({ application_id: id }).first();
    assert.equal(Number(award.amount_fen), 200_000_00);
    assert.equal((await ctx.db('ledger_accounts').where({ code: 'award_fund' }).first()).balance_fen, award.amount_fen);
    const paid = await svc.payAward(actors.finance, award.id);
    assert.equal(paid.status, 'paid');
    // Paid again: the same answer, nothing moves (idempotent by the award).
    const transfers = await count('ledger_transfers');
    assert.deepEqual(await svc.payAward(actors.finance, award.id), paid);
    assert.equal(await count('ledger_transfers'), transfers);
    const report = await new Ledger(clock).verify(ctx.db);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(await count('trades'), 0);
  });

  it('a round of three moves together: entered, certified with an award each funded in one batch; a payment run pays all or none', async () => {
    clock.set(new Date('2026-04-01T02:00:00Z'), { freeze: true });
    const ids = [await recommended(85), await recommended(88), await recommended(91)];
    const round = await svc.createRound(actors.admin, { year: 2026, applicationIds: ids });
    const entered = await ctx.db('cert_application_history').whereIn('application_id', ids).andWhere({ action: 'enter_round' }).orderBy('application_id');
    assert.deepEqual(entered.map((h) => [h.from_status, h.to_status, h.note]), ids.map(() => ['recommended', 'in_round', `#${round.id}`]));
    const fundBefore = Number((await ctx.db('ledger_accounts').where({ code: 'award_fund' }).first())?.balance_fen ?? 0);
    clock.set(new Date('2026-04-20T02:00:00Z'), { freeze: true });
    await svc.finalizeRound(actors.admin, round.id);
    const apps = await ctx.db('cert_applications').whereIn('id', ids).orderBy('id');
    assert.deepEqual(apps.map((a) => a.status), ['certified', 'certified', 'certified']);
    // The registry's numbers, next in the year after those it holds (one sequence for every kind).
    const numbers = apps.map((a) => a.cert_no as string);
    for (const n of numbers) assert.match(n, /^ZJ-STT-2026-\d{4}$/);
    const seqs = numbers.map((n) => Number(n.slice(-4)));
    assert.deepEqual(seqs, [seqs[0], seqs[0]! + 1, seqs[0]! + 2], 'consecutive, in the applications\' order');
    const others: Array<{ cert_no: string }> = await ctx.db('certifications').where('cert_no', 'like', 'ZJ-___-2026-%').whereNotIn('cert_no', numbers).select('cert_no');
    assert.ok(others.every((c) => Number(c.cert_no.slice(-4)) < seqs[0]!), 'after every number the year already had');
    const awards = await ctx.db('cert_awards').whereIn('application_id', ids).orderBy('id');
    assert.deepEqual(awards.map((w) => [Number(w.application_id), w.status, Number(w.amount_fen)]), ids.map((id) => [id, 'due', 200_000_00]));
    assert.equal(Number((await ctx.db('ledger_accounts').where({ code: 'award_fund' }).first()).balance_fen), fundBefore + 3 * 200_000_00);
    assert.equal(await ctx.db('ledger_transfers').whereIn('idempotency_key', awards.map((w) => `award:${w.id}:fund`)).count({ n: '*' }).first().then((r) => Number(r?.n)), 3);

    const [a1, a2, a3] = awards.map((w) => Number(w.id));
    await assert.rejects(svc.payAwards(actors.admin, [a1!]), (e: { code?: string }) => e.code === 'forbidden');
    await assert.rejects(svc.payAwards(actors.finance, [a1!, 99_999_999]), (e: { code?: string }) => e.code === 'not_found');
    const paid = await svc.payAwards(actors.finance, [a1!, a2!]);
    const rows = await ctx.db('cert_awards').whereIn('id', [a1!, a2!]).orderBy('id');
    assert.deepEqual(rows.map((w) => [w.status, Number(w.paid_by), Number(w.transfer_id)]), paid.map((p) => ['paid', actors.finance.id, p.transferId]));
    const transfers = await ctx.db('ledger_transfers').whereIn('id', paid.map((p) => p.transferId)).orderBy('id');
    assert.deepEqual(transfers.map((t) => [t.kind, Number(t.amount_fen), t.idempotency_key]), [
      ['pay_award', 200_000_00, `award:${a1}:pay`],
      ['pay_award', 200_000_00, `award:${a2}:pay`],
    ]);
    assert.equal(await ctx.db('audit_log').where({ action: 'recognition.award_pay' }).whereIn('entity_id', [String(a1), String(a2)]).count({ n: '*' }).first().then((r) => Number(r?.n)), 2);
    // A run with one award already paid: refused whole, the other still due.
    const before = { transfers: await count('ledger_transfers'), audit: await count('audit_log') };
    await assert.rejects(svc.payAwards(actors.finance, [a3!, a1!]), (e: { code?: string; messageKey?: string }) => e.code === 'invalid_state' && e.messageKey === 'recognition.award_paid');
    assert.equal((await ctx.db('cert_awards').where({ id: a3 }).first()).status, 'due');
    assert.deepEqual({ transfers: await count('ledger_transfers'), audit: await count('audit_log') }, before);
    const report = await new Ledger(clock).verify(ctx.db);
    assert.equal(report.ok, true, JSON.stringify(report));
  });

  it('inside a unit of work (the demo loader) the steps join the one transaction and a failure rolls it all back', async () => {
    const before = await count('cert_applications');
    await assert.rejects(
      ctx.db.transaction((trx) =>
        withUnitOfWork(trx, async () => {
          await svc.createApplication(actors.vendor, ApplicationInput.parse(applicationBody()));
          throw new Error('stop');
        }),
      ),
      /stop/,
    );
    assert.equal(await count('cert_applications'), before);
  });
});
