import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../db';
import { ftsPhrase, likePattern, searchTerms } from './search-text';

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

export interface CertificationRow {
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
  status: string;
  revoked_reason: string | null;
  indicators: string;
  key_supported: number | boolean;
}

type Facet = 'kind' | 'level' | 'field' | 'city';
export const FACETS: Facet[] = ['kind', 'level', 'field', 'city'];

/** Text condition: each term is a substring of search_text (trigram index where it helps, LIKE otherwise). */
function applyText(db: Executor, qb: Knex.QueryBuilder, q: string | undefined, table = 'products'): void {
  for (const term of searchTerms(q ?? '')) {
    if (!isPostgres(db) && [...term].length >= 3) {
      qb.whereRaw(`${table}.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)`, [ftsPhrase(term)]);
    } else {
      qb.whereRaw(`${table}.search_text LIKE ? ESCAPE '\\'`, [likePattern(term)]);
    }
  }
}

function applyDimension(qb: Knex.QueryBuilder, f: ProductFilters, skip: Facet | null, table: string): void {
  if (f.kind && skip !== 'kind') qb.where(`${table}.kind`, f.kind);
  if (f.level && skip !== 'level') qb.where(`${table}.level`, f.level);
  if (f.field && skip !== 'field') qb.where(`${table}.field`, f.field);
  if (f.city && skip !== 'city') qb.where(`${table}.city`, f.city);
  if (f.badge === 'boutique') qb.where(`${table}.boutique`, true);
  if (f.badge === 'first_unit') qb.whereNotNull(`${table}.cert_id`);
}

function applyPrice(qb: Knex.QueryBuilder, f: ProductFilters, table: string): void {
  if (f.priceMin !== undefined) qb.where(`${table}.price_fen`, '>=', f.priceMin);
  if (f.priceMax !== undefined) qb.where(`${table}.price_fen`, '<=', f.priceMax);
}

/**
 * Total and facet counts in one statement: the text and price match is computed once (a materialised CTE), then each
 * facet is counted under every *other* filter, as a shopper expects ("how many if I also pick this level?").
 */
export async function countWithFacets(db: Executor, f: ProductFilters): Promise<{ total: number; facets: Record<Facet, Record<string, number>> }> {
  const base = db('products')
    .select('kind', 'level', 'field', 'city', 'boutique', 'cert_id')
    .where('products.status', 'approved');
  applyText(db, base, f.q);
  applyPrice(base, f, 'products');
  const parts: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  for (const dim of FACETS) {
    const sub = db.from('m').select(db.raw('? AS dim', [dim]), db.raw(`${dim} AS val`), db.raw('COUNT(*) AS n')).whereNotNull(dim).groupBy(dim);
    applyDimension(sub, f, dim, 'm');
    const { sql, bindings: b } = sub.toSQL();
    parts.push(sql);
    bindings.push(...b);
  }
  const totalQ = db.from('m').select(db.raw("'total' AS dim"), db.raw('NULL AS val'), db.raw('COUNT(*) AS n'));
  applyDimension(totalQ, f, null, 'm');
  const t = totalQ.toSQL();
  parts.push(t.sql);
  bindings.push(...t.bindings);
  const baseSql = base.toSQL();
  const union = parts.map((p) => `SELECT * FROM (${p}) AS x`).join(' UNION ALL ');
  const sql = `WITH m AS MATERIALIZED (${baseSql.sql}) ${union}`;
  const result = await db.raw(sql, [...baseSql.bindings, ...bindings]);
  const rows: Array<{ dim: string; val: string | null; n: number | string }> = isPostgres(db) ? result.rows : result;
  const facets = { kind: {}, level: {}, field: {}, city: {} } as Record<Facet, Record<string, number>>;
  let total = 0;
  for (const r of rows) {
    if (r.dim === 'total') total = Number(r.n);
    else if (r.val !== null) facets[r.dim as Facet][r.val] = Number(r.n);
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

export async function listProducts(db: Executor, f: ProductFilters, sort: SortOrder, limit: number, offset: number): Promise<ProductListRow[]> {
  const qb = db('products')
    .leftJoin('certifications', 'certifications.id', 'products.cert_id')
    .join('vendors', 'vendors.id', 'products.vendor_id')
    .select(LIST_COLUMNS)
    .where('products.status', 'approved');
  applyText(db, qb, f.q);
  applyPrice(qb, f, 'products');
  applyDimension(qb, f, null, 'products');
  const terms = searchTerms(f.q ?? '');
  if (sort === 'price_asc') qb.orderBy('products.price_fen', 'asc');
  else if (sort === 'price_desc') qb.orderBy('products.price_fen', 'desc');
  else if (sort === 'newest') qb.orderBy('products.created_at', 'desc');
  else {
    // Relevance: search_text is "title model certNo field vendor description", so where a term first occurs tells
    // which part it matched. Each term scores 0 in the title, 1 in the model, 2 elsewhere; the lower sum ranks first,
    // then the higher certification level, then the newer listing.
    if (terms.length) {
      const pos = isPostgres(db) ? 'strpos' : 'instr';
      const tier = `(CASE WHEN ${pos}(products.search_text, ?) <= length(products.title) THEN 0 WHEN ${pos}(products.search_text, ?) <= length(products.title) + 1 + length(products.model) THEN 1 ELSE 2 END)`;
      qb.orderByRaw(terms.map(() => tier).join(' + '), terms.flatMap((t) => [t, t]));
    }
    qb.orderByRaw("CASE products.level WHEN 'international' THEN 0 WHEN 'domestic' THEN 1 WHEN 'provincial' THEN 2 ELSE 3 END");
    qb.orderBy('products.created_at', 'desc');
  }
  qb.orderBy('products.id', 'desc');
  return qb.limit(limit).offset(offset);
}

export async function findProduct(db: Executor, id: number): Promise<ProductDetailRow | undefined> {
  return db('products')
    .leftJoin('certifications', 'certifications.id', 'products.cert_id')
    .join('vendors', 'vendors.id', 'products.vendor_id')
    .select([...LIST_COLUMNS, 'products.description', 'products.status', 'products.cert_id', 'products.boutique_evidence', 'products.updated_at'])
    .where('products.id', id)
    .first();
}

export const findCertificationById = (db: Executor, id: number): Promise<CertificationRow | undefined> =>
  db<CertificationRow>('certifications').where({ id }).first();

export const findCertificationByNo = (db: Executor, certNo: string): Promise<CertificationRow | undefined> =>
  db<CertificationRow>('certifications').where({ cert_no: certNo }).first();

export async function countApprovedByCert(db: Executor, certId: number): Promise<number> {
  const r = await db('products').where({ cert_id: certId, status: 'approved' }).count<{ n: number }[]>({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** Counts of approved listings by one column, for the home page's browse panels. */
export async function countApprovedBy(db: Executor, column: 'field' | 'city'): Promise<Array<{ key: string; n: number }>> {
  const rows = await db('products').where('status', 'approved').select(`${column} as key`).count<{ key: string; n: number }[]>({ n: '*' }).groupBy(column);
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}
