import { insertRows, isPostgres, updateRows, type Executor } from '../db';
import type { ApplicationStatus } from './schema';

/** The SQL of the certification lifecycle (认定): the list, the pool, applications, draws, reviews, rounds, awards. */

export interface ListEntryRow {
  id: number;
  year: number;
  field: string;
  product: string;
  indicators: string;
  demo: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface ExpertRow {
  id: number;
  name: string;
  unit: string;
  title: string;
  fields: string;
  user_id: number | null;
  active: boolean | number;
  demo: boolean | number;
  created_at: string;
}

export interface ApplicationRow {
  id: number;
  application_no: string | null;
  vendor_id: number;
  product_name: string;
  model: string;
  kind: string;
  field: string;
  level_claimed: string;
  list_entry_id: number | null;
  indicators: string;
  description: string;
  status: ApplicationStatus;
  screen_opinion: string | null;
  mean_score_x100: number | null;
  recommended_level: string | null;
  round_id: number | null;
  cert_id: number | null;
  cert_no: string | null;
  decided_at: string | null;
  created_by: number | null;
  demo: boolean | number;
  submitted_at: string | null;
  created_at: string;
  updated_at: string;
}

export type ApplicationDetailRow = ApplicationRow & { vendor_name: string; vendor_credit_code: string; vendor_city: string };

export interface ReviewRow {
  id: number;
  application_id: number;
  expert_id: number;
  draw_id: number;
  status: 'assigned' | 'scored' | 'conflict';
  score: number | null;
  recommend_level: string | null;
  opinion: string | null;
  reviewed_at: string | null;
}

export type ReviewDetailRow = ReviewRow & { expert_name: string; expert_unit: string; expert_title: string; expert_user_id: number | null; username: string | null };

export interface DrawRow {
  id: number;
  application_id: number;
  reason: 'draw' | 'replacement';
  count: number;
  pool: string;
  drawn: string;
  drawn_by: number | null;
  drawn_at: string;
}

export interface RoundRow {
  id: number;
  year: number;
  status: 'notice' | 'finalized';
  published_at: string;
  period_ends_at: string;
  finalized_at: string | null;
  created_by: number | null;
  demo: boolean | number;
}

export interface NoticeRow {
  id: number;
  round_id: number;
  type: 'certification';
  title: string;
  content: string;
  published_at: string;
  period_ends_at: string | null;
}

export interface ObjectionRow {
  id: number;
  round_id: number;
  application_id: number | null;
  name: string;
  organization: string;
  contact: string;
  content: string;
  status: 'open' | 'upheld' | 'dismissed';
  opinion: string | null;
  resolved_by: number | null;
  resolved_at: string | null;
  created_at: string;
}

export interface AwardRow {
  id: number;
  application_id: number;
  vendor_id: number;
  level: string;
  amount_fen: number;
  status: 'due' | 'paid';
  due_at: string;
  paid_at: string | null;
  paid_by: number | null;
  transfer_id: number | null;
  year: number;
  demo: boolean | number;
  created_at: string;
}

const idOf = (row: unknown): number => (typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row));
const count = (row: { n?: number | string } | undefined): number => Number(row?.n ?? 0);

// ——— the indicator list ———

export async function insertListEntry(db: Executor, row: Omit<ListEntryRow, 'id'>): Promise<number> {
  const [r] = await db('indicator_list').insert(row).returning('id');
  return idOf(r);
}

export const findListEntry = (db: Executor, id: number): Promise<ListEntryRow | undefined> => db<ListEntryRow>('indicator_list').where({ id }).first();

export async function updateListEntry(db: Executor, id: number, patch: Partial<ListEntryRow>): Promise<void> {
  await db('indicator_list').where({ id }).update(patch);
}

export async function listEntries(db: Executor, f: { year?: number; field?: string }, limit: number, offset: number): Promise<{ rows: ListEntryRow[]; total: number }> {
  const where = (q: ReturnType<Executor>) => {
    if (f.year !== undefined) q.where('year', f.year);
    if (f.field) q.where('field', f.field);
    return q;
  };
  const total = count(await where(db('indicator_list')).count({ n: '*' }).first());
  const rows: ListEntryRow[] = await where(db('indicator_list')).orderBy([{ column: 'year', order: 'desc' }, 'field', 'id']).limit(limit).offset(offset);
  return { rows, total };
}

export async function insertListHistory(db: Executor, row: { entry_id: number; action: string; before: string | null; after: string; actor_id: number | null; at: string }): Promise<void> {
  await db('indicator_list_history').insert(row);
}

