import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../db';
import { matchSet, pageOfMatches, relevanceTier, type Match } from './matches';
import { ftsAnyOf, ftsPhrase, indexForm, likePattern, parseQuery, queryPatterns } from '../search-text';

export interface ProductFilters {
  q?: string;
  /**
   * The text query as index patterns, one list per term (src/search-text.ts `queryPatterns`), when the caller has
   * parsed `q` already (with the synonym table); otherwise `q` is parsed here without synonyms.
   */
  patterns?: string[][];
  kind?: string;
  level?: string;
  field?: string;
  city?: string;
  badge?: 'first_unit' | 'boutique';
  priceMin?: number;
  priceMax?: number;
}

export type SortOrder = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

export interface ProductListRow {
  id: number;
  title: string;
  model: string;
  price_fen: number;
  unit: string;
  stock: number;
  kind: string;
  level: string | null;
  field: string;
  city: string;
  boutique: number | boolean;
  cert_no: string | null;
  vendor_id: number;
  vendor_name: string;
  created_at: string;
}

export interface ProductDetailRow extends ProductListRow {
  description: string;
  status: string;
  cert_id: number | null;
  boutique_evidence: string | null;
  updated_at: string;
}


type Facet = 'kind' | 'level' | 'field' | 'city';
export const FACETS: Facet[] = ['kind', 'level', 'field', 'city'];

/** How one pattern of a query term is matched: through the trigram index, by LIKE, or known to match nothing. */
type PatternMatch = { fts: string } | { like: string } | { none: true };
/** A query term matches when any of its patterns does. */
type TermMatch = PatternMatch[];

/** More trigrams than this for a 1-character query, and a LIKE scan is the cheaper way. */
const MAX_PREFIX_TRIGRAMS = 400;

/** The text query of some filters as index patterns, one list per term. */
export function patternsOf(f: Pick<ProductFilters, 'q' | 'patterns'>): string[][] {
  return f.patterns ?? queryPatterns(parseQuery(f.q ?? ''));
}

/**
 * Each term must match, by any of its patterns; a pattern is a substring of search_text. PostgreSQL: LIKE, which
 * pg_trgm's index serves. SQLite: a pattern of 3+ characters is one trigram phrase; a shorter one matches any indexed
 * trigram that starts with it (found in the index vocabulary, a range read), which finds every occurrence because
 * search text ends with SEARCH_TEXT_END.
 */
async function resolveText(db: Executor, patterns: string[][]): Promise<TermMatch[]> {
  const out: TermMatch[] = [];
  for (const group of patterns) {
    const any: PatternMatch[] = [];
    for (const pattern of group) {
      if (isPostgres(db)) any.push({ like: likePattern(pattern) });
      else if ([...pattern].length >= 3) any.push({ fts: ftsPhrase(pattern) });
      else {
        const rows: Array<{ term: string }> = await db('products_fts_vocab')
          .select('term')
          .where('term', '>=', pattern)
          .andWhere('term', '<', `${pattern}\u{10FFFF}`)
          .limit(MAX_PREFIX_TRIGRAMS + 1);
        if (rows.length === 0) any.push({ none: true });
        else if (rows.length > MAX_PREFIX_TRIGRAMS) any.push({ like: likePattern(pattern) });
        else any.push({ fts: ftsAnyOf(rows.map((r) => r.term)) });
      }
    }
    out.push(any);
  }
  return out;
}

/**
 * The products table to read matches from. On SQLite a text match drives the query from the index's row ids; left to
 * itself the planner would walk an index on status and test each of 100,000 rows against the match (2–3× slower).
 */
function productsFor(db: Executor, text: TermMatch[]): Knex.QueryBuilder {
  return !isPostgres(db) && text.length > 0 ? db.from(db.raw('products NOT INDEXED')) : db('products');
}

function applyText(qb: Knex.QueryBuilder, text: TermMatch[], table: string): void {
  for (const any of text) {
    // The index phrases of a term go into one MATCH (ORed); LIKE patterns beside it.
    const fts = any.flatMap((m) => ('fts' in m ? [m.fts] : []));
    const like = any.flatMap((m) => ('like' in m ? [m.like] : []));
    const sql: string[] = [];
    const bindings: string[] = [];
    if (fts.length) {
      sql.push(`${table}.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)`);
      bindings.push(fts.map((e) => `(${e})`).join(' OR '));
    }
    for (const l of like) {
      sql.push(`${table}.search_text LIKE ? ESCAPE '\\'`);
      bindings.push(l);
    }
    if (sql.length === 0) qb.whereRaw('1 = 0');
    else qb.whereRaw(sql.length === 1 ? sql[0] : `(${sql.join(' OR ')})`, bindings);
  }
}

