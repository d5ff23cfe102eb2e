import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../db';
import type { Match } from './matches';
import { ftsAnyOf, ftsPhrase, likePattern, searchTerms } from '../search-text';

export interface ProductFilters {
  q?: string;
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

/** How one query term is matched: through the trigram index, by LIKE, or known to match nothing. */
type TermMatch = { fts: string } | { like: string } | { none: true };

/** More trigrams than this for a 1-character query, and a LIKE scan is the cheaper way. */
const MAX_PREFIX_TRIGRAMS = 400;

/**
 * Each term must be a substring of search_text. PostgreSQL: LIKE, which pg_trgm's index serves. SQLite: a term of
 * 3+ characters is one trigram phrase; a shorter one matches any indexed trigram that starts with it (found in the
 * index vocabulary, a range read), which finds every occurrence because search text ends with SEARCH_TEXT_END.
 */
async function resolveText(db: Executor, q: string | undefined): Promise<TermMatch[]> {
  const out: TermMatch[] = [];
  for (const term of searchTerms(q ?? '')) {
    if (isPostgres(db)) out.push({ like: likePattern(term) });
    else if ([...term].length >= 3) out.push({ fts: ftsPhrase(term) });
    else {
      const rows: Array<{ term: string }> = await db('products_fts_vocab')
        .select('term')
        .where('term', '>=', term)
        .andWhere('term', '<', `${term}\u{10FFFF}`)
        .limit(MAX_PREFIX_TRIGRAMS + 1);
      if (rows.length === 0) out.push({ none: true });
      else if (rows.length > MAX_PREFIX_TRIGRAMS) out.push({ like: likePattern(term) });
      else out.push({ fts: ftsAnyOf(rows.map((r) => r.term)) });
    }
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
  for (const m of text) {
    if ('fts' in m) qb.whereRaw(`${table}.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)`, [m.fts]);
    else if ('like' in m) qb.whereRaw(`${table}.search_text LIKE ? ESCAPE '\\'`, [m.like]);
    else qb.whereRaw('1 = 0');
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
  const text = await resolveText(db, f.q);
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
 */
export async function listProducts(db: Executor, f: ProductFilters, sort: SortOrder, limit: number, offset: number): Promise<ProductListRow[]> {
  const text = await resolveText(db, f.q);
  const page = productsFor(db, text).select('products.id');
  applyBase(page, f, text, 'products');
  applyDimension(page, f, 'products');
  const terms = searchTerms(f.q ?? '');
  if (sort === 'price_asc') page.orderBy('products.price_fen', 'asc');
  else if (sort === 'price_desc') page.orderBy('products.price_fen', 'desc');
  else if (sort === 'newest') page.orderBy('products.created_at', 'desc');
  else {
    // Relevance: search_text is "title model certNo field vendor description", so where a term first occurs tells
    // which part it matched. Each term scores 0 in the title, 1 in the model, 2 elsewhere; the lower sum ranks first,
    // then the higher certification level, then the newer listing.
    if (terms.length) {
      const tier = tierSql(db, terms);
      page.orderByRaw(tier.sql, tier.bindings);
    }
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

/** Relevance tier of each row for the query terms: 0 per term in the title, 1 in the model, 2 elsewhere. */
function tierSql(db: Executor, terms: string[]): { sql: string; bindings: string[] } {
  const pos = isPostgres(db) ? 'strpos' : 'instr';
  const tier = `(CASE WHEN ${pos}(products.search_text, ?) <= length(products.title) THEN 0 WHEN ${pos}(products.search_text, ?) <= length(products.title) + 1 + length(products.model) THEN 1 ELSE 2 END)`;
  return { sql: terms.map(() => tier).join(' + '), bindings: terms.flatMap((t) => [t, t]) };
}

/** Every approved product that matches the text `q`, with what search needs to filter, count and sort it. */
export async function loadMatches(db: Executor, q: string): Promise<Match[]> {
  const terms = searchTerms(q);
  const text = await resolveText(db, q);
  const tier = tierSql(db, terms);
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
    db.raw(`${tier.sql} AS tier`, tier.bindings),
  );
  applyBase(qb, {}, text, 'products');
  // One row holding a JSON array, not thousands of rows: building a JS object per driver row costs more than the query.
  const cols = 'id, kind, level, field, city, boutique, certified, price_fen, created_at, tier';
  const agg = isPostgres(db) ? `json_agg(json_build_array(${cols}))` : `json_group_array(json_array(${cols}))`;
  const [row] = await db.from(qb.as('m')).select(db.raw(`${agg} AS rows`));
  const raw = row?.rows ?? null;
  const list: unknown[][] = raw === null ? [] : typeof raw === 'string' ? JSON.parse(raw) : raw;
  return list.map(([id, kind, level, field, city, boutique, certified, price, created, tier]) => ({
    id: Number(id),
    kind: String(kind),
    level: (level as string | null) ?? null,
    field: String(field),
    city: String(city),
    boutique: Boolean(boutique),
    certified: Boolean(certified),
    price: Number(price),
    created: String(created),
    tier: Number(tier),
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
