/**
 * What each step of an application writes — its rows, history and audit records — built apart from the service, so
 * that one step (RecognitionService) and many at once (a round's moves, the demo loader's batches) write the same.
 */
import { recordAudits } from '../audit';
import type { Clock } from '../clock';
import type { Executor } from '../db';
import { invalidState } from '../errors';
import { Money } from '../money';
import type { Actor } from '../web';
import { insertHistories, updateApplications, type ApplicationRow } from './repo';
import type { ApplicationInput, ApplicationStatus, ReviewInput } from './schema';

/** A new application's row (a draft, numbered once it has its id). */
/** The columns of an application the vendor writes: when creating its draft and when correcting it. */
export function draftFields(input: ApplicationInput) {
  return {
    product_name: input.productName,
    model: input.model,
    kind: input.kind,
    field: input.field,
    level_claimed: input.levelClaimed,
    list_entry_id: input.listEntryId ?? null,
    indicators: JSON.stringify(input.indicators),
    description: input.description,
  };
}

export function draftRow(actor: Actor, vendorId: number, input: ApplicationInput, now: string, demo: boolean): Omit<ApplicationRow, 'id'> {
  return {
    application_no: null,
    vendor_id: vendorId,
    ...draftFields(input),
    status: 'draft',
    screen_opinion: null,
    mean_score_x100: null,
    recommended_level: null,
    round_id: null,
    cert_id: null,
    cert_no: null,
    decided_at: null,
    created_by: actor.id,
    demo,
    submitted_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** A new application's history row and audit record. */
export function createRecords(actor: Actor, applicationId: number, applicationNo: string, productName: string, at: string) {
  return {
    history: { application_id: applicationId, action: 'create', from_status: null, to_status: 'draft', actor_id: actor.id, note: null, at },
    audit: { actor, action: 'recognition.create', entity: 'cert_application', entityId: applicationId, after: { status: 'draft', applicationNo, productName } },
  };
}

/** A draw's row, the panel's review rows and its audit record (`drawId` once the row has its id). */
export function drawRecords(actor: Actor, applicationId: number, reason: 'draw' | 'replacement', count: number, pool: ReadonlyArray<{ id: number }>, chosen: ReadonlyArray<{ id: number }>, at: string) {
  return {
    draw: { application_id: applicationId, reason, count, pool: JSON.stringify(pool.map((e) => e.id)), drawn: JSON.stringify(chosen.map((e) => e.id)), drawn_by: actor.id, drawn_at: at },
    reviews: (drawId: number) => chosen.map((e) => ({ application_id: applicationId, expert_id: e.id, draw_id: drawId, status: 'assigned' as const, score: null, recommend_level: null, opinion: null, reviewed_at: null })),
    audit: (drawId: number) => ({ actor, action: `recognition.${reason}`, entity: 'cert_application', entityId: applicationId, after: { drawId, pool: pool.map((e) => e.id), drawn: chosen.map((e) => e.id) } }),
  };
}

/** An expert's scored review: the review's patch, the application's history row, the audit record. */
export function reviewRecords(actor: Actor, applicationId: number, status: ApplicationStatus, expertId: number, input: ReviewInput, at: string) {
  return {
    patch: { status: 'scored' as const, score: input.score ?? null, recommend_level: input.recommendLevel ?? null, opinion: input.opinion ?? null, reviewed_at: at },
    history: { application_id: applicationId, action: 'scored', from_status: status, to_status: status, actor_id: actor.id, note: null, at },
    audit: { actor, action: 'recognition.review', entity: 'cert_application', entityId: applicationId, after: { expertId, score: input.score, recommendLevel: input.recommendLevel } },
  };
}

/** What one step of an application writes beside the status: its history row and its audit record. */
export function stepRecords(actor: Actor, applicationId: number, action: string, from: ApplicationStatus, to: ApplicationStatus, note: string | null, at: string) {
  return {
    history: { application_id: applicationId, action, from_status: from, to_status: to, actor_id: actor.id, note, at },
    audit: { actor, action: `recognition.${action}`, entity: 'cert_application', entityId: applicationId, before: { status: from }, after: { status: to } },
  };
}

/**
 * Many applications' steps at once (a round's moves, the demo loader's batches): the conditional updates, each only
 * from the status its application was read in (409 when one moved meanwhile), their history rows and audit records —
 * what `apply` writes for one, in a few statements.
 */
export async function writeSteps(
  trx: Executor,
  clock: Clock,
  steps: ReadonlyArray<{ actor: Actor; a: { id: number; status: ApplicationStatus }; action: string; to: ApplicationStatus; patch: Partial<ApplicationRow>; note: string | null; at: string }>,
): Promise<void> {
  const byStatus = new Map<ApplicationStatus, Array<(typeof steps)[number]>>();
  for (const s of steps) {
    const group = byStatus.get(s.a.status);
    if (group) group.push(s);
    else byStatus.set(s.a.status, [s]);
  }
  for (const [from, group] of byStatus) {
    const moved = await updateApplications(trx, group.map((s) => ({ id: s.a.id, patch: { ...s.patch, status: s.to, updated_at: s.at } })), from);
    if (moved !== group.length) throw invalidState('recognition.changed_meanwhile');
  }
  const records = steps.map((s) => stepRecords(s.actor, s.a.id, s.action, s.a.status, s.to, s.note, s.at));
  await insertHistories(trx, records.map((r) => r.history));
  await recordAudits(trx, clock, steps.map((s, i) => ({ ...records[i]!.audit, at: s.at })));
}

/** An award's payment, as the audit log records it. */
export const awardPaid = (actor: Actor, awardId: number, applicationNo: string, amountFen: number) => ({
  actor,
  action: 'recognition.award_pay',
  entity: 'cert_award',
  entityId: awardId,
  before: { status: 'due' },
  after: { applicationNo, status: 'paid', amount: Money.ofFen(amountFen).toString() },
});
