import { isPostgres, type Executor } from '../db';
import type { ClaimStatus } from './schema';

/** The SQL of insurance compensation (保险补偿): the rule table, claims, their history, the national records. */

export interface RuleRow {
  id: number;
  version: string;
  from_year: number;
  rate_cap_bp: number;
  percents: string;
  yearly_cap_fen: number | string | null;
  note: string | null;
  demo: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface ClaimRow {
  id: number;
  claim_no: string | null;
  vendor_id: number;
  cert_id: number;
  cert_no: string;
  policy_no: string;
  insurer: string;
  insured_value_fen: number | string;
  premium_fen: number | string;
  policy_start: string;
  policy_end: string;
  year: number;
  policy_year: number;
  unit_ordinal: number;
  purchaser_name: string;
  contract_no: string;
  national_subsidy: boolean | number;
  status: ClaimStatus;
  active_key: string | null;
  rule_version: string | null;
  rule_snapshot: string | null;
  counted_premium_fen: number | string | null;
  percent: number | null;
  uncut_fen: number | string | null;
  compensation_fen: number | string | null;
  admin_opinion: string | null;
  finance_opinion: string | null;
  rejected_by: string | null;
  submitted_at: string | null;
  approved_at: string | null;
  payout_due_at: string | null;
  paid_at: string | null;
  paid_by: number | null;
  transfer_id: number | null;
  created_by: number | null;
  demo: boolean | number;
  created_at: string;
  updated_at: string;
}

export type ClaimDetailRow = ClaimRow & {
  vendor_name: string;
  vendor_credit_code: string;
  cert_level: string;
  cert_product_name: string;
  cert_valid_until: string;
  cert_status: string;
};

export interface NationalRow {
  id: number;
  year: number;
  project_name: string;
  enterprise_name: string;
  units: number;
  insured_value_fen: number | string;
  subsidy_fen: number | string;
  note: string | null;
  created_by: number | null;
  demo: boolean | number;
  created_at: string;
}

const idOf = (r: unknown): number => (typeof r === 'object' && r !== null ? (r as { id: number }).id : (r as number));
const count = (r: unknown): number => Number((r as { n?: number | string } | undefined)?.n ?? 0);

// ——— rules ———

export const listRules = (db: Executor): Promise<RuleRow[]> => db<RuleRow>('insurance_rules').orderBy('from_year');
export const findRule = (db: Executor, id: number): Promise<RuleRow | undefined> => db<RuleRow>('insurance_rules').where({ id }).first();

export async function insertRule(db: Executor, row: Omit<RuleRow, 'id'>): Promise<number> {
  const [r] = await db('insurance_rules').insert(row).returning('id');
  return idOf(r);
}

export async function updateRule(db: Executor, id: number, patch: Partial<RuleRow>): Promise<void> {
  await db('insurance_rules').where({ id }).update(patch);
}

export async function insertRuleHistory(db: Executor, row: { rule_id: number; action: string; before: string | null; after: string; actor_id: number | null; at: string }): Promise<void> {
  await db('insurance_rule_history').insert(row);
}

export const ruleHistory = (db: Executor, id: number): Promise<Array<{ action: string; before: string | null; after: string; actor_id: number | null; at: string }>> =>
  db('insurance_rule_history').where({ rule_id: id }).orderBy('id');

// ——— claims ———

export async function insertClaim(db: Executor, row: Omit<ClaimRow, 'id'>): Promise<number> {
  const [r] = await db('insurance_claims').insert(row).returning('id');
  return idOf(r);
}

const detail = (db: Executor) =>
  db('insurance_claims as c')
    .join('vendors as v', 'v.id', 'c.vendor_id')
    .join('certifications as cert', 'cert.id', 'c.cert_id')
    .select(
      'c.*',
      'v.name as vendor_name',
      'v.credit_code as vendor_credit_code',
      'cert.level as cert_level',
      'cert.product_name as cert_product_name',
      'cert.valid_until as cert_valid_until',
      'cert.status as cert_status',
    );

export async function findClaim(db: Executor, id: number, opts: { lock?: boolean } = {}): Promise<ClaimDetailRow | undefined> {
  if (opts.lock && isPostgres(db)) await db('insurance_claims').where({ id }).forUpdate().first('id');
  return detail(db).where('c.id', id).first();
}

/** The conditional update of a step: only if the status is still `from`. */
export async function updateClaim(db: Executor, id: number, from: ClaimStatus | null, patch: Partial<ClaimRow>): Promise<boolean> {
  const q = db('insurance_claims').where({ id });
  if (from) q.where({ status: from });
  return (await q.update(patch)) === 1;
}

export interface ClaimFilter {
  vendorId?: number;
  status?: ClaimStatus;
  statuses?: readonly ClaimStatus[];
  year?: number;
}

export async function listClaims(db: Executor, f: ClaimFilter, limit: number, offset: number, order: 'new' | 'due' | 'paid' = 'new'): Promise<{ rows: ClaimDetailRow[]; total: number }> {
  const where = (q: ReturnType<Executor>) => {
    if (f.vendorId !== undefined) q.where('c.vendor_id', f.vendorId);
    if (f.status) q.where('c.status', f.status);
    if (f.statuses) q.whereIn('c.status', [...f.statuses]);
    if (f.year !== undefined) q.where('c.year', f.year);
    return q;
  };
  const total = count(await where(db('insurance_claims as c')).count({ n: '*' }).first());
  const q = where(detail(db));
  if (order === 'due') q.orderBy([{ column: 'c.payout_due_at', order: 'asc' }, { column: 'c.id', order: 'asc' }]);
  else if (order === 'paid') q.orderBy([{ column: 'c.paid_at', order: 'desc' }, { column: 'c.id', order: 'desc' }]);
  else q.orderBy('c.id', 'desc');
  const rows = await q.limit(limit).offset(offset);
  return { rows, total };
}

/** Compensation of the vendor's claims of `year` that are submitted or beyond, other than `exceptId`. */
export async function usedInYear(db: Executor, vendorId: number, year: number, exceptId: number | null): Promise<number> {
  const q = db('insurance_claims').where({ vendor_id: vendorId, year }).whereIn('status', ['submitted', 'joint_review', 'approved', 'paid']);
  if (exceptId !== null) q.whereNot('id', exceptId);
  const r = await q.sum({ s: 'compensation_fen' }).first();
  return Number((r as { s?: number | string | null } | undefined)?.s ?? 0);
}

export async function activeKeyTaken(db: Executor, key: string, exceptId: number | null): Promise<boolean> {
  const q = db('insurance_claims').where({ active_key: key });
  if (exceptId !== null) q.whereNot('id', exceptId);
  return (await q.first('id')) !== undefined;
}

export async function lockVendor(db: Executor, vendorId: number): Promise<void> {
  if (isPostgres(db)) await db('vendors').where({ id: vendorId }).forUpdate().first('id');
}

export async function insertClaimHistory(db: Executor, row: { claim_id: number; action: string; from_status: string | null; to_status: string; actor_id: number | null; note: string | null; at: string }): Promise<void> {
  await db('insurance_claim_history').insert(row);
}

export const claimHistory = (db: Executor, id: number): Promise<Array<{ action: string; from_status: string | null; to_status: string; note: string | null; at: string }>> =>
  db('insurance_claim_history').where({ claim_id: id }).orderBy('id');

/** Paid claims of a year: how many, their insured value and compensation. */
export async function paidTotals(db: Executor, year: number): Promise<{ projects: number; insuredFen: number; compensationFen: number }> {
  const r = (await db('insurance_claims').where({ year, status: 'paid' }).count({ n: '*' }).sum({ i: 'insured_value_fen', c: 'compensation_fen' }).first()) as { n?: unknown; i?: unknown; c?: unknown } | undefined;
  return { projects: Number(r?.n ?? 0), insuredFen: Number(r?.i ?? 0), compensationFen: Number(r?.c ?? 0) };
}

// ——— the national scheme ———

export async function insertNational(db: Executor, row: Omit<NationalRow, 'id'>): Promise<number> {
  const [r] = await db('national_insurance_records').insert(row).returning('id');
  return idOf(r);
}

export function listNational(db: Executor, year: number | undefined): Promise<NationalRow[]> {
  const q = db<NationalRow>('national_insurance_records');
  if (year !== undefined) q.where({ year });
  return q.orderBy([{ column: 'year', order: 'desc' }, { column: 'id', order: 'asc' }]);
}

/** What the statistics group paid claims by: the certificate's level or field, the claimant's city, the year. */
export type StatsGroup = 'level' | 'field' | 'city' | 'year';

const GROUP_COLUMN: Record<StatsGroup, string> = { level: 'cert.level', field: 'cert.field', city: 'v.city', year: 'c.year' };

export interface PaidGroupRow {
  key: string;
  projects: number;
  insuredFen: number;
  compensationFen: number;
}

/**
 * Paid claims grouped by one column, for the given years (the year a policy starts), one row per (year, key): how
 * many, their insured value and compensation in 分 (sums of integer columns, exact on both engines).
 */
export async function paidGroups(db: Executor, group: StatsGroup, years: readonly number[] | null): Promise<Array<PaidGroupRow & { year: number }>> {
  const col = GROUP_COLUMN[group];
  const q = db('insurance_claims as c')
    .join('vendors as v', 'v.id', 'c.vendor_id')
    .join('certifications as cert', 'cert.id', 'c.cert_id')
    .where('c.status', 'paid')
    .select('c.year as year', `${col} as key`)
    .count({ n: '*' })
    .sum({ i: 'c.insured_value_fen', s: 'c.compensation_fen' })
    .groupBy('c.year', col)
    .orderBy('c.year');
  if (years) q.whereIn('c.year', [...years]);
  const rows = (await q) as Array<{ year: number | string; key: unknown; n: unknown; i: unknown; s: unknown }>;
  return rows.map((r) => ({ year: Number(r.year), key: String(r.key ?? ''), projects: Number(r.n ?? 0), insuredFen: Number(r.i ?? 0), compensationFen: Number(r.s ?? 0) }));
}