export const listHistory = (db: Executor, entryId: number) =>
  db('indicator_list_history').where({ entry_id: entryId }).orderBy('id') as Promise<Array<{ id: number; action: string; before: string | null; after: string; actor_id: number | null; at: string }>>;

// ——— the expert pool ———

export async function insertExpert(db: Executor, row: Omit<ExpertRow, 'id'>): Promise<number> {
  const [r] = await db('experts').insert(row).returning('id');
  return idOf(r);
}

export async function insertExperts(db: Executor, rows: Array<Omit<ExpertRow, 'id'>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('experts').insert(rows.slice(i, i + 200));
}

export const findExpert = (db: Executor, id: number): Promise<ExpertRow | undefined> => db<ExpertRow>('experts').where({ id }).first();
export const findExpertOfUser = (db: Executor, userId: number): Promise<ExpertRow | undefined> => db<ExpertRow>('experts').where({ user_id: userId }).first();

export async function updateExpert(db: Executor, id: number, patch: Partial<ExpertRow>): Promise<void> {
  await db('experts').where({ id }).update(patch);
}

export async function listExperts(db: Executor, limit: number, offset: number): Promise<{ rows: Array<ExpertRow & { username: string | null }>; total: number }> {
  const total = count(await db('experts').count({ n: '*' }).first());
  const rows = await db('experts as e').leftJoin('users as u', 'u.id', 'e.user_id').orderBy('e.id').limit(limit).offset(offset).select('e.*', 'u.username');
  return { rows, total };
}

/** Every active expert (the draw filters by field and unit in code: the fields are a JSON list). */
export const activeExperts = (db: Executor): Promise<Array<ExpertRow & { username: string | null }>> =>
  db('experts as e').leftJoin('users as u', 'u.id', 'e.user_id').where('e.active', true).orderBy('e.id').select('e.*', 'u.username');

export const findUserByName = (db: Executor, username: string): Promise<{ id: number; role: string; username: string } | undefined> =>
  db('users').where({ username }).first('id', 'role', 'username');
export const findUser = (db: Executor, id: number): Promise<{ id: number; role: string; username: string } | undefined> => db('users').where({ id }).first('id', 'role', 'username');

// ——— applications ———

export async function insertApplication(db: Executor, row: Omit<ApplicationRow, 'id'>): Promise<number> {
  const [r] = await db('cert_applications').insert(row).returning('id');
  return idOf(r);
}

const detail = (db: Executor) =>
  db('cert_applications as a').join('vendors as v', 'v.id', 'a.vendor_id').select('a.*', 'v.name as vendor_name', 'v.credit_code as vendor_credit_code', 'v.city as vendor_city');

export async function findApplication(db: Executor, id: number, opts: { lock?: boolean } = {}): Promise<ApplicationDetailRow | undefined> {
  if (opts.lock && isPostgres(db)) await db('cert_applications').where({ id }).forUpdate().first('id');
  return detail(db).where('a.id', id).first();
}

/** The conditional update of a step: only if the status is still `from`. */
export async function updateApplication(db: Executor, id: number, from: ApplicationStatus | null, patch: Partial<ApplicationRow>): Promise<boolean> {
  const q = db('cert_applications').where({ id });
  if (from) q.where({ status: from });
  return (await q.update(patch)) === 1;
}

export async function listApplications(
  db: Executor,
  f: { vendorId?: number; status?: ApplicationStatus; ids?: number[]; expertId?: number },
  limit: number,
  offset: number,
): Promise<{ rows: ApplicationDetailRow[]; total: number }> {
  const where = (q: ReturnType<Executor>) => {
    if (f.vendorId !== undefined) q.where('a.vendor_id', f.vendorId);
    // Drawn to this expert, and not given back for a conflict of interest.
    if (f.expertId !== undefined) q.whereIn('a.id', db('cert_reviews').where({ expert_id: f.expertId }).whereNot('status', 'conflict').select('application_id'));
    if (f.status) q.where('a.status', f.status);
    if (f.ids) q.whereIn('a.id', f.ids);
    return q;
  };
  const total = count(await where(db('cert_applications as a')).count({ n: '*' }).first());
  const rows = await where(detail(db)).orderBy('a.id', 'desc').limit(limit).offset(offset);
  return { rows, total };
}

/** Several applications with their enterprises, in id order (a round's list, the demo loader's batches). */
export async function applicationsByIds(db: Executor, ids: readonly number[], opts: { lock?: boolean } = {}): Promise<ApplicationDetailRow[]> {
  if (opts.lock && isPostgres(db)) await db('cert_applications').whereIn('id', ids).orderBy('id').forUpdate().select('id');
  return detail(db).whereIn('a.id', ids).orderBy('a.id');
}

