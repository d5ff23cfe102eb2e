import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../db';
import { CUBE_SLICES, EXPORT_COLUMNS, FILTERS, dimension, inEverySlice, type CubeDim, type DimParam, type GroupDim } from './dimensions';
import type { DaySpan, MonthSpan, YearSpan } from './period';
import type { Channel, StatsFilters } from './schema';

export type { CubeDim } from './dimensions';

/**
 * SQL over the trade facts. Three sources, all written in the settlement's own transaction, all derived from the
 * ledger's settlement and refund transfers:
 * - `trade_cube` / `trade_cube_year`: per month (or year), channel and ONE dimension (or 'all') — their size never
 *   grows with the number of trades;
 * - `trade_rollup`: per month and every dimension together — for combinations of filters;
 * - `trades`: one row per transfer — for partial months at the ends of a range, and for the exports.
 */

/** One aggregated group: a key as stored (a year, a month, a code, a name or an id) and its sums. */
export interface Agg {
  key: string;
  count: number;
  amountFen: number;
}

/** The filters on a dimension with a column of its own (the channel is a column of every aggregate). */
const FILTER_COLUMNS = FILTERS.filter((d) => d.cube !== 'axis').map((d) => ({ param: d.param as keyof StatsFilters, column: d.column, dim: d.dim as CubeDim }));
const CUBED = new Set<string>(CUBE_SLICES.map((d) => d.dim));

/**
 * Which cube slice answers this query, if one does: at most one dimension may be involved, by filter or by
 * grouping (year, month and channel are in every slice).
 */
export function cubeSlice(filters: StatsFilters, group: GroupDim): { dim: CubeDim; value?: string } | null {
  const used = new Map<string, string | undefined>();
  for (const f of FILTER_COLUMNS) {
    const v = filters[f.param];
    if (v !== undefined) used.set(f.dim, v);
  }
  if (!inEverySlice(group) && !used.has(group)) used.set(group, undefined);
  if (used.size > 1) return null;
  if ([...used.keys()].some((dim) => !CUBED.has(dim))) return null;
  if (used.size === 0) return { dim: 'all' };
  const [[dim, value]] = [...used.entries()] as Array<[CubeDim, string | undefined]>;
  return value === undefined ? { dim } : { dim, value };
}

type RawAgg = { k: string | number | null; n: number | string | null; a: number | string | null };
const rows = (result: unknown[]): Agg[] =>
  (result as RawAgg[]).map((r) => ({ key: r.k === null ? '' : String(r.k), count: Number(r.n ?? 0), amountFen: Number(r.a ?? 0) }));

function monthBounds(q: Knex.QueryBuilder, months: MonthSpan): void {
  if (months.from) q.where('month', '>=', months.from);
  if (months.to) q.where('month', '<=', months.to);
}

/** The biggest `limit` groups only (by amount, then count), leaving out groups that net to nothing. */
function topOnly(q: Knex.QueryBuilder, limit: number | undefined): void {
  if (limit === undefined) return;
  q.havingRaw('SUM(trade_count) <> 0 OR SUM(amount_fen) <> 0')
    .orderBy([
      { column: 'a', order: 'desc' },
      { column: 'n', order: 'desc' },
      { column: 'k', order: 'asc' },
    ])
    .limit(limit);
}

export async function aggregateCube(
  db: Executor,
  slice: { dim: CubeDim; value?: string },
  group: GroupDim,
  channel: Channel | undefined,
  months: MonthSpan,
  limit?: number,
): Promise<Agg[]> {
  const expr = inEverySlice(group) ? group : 'value';
  const q = db('trade_cube').where('dim', slice.dim).select({ k: expr }).sum({ n: 'trade_count', a: 'amount_fen' }).groupBy(expr);
  if (slice.value !== undefined) q.where('value', slice.value);
  if (channel) q.where('channel', channel);
  monthBounds(q, months);
  topOnly(q, limit);
  return rows(await q);
}

/** The same from the yearly cube, for whole calendar years (never grouped by month). */
export async function aggregateCubeYears(
  db: Executor,
  slice: { dim: CubeDim; value?: string },
  group: Exclude<GroupDim, 'month'>,
  channel: Channel | undefined,
  years: YearSpan,
  limit?: number,
): Promise<Agg[]> {
  const expr = inEverySlice(group) ? group : 'value';
  const q = db('trade_cube_year').where('dim', slice.dim).select({ k: expr }).sum({ n: 'trade_count', a: 'amount_fen' }).groupBy(expr);
  if (slice.value !== undefined) q.where('value', slice.value);
  if (channel) q.where('channel', channel);
  if (years.from !== undefined) q.where('year', '>=', years.from);
  if (years.to !== undefined) q.where('year', '<=', years.to);
  topOnly(q, limit);
  return rows(await q);
}