/** The facet filters: kind, level, field, city. */
function applyDimension(qb: Knex.QueryBuilder, f: ProductFilters, table: string): void {
  if (f.kind) qb.where(`${table}.kind`, f.kind);
  if (f.level) qb.where(`${table}.level`, f.level);
  if (f.field) qb.where(`${table}.field`, f.field);
  if (f.city) qb.where(`${table}.city`, f.city);
}

/** The filters that are not facets: listing status, badge, price and text apply to every count. */
function applyBase(qb: Knex.QueryBuilder, f: ProductFilters, text: TermMatch[], table: string): void {
  qb.where(`${table}.status`, 'approved');
  if (f.badge === 'boutique') qb.where(`${table}.boutique`, true);
  if (f.badge === 'first_unit') qb.whereNotNull(`${table}.cert_id`);
  if (f.priceMin !== undefined) qb.where(`${table}.price_fen`, '>=', f.priceMin);
  if (f.priceMax !== undefined) qb.where(`${table}.price_fen`, '<=', f.priceMax);
  applyText(qb, text, table);
}

/**
 * Total and facet counts from one pass: the matching products are counted per (kind, level, field, city) cell, and
 * each facet is summed from the cells that pass every *other* facet filter — as a shopper expects ("how many if I
 * also pick this level?"). The cube has at most a few thousand cells, and the browse index
 * (migration 20261127001000) lets the database count without reading product rows when there is no text.
 */
export async function countWithFacets(db: Executor, f: ProductFilters): Promise<{ total: number; facets: Record<Facet, Record<string, number>> }> {
  const text = await resolveText(db, patternsOf(f));
  const qb = productsFor(db, text).select('products.kind', 'products.level', 'products.field', 'products.city').count<Array<Record<Facet, string | null> & { n: number | string }>>({ n: '*' });
  applyBase(qb, f, text, 'products');
  qb.groupBy('products.kind', 'products.level', 'products.field', 'products.city');
  const cells = await qb;
  const chosen: Record<Facet, string | undefined> = { kind: f.kind, level: f.level, field: f.field, city: f.city };
  const facets = { kind: {}, level: {}, field: {}, city: {} } as Record<Facet, Record<string, number>>;
  let total = 0;
  for (const cell of cells) {
    const n = Number(cell.n);
    const misses = FACETS.filter((d) => chosen[d] !== undefined && cell[d] !== chosen[d]);
    if (misses.length === 0) total += n;
    for (const dim of FACETS) {
      const value = cell[dim];
      if (value === null) continue;
      // Counted for this facet when every other chosen filter matches (its own may not).
      if (misses.length === 0 || (misses.length === 1 && misses[0] === dim)) facets[dim][value] = (facets[dim][value] ?? 0) + n;
    }
  }
  return { total, facets };
}

const LIST_COLUMNS = [
  'products.id',
  'products.title',
  'products.model',
  'products.price_fen',
  'products.unit',
  'products.stock',
  'products.kind',
  'products.level',
  'products.field',
  'products.city',
  'products.boutique',
  'products.vendor_id',
  'products.created_at',
  'certifications.cert_no',
  'vendors.name as vendor_name',
];

/**
 * One page of matching products. The sort runs over the products table alone and yields ids (cheap, and the browse
 * index covers it when there is no text); only the page's rows are then joined with their vendor and certificate.
 * Relevance is scored in code from the parts a term matched (loadMatches, matches.ts), so a text query sorted by
 * relevance is paged from its matches.
 */
export async function listProducts(db: Executor, f: ProductFilters, sort: SortOrder, limit: number, offset: number): Promise<ProductListRow[]> {
  const patterns = patternsOf(f);
  if (patterns.length && sort === 'relevance') return productsByIds(db, pageOfMatches(matchSet(await loadMatches(db, patterns)), f, sort, limit, offset));
  const text = await resolveText(db, patterns);
  const page = productsFor(db, text).select('products.id');
  applyBase(page, f, text, 'products');
  applyDimension(page, f, 'products');
  if (sort === 'price_asc') page.orderBy('products.price_fen', 'asc');
  else if (sort === 'price_desc') page.orderBy('products.price_fen', 'desc');
  else if (sort === 'newest') page.orderBy('products.created_at', 'desc');
  else {
    page.orderByRaw("CASE products.level WHEN 'international' THEN 0 WHEN 'domestic' THEN 1 WHEN 'provincial' THEN 2 ELSE 3 END");
    page.orderBy('products.created_at', 'desc');
  }
  page.orderBy('products.id', 'desc').limit(limit).offset(offset);
  const ids: number[] = ((await page) as Array<{ id: number }>).map((r) => r.id);
  return productsByIds(db, ids);
}

