import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit';
import { FakeClock } from '../../src/clock';
import type { Executor } from '../../src/db';
import { RecognitionService } from '../../src/recognition';
import { ApplicationInput, ListEntryInput } from '../../src/recognition/schema';
import type { Actor } from '../../src/web/state';
import { BulkApplications, type BulkApplication } from '../../seeds/lib/bulk-recognition';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { LIST_ENTRY, applicationBody, makeRecWorld, type RecWorld } from '../helpers/recognition';

/**
 * The demo's 2020 certification round is written a step for all its applications at a time
 * (seeds/lib/bulk-recognition.ts). It must write what RecognitionService writes for the same applications on the
 * same days — applications, history, draws, reviews and audit records — and refuse what the service
 * refuses.
 */
describe(`demo certification: batched applications write what RecognitionService writes (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let w: RecWorld;
  const actors = {} as Record<'vendor' | 'vendor2' | 'admin', Actor>;
  const service: number[] = [];
  const batched: number[] = [];
  let entryId: number;
  // Each application's days: filed, screened and drawn, reviewed, recommended (two applications, a week apart).
  const DAYS = [
    ['2020-03-02T01:00:00.000Z', '2020-03-09T01:00:00.000Z', '2020-03-23T01:00:00.000Z', '2020-03-30T01:00:00.000Z'],
    ['2020-03-09T01:00:00.000Z', '2020-03-16T01:00:00.000Z', '2020-03-30T01:00:00.000Z', '2020-04-06T01:00:00.000Z'],
  ];
  const SCORES = [
    [80, 90, 70],
    [60, 72, 75],
  ];

  const actor = async (db: Executor, username: string): Promise<Actor> => {
    const u = await db('users').where({ username }).first();
    return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
  };
  const bodies = () => [
    ApplicationInput.parse(applicationBody({ listEntryId: entryId })),
    ApplicationInput.parse(applicationBody({ productName: '精密数控磨床', model: 'MK-2', levelClaimed: 'provincial', indicators: [] })),
  ];

  before(async () => {
    const db = ctx.db;
    w = await makeRecWorld(db);
    for (const k of ['vendor', 'vendor2', 'admin'] as const) actors[k] = await actor(db, w.users[k]);
    const clock = new FakeClock();
    clock.set(new Date('2020-01-06T01:00:00.000Z'), { freeze: true });
    // One source of integers for both ways: the draw takes the pool's experts in a fixed order.
    const svc = new RecognitionService(db, clock, (n) => n - 1);
    entryId = (await svc.addListEntry(actors.admin, ListEntryInput.parse({ ...LIST_ENTRY, year: 2020 }))).id;

    // Two applications one call at a time through RecognitionService …
    for (const [i, input] of bodies().entries()) {
      const [filed, drawn, reviewed, decided] = DAYS[i]!;
      clock.set(new Date(filed!), { freeze: true });
      const { id } = await svc.createApplication(actors.vendor, input, { demo: true });
      await svc.submit(actors.vendor, id);
      clock.set(new Date(drawn!), { freeze: true });
      await svc.screen(actors.admin, id, { passed: true, opinion: '材料齐全' });
      const panel = await svc.drawExperts(actors.admin, id, { count: 3 });
      clock.set(new Date(reviewed!), { freeze: true });
      for (const [j, e] of panel.experts.entries()) {
        await svc.review(await actor(db, e.username as string), id, { conflict: false, score: SCORES[i]![j]!, recommendLevel: j === 0 ? 'domestic' : 'provincial', opinion: '同意' });
      }
      clock.set(new Date(decided!), { freeze: true });
      await svc.recommend(actors.admin, id);
      service.push(id);
    }
    // … and the same two as one batch, on the same days.
    await db.transaction(async (trx) => {
      const bulk = new BulkApplications(trx, clock);
      const apps = await bulk.file(bodies().map((input, i) => ({ vendor: actors.vendor, input, at: new Date(DAYS[i]![0]!) })), { demo: true });
      const day = (n: number) => (a: BulkApplication) => new Date(DAYS[apps.indexOf(a)]![n]!);
      await bulk.submit(apps, day(0));
      await bulk.screen(apps, actors.admin, day(1), '材料齐全');
      await bulk.draw(apps, actors.admin, day(1), 3, () => (n) => n - 1);
      const order = new Map<number, number>();
      await bulk.review(apps, day(2), (a, r) => {
        const j = order.get(a.id) ?? 0;
        order.set(a.id, j + 1);
        assert.ok(r.expert_id > 0);
        return { conflict: false, score: SCORES[apps.indexOf(a)]![j]!, recommendLevel: j === 0 ? 'domestic' : 'provincial', opinion: '同意' };
      });
      await bulk.recommend(apps, actors.admin, day(3));
      batched.push(...apps.map((a) => a.id));
    });
  });

  const strip = <T extends Record<string, unknown>>(rows: T[], drop: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))));

  it('the same applications (one recommended at the majority level, one rejected on its mean), history, draws and reviews', async () => {
    const apps = async (ids: number[]) => strip(await ctx.db('cert_applications').whereIn('id', ids).orderBy('id'), ['id', 'application_no']);
    const mine = await apps(batched);
    assert.deepEqual(mine, await apps(service));
    assert.deepEqual(
      mine.map((a) => [a.status, a.mean_score_x100, a.recommended_level]),
      [
        ['recommended', 8000, 'provincial'],
        ['rejected', 6900, null],
      ],
    );
    const numbers = (await ctx.db('cert_applications').whereIn('id', [...service, ...batched]).orderBy('id').select('id', 'application_no')) as Array<{ id: number; application_no: string }>;
    for (const n of numbers) assert.equal(n.application_no, `ZJRD-2020-${String(n.id).padStart(6, '0')}`);
    const history = async (ids: number[]) => strip(await ctx.db('cert_application_history').whereIn('application_id', ids).orderBy(['application_id', 'id']), ['id', 'application_id']);
    assert.deepEqual(await history(batched), await history(service));
    const draws = async (ids: number[]) => strip(await ctx.db('cert_draws').whereIn('application_id', ids).orderBy('application_id'), ['id', 'application_id']);
    assert.deepEqual(await draws(batched), await draws(service));
    const reviews = async (ids: number[]) => strip(await ctx.db('cert_reviews').whereIn('application_id', ids).orderBy('id'), ['id', 'application_id', 'draw_id']);
    assert.deepEqual(await reviews(batched), await reviews(service));
  });

  it('the same audit records at the same instants; the chain verifies', async () => {
    const audit = async (ids: number[]) =>
      (await ctx.db('audit_log').where('entity', 'cert_application').whereIn('entity_id', ids.map(String)).orderBy('id')).map((r) => {
        const after = r.after ? JSON.parse(r.after) : null;
        if (after?.applicationNo) after.applicationNo = '#';
        if (after?.drawId) after.drawId = '#';
        return JSON.stringify([ids.indexOf(Number(r.entity_id)), r.actor_id, r.actor_name, r.action, r.before, after, r.at]);
      });
    const mine = await audit(batched);
    assert.equal(mine.length, 2 * (1 + 1 + 1 + 2 + 3 + 1));
    assert.deepEqual([...mine].sort(), [...(await audit(service))].sort());
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });

  it('refuses what the service refuses: out of turn, below the list threshold, another field, too few experts, a vendor not approved', async () => {
    const attempt = (work: (bulk: BulkApplications) => Promise<unknown>) => ctx.db.transaction(async (trx) => work(new BulkApplications(trx, new FakeClock())));
    const at = new Date('2020-05-04T01:00:00.000Z');
    const file = (b: BulkApplications, over: Record<string, unknown> = {}, vendor = actors.vendor) => b.file([{ vendor, input: ApplicationInput.parse(applicationBody({ listEntryId: entryId, ...over })), at }]);
    /** An application of vendor A filed, submitted and screened: ready for its draw. */
    const screened = async (b: BulkApplications) => {
      const apps = await file(b);
      await b.submit(apps, () => at);
      await b.screen(apps, actors.admin, () => at, '—');
      return apps;
    };
    // The screening before the submission: the transitions table's 409 (the draft's own words).
    await assert.rejects(
      attempt(async (b) => b.screen(await file(b), actors.admin, () => at, '—')),
      (e: { code?: string; messageKey?: string }) => e.code === 'invalid_state' && e.messageKey === 'recognition.wrong_state_draft',
    );
    // The recommendation before the panel has scored: the guard.
    await assert.rejects(
      attempt(async (b) => {
        const apps = await screened(b);
        await b.draw(apps, actors.admin, () => at, 3, () => () => 0);
        await b.recommend(apps, actors.admin, () => at);
      }),
      (e: { code?: string; messageKey?: string }) => e.code === 'invalid_state' && e.messageKey === 'recognition.guard_reviews_pending',
    );
    // An indicator below the list's threshold at submission: the 422 naming it.
    await assert.rejects(
      attempt(async (b) => b.submit(await file(b, { indicators: [{ name: '定位精度', value: '0.009' }, { name: '主轴转速', value: 24000 }] }), () => at)),
      (e: { code?: string; field?: string; messageKey?: string }) => e.code === 'validation_failed' && e.field === 'indicators.0.value' && e.messageKey === 'recognition.indicator_below',
    );
    await assert.rejects(attempt((b) => file(b, { field: '智能装备' })), /not of 智能装备/);
    // Seven experts of the field and none of vendor A's unit may sit on its panel: a draw of 8 cannot be made.
    await assert.rejects(
      attempt(async (b) => b.draw(await screened(b), actors.admin, () => at, 8, () => () => 0)),
      /7 experts eligible/,
    );
    // Another vendor's operator may not submit vendor A's application (the policy: not theirs, 403).
    await assert.rejects(
      attempt(async (b) => b.submit((await file(b)).map((a) => ({ ...a, vendor: actors.vendor2 })), () => at)),
      (e: { code?: string }) => e.code === 'forbidden',
    );
    await ctx.db('vendors').where({ id: w.vendorB.id }).update({ status: 'pending' });
    await assert.rejects(attempt((b) => file(b, {}, actors.vendor2)), /is not approved/);
    await ctx.db('vendors').where({ id: w.vendorB.id }).update({ status: 'approved' });
    // Nothing of the refused batches was left behind.
    assert.equal(Number((await ctx.db('cert_applications').count({ n: '*' }).first())?.n), 4);
  });
});