/** Many applications' steps from one status, each with its own patch; how many rows moved. */
export const updateApplications = (db: Executor, rows: ReadonlyArray<{ id: number; patch: Partial<ApplicationRow> }>, from: ApplicationStatus): Promise<number> =>
  updateRows(db, 'cert_applications', rows, { status: from });

export const applicationsOfRound = (db: Executor, roundId: number): Promise<ApplicationDetailRow[]> => detail(db).where('a.round_id', roundId).orderBy('a.id');

export async function insertHistory(db: Executor, row: { application_id: number; action: string; from_status: string | null; to_status: string; actor_id: number | null; note: string | null; at: string }): Promise<void> {
  await db('cert_application_history').insert(row);
}

export async function insertHistories(db: Executor, rows: ReadonlyArray<{ application_id: number; action: string; from_status: string | null; to_status: string; actor_id: number | null; note: string | null; at: string }>): Promise<void> {
  await insertRows(db, 'cert_application_history', rows);
}

export const historyOf = (db: Executor, id: number) =>
  db('cert_application_history').where({ application_id: id }).orderBy('id') as Promise<
    Array<{ id: number; action: string; from_status: string | null; to_status: string; actor_id: number | null; note: string | null; at: string }>
  >;

// ——— draws and reviews ———

export async function insertDraw(db: Executor, row: Omit<DrawRow, 'id'>): Promise<number> {
  const [r] = await db('cert_draws').insert(row).returning('id');
  return idOf(r);
}

export const drawsOf = (db: Executor, applicationId: number): Promise<DrawRow[]> => db<DrawRow>('cert_draws').where({ application_id: applicationId }).orderBy('id');

export async function insertReviews(db: Executor, rows: Array<Omit<ReviewRow, 'id'>>): Promise<void> {
  if (rows.length) await db('cert_reviews').insert(rows);
}

const reviewDetail = (db: Executor) =>
  db('cert_reviews as r')
    .join('experts as e', 'e.id', 'r.expert_id')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .orderBy('r.id')
    .select('r.*', 'e.name as expert_name', 'e.unit as expert_unit', 'e.title as expert_title', 'e.user_id as expert_user_id', 'u.username');

export const reviewsOf = (db: Executor, applicationId: number): Promise<ReviewDetailRow[]> => reviewDetail(db).where('r.application_id', applicationId);

/** The reviews of several applications, as reviewsOf gives one application's (the demo loader's batches). */
export const reviewsOfApplications = (db: Executor, applicationIds: readonly number[]): Promise<ReviewDetailRow[]> => reviewDetail(db).whereIn('r.application_id', applicationIds);

export async function updateReview(db: Executor, id: number, from: ReviewRow['status'], patch: Partial<ReviewRow>): Promise<boolean> {
  return (await db('cert_reviews').where({ id, status: from }).update(patch)) === 1;
}

/** An expert's reviews (a declared conflict is not one), newest first; a page of them with `page`. */
export const reviewsOfExpert = (db: Executor, expertId: number, page?: { limit: number; offset: number }) =>
  db('cert_reviews as r')
    .join('cert_applications as a', 'a.id', 'r.application_id')
    .join('vendors as v', 'v.id', 'a.vendor_id')
    .where('r.expert_id', expertId)
    .whereNot('r.status', 'conflict')
    .orderBy('r.id', 'desc')
    .modify((q) => (page ? q.limit(page.limit).offset(page.offset) : q))
    .select('r.*', 'a.application_no', 'a.product_name', 'a.model', 'a.field', 'a.kind', 'a.level_claimed', 'a.status as application_status', 'v.name as vendor_name') as Promise<
    Array<ReviewRow & { application_no: string; product_name: string; model: string; field: string; kind: string; level_claimed: string; application_status: string; vendor_name: string }>
  >;

