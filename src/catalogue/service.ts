import { LRUCache } from 'lru-cache';
import { findCert, findCertByNo, isCurrent } from '../certification';
import { AppError } from '../errors';
import { isFirstPurchaseEligible } from '../first-purchase';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { FIELDS, LEVELS } from '../domain';
import { notFound } from '../errors';
import { directPurchaseLimitFen, firstPurchasePolicy } from '../settings';
import { shanghaiDay } from '../time';
import { CatalogueCache } from './cache';
import { countMatches, matchSet, pageOfMatches, type MatchSet } from './matches';
import { relatedQueries, type Suggestion } from './suggestions';
import { deleteSynonym, findSynonym, findSynonymByTerm, insertSynonym, listSynonyms, updateSynonym, type SynonymRow } from './synonyms-repo';
import { certificateView, productDetail, productItem, type CertificateView, type ProductDetail, type ProductItem } from './presenters';
import {
  approvedTitles,
  certsByLooseNo,
  countApprovedByCert,
  countWithFacets,
  findProduct,
  listProducts,
  loadMatches,
  productsByIds,
  type ProductFilters,
  type ProductListRow,
  type SortOrder,
} from './repo';
import type { SearchQuery, SynonymInput } from './schema';
import { normalizeSearch, parseQuery, queryPatterns, segmenter, type QueryTerm, type SynonymMap } from '../search-text';
import { batchedReads, isUniqueViolation, readerOf, writeTransaction, type Executor } from '../db';
import { recordAudit } from '../audit';
import type { Actor } from '../web';