function dimFilters(q: Knex.QueryBuilder, filters: StatsFilters, prefix = ''): void {
  for (const d of FILTERS) {
    const v = filters[d.param as keyof StatsFilters];
    if (v !== undefined) q.where(`${prefix}${d.column}`, v);
  }
}

export async function aggregateRollup(db: Executor, filters: StatsFilters, group: GroupDim, months: MonthSpan): Promise<Agg[]> {
  const expr = dimension(group).column;
  const q = db('trade_rollup').select({ k: expr }).sum({ n: 'trade_count', a: 'amount_fen' }).groupBy(expr);
  dimFilters(q, filters);
  monthBounds(q, months);
  return rows(await q);
}

export async function aggregateTrades(db: Executor, filters: StatsFilters, group: GroupDim, days: DaySpan): Promise<Agg[]> {
  // Trades keep a missing value (a level) as NULL where the aggregates keep ''.
  const d = dimension(group);
  const expr = d.missing ? db.raw(`COALESCE(??, '')`, [d.column]) : d.column;
  const q = db('trades')
    .select({ k: expr })
    .sum({ n: 'count_delta', a: 'amount_fen' })
    .whereBetween('day', [days.from, days.to])
    .groupBy(expr as string);
  dimFilters(q, filters);
  return rows(await q);
}

/** Display names of vendors or purchasers by id (for the admin's per-unit tables). */
export async function namesOf(db: Executor, table: 'vendors' | 'purchasers', ids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const found: Array<{ id: number; name: string }> = await db(table).whereIn('id', ids.slice(i, i + 500)).select('id', 'name');
    for (const r of found) out.set(Number(r.id), r.name);
  }
  return out;
}

/** Certifications issued (by registry year) in the years given, by level. */
/** Whether the figures come from the demo data (its purchasing units are marked `demo`): the pages say so. */
export async function hasDemoData(db: Executor): Promise<boolean> {
  return Boolean(await db('purchasers').where({ demo: true }).first('id'));
}

/** Certificates issued in a span of years, counted by kind and level; `kind` narrows them to one kind. */
export async function certificationCounts(db: Executor, fromYear: number, toYear: number, kind?: string): Promise<Array<{ kind: string; level: string; n: number }>> {
  const qb = db('certifications').whereBetween('year', [fromYear, toYear]);
  if (kind) qb.where('kind', kind);
  const found: Array<{ kind: string; level: string; n: number | string }> = await qb.select('kind', 'level').count({ n: '*' }).groupBy('kind', 'level');
  return found.map((r) => ({ kind: r.kind, level: r.level, n: Number(r.n) }));
}

/** The value of each exported dimension (dimensions.ts), by its `param`: NULL where the trade facts keep none. */
export type DimensionValues = { [P in DimParam]?: string | null };

/** One trade with what the spreadsheet exports (CSV, XLSX) show about it. */
export interface SheetRow extends DimensionValues {
  id: number;
  day: string;
  channel: Channel;
  countDelta: number;
  amountFen: number;
  purchaserName: string;
  purchaserCity: string;
  vendorName: string;
  vendorCity: string;
  orderId: number | null;
  /** The order's number people read (`ZJJP-2026-000123`), for a boutique trade. */
  orderNo?: string | null;
  caseId: number | null;
  productTitle: string;
  certNo: string | null;
  level: string | null;
  field: string;
  kind: string;
}

/** …and what an OCDS release needs besides. */
export interface DetailRow extends SheetRow {
  at: string;
  purchaserId: number;
  purchaserCode: string;
  purchaserType: string;
  vendorId: number;
  vendorCode: string;
  vendorAddress: string;
  productId: number | null;
  projectName: string | null;
  contractNo: string | null;
  signedAt: string | null;
}

export interface Cursor {
  day: string;
  id: number;
}

function detailQuery(db: Executor, filters: StatsFilters): Knex.QueryBuilder {
  const q = db('trades as t');
  dimFilters(q, filters, 't.');
  if (filters.from) q.where('t.day', '>=', filters.from);
  if (filters.to) q.where('t.day', '<=', filters.to);
  return q;
}

/** What each column of the spreadsheets that is not a dimension reads (the pages' keyset also reads day and id). */
const FIXED_SHEET_COLUMNS: Record<string, Record<string, string>> = {
  date: { day: 't.day' },
  type: { countDelta: 't.count_delta' },
  reference: { id: 't.id', orderId: 't.order_id', orderNo: 'o.order_no', caseId: 't.case_id' },
  purchaser: { purchaserName: 'p.name' },
  vendor: { vendorName: 'v.name' },
  product: { productTitle: 't.product_title' },
  cert_no: { certNo: 't.cert_no' },
  amount: { amountFen: 't.amount_fen' },
};

