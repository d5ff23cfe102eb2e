import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../db';
import type { CaseStatus } from './transitions';
import type { NoticeType } from './schema';

/** The SQL of the first-purchase module: cases, their history, objections and public notices. */

export interface CaseRow {
  id: number;
  purchaser_id: number;
  product_id: number;
  vendor_id: number;
  cert_id: number;
  project_name: string;
  project_content: string;
  budget_fen: number;
  quantity: number;
  reason: string;
  experts: string;
  expert_opinion: string;
  contact: string;
  /** The purchaser's address, contact person and phone as the notices publish them (art. 38). */
  purchaser_address: string;
  contact_person: string;
  contact_phone: string;
  /** The procurement agency (代理机构), JSON {name, address, contactPerson, phone}, or null. */
  agency: string | null;
  status: CaseStatus;
  notice_starts_at: string | null;
  notice_ends_at: string | null;
  amount_fen: number | null;
  negotiation: string | null;
  contract_no: string | null;
  signed_at: string | null;
  acceptance_note: string | null;
  /** 验收: the team (JSON array of names), its report, and when. */
  acceptance_team: string | null;
  acceptance_report: string | null;
  accepted_at: string | null;
  /** The award (成交通知书): the contract is due within 30 days of it. */
  awarded_at: string | null;
  termination_reason: string | null;
  /** Why it ended (notices.ts TerminationCause). */
  termination_cause: string | null;
  /** The finance department's approval: its opinion, number, who and when. */
  approval_opinion: string | null;
  approval_no: string | null;
  approved_by: number | null;
  approved_at: string | null;
  /** 合同备案 by the finance department. */
  filed_at: string | null;
  filed_by: number | null;
  created_by: number | null;
  demo: boolean | number;
  created_at: string;
  updated_at: string;
}

/** A case with the names and facts of its purchaser, product, certificate and supplier. */
export interface CaseDetailRow extends CaseRow {
  purchaser_name: string;
  purchaser_city: string;
  purchaser_type: string;
  purchaser_contact: string;
  product_title: string;
  product_model: string;
  product_description: string;
  product_unit: string;
  product_price_fen: number;
  product_field: string;
  product_kind: string;
  product_level: string | null;
  product_status: string;
  vendor_name: string;
  vendor_city: string;
  vendor_address: string;
  vendor_credit_code: string;
  vendor_contact: string;
  cert_no: string;
  cert_level: string;
  cert_kind: string;
  cert_field: string;
  cert_year: number;
  cert_valid_until: string;
  cert_status: string;
  cert_indicators: string;
  cert_credit_code: string;
}

export interface HistoryRow {
  id: number;
  case_id: number;
  action: string;
  from_status: string | null;
  to_status: string;
  actor_id: number | null;
  actor_username: string | null;
  actor_display_name: string | null;
  actor_role: string | null;
  note: string | null;
  at: string;
}

export interface ObjectionRow {
  id: number;
  case_id: number;
  name: string;
  organization: string;
  contact: string;
  content: string;
  status: ObjectionStatus;
  opinion: string | null;
  resolved_by: number | null;
  resolved_at: string | null;
  /** A duplicate's original (another objection of the same case), when the department named one. */
  duplicate_of: number | null;
  /** When the copy went to the finance department (at filing). */
  copied_to_finance_at: string | null;
  /** The reply sent to the objector with the ruling (arts. 39–40), and when. */
  reply: string | null;
  replied_at: string | null;
  created_at: string;
}

/** Open until the department rules (upheld, dismissed) or sets it aside (spam, duplicate); only open ones block approval. */
export type ObjectionStatus = 'open' | 'upheld' | 'dismissed' | 'spam' | 'duplicate';

export interface NoticeRow {
  id: number;
  case_id: number;
  type: NoticeType;
  title: string;
  content: string;
  published_at: string;
  period_ends_at: string | null;
}

/** The product a purchaser names, with what eligibility needs: its certificate and its vendor. */
export interface EligibilityRow {
  id: number;
  title: string;
  status: string;
  vendor_id: number;
  cert_id: number | null;
  vendor_credit_code: string;
  cert_status: string | null;
  cert_valid_until: string | null;
  cert_credit_code: string | null;
  cert_key_supported: number | boolean | null;
}