export interface SearchResult {
  items: ProductItem[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<string, Record<string, number>>;
  /**
   * Only for a text query that found nothing: queries that would find something — a near spelling, the query
   * without one of its words, a related word or field — each with how many products it finds.
   */
  suggestions?: Suggestion[];
}

/** The cache key of a set of filters (the query as index patterns, so ＣＴ and ct, or 磁共振 and MRI, share an entry). */
function filterKey(f: ProductFilters): string {
  return JSON.stringify([f.patterns ?? [], f.kind, f.level, f.field, f.city, f.badge, f.priceMin, f.priceMax]);
}

/**
 * A listed product's memory, roughly (the object and its vendor's, its price, and its own strings as UTF-16; the
 * values many products share are counted once, nowhere: presenters.ts `sharedString`): counted from its strings'
 * lengths rather than by serialising it, since thousands are kept a second under distinct searches.
 */
function listedItemBytes(value: unknown): number {
  const item = value as ProductItem | undefined;
  if (!item) return 64;
  return 280 + 2 * (item.title.length + item.model.length + (item.certNo?.length ?? 0));
}

/** How many parsed query texts are kept (least recently used out first): a few hundred KB. */
const PARSED_MAX = 2000;

/** Several certificates answer a partial number: the page lists them (JSON answers 404). */
export interface CertificateCandidates {
  candidates: string[];
}

/** Cached values are shared between requests: frozen, so that no caller can change another's. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class CatalogueService {
  /** Public catalogue reads, cached under the catalogue version (see cache.ts); exposed for tests. */
  readonly cache: CatalogueCache;
  /**
   * Whole answers (JSON bodies, pages' HTML) under the same version, for the routes: 32 MB of their own, each kept
   * from the second time its URL is asked for, so that answers asked for once do not push out the data above.
   */
  readonly responses: CatalogueCache;
  /**
   * Two more under the same version, each with a budget of its own, so that what is cheap to make again cannot push out
   * what is not. `matchCache` (64 MB): the matches of text queries (a statement over thousands of rows each), the
   * synonym map, the suggestions' vocabulary (every title segmented) and the suggestions made. `itemCache` (40 MB, some
   * 110,000 products): the listed products that pages are made of (read in batches across requests; with 16 MB,
   * distinct searches over 100,000 products read again many that 40 MB keeps, and served fewer requests). Thousands of
   * distinct searches fill `cache` with their counts, which would otherwise push out what every one of them needs
   * (measured: bench/catalogue.ts, docs/benchmarks-history.md).
   */
  private readonly matchCache: CatalogueCache;
  private readonly itemCache: CatalogueCache;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.cache = new CatalogueCache(db);
    this.responses = new CatalogueCache(db, 32 * 1024 * 1024, { admitOnSecondAsk: true });
    this.matchCache = new CatalogueCache(db);
    this.itemCache = new CatalogueCache(db, 40 * 1024 * 1024, { sizeOf: listedItemBytes });
    this.listedProducts = batchedReads(async (ids: readonly number[]) => new Map((await productsByIds(this.reads, [...ids])).map((r) => [r.id, r])));
  }

  /**
   * The listed columns of products by id, read together with those other requests ask for at the same time
   * (db/batched-reads.ts): under distinct searches each page needs a few products no earlier page showed, and one
   * statement for many pages costs the read connections far less than one each.
   */
  private readonly listedProducts: (ids: readonly number[]) => Promise<Array<ProductListRow | undefined>>;

  /**
   * Where the catalogue's reads go: on SQLite, the read connections beside the one writer (db/connection.ts
   * `readerOf`), so that searches neither queue behind write transactions nor behind each other on one connection. A
   * value read there after reading version v sees every commit up to v at least, as the cache requires (cache.ts).
   */
  private get reads(): Executor {
    return readerOf(this.db);
  }

  /** Today in Asia/Shanghai by the injected clock: what certificate validity is judged against. */
  today(): string {
    const now = this.clock.now().getTime();
    // Asked on every request: recomputed at most once a second.
    if (Math.floor(now / 1000) !== this.todayAt) {
      this.todayAt = Math.floor(now / 1000);
      this.todayValue = shanghaiDay(new Date(now));
    }
    return this.todayValue;
  }

  private todayAt = -1;
  private todayValue = '';

  /** Total and facet counts for some filters; cached apart from the listing, which paging and sorting change. */
  private counts(filters: ProductFilters): ReturnType<typeof countWithFacets> {
    const patterns = filters.patterns ?? [];
    return this.cached(`counts:${filterKey(filters)}`, async () =>
      patterns.length ? countMatches(await this.matches(patterns), filters) : countWithFacets(this.reads, { ...filters, q: undefined, patterns: [] }),
    );
  }

  /** Every product matching the text, loaded once per catalogue version and shared by all filters over it. */
  private matches(patterns: string[][]): Promise<MatchSet> {
    return this.matchCache.get(`matches:${JSON.stringify(patterns)}`, async () => matchSet(await loadMatches(this.reads, patterns)));
  }

  /** The synonym table as the query parser reads it, cached under the catalogue version (its changes bump it). */
  synonymMap(): Promise<SynonymMap> {
    return this.matchCache.get('synonyms', async () => {
      const map = new Map<string, string[]>();
      const add = (key: string, forms: string[]) => map.set(key, [...new Set([...(map.get(key) ?? []), ...forms.filter((f) => f !== key)])]);
      for (const row of await listSynonyms(this.reads)) {
        add(row.term, row.synonyms);
        if (row.twoWay) for (const s of row.synonyms) add(s, [row.term, ...row.synonyms]);
      }
      return map;
    });
  }

  /** A text query as the terms every match must have, with their synonyms. */
  async parse(q: string | undefined): Promise<QueryTerm[]> {
    if (!q) return [];
    const synonyms = await this.synonymMap();
    // Kept per synonym map (a new map, at a new catalogue version, starts afresh): segmenting a query with jieba costs
    // more than the rest of a page of its matches, and refinements and later pages ask for the same text again.
    if (this.parsedWith !== synonyms) {
      this.parsedWith = synonyms;
      this.parsed.clear();
    }
    let terms = this.parsed.get(q);
    if (!terms) this.parsed.set(q, (terms = deepFreeze(parseQuery(q, synonyms))));
    return terms;
  }

  private parsedWith: SynonymMap | null = null;
  private readonly parsed = new LRUCache<string, QueryTerm[]>({ max: PARSED_MAX });

  /** How many approved products a text query finds (no other filter). */
  async countText(q: string): Promise<number> {
    const patterns = queryPatterns(await this.parse(q));
    if (patterns.length === 0) return 0;
    return (await this.counts({ q, patterns })).total;
  }

  /** The words of the catalogue's titles (jieba) and fields, and the synonym table's: what suggestions are made of. */
  private vocabulary(): Promise<string[]> {
    return this.matchCache.get('vocabulary', async () => {
      const words = new Set<string>();
      for (const title of await approvedTitles(this.reads)) {
        for (const w of segmenter().cut(normalizeSearch(title), false)) if (/[\p{L}\p{N}]{2,}/u.test(w)) words.add(w);
      }
      for (const f of FIELDS) words.add(f.name);
      for (const key of (await this.synonymMap()).keys()) words.add(key);
      return [...words];
    });
  }

  private cached<T>(key: string, compute: () => Promise<T>, cache = this.cache): Promise<T> {
    return cache.get(key, async () => deepFreeze(await compute()));
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const filters: ProductFilters = {
      q: query.q,
      kind: query.kind,
      level: query.level,
      field: query.field,
      city: query.city,
      badge: query.badge,
      priceMin: query.priceMin,
      priceMax: query.priceMax,
    };
    const sort: SortOrder = query.sort ?? (query.q ? 'relevance' : 'newest');
    const offset = (query.page - 1) * query.pageSize;
    const terms = await this.parse(query.q);
    const patterns = (filters.patterns = queryPatterns(terms));
    // A query of punctuation alone has no words to find: it finds nothing (not everything).
    if (query.q && query.q.trim() && patterns.length === 0) {
      return { items: [], total: 0, page: query.page, pageSize: query.pageSize, facets: { kind: {}, level: {}, field: {}, city: {} }, suggestions: [] };
    }
    // Facets and total depend on the filters only, so paging and re-sorting reuse them.
    const page = async () =>
      patterns.length
        ? this.items(pageOfMatches(await this.matches(patterns), filters, sort, query.pageSize, offset))
        : (await listProducts(this.reads, filters, sort, query.pageSize, offset)).map(productItem);
    // A text query's page is cut from its matches and the kept products, which costs less than keeping it would (its
    // size measured, its place in the cache): only the pages that SQL lists are kept.
    const list = patterns.length ? page() : this.cached(`list:${filterKey(filters)}:${sort}:${query.pageSize}:${offset}`, page);
    const [items, counts] = await Promise.all([list, this.counts(filters)]);
    const result: SearchResult = { items, total: counts.total, page: query.page, pageSize: query.pageSize, facets: counts.facets };
    if (counts.total === 0 && patterns.length) result.suggestions = await this.suggest(terms);
    return result;
  }

  /**
   * The listed products of some ids, in their order (an id not found left out): each kept under the catalogue
   * version once read, so that the pages of different searches, which show many of the same products, read only the
   * products not yet kept — together, in one statement.
   */
  private async items(ids: number[]): Promise<ProductItem[]> {
    const items = await this.itemCache.getMany(
      ids.map((id) => `item:${id}`),
      async (keys) => {
        const rows = await this.listedProducts(keys.map((k) => Number(k.slice('item:'.length))));
        return new Map(rows.filter((r) => r !== undefined).map((r) => [`item:${r.id}`, deepFreeze(productItem(r))]));
      },
    );
    return items.filter((item): item is ProductItem => item !== undefined);
  }

  /** What to suggest for a text query that found nothing (suggestions.ts), cached under the catalogue version. */
  suggest(terms: QueryTerm[]): Promise<Suggestion[]> {
    return this.cached(
      `suggest:${JSON.stringify(terms.map((t) => t.text))}`,
      async () => relatedQueries(terms, await this.vocabulary(), (q) => this.countText(q)),
      this.matchCache,
    );
  }

  /** A public product: only approved listings are visible. */
  async product(id: number): Promise<ProductDetail> {
    const today = this.today();
    return this.cached(`product:${id}:${today}`, async () => {
      const row = await findProduct(this.reads, id);
      if (!row || row.status !== 'approved') throw notFound('catalogue.product_not_found');
      const cert = row.cert_id ? await findCert(this.reads, row.cert_id) : undefined;
      const eligible = cert ? isFirstPurchaseEligible(cert, today, await firstPurchasePolicy(this.reads)) : false;
      return productDetail(row, cert, eligible, today);
    });
  }

  /**
   * The direct-purchase limit in fen (DESIGN §9), for the product page's warning: kept under the catalogue version,
   * which a change of the settings moves (migration 20261127006000_settings), so a new limit shows at once.
   */
  directPurchaseLimitFen(): Promise<number> {
    return this.cache.get('direct-purchase-limit', () => directPurchaseLimitFen(this.reads));
  }

  /**
   * A certificate by its number, as a clerk types it: exactly; else in any case and with or without its hyphens and
   * spaces (zj-stt-2020-0008, ZJSTT20200008); else by the start of the number when one certificate alone begins so
   * (ZJ-STT-2020-00 finds nothing when ten do: see certificateCandidates).
   */
  async certificate(certNo: string): Promise<{ certificate: CertificateView; current: boolean; listings: number }> {
    const no = certNo.trim().normalize('NFKC');
    const today = this.today();
    return this.cached(`certificate:${no}:${today}`, async () => {
      let cert = no ? await findCertByNo(this.reads, no) : undefined;
      if (!cert && looseCertNo(no)) {
        const key = looseCertNo(no);
        const found = await certsByLooseNo(this.reads, key, 2);
        const exact = found.find((c) => looseCertNo(c.cert_no) === key);
        const only = exact ?? (found.length === 1 ? found[0] : undefined);
        if (only) cert = await findCert(this.reads, only.id);
      }
      if (!cert) throw notFound('catalogue.certificate_not_found');
      const listings = await countApprovedByCert(this.reads, cert.id);
      return { certificate: certificateView(cert, today), current: isCurrent(cert, today), listings };
    });
  }

  /** The certificate numbers that begin with a partial number (in any case, hyphens and spaces aside), at most 20. */
  async certificateCandidates(certNo: string): Promise<string[]> {
    const key = looseCertNo(certNo.trim().normalize('NFKC'));
    if (!key) return [];
    return this.cached(`certificate-candidates:${key}`, async () => (await certsByLooseNo(this.reads, key, 20)).map((c) => c.cert_no));
  }

  /** The synonym table, for the department's page and JSON route. */
  synonyms(): Promise<SynonymRow[]> {
    return listSynonyms(this.db);
  }

  async synonym(id: number): Promise<SynonymRow> {
    const row = await findSynonym(this.db, id);
    if (!row) throw notFound('catalogue.synonym_not_found');
    return row;
  }

  /**
   * Adds a row; a term already in the table is a 409 naming `term`. Its words are kept normalised, as queries are.
   * Every change to the table is the department's and is audited in its transaction (issue 18 item 2 of the rest).
   */
  async createSynonym(actor: Actor, input: SynonymInput): Promise<SynonymRow> {
    const s = normalizedSynonym(input);
    try {
      return await writeTransaction(this.db, async (trx) => {
        if (await findSynonymByTerm(trx, s.term)) throw duplicateTerm(s.term);
        const id = await insertSynonym(trx, s, this.clock.now().toISOString());
        const row = (await findSynonym(trx, id)) as SynonymRow;
        await recordAudit(trx, this.clock, { actor, action: 'search_synonym.add', entity: 'search_synonym', entityId: id, after: synonymFacts(row) });
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateTerm(s.term);
      throw err;
    }
  }

  async updateSynonym(actor: Actor, id: number, input: SynonymInput): Promise<SynonymRow> {
    try {
      return await writeTransaction(this.db, async (trx) => {
        const before = await findSynonym(trx, id);
        if (!before) throw notFound('catalogue.synonym_not_found');
        const s = normalizedSynonym(input);
        const other = await findSynonymByTerm(trx, s.term);
        if (other && other.id !== id) throw duplicateTerm(s.term);
        await updateSynonym(trx, id, s, this.clock.now().toISOString());
        const row = (await findSynonym(trx, id)) as SynonymRow;
        await recordAudit(trx, this.clock, { actor, action: 'search_synonym.update', entity: 'search_synonym', entityId: id, before: synonymFacts(before), after: synonymFacts(row) });
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateTerm(normalizeSearch(input.term));
      throw err;
    }
  }

  async deleteSynonym(actor: Actor, id: number): Promise<void> {
    await writeTransaction(this.db, async (trx) => {
      const before = await findSynonym(trx, id);
      if (!before || (await deleteSynonym(trx, id)) === 0) throw notFound('catalogue.synonym_not_found');
      await recordAudit(trx, this.clock, { actor, action: 'search_synonym.remove', entity: 'search_synonym', entityId: id, before: synonymFacts(before) });
    });
  }

  /** The home page: featured first-unit products per level, boutique items, and browse-by counts. */
  overview(): Promise<{
    featured: Record<string, ProductItem[]>;
    boutique: ProductItem[];
    fields: Array<{ key: string; n: number }>;
    cities: Array<{ key: string; n: number }>;
  }> {
    return this.cached('overview', async () => {
      const featured: Record<string, ProductItem[]> = {};
      const [levels, boutique, all] = await Promise.all([
        Promise.all(LEVELS.map((level) => listProducts(this.reads, { level, badge: 'first_unit' }, 'newest', 4, 0))),
        listProducts(this.reads, { badge: 'boutique' }, 'newest', 8, 0),
        this.counts({}),
      ]);
      LEVELS.forEach((level, i) => (featured[level] = levels[i].map(productItem)));
      const byCount = (counts: Record<string, number>) => Object.entries(counts).map(([key, n]) => ({ key, n }));
      return { featured, boutique: boutique.map(productItem), fields: byCount(all.facets.field), cities: byCount(all.facets.city) };
    });
  }
}

/** A certificate number compared loosely: upper case, without hyphens, spaces, underscores and slashes. */
function looseCertNo(no: string): string {
  return no.toUpperCase().replace(/[-\s_/]/g, '');
}

/** A row as its audit record keeps it: what a reader of the log needs to see the change (not its bookkeeping). */
const synonymFacts = (r: SynonymRow) => ({ term: r.term, synonyms: r.synonyms, twoWay: r.twoWay });

const duplicateTerm = (term: string) => new AppError('duplicate', 'catalogue.synonym_duplicate', { field: 'term', term }, 'term');

/** A row's words as queries see them (normalised), the term itself and repeats left out of its synonyms. */
function normalizedSynonym(input: SynonymInput): { term: string; synonyms: string[]; twoWay: boolean } {
  const term = normalizeSearch(input.term);
  const synonyms = [...new Set(input.synonyms.map(normalizeSearch))].filter((w) => w !== term);
  if (synonyms.length === 0) throw new AppError('validation_failed', 'catalogue.synonym_same_as_term', { field: 'synonyms' }, 'synonyms');
  return { term, synonyms, twoWay: input.twoWay };
}