/** What the spreadsheets read, keyed as SheetRow: each exported column's fields, a dimension's by its `param`. */
const SHEET_COLUMNS: Record<string, string> = Object.assign(
  {},
  ...EXPORT_COLUMNS.map((col) => (col.dimension ? { [col.dimension.param]: `t.${col.dimension.column}` } : FIXED_SHEET_COLUMNS[col.name])),
);

const OCDS_COLUMNS = {
  ...SHEET_COLUMNS,
  at: 'lt.created_at',
  purchaserId: 't.purchaser_id',
  purchaserCode: 'p.credit_code',
  purchaserType: 't.purchaser_type',
  vendorId: 't.vendor_id',
  vendorCode: 'v.credit_code',
  vendorAddress: 'v.address',
  productId: 't.product_id',
  projectName: 'fc.project_name',
  contractNo: 'fc.contract_no',
  signedAt: 'fc.signed_at',
};

function pageQuery(db: Executor, filters: StatsFilters, after: Cursor | null, limit: number, columns: Record<string, string>): Knex.QueryBuilder {
  const q = detailQuery(db, filters)
    .leftJoin('purchasers as p', 'p.id', 't.purchaser_id')
    .leftJoin('vendors as v', 'v.id', 't.vendor_id')
    .leftJoin('orders as o', 'o.id', 't.order_id')
    .select(rowSelection(db, columns))
    .orderBy([
      { column: 't.day', order: 'asc' },
      { column: 't.id', order: 'asc' },
    ])
    .limit(limit);
  if (after) q.whereRaw('(t.day, t.id) > (?, ?)', [after.day, after.id]);
  return q;
}

/**
 * What an export page selects for `columns`. On SQLite each row is read as ONE JSON array of its values
 * (built by the database) rather than one column per value: the sqlite3 driver's cost per row grows with its columns
 * (every value is copied on its worker thread, then made a JavaScript property), and for the exports' 16 columns that
 * was most of the time of a million-row CSV; JSON keeps every value exact — text as it is stored, whole fen as
 * integers, null as null. pg reads plain columns faster than it would parse the same JSON, so there the rows are the
 * columns themselves.
 */
function rowSelection(db: Executor, columns: Record<string, string>): Record<string, string> | Knex.Raw {
  if (isPostgres(db)) return columns;
  const exprs = Object.values(columns);
  return db.raw(`json_array(${exprs.map(() => '??').join(', ')}) as j`, exprs);
}

/** The rows a page read through `rowSelection`, as objects with the keys of `columns`. */
function rowsOf<R>(db: Executor, rows: Array<Record<string, unknown>>, columns: Record<string, string>): R[] {
  if (isPostgres(db)) return rows as R[];
  const keys = Object.keys(columns);
  return rows.map((r) => {
    const values = JSON.parse(r.j as string) as unknown[];
    const o: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) o[keys[i]] = values[i];
    return o as R;
  });
}

/**
 * One keyset page of trades in (day, id) order after `after`: the exports stream page by page and never hold more
 * than one page, whatever the size of the range. The spreadsheet form reads only the columns it shows.
 */
export async function sheetPage(db: Executor, filters: StatsFilters, after: Cursor | null, limit: number): Promise<SheetRow[]> {
  const found = rowsOf<SheetRow>(db, await pageQuery(db, filters, after, limit, SHEET_COLUMNS), SHEET_COLUMNS);
  for (const r of found) {
    r.amountFen = Number(r.amountFen);
    r.purchaserName ??= '';
    r.vendorName ??= '';
  }
  return found;
}

export async function detailPage(db: Executor, filters: StatsFilters, after: Cursor | null, limit: number): Promise<DetailRow[]> {
  const q = pageQuery(db, filters, after, limit, OCDS_COLUMNS)
    .leftJoin('ledger_transfers as lt', 'lt.id', 't.transfer_id')
    .leftJoin('fp_cases as fc', 'fc.id', 't.case_id');
  const found = rowsOf<DetailRow>(db, await q, OCDS_COLUMNS);
  for (const r of found) {
    r.amountFen = Number(r.amountFen);
    r.purchaserName ??= '';
    r.purchaserCode ??= '';
    r.vendorName ??= '';
    r.vendorCode ??= '';
    r.vendorAddress ??= '';
    r.at ??= `${r.day}T00:00:00+08:00`;
  }
  return found;
}

export async function countTrades(db: Executor, filters: StatsFilters): Promise<number> {
  const row = (await detailQuery(db, filters).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}