const firstId = (row: unknown): number => (typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number));

export async function findEligibility(db: Executor, productId: number): Promise<EligibilityRow | undefined> {
  return db('products as p')
    .join('vendors as v', 'v.id', 'p.vendor_id')
    .leftJoin('certifications as c', 'c.id', 'p.cert_id')
    .where('p.id', productId)
    .first(
      'p.id',
      'p.title',
      'p.status',
      'p.vendor_id',
      'p.cert_id',
      'v.credit_code as vendor_credit_code',
      'c.status as cert_status',
      'c.valid_until as cert_valid_until',
      'c.credit_code as cert_credit_code',
      'c.key_supported as cert_key_supported',
    );
}

export async function insertCase(db: Executor, row: Omit<CaseRow, 'id'>): Promise<number> {
  const [inserted] = await db('fp_cases').insert(row).returning('id');
  return firstId(inserted);
}

function detailQuery(db: Executor) {
  return db('fp_cases as f')
    .join('purchasers as pu', 'pu.id', 'f.purchaser_id')
    .join('products as p', 'p.id', 'f.product_id')
    .join('vendors as v', 'v.id', 'f.vendor_id')
    .join('certifications as c', 'c.id', 'f.cert_id')
    .select(
      'f.*',
      'pu.name as purchaser_name',
      'pu.city as purchaser_city',
      'pu.type as purchaser_type',
      'pu.contact as purchaser_contact',
      'p.title as product_title',
      'p.model as product_model',
      'p.description as product_description',
      'p.unit as product_unit',
      'p.price_fen as product_price_fen',
      'p.field as product_field',
      'p.kind as product_kind',
      'p.level as product_level',
      'p.status as product_status',
      'v.name as vendor_name',
      'v.city as vendor_city',
      'v.address as vendor_address',
      'v.credit_code as vendor_credit_code',
      'v.contact as vendor_contact',
      'c.cert_no',
      'c.level as cert_level',
      'c.kind as cert_kind',
      'c.field as cert_field',
      'c.year as cert_year',
      'c.valid_until as cert_valid_until',
      'c.status as cert_status',
      'c.indicators as cert_indicators',
      'c.credit_code as cert_credit_code',
      'c.key_supported as cert_key_supported',
    );
}

/** The case with everything around it; `lock` takes the row lock (PostgreSQL) for a state change. */
export async function findCase(db: Executor, id: number, opts: { lock?: boolean } = {}): Promise<CaseDetailRow | undefined> {
  if (opts.lock && isPostgres(db)) await db('fp_cases').where({ id }).forUpdate().first('id');
  return detailQuery(db).where('f.id', id).first();
}

/** A state change that only applies if nobody changed the status meanwhile. Returns whether it applied. */
export async function updateCase(db: Executor, id: number, expected: CaseStatus, patch: Partial<CaseRow>): Promise<boolean> {
  const n = await db('fp_cases').where({ id, status: expected }).update(patch);
  return n === 1;
}

export interface CaseFilter {
  purchaserId?: number;
  vendorId?: number;
  status?: CaseStatus;
  /** Only cases whose notice period has ended (for the approval queue). */
  noticeEndedBefore?: string;
  /** Leave out drafts (a vendor's list: a draft is its purchasing unit's own until published). */
  published?: boolean;
}

function applyFilter<Q extends Knex.QueryBuilder>(q: Q, f: CaseFilter): Q {
  if (f.purchaserId !== undefined) q.where('f.purchaser_id', f.purchaserId);
  if (f.vendorId !== undefined) q.where('f.vendor_id', f.vendorId);
  if (f.status) q.where('f.status', f.status);
  if (f.noticeEndedBefore) q.where('f.notice_ends_at', '<', f.noticeEndedBefore);
  if (f.published) q.whereNot('f.status', 'draft');
  return q;
}

/** The cases resting on a certificate that have not ended yet (neither paid nor terminated), oldest first. */
export async function listOpenCasesOfCert(db: Executor, certId: number): Promise<Array<{ id: number }>> {
  const rows: Array<{ id: number }> = await db('fp_cases').where('cert_id', certId).whereNotIn('status', ['paid', 'terminated']).orderBy('id').select('id');
  return rows.map((r) => ({ id: Number(r.id) }));
}

