import { recordAudits, type AuditEntry } from '../../src/audit';
import type { Clock } from '../../src/clock';
import { parseStoredArray } from '../../src/errors';
import { concurrently, insertRows, updateRows, type Executor } from '../../src/db';
import { mayReadApplication, type ApplicationAct } from '../../src/recognition/policies';
import { activeExperts, applicationsByIds, reviewsOfApplications, type ApplicationDetailRow, type ApplicationRow, type ListEntryRow, type ReviewDetailRow } from '../../src/recognition/repo';
import type { ApplicationInput, ApplicationStatus, IndicatorValue, ReviewInput } from '../../src/recognition/schema';
import { createRecords, draftRow, drawRecords, reviewRecords, writeSteps } from '../../src/recognition/records';
import { applicationNumber, checkIndicators, drawFrom, drawPool, panelVerdict } from '../../src/recognition/rules';
import { nextStatus, type ApplicationFacts } from '../../src/recognition/transitions';
import { shanghaiDay } from '../../src/time';
import type { Actor } from '../../src/web/state';

/*
 * The demo's certification round (2020's 216 applications), written many applications to a statement: through
 * RecognitionService one call per step, the round's ~11,000 statements were the largest part of first start. This
 * writes each step for a whole batch in a few statements, with the rules and rows RecognitionService applies (rules.ts, records.ts):
 *
 *   - the rules: the policy (`mayReadApplication` with the step's act), the transitions table (`nextStatus` with the
 *     panel's facts read from the reviews), the vendor approved and the list entry of the application's field, the
 *     standard track's indicators (`checkIndicators`), the draw's pool (`drawPool`: the field, never the applicant's
 *     unit) and `drawFrom`, the panel's verdict (`panelVerdict`);
 *   - the rows: the application's draft row (`draftRow`) and number, and for every step the conditional update (only
 *     from the status read), its history row and audit record (`stepRecords`, `createRecords`, `drawRecords`,
 *     `reviewRecords`), the audit chain running on as one by one.
 *
 * Unlike the order batches, each application keeps its own instants (`at`): an audit record may carry its own time
 * (src/audit AuditEntry.at). test/integration/demo-bulk-recognition.test.ts compares the rows with those
 * RecognitionService writes for the same applications.
 */

export interface BulkFiling {
  vendor: Actor;
  input: ApplicationInput;
  at: Date;
}

/** An application of a batch: its id, number and filer. */
export interface BulkApplication {
  id: number;
  applicationNo: string;
  vendor: Actor;
  listEntryId: number | null;
}

type When = (a: BulkApplication) => Date;
type Patch = Partial<ApplicationRow>;

export class BulkApplications {
  constructor(
    private readonly trx: Executor,
    private readonly clock: Clock,
  ) {}

  /** Files each enterprise's application (a draft, numbered), as RecognitionService.createApplication. */
  async file(filings: readonly BulkFiling[], opts: { demo?: boolean } = {}): Promise<BulkApplication[]> {
    const trx = this.trx;
    for (const f of filings) if (f.vendor.role !== 'vendor' || f.vendor.vendorId === null) throw new Error(`demo certification: ${f.vendor.username} may not apply`);
    const vendors = new Map<number, { status: string }>(
      (await trx('vendors').whereIn('id', [...new Set(filings.map((f) => f.vendor.vendorId as number))]).select('id', 'status')).map((v: { id: number; status: string }) => [Number(v.id), v]),
    );
    const entryIds = [...new Set(filings.map((f) => f.input.listEntryId).filter((id): id is number => id !== null && id !== undefined))];
    const entries = new Map<number, { field: string }>(
      (await trx('indicator_list').whereIn('id', entryIds).select('id', 'field')).map((e: { id: number; field: string }) => [Number(e.id), e]),
    );
    const rows = filings.map((f, k) => {
      if (vendors.get(f.vendor.vendorId as number)?.status !== 'approved') throw new Error(`demo certification: vendor ${f.vendor.vendorId} is not approved`);
      const entryId = f.input.listEntryId ?? null;
      if (entryId !== null && entries.get(entryId)?.field !== f.input.field) throw new Error(`demo certification: list entry ${entryId} is not of ${f.input.field}`);
      // A number of its own until the row has its id (application_no is unique), then the real one.
      return { ...draftRow(f.vendor, f.vendor.vendorId as number, f.input, f.at.toISOString(), opts.demo ?? false), application_no: `bulk:${k}` };
    });
    const inserted = await insertRows<{ id: number; application_no: string }>(trx, 'cert_applications', rows, ['id', 'application_no']);
    const idOf = new Map(inserted.map((r) => [r.application_no, Number(r.id)]));
    const apps = filings.map((f, k): BulkApplication => {
      const id = idOf.get(`bulk:${k}`)!;
      return { id, applicationNo: applicationNumber(shanghaiDay(f.at).slice(0, 4), id), vendor: f.vendor, listEntryId: f.input.listEntryId ?? null };
    });
    await updateRows(trx, 'cert_applications', apps.map((a) => ({ id: a.id, patch: { application_no: a.applicationNo } })), { status: 'draft' });
    const records = apps.map((a, k) => ({ ...createRecords(a.vendor, a.id, a.applicationNo, filings[k]!.input.productName, filings[k]!.at.toISOString()), at: filings[k]!.at.toISOString() }));
    await insertRows(trx, 'cert_application_history', records.map((r) => r.history));
    await recordAudits(trx, this.clock, records.map((r): AuditEntry => ({ ...r.audit, at: r.at })));
    return apps;
  }

