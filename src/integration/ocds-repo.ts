import type { Executor } from '../db';
import { parseStoredJson } from '../errors';
import type { OutboxRow } from '../audit';

/**
 * What the OCDS release feed reads. Only public facts: the outbox events that mark a public stage, the published
 * documents (a case's notices, the purchase intentions), the registry names and credit codes of the two parties, and
 * the intention a case's 公示 linked. Never a case's internal state (the negotiation, the experts' opinions).
 */

/** The event types that make an OCDS release. */
export const RELEASE_EVENT_TYPES = ['purchase_intention.published', 'notice.published', 'first_purchase.paid'] as const;

/** Events of those types after `seq`, oldest first. */
export async function releaseEventsAfter(db: Executor, seq: number, limit: number): Promise<OutboxRow[]> {
  const rows: OutboxRow[] = await db('outbox_events')
    .where('seq', '>', seq)
    .whereIn('type', [...RELEASE_EVENT_TYPES])
    .orderBy('seq')
    .limit(limit);
  return rows.map((r) => ({ ...r, seq: Number(r.seq), stream_seq: Number(r.stream_seq) }));
}

export interface NoticeDoc {
  id: number;
  caseId: number | null;
  type: string;
  title: string;
  publishedAt: string;
  content: Record<string, unknown>;
}

const noticeDoc = (r: { id: number; case_id: number | null; type: string; title: string; published_at: string; content: string }): NoticeDoc => ({
  id: Number(r.id),
  caseId: r.case_id === null ? null : Number(r.case_id),
  type: r.type,
  title: r.title,
  publishedAt: r.published_at,
  content: parseStoredJson(r.content, { table: 'notices', column: 'content', id: Number(r.id) }) as Record<string, unknown>,
});

export async function noticesByIds(db: Executor, ids: number[]): Promise<Map<number, NoticeDoc>> {
  if (!ids.length) return new Map();
  const rows = await db('notices').whereIn('id', ids).select('id', 'case_id', 'type', 'title', 'published_at', 'content');
  return new Map(rows.map((r) => [Number(r.id), noticeDoc(r)]));
}

/** Each case's latest contract notice (the contract a payment settles). */
export async function contractNotices(db: Executor, caseIds: number[]): Promise<Map<number, NoticeDoc>> {
  if (!caseIds.length) return new Map();
  const rows = await db('notices').whereIn('case_id', caseIds).where('type', 'contract').orderBy('id').select('id', 'case_id', 'type', 'title', 'published_at', 'content');
  return new Map(rows.map((r) => [Number(r.case_id), noticeDoc(r)]));
}

/** A party as the registry names it. */
export interface PartyFacts {
  id: number;
  name: string;
  creditCode: string;
  city: string;
}

export interface CaseFacts {
  id: number;
  intentionId: number | null;
  purchaser: PartyFacts;
  vendor: PartyFacts & { address: string };
}

export async function caseFacts(db: Executor, caseIds: number[]): Promise<Map<number, CaseFacts>> {
  if (!caseIds.length) return new Map();
  const rows = await db('fp_cases as c')
    .join('purchasers as p', 'p.id', 'c.purchaser_id')
    .join('vendors as v', 'v.id', 'c.vendor_id')
    .whereIn('c.id', caseIds)
    .select('c.id', 'c.intention_id', 'p.id as p_id', 'p.name as p_name', 'p.credit_code as p_code', 'p.city as p_city', 'v.id as v_id', 'v.name as v_name', 'v.credit_code as v_code', 'v.city as v_city', 'v.address as v_address');
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        intentionId: r.intention_id === null || r.intention_id === undefined ? null : Number(r.intention_id),
        purchaser: { id: Number(r.p_id), name: r.p_name, creditCode: r.p_code, city: r.p_city },
        vendor: { id: Number(r.v_id), name: r.v_name, creditCode: r.v_code, city: r.v_city, address: r.v_address ?? '' },
      },
    ]),
  );
}

export interface IntentionFacts {
  id: number;
  projectName: string;
  goods: string;
  budgetFen: number;
  expectedMonth: string;
  productId: number | null;
  publishedAt: string;
  purchaser: PartyFacts;
}

export async function intentionsByIds(db: Executor, ids: number[]): Promise<Map<number, IntentionFacts>> {
  if (!ids.length) return new Map();
  const rows = await db('purchase_intentions as i')
    .join('purchasers as p', 'p.id', 'i.purchaser_id')
    .whereIn('i.id', ids)
    .select('i.*', 'p.name as p_name', 'p.credit_code as p_code', 'p.city as p_city');
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        projectName: r.project_name,
        goods: r.goods,
        budgetFen: Number(r.budget_fen),
        expectedMonth: r.expected_month,
        productId: r.product_id === null ? null : Number(r.product_id),
        publishedAt: r.published_at,
        purchaser: { id: Number(r.purchaser_id), name: r.p_name, creditCode: r.p_code, city: r.p_city },
      },
    ]),
  );
}

/** The settings row of the ocid prefix (the OCDS publisher's prefix, registered with the Open Contracting Partnership). */
export const OCID_PREFIX_KEY = 'ocds_ocid_prefix';

export async function readOcidPrefix(db: Executor): Promise<string | null> {
  const row = await db('settings').where({ key: OCID_PREFIX_KEY }).first('value');
  return row ? (parseStoredJson(row.value as string, { table: 'settings', column: 'value', id: 0 }) as string) : null;
}

export async function writeOcidPrefix(db: Executor, prefix: string, now: string): Promise<void> {
  await db('settings').insert({ key: OCID_PREFIX_KEY, value: JSON.stringify(prefix), updated_at: now }).onConflict('key').merge(['value', 'updated_at']);
}