/** The list rows of these products (joined with vendor and certificate), in the order of `ids`. */
export async function productsByIds(db: Executor, ids: number[]): Promise<ProductListRow[]> {
  if (ids.length === 0) return [];
  const rows: ProductListRow[] = await db('products')
    .leftJoin('certifications', 'certifications.id', 'products.cert_id')
    .join('vendors', 'vendors.id', 'products.vendor_id')
    .select(LIST_COLUMNS)
    .whereIn('products.id', ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is ProductListRow => r !== undefined);
}

/**
 * Every approved product that matches the text (a query, or its index patterns), with what search needs to filter,
 * count and sort it; its relevance tier is scored here from its title, field and model (matches.ts `relevanceTier`).
 */
export async function loadMatches(db: Executor, q: string | string[][]): Promise<Match[]> {
  const patterns = typeof q === 'string' ? patternsOf({ q }) : q;
  const text = await resolveText(db, patterns);
  const qb = productsFor(db, text).select(
    'products.id',
    'products.kind',
    'products.level',
    'products.field',
    'products.city',
    'products.boutique',
    db.raw('(products.cert_id IS NOT NULL) AS certified'),
    'products.price_fen',
    'products.created_at',
    'products.title',
    'products.model',
  );
  applyBase(qb, {}, text, 'products');
  // One row holding a JSON array, not thousands of rows: building a JS object per driver row costs more than the query.
  const cols = 'id, kind, level, field, city, boutique, certified, price_fen, created_at, title, model';
  const agg = isPostgres(db) ? `json_agg(json_build_array(${cols}))` : `json_group_array(json_array(${cols}))`;
  const [row] = await db.from(qb.as('m')).select(db.raw(`${agg} AS rows`));
  const raw = row?.rows ?? null;
  const list: unknown[][] = raw === null ? [] : typeof raw === 'string' ? JSON.parse(raw) : raw;
  const forms = new Map<string, string>();
  const formOf = (s: string) => {
    let f = forms.get(s);
    if (f === undefined) forms.set(s, (f = indexForm(s)));
    return f;
  };
  return list.map(([id, kind, level, field, city, boutique, certified, price, created, title, model]) => ({
    id: Number(id),
    kind: String(kind),
    level: (level as string | null) ?? null,
    field: String(field),
    city: String(city),
    boutique: Boolean(boutique),
    certified: Boolean(certified),
    price: Number(price),
    created: String(created),
    tier: relevanceTier(patterns, formOf(String(title)), formOf(String(field)), formOf(String(model))),
  }));
}

export async function findProduct(db: Executor, id: number): Promise<ProductDetailRow | undefined> {
  return db('products')
    .leftJoin('certifications', 'certifications.id', 'products.cert_id')
    .join('vendors', 'vendors.id', 'products.vendor_id')
    .select([...LIST_COLUMNS, 'products.description', 'products.status', 'products.cert_id', 'products.boutique_evidence', 'products.updated_at'])
    .where('products.id', id)
    .first();
}

export async function countApprovedByCert(db: Executor, certId: number): Promise<number> {
  const r = await db('products').where({ cert_id: certId, status: 'approved' }).count<{ n: number }[]>({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** The distinct titles of approved products (for the suggestions' vocabulary), at most `limit`. */
export async function approvedTitles(db: Executor, limit = 20000): Promise<string[]> {
  const rows: Array<{ title: string }> = await db('products').distinct('title').where('status', 'approved').orderBy('title').limit(limit);
  return rows.map((r) => r.title);
}

/**
 * Certificates whose number, upper-cased and without hyphens, spaces, underscores and slashes, begins with `key`
 * (given in that form), by number; at most `limit`.
 */
export async function certsByLooseNo(db: Executor, key: string, limit: number): Promise<Array<{ id: number; cert_no: string }>> {
  const loose = "replace(replace(replace(replace(upper(cert_no), '-', ''), ' ', ''), '_', ''), '/', '')";
  const prefix = `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db('certifications').select('id', 'cert_no').whereRaw(`${loose} LIKE ? ESCAPE '\\'`, [prefix]).orderBy('cert_no').limit(limit);
}