  /** → submitted, by each application's enterprise; the standard track's indicators checked (RecognitionService.submit). */
  async submit(apps: readonly BulkApplication[], when: When): Promise<void> {
    const entryIds = [...new Set(apps.map((a) => a.listEntryId).filter((id): id is number => id !== null))];
    const entries = new Map(((await this.trx('indicator_list').whereIn('id', entryIds)) as ListEntryRow[]).map((e) => [Number(e.id), e]));
    await this.steps(apps, 'submit', 'application.own', (a) => a.vendor, when, (a, row) => {
      if (row.list_entry_id !== null) {
        const entry = entries.get(Number(row.list_entry_id));
        if (!entry) throw new Error(`demo certification: list entry ${row.list_entry_id} is gone`);
        checkIndicators(entry, parseStoredArray(row.indicators, { table: 'cert_applications', column: 'indicators', id: row.id }) as IndicatorValue[]);
      }
      return { patch: { submitted_at: when(a).toISOString() } };
    });
  }

  /** 形式审查 passed (RecognitionService.screen). */
  async screen(apps: readonly BulkApplication[], admin: Actor, when: When, opinion: string): Promise<void> {
    await this.steps(apps, 'screen', 'application.manage', () => admin, when, () => ({ patch: { screen_opinion: opinion }, note: opinion }));
  }

  /** The draw of `count` experts for each application, each with its own source of integers (RecognitionService.drawExperts). */
  async draw(apps: readonly BulkApplication[], admin: Actor, when: When, count: number, randomOf: (a: BulkApplication) => (n: number) => number): Promise<void> {
    const trx = this.trx;
    // The step changes no review: the reviews it read are those the draw must not choose again.
    const { rows, reviews: existing } = await this.steps(apps, 'experts', 'application.manage', () => admin, when, () => ({ patch: {}, note: `${count}`, to: 'expert_review' }));
    const active = await activeExperts(trx);
    const draws = apps.map((a) => {
      const taken = new Set(existing.filter((r) => r.application_id === a.id).map((r) => r.expert_id));
      const pool = drawPool(active, rows.get(a.id)!, taken);
      if (pool.length < count) throw new Error(`demo certification: ${pool.length} experts eligible for ${a.applicationNo}, ${count} wanted`);
      return { a, records: drawRecords(admin, a.id, 'draw', count, pool, drawFrom(pool, count, randomOf(a)), when(a).toISOString()) };
    });
    const drawIds = new Map((await insertRows<{ id: number; application_id: number }>(trx, 'cert_draws', draws.map((d) => d.records.draw), ['id', 'application_id'])).map((r) => [Number(r.application_id), Number(r.id)]));
    await insertRows(trx, 'cert_reviews', draws.flatMap((d) => d.records.reviews(drawIds.get(d.a.id)!)));
    await recordAudits(trx, this.clock, draws.map((d): AuditEntry => ({ ...d.records.audit(drawIds.get(d.a.id)!), at: when(d.a).toISOString() })));
  }