/** Contracted cases not yet filed (合同备案), oldest signing first: the finance department's filings due. */
export async function listUnfiledContracts(db: Executor, limit: number): Promise<CaseDetailRow[]> {
  return detailQuery(db).whereIn('f.status', ['contracted', 'accepted']).whereNull('f.filed_at').orderBy('f.signed_at').orderBy('f.id').limit(limit);
}

export async function listCases(db: Executor, f: CaseFilter, limit: number, offset: number): Promise<{ rows: CaseDetailRow[]; total: number }> {
  const countRow: { n?: number | string } | undefined = await applyFilter(db('fp_cases as f'), f).count({ n: '*' }).first();
  const rows: CaseDetailRow[] = await applyFilter(detailQuery(db), f).orderBy('f.updated_at', 'desc').orderBy('f.id', 'desc').limit(limit).offset(offset);
  return { rows, total: Number(countRow?.n ?? 0) };
}

/** How many objections of each case are still open. */
export async function openObjectionCounts(db: Executor, caseIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!caseIds.length) return out;
  const rows: Array<{ case_id: number; n: number }> = await db('objections').whereIn('case_id', caseIds).where('status', 'open').groupBy('case_id').select('case_id').count({ n: '*' });
  for (const r of rows) out.set(Number(r.case_id), Number(r.n));
  return out;
}

export async function insertHistory(db: Executor, row: Omit<HistoryRow, 'id' | 'actor_username' | 'actor_display_name' | 'actor_role'>): Promise<void> {
  await db('fp_history').insert(row);
}

export async function listHistory(db: Executor, caseId: number): Promise<HistoryRow[]> {
  return db('fp_history as h')
    .leftJoin('users as u', 'u.id', 'h.actor_id')
    .where('h.case_id', caseId)
    .orderBy('h.id')
    .select('h.*', 'u.username as actor_username', 'u.display_name as actor_display_name', 'u.role as actor_role');
}

export async function insertObjection(db: Executor, row: Omit<ObjectionRow, 'id' | 'opinion' | 'resolved_by' | 'resolved_at' | 'duplicate_of' | 'reply' | 'replied_at'>): Promise<number> {
  const [inserted] = await db('objections').insert(row).returning('id');
  return firstId(inserted);
}

export const findObjection = (db: Executor, caseId: number, id: number): Promise<ObjectionRow | undefined> =>
  db<ObjectionRow>('objections').where({ case_id: caseId, id }).first();

export async function resolveObjectionRow(db: Executor, id: number, patch: Pick<ObjectionRow, 'status' | 'opinion' | 'resolved_by' | 'resolved_at' | 'reply' | 'replied_at'>): Promise<boolean> {
  const n = await db('objections').where({ id, status: 'open' }).update(patch);
  return n === 1;
}

/** Sets an open objection aside (spam / duplicate); false when it is no longer open. */
export async function markObjectionRow(db: Executor, id: number, patch: Pick<ObjectionRow, 'status' | 'opinion' | 'resolved_by' | 'resolved_at' | 'duplicate_of'>): Promise<boolean> {
  const n = await db('objections').where({ id, status: 'open' }).update(patch);
  return n === 1;
}

export const listObjections = (db: Executor, caseId: number): Promise<ObjectionRow[]> => db<ObjectionRow>('objections').where({ case_id: caseId }).orderBy('id');

export const countOpenObjections = async (db: Executor, caseId: number): Promise<number> =>
  (await openObjectionCounts(db, [caseId])).get(caseId) ?? 0;

/**
 * A purchasing unit's address as its 公示 names it (art. 38): the one in its profile; where the profile has none, the
 * default entry of its address book (收货地址簿, the unit's own premises as its orders use them); '' when it has neither.
 */
export async function findPurchaserAddress(db: Executor, purchaserId: number): Promise<string> {
  const row: { address?: string | null } | undefined = await db('purchasers').where({ id: purchaserId }).first('address');
  if (row?.address?.trim()) return row.address;
  const home: { address?: string } | undefined = await db('purchaser_addresses').where({ purchaser_id: purchaserId, is_default: true }).orderBy('id').first('address');
  return home?.address ?? '';
}