export async function countReviewsOfExpert(db: Executor, expertId: number): Promise<number> {
  const [row] = await db('cert_reviews').where('expert_id', expertId).whereNot('status', 'conflict').count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

// ——— rounds, their notices and objections ———

export async function insertRound(db: Executor, row: Omit<RoundRow, 'id'>): Promise<number> {
  const [r] = await db('cert_rounds').insert(row).returning('id');
  return idOf(r);
}

export async function findRound(db: Executor, id: number, opts: { lock?: boolean } = {}): Promise<RoundRow | undefined> {
  if (opts.lock && isPostgres(db)) await db('cert_rounds').where({ id }).forUpdate().first('id');
  return db<RoundRow>('cert_rounds').where({ id }).first();
}

export async function updateRound(db: Executor, id: number, from: RoundRow['status'], patch: Partial<RoundRow>): Promise<boolean> {
  return (await db('cert_rounds').where({ id, status: from }).update(patch)) === 1;
}

export const listRounds = (db: Executor): Promise<RoundRow[]> => db<RoundRow>('cert_rounds').orderBy('id', 'desc').limit(100);

/** A round's 公示 is a row of the public `notices` (round_id set, case_id null): one list, one sequence of ids. */
export async function insertNotice(db: Executor, row: Omit<NoticeRow, 'id'>): Promise<number> {
  const [r] = await db('notices').insert({ ...row, case_id: null }).returning('id');
  return idOf(r);
}

const roundNotices = (db: Executor) => db<NoticeRow>('notices').whereNotNull('round_id').where('type', 'certification');

export const findNotice = (db: Executor, id: number): Promise<NoticeRow | undefined> => roundNotices(db).where({ id }).first('id', 'round_id', 'type', 'title', 'content', 'published_at', 'period_ends_at');
export const noticeOfRound = (db: Executor, roundId: number): Promise<NoticeRow | undefined> =>
  roundNotices(db).where({ round_id: roundId }).orderBy('id').first('id', 'round_id', 'type', 'title', 'content', 'published_at', 'period_ends_at');

export async function listNotices(db: Executor, limit: number, offset: number): Promise<{ rows: NoticeRow[]; total: number }> {
  const total = count(await roundNotices(db).count({ n: '*' }).first());
  const rows = await roundNotices(db).orderBy('id', 'desc').limit(limit).offset(offset).select('id', 'round_id', 'type', 'title', 'content', 'published_at', 'period_ends_at');
  return { rows, total };
}

export async function insertObjection(db: Executor, row: Omit<ObjectionRow, 'id'>): Promise<number> {
  const [r] = await db('cert_objections').insert(row).returning('id');
  return idOf(r);
}

export const objectionsOf = (db: Executor, roundId: number): Promise<ObjectionRow[]> => db<ObjectionRow>('cert_objections').where({ round_id: roundId }).orderBy('id');
export const findObjection = (db: Executor, roundId: number, id: number): Promise<ObjectionRow | undefined> => db<ObjectionRow>('cert_objections').where({ round_id: roundId, id }).first();

export async function resolveObjectionRow(db: Executor, id: number, patch: Partial<ObjectionRow>): Promise<boolean> {
  return (await db('cert_objections').where({ id, status: 'open' }).update(patch)) === 1;
}

// ——— awards ———

/** Several awards; their ids in the rows' order (matched by application: one award per application). */
export async function insertAwards(db: Executor, rows: ReadonlyArray<Omit<AwardRow, 'id'>>): Promise<number[]> {
  const back = await insertRows<{ id: number; application_id: number }>(db, 'cert_awards', rows, ['id', 'application_id']);
  const ids = new Map(back.map((r) => [Number(r.application_id), Number(r.id)]));
  return rows.map((r) => ids.get(r.application_id)!);
}

/** Several awards with their enterprises and applications, in id order (a payment run). */
export async function awardsByIds(db: Executor, ids: readonly number[], opts: { lock?: boolean } = {}): Promise<Array<AwardRow & { vendor_name: string; application_no: string }>> {
  if (opts.lock && isPostgres(db)) await db('cert_awards').whereIn('id', ids).orderBy('id').forUpdate().select('id');
  return db('cert_awards as w').join('vendors as v', 'v.id', 'w.vendor_id').join('cert_applications as a', 'a.id', 'w.application_id').whereIn('w.id', ids).orderBy('w.id').select('w.*', 'v.name as vendor_name', 'a.application_no');
}

/** Many awards from one status, each with its own patch; how many rows changed. */
export const updateAwards = (db: Executor, rows: ReadonlyArray<{ id: number; patch: Partial<AwardRow> }>, from: AwardRow['status']): Promise<number> => updateRows(db, 'cert_awards', rows, { status: from });

export const certificatesByIds = (db: Executor, ids: readonly number[]): Promise<Array<{ id: number; cert_no: string; credit_code: string; level: string; kind: string }>> =>
  db('certifications').whereIn('id', ids).select('id', 'cert_no', 'credit_code', 'level', 'kind');

export async function findAward(db: Executor, id: number, opts: { lock?: boolean } = {}): Promise<(AwardRow & { vendor_name: string; application_no: string }) | undefined> {
  if (opts.lock && isPostgres(db)) await db('cert_awards').where({ id }).forUpdate().first('id');
  return db('cert_awards as w').join('vendors as v', 'v.id', 'w.vendor_id').join('cert_applications as a', 'a.id', 'w.application_id').where('w.id', id).first('w.*', 'v.name as vendor_name', 'a.application_no');
}

export async function updateAward(db: Executor, id: number, from: AwardRow['status'], patch: Partial<AwardRow>): Promise<boolean> {
  return (await db('cert_awards').where({ id, status: from }).update(patch)) === 1;
}

export async function listAwards(db: Executor, f: { status?: AwardRow['status']; vendorId?: number }, limit: number, offset: number) {
  const where = (q: ReturnType<Executor>) => {
    if (f.status) q.where('w.status', f.status);
    if (f.vendorId !== undefined) q.where('w.vendor_id', f.vendorId);
    return q;
  };
  const total = count(await where(db('cert_awards as w')).count({ n: '*' }).first());
  const rows: Array<AwardRow & { vendor_name: string; application_no: string; product_name: string; cert_no: string | null }> = await where(
    db('cert_awards as w').join('vendors as v', 'v.id', 'w.vendor_id').join('cert_applications as a', 'a.id', 'w.application_id'),
  )
    .orderBy([{ column: 'w.due_at' }, { column: 'w.id' }])
    .limit(limit)
    .offset(offset)
    .select('w.*', 'v.name as vendor_name', 'a.application_no', 'a.product_name', 'a.cert_no');
  return { rows, total };
}

// ——— the award amounts (a setting) ———

export const AWARD_SETTING_KEY = 'certification_awards';

export async function readAwardSetting(db: Executor): Promise<Record<string, number> | undefined> {
  const row = await db('settings').where({ key: AWARD_SETTING_KEY }).first('value');
  return row ? (JSON.parse(row.value as string) as Record<string, number>) : undefined;
}

export async function writeAwardSetting(db: Executor, value: Record<string, number>, now: string): Promise<void> {
  await db('settings').insert({ key: AWARD_SETTING_KEY, value: JSON.stringify(value), updated_at: now }).onConflict('key').merge(['value', 'updated_at']);
}

export const findVendor = (db: Executor, id: number): Promise<{ id: number; name: string; credit_code: string; status: string } | undefined> =>
  db('vendors').where({ id }).first('id', 'name', 'credit_code', 'status');

// ——— attachments (the file is a blob in the row; lists never read it) ———

export interface AttachmentRow {
  id: number;
  application_id: number;
  kind: string;
  stored_name: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: number | null;
  demo: boolean | number;
  created_at: string;
}

const ATTACHMENT_COLUMNS = ['id', 'application_id', 'kind', 'stored_name', 'filename', 'content_type', 'size', 'sha256', 'uploaded_by', 'demo', 'created_at'];

export async function insertAttachment(db: Executor, row: Omit<AttachmentRow, 'id'> & { data: Buffer }): Promise<number> {
  const [r] = await db('cert_attachments').insert(row).returning('id');
  return idOf(r);
}

export const attachmentsOf = (db: Executor, applicationId: number): Promise<AttachmentRow[]> =>
  db('cert_attachments').where({ application_id: applicationId }).orderBy('id').select(ATTACHMENT_COLUMNS) as Promise<AttachmentRow[]>;

export const findAttachment = (db: Executor, applicationId: number, id: number): Promise<AttachmentRow | undefined> =>
  db('cert_attachments').where({ application_id: applicationId, id }).first(ATTACHMENT_COLUMNS) as Promise<AttachmentRow | undefined>;

export async function attachmentData(db: Executor, id: number): Promise<Buffer> {
  const row = (await db('cert_attachments').where({ id }).first('data')) as { data: Buffer | Uint8Array } | undefined;
  return row ? Buffer.from(row.data) : Buffer.alloc(0);
}

export async function deleteAttachment(db: Executor, id: number): Promise<boolean> {
  return (await db('cert_attachments').where({ id }).delete()) === 1;
}

/** A certificate of the registry (a round may confirm one the registry already holds). */

export async function insertExpertHistory(db: Executor, row: { expert_id: number; action: string; before: string; after: string; actor_id: number | null; at: string }): Promise<void> {
  await db('expert_history').insert(row);
}

export const expertHistory = (db: Executor, expertId: number) =>
  db('expert_history').where({ expert_id: expertId }).orderBy('id') as Promise<Array<{ id: number; action: string; before: string; after: string; actor_id: number | null; at: string }>>;

export const findExpertWithUser = (db: Executor, id: number): Promise<(ExpertRow & { username: string | null }) | undefined> =>
  db('experts as e').leftJoin('users as u', 'u.id', 'e.user_id').where('e.id', id).first('e.*', 'u.username');