  /** Every expert of each panel scores, in the order drawn (RecognitionService.review). */
  async review(apps: readonly BulkApplication[], when: When, scoreOf: (a: BulkApplication, expert: ReviewDetailRow) => ReviewInput): Promise<void> {
    const trx = this.trx;
    const rows = new Map((await applicationsByIds(trx, apps.map((a) => a.id))).map((r) => [Number(r.id), r]));
    const assigned = (await reviewsOfApplications(trx, apps.map((a) => a.id))).filter((r) => r.status === 'assigned');
    const scored = apps.flatMap((a) => {
      const row = rows.get(a.id)!;
      if (row.status !== 'expert_review') throw new Error(`demo certification: ${a.applicationNo} is ${row.status}, not under review`);
      return assigned
        .filter((r) => Number(r.application_id) === a.id)
        .map((r) => {
          if (r.expert_user_id === null || r.username === null) throw new Error(`demo certification: expert ${r.expert_id} has no account`);
          const expert: Actor = { id: Number(r.expert_user_id), username: r.username, role: 'expert', displayName: r.username, purchaserId: null, vendorId: null };
          return { id: Number(r.id), records: reviewRecords(expert, a.id, row.status, r.expert_id, scoreOf(a, r), when(a).toISOString()) };
        });
    });
    if ((await updateRows(trx, 'cert_reviews', scored.map((s) => ({ id: s.id, patch: s.records.patch })), { status: 'assigned' })) !== scored.length) throw new Error('demo certification: a review was taken meanwhile');
    await insertRows(trx, 'cert_application_history', scored.map((s) => s.records.history));
    await recordAudits(trx, this.clock, scored.map((s): AuditEntry => ({ ...s.records.audit, at: s.records.patch.reviewed_at })));
  }

  /** The panel's verdict: recommended at the majority level, or rejected (RecognitionService.recommend). */
  async recommend(apps: readonly BulkApplication[], admin: Actor, when: When): Promise<void> {
    const reviews = await reviewsOfApplications(this.trx, apps.map((a) => a.id));
    await this.steps(apps, 'recommend', 'application.manage', () => admin, when, (a, row, facts) => {
      nextStatus('recommend', row.status, facts); // the guard first: every panel member has scored
      const { meanX100, pass, level } = panelVerdict(reviews.filter((r) => Number(r.application_id) === a.id && r.status === 'scored'));
      const patch: Patch = pass ? { mean_score_x100: meanX100, recommended_level: level } : { mean_score_x100: meanX100, decided_at: when(a).toISOString() };
      return { patch, note: `${(meanX100 / 100).toFixed(2)}`, to: pass ? 'recommended' : 'rejected' };
    });
  }

  /**
   * One step of the tables for every application: the policy, the transitions table with the panel's facts, then
   * records.ts's `writeSteps`, as RecognitionService's steps use it (the conditional updates, history rows, audit records). Returns the rows and
   * reviews as read.
   */
  private async steps(
    apps: readonly BulkApplication[],
    step: string,
    act: ApplicationAct,
    actorOf: (a: BulkApplication) => Actor,
    when: When,
    decide: (a: BulkApplication, row: ApplicationDetailRow, facts: ApplicationFacts) => { patch: Patch; note?: string; to?: ApplicationStatus },
  ): Promise<{ rows: Map<number, ApplicationDetailRow>; reviews: ReviewDetailRow[] }> {
    const trx = this.trx;
    const ids = apps.map((a) => a.id);
    const [read, reviews] = await concurrently(trx, () => applicationsByIds(trx, ids), () => reviewsOfApplications(trx, ids));
    const rows = new Map(read.map((r) => [Number(r.id), r]));
    const moves = apps.map((a) => {
      const row = rows.get(a.id);
      if (!row) throw new Error(`demo certification: application ${a.id} is gone`);
      const actor = actorOf(a);
      mayReadApplication(actor, act, { vendorId: row.vendor_id, assigned: false });
      const panel = reviews.filter((r) => Number(r.application_id) === a.id && r.status !== 'conflict');
      const facts = { panel: panel.length, scored: panel.filter((r) => r.status === 'scored').length };
      const d = decide(a, row, facts);
      return { actor, a: row, action: step, to: nextStatus(step, row.status, facts, d.to), patch: d.patch, note: d.note ?? null, at: when(a).toISOString() };
    });
    await writeSteps(trx, this.clock, moves);
    return { rows, reviews };
  }
}