/** Awarded cases whose contract is not signed yet, oldest award first (the contract is due within 30 days). */
export async function listAwaitingContract(db: Executor, limit: number): Promise<CaseDetailRow[]> {
  return detailQuery(db).where('f.status', 'awarded').orderBy('f.awarded_at').orderBy('f.id').limit(limit);
}

/** Open objections across cases, oldest first, with their case (the department's work queue). */
export async function listOpenObjections(db: Executor, limit: number): Promise<Array<ObjectionRow & { project_name: string; notice_ends_at: string | null; case_created_at: string }>> {
  return db('objections as o')
    .join('fp_cases as f', 'f.id', 'o.case_id')
    .where('o.status', 'open')
    .orderBy('o.id')
    .limit(limit)
    .select('o.*', 'f.project_name', 'f.notice_ends_at', 'f.created_at as case_created_at');
}

export async function insertNotice(db: Executor, row: Omit<NoticeRow, 'id'>): Promise<number> {
  const [inserted] = await db('notices').insert(row).returning('id');
  return firstId(inserted);
}

export const listCaseNotices = (db: Executor, caseId: number): Promise<NoticeRow[]> => db<NoticeRow>('notices').where({ case_id: caseId }).orderBy('id');

/**
 * A row of the public list: a case's notice (single_source, result, contract, termination) or a certification round's
 * 公示 (type certification: `round_id` set, no case; recognition writes it). Case columns are null for a round's.
 */
export interface PublicNoticeRow {
  id: number;
  case_id: number | null;
  round_id: number | null;
  type: NoticeType | 'certification';
  title: string;
  content: string;
  published_at: string;
  period_ends_at: string | null;
}

export interface NoticeListRow extends PublicNoticeRow {
  project_name: string | null;
  purchaser_name: string | null;
  case_status: CaseStatus | null;
  /** The case's creation time (its human number is made of it), null for a certification round's notice. */
  case_created_at: string | null;
}

const NOTICE_COLUMNS = ['n.id', 'n.case_id', 'n.round_id', 'n.type', 'n.title', 'n.content', 'n.published_at', 'n.period_ends_at'];

export async function listNotices(db: Executor, type: PublicNoticeRow['type'] | undefined, limit: number, offset: number): Promise<{ rows: NoticeListRow[]; total: number }> {
  const where = (q: Knex.QueryBuilder) => (type ? q.where('n.type', type) : q);
  const countRow: { n?: number | string } | undefined = await where(db('notices as n')).count({ n: '*' }).first();
  const rows: NoticeListRow[] = await where(db('notices as n'))
    .leftJoin('fp_cases as f', 'f.id', 'n.case_id')
    .leftJoin('purchasers as pu', 'pu.id', 'f.purchaser_id')
    .orderBy('n.published_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(limit)
    .offset(offset)
    .select(...NOTICE_COLUMNS, 'f.project_name', 'pu.name as purchaser_name', 'f.status as case_status', 'f.created_at as case_created_at');
  return { rows, total: Number(countRow?.n ?? 0) };
}

export async function findNotice(db: Executor, id: number): Promise<(PublicNoticeRow & { case_status: CaseStatus | null; notice_ends_at: string | null }) | undefined> {
  return db('notices as n').leftJoin('fp_cases as f', 'f.id', 'n.case_id').where('n.id', id).first(...NOTICE_COLUMNS, 'f.status as case_status', 'f.notice_ends_at');
}

/** Approved products with a certificate, for the case form's product list. */
export async function listEligibleProducts(db: Executor, today: string, limit: number): Promise<Array<{ id: number; title: string; model: string; vendor_name: string; cert_no: string; field: string; price_fen: number; unit: string }>> {
  return db('products as p')
    .join('vendors as v', 'v.id', 'p.vendor_id')
    .join('certifications as c', 'c.id', 'p.cert_id')
    .where('p.status', 'approved')
    .where('c.status', 'valid')
    .where('c.valid_until', '>=', today)
    .whereRaw('c.credit_code = v.credit_code')
    .orderBy('p.field')
    .orderBy('p.title')
    .limit(limit)
    .select('p.id', 'p.title', 'p.model', 'v.name as vendor_name', 'c.cert_no', 'p.field', 'p.price_fen', 'p.unit');
}
