import type { Executor } from '../db';

/**
 * The SQL of the certification statistics (stats.ts): every figure is counted or summed by the database from the
 * records — the registry's certificates, the applications, the indicator list, the awards — never a stored total.
 */

const n = (v: unknown): number => Number(v ?? 0);

/** The year an ISO instant (stored in UTC) falls in, in Asia/Shanghai (UTC+8, no daylight saving): same SQL on both engines. */
const shanghaiYear = (column: string) => `(CAST(substr(${column}, 1, 4) AS INTEGER) + CASE WHEN substr(${column}, 6, 8) >= '12-31T16' THEN 1 ELSE 0 END)`;

/** Applications counted by the year they were opened (Asia/Shanghai) and their status; `year` narrows to one year. */
export async function applicationCounts(db: Executor, year?: number): Promise<Array<{ year: number; status: string; n: number }>> {
  const y = shanghaiYear('created_at');
  const q = db('cert_applications').select(db.raw(`${y} as year`), 'status').count({ n: '*' }).groupByRaw(`${y}, status`);
  if (year !== undefined) q.whereRaw(`${y} = ?`, [year]);
  const rows = (await q) as unknown as Array<{ year: number | string; status: string; n: number | string }>;
  return rows.map((r) => ({ year: n(r.year), status: r.status, n: n(r.n) }));
}

/**
 * The registry's certificates counted by registry year, kind, level, field and the holder's city (the enterprise's,
 * by its credit code; '' where no registered vendor holds that code). One row per combination that occurs.
 */
export async function certificateCounts(db: Executor, year?: number): Promise<Array<{ year: number; kind: string; level: string; field: string; city: string; n: number }>> {
  const q = db('certifications as c')
    .leftJoin('vendors as v', 'v.credit_code', 'c.credit_code')
    .select('c.year', 'c.kind', 'c.level', 'c.field', db.raw(`COALESCE(v.city, '') as city`))
    .count({ n: '*' })
    .groupBy('c.year', 'c.kind', 'c.level', 'c.field', db.raw(`COALESCE(v.city, '')`));
  if (year !== undefined) q.where('c.year', year);
  const rows = (await q) as unknown as Array<{ year: number | string; kind: string; level: string; field: string; city: string; n: number | string }>;
  return rows.map((r) => ({ year: n(r.year), kind: r.kind, level: r.level, field: r.field, city: r.city ?? '', n: n(r.n) }));
}

/** The indicator list's entries by year. */
export async function listEntryCounts(db: Executor, year?: number): Promise<Array<{ year: number; n: number }>> {
  const q = db('indicator_list').select('year').count({ n: '*' }).groupBy('year');
  if (year !== undefined) q.where({ year });
  const rows = (await q) as unknown as Array<{ year: number | string; n: number | string }>;
  return rows.map((r) => ({ year: n(r.year), n: n(r.n) }));
}

/**
 * Applications certified through a round, by the round's year and track: `standard` (with a list entry: 清单引导、
 * 标准认定) or `free`.
 */
export async function certifiedByTrack(db: Executor, year?: number): Promise<Array<{ year: number; track: 'standard' | 'free'; n: number }>> {
  const track = `CASE WHEN a.list_entry_id IS NULL THEN 'free' ELSE 'standard' END`;
  const q = db('cert_applications as a')
    .join('cert_rounds as r', 'r.id', 'a.round_id')
    .where('a.status', 'certified')
    .select('r.year', db.raw(`${track} as track`))
    .count({ n: '*' })
    .groupByRaw(`r.year, ${track}`);
  if (year !== undefined) q.where('r.year', year);
  const rows = (await q) as unknown as Array<{ year: number | string; track: 'standard' | 'free'; n: number | string }>;
  return rows.map((r) => ({ year: n(r.year), track: r.track, n: n(r.n) }));
}

/** The awards by the year of their certificates, level and status (due / paid): how many and how much (分). */
export async function awardSums(db: Executor, year?: number): Promise<Array<{ year: number; level: string; status: string; n: number; fen: number }>> {
  const q = db('cert_awards').select('year', 'level', 'status').count({ n: '*' }).sum({ fen: 'amount_fen' }).groupBy('year', 'level', 'status');
  if (year !== undefined) q.where({ year });
  const rows = (await q) as unknown as Array<{ year: number | string; level: string; status: string; n: number | string; fen: number | string | null }>;
  return rows.map((r) => ({ year: n(r.year), level: r.level, status: r.status, n: n(r.n), fen: n(r.fen) }));
}
