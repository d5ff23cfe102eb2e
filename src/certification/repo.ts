import type { Executor } from '../db';

export interface CertRow {
  id: number;
  cert_no: string;
  product_name: string;
  enterprise_name: string;
  credit_code: string;
  kind: string;
  level: string;
  field: string;
  year: number;
  valid_until: string;
  status: string; // valid | expired | revoked
  revoked_reason: string | null;
  indicators: string; // JSON array of strings
  key_supported: number | boolean;
  created_at: string;
  updated_at: string;
}

export type CertFields = Pick<
  CertRow,
  'cert_no' | 'product_name' | 'enterprise_name' | 'credit_code' | 'kind' | 'level' | 'field' | 'year' | 'valid_until' | 'indicators' | 'key_supported'
>;

export const findCert = (db: Executor, id: number): Promise<CertRow | undefined> => db<CertRow>('certifications').where({ id }).first();

export const findCertByNo = (db: Executor, certNo: string): Promise<CertRow | undefined> =>
  db<CertRow>('certifications').where({ cert_no: certNo }).first();

export const findCertsByNos = (db: Executor, certNos: string[]): Promise<CertRow[]> =>
  certNos.length ? db<CertRow>('certifications').whereIn('cert_no', certNos) : Promise.resolve([]);

export const certsOfCreditCode = (db: Executor, creditCode: string): Promise<CertRow[]> =>
  db<CertRow>('certifications').where({ credit_code: creditCode }).orderBy('year', 'desc').orderBy('cert_no', 'asc');

export async function insertCert(db: Executor, row: CertFields & { status: string; created_at: string; updated_at: string }): Promise<CertRow> {
  const [created] = await db('certifications').insert(row).returning('*');
  return created as CertRow;
}

export async function updateCert(db: Executor, id: number, patch: Partial<CertRow>): Promise<CertRow> {
  await db('certifications').where({ id }).update(patch);
  return (await findCert(db, id)) as CertRow;
}

export interface CertFilters {
  q?: string;
  status?: string;
  level?: string;
  kind?: string;
  year?: number;
  /** Only the certificates issued to this 统一社会信用代码 (a vendor's own). */
  creditCode?: string;
}

export async function listCerts(db: Executor, f: CertFilters, limit: number, offset: number): Promise<{ rows: CertRow[]; total: number }> {
  const q = db<CertRow>('certifications');
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => {
      w.whereRaw("cert_no LIKE ? ESCAPE '\\'", [like])
        .orWhereRaw("product_name LIKE ? ESCAPE '\\'", [like])
        .orWhereRaw("enterprise_name LIKE ? ESCAPE '\\'", [like])
        .orWhere('credit_code', f.q?.toUpperCase() ?? '');
    });
  }
  if (f.status) q.where('status', f.status);
  if (f.level) q.where('level', f.level);
  if (f.kind) q.where('kind', f.kind);
  if (f.year) q.where('year', f.year);
  if (f.creditCode) q.where('credit_code', f.creditCode);
  const rows = await q.clone().orderBy('year', 'desc').orderBy('cert_no', 'asc').limit(limit).offset(offset);
  const c = await q.clone().count<{ n: number }[]>({ n: '*' }).first();
  return { rows: rows as CertRow[], total: Number(c?.n ?? 0) };
}

/** Valid certificates whose end date has passed (the day is 'YYYY-MM-DD' in Asia/Shanghai). */
export const overdueCerts = (db: Executor, today: string): Promise<CertRow[]> =>
  db<CertRow>('certifications').where('status', 'valid').andWhere('valid_until', '<', today).orderBy('id');

/** What the registry reads of a listing that rests on a certificate (a row of `products`, written by vendors). */
export interface ListingOfCertRow {
  id: number;
  vendor_id: number;
  title: string;
  model: string;
  description: string;
  status: string;
}

const LISTING_OF_CERT_COLUMNS = ['id', 'vendor_id', 'title', 'model', 'description', 'status'] as const;

/**
 * The statuses of a live listing (pending or approved): what a certificate's withdrawal takes out of the catalogue,
 * the step `delist_by_certificate` of the listing table (vendors/transitions.ts; test/unit/status-workflows.test.ts
 * holds the two together).
 */
export const LIVE_LISTING_STATUSES = ['pending_review', 'approved'] as const;

/** The listings that rest on a certificate and are still live (pending or approved). */
export const liveListingsOfCert = (db: Executor, certId: number): Promise<ListingOfCertRow[]> =>
  db('products').where({ cert_id: certId }).whereIn('status', LIVE_LISTING_STATUSES).select(LISTING_OF_CERT_COLUMNS);

export const listingsOfCert = (db: Executor, certId: number): Promise<ListingOfCertRow[]> => db('products').where({ cert_id: certId }).select(LISTING_OF_CERT_COLUMNS);

/** The columns of a listing that follow its certificate: status on a withdrawal, the denormalised copies on an edit. */
export type ListingFollowPatch = Partial<{
  status: string;
  delist_cause: string;
  review_reason: string | null;
  kind: string;
  level: string;
  field: string;
  search_text: string;
  updated_at: string;
}>;

export async function updateListingOfCert(db: Executor, id: number, patch: ListingFollowPatch): Promise<void> {
  await db('products').where({ id }).update(patch);
}

/** A vendor as the registry sees it: the name (for search text) and the credit code its certificates carry. */
export const findVendorIdentity = (db: Executor, id: number): Promise<{ name: string; credit_code: string } | undefined> =>
  db('vendors').where({ id }).first('name', 'credit_code');

/** One change of a certificate's status (certificate_history), with who made it. */
export interface CertHistoryRow {
  id: number;
  certification_id: number;
  action: string;
  from_status: string | null;
  to_status: string;
  actor_id: number | null;
  note: string | null;
  at: string;
  actor_name?: string | null;
}

export async function insertCertHistory(db: Executor, row: Omit<CertHistoryRow, 'id' | 'actor_name'>): Promise<void> {
  await db('certificate_history').insert(row);
}

export const certHistory = (db: Executor, certId: number): Promise<CertHistoryRow[]> =>
  db('certificate_history')
    .leftJoin('users', 'users.id', 'certificate_history.actor_id')
    .where('certificate_history.certification_id', certId)
    .orderBy('certificate_history.id')
    .select('certificate_history.*', 'users.display_name as actor_name');

/** Moves a certificate from the status it was read in only if it is still in it (compare-and-set). */
export async function moveCertStatus(db: Executor, id: number, from: string, to: string, patch: Partial<CertRow>): Promise<boolean> {
  return (await db('certifications').where({ id, status: from }).update({ ...patch, status: to })) === 1;
}

/**
 * A listing's history row for what the certificate's change did to it (product_history, the listing's history: the
 * registry writes this one row beside the listing's status, as it writes the status itself; listings.ts).
 */
export async function insertListingHistory(
  db: Executor,
  row: { product_id: number; action: string; from_status: string; to_status: string; actor_id: number | null; note: string | null; at: string },
): Promise<void> {
  await db('product_history').insert(row);
}

/** The highest sequence number the registry's numbers of a year hold (`ZJ-STT-2026-0262`, any kind: one sequence a year), 0 when none. */
export async function lastCertificateSeq(db: Executor, year: number): Promise<number> {
  const rows: Array<{ cert_no: string }> = await db('certifications').where('cert_no', 'like', `ZJ-___-${year}-%`).select('cert_no');
  return rows.reduce((max, r) => {
    const m = /^ZJ-[A-Z]{3}-\d{4}-(\d{1,9})$/.exec(r.cert_no);
    return m ? Math.max(max, Number(m[1])) : max;
  }, 0);
}
