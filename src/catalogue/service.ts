import { findCert, findCertByNo, isCurrent } from '../certification';
import { isFirstPurchaseEligible } from '../first-purchase';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { LEVELS } from '../domain';
import { notFound } from '../errors';
import { firstPurchasePolicy } from '../settings';
import { shanghaiDay } from '../time';
import { CatalogueCache } from './cache';
import { countMatches, matchSet, pageOfMatches, type MatchSet } from './matches';
import { certificateView, productDetail, productItem, type CertificateView, type ProductDetail, type ProductItem } from './presenters';
import {
  countApprovedByCert,
  countWithFacets,
  findProduct,
  listProducts,
  loadMatches,
  productsByIds,
  type ProductFilters,
  type SortOrder,
} from './repo';
import type { SearchQuery } from './schema';
import { searchTerms } from '../search-text';

export interface SearchResult {
  items: ProductItem[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<string, Record<string, number>>;
}

/** The cache key of a set of filters (query terms normalised, so ＣＴ and ct share an entry). */
function filterKey(f: ProductFilters): string {
  return JSON.stringify([f.q ? searchTerms(f.q) : [], f.kind, f.level, f.field, f.city, f.badge, f.priceMin, f.priceMax]);
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

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.cache = new CatalogueCache(db);
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
    const terms = searchTerms(filters.q ?? '');
    return this.cached(`counts:${filterKey(filters)}`, async () =>
      terms.length ? countMatches(await this.matches(terms), filters) : countWithFacets(this.db, filters),
    );
  }

  /** Every product matching the text, loaded once per catalogue version and shared by all filters over it. */
  private matches(terms: string[]): Promise<MatchSet> {
    return this.cache.get(`matches:${JSON.stringify(terms)}`, async () => matchSet(await loadMatches(this.db, terms.join(' '))));
  }

  private cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return this.cache.get(key, async () => deepFreeze(await compute()));
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
    // Facets and total depend on the filters only, so paging and re-sorting reuse them.
    const terms = searchTerms(query.q ?? '');
    const page = async () =>
      terms.length
        ? productsByIds(this.db, pageOfMatches(await this.matches(terms), filters, sort, query.pageSize, offset))
        : listProducts(this.db, filters, sort, query.pageSize, offset);
    const [items, counts] = await Promise.all([
      this.cached(`list:${filterKey(filters)}:${sort}:${query.pageSize}:${offset}`, async () => (await page()).map(productItem)),
      this.counts(filters),
    ]);
    return { items, total: counts.total, page: query.page, pageSize: query.pageSize, facets: counts.facets };
  }

  /** A public product: only approved listings are visible. */
  async product(id: number): Promise<ProductDetail> {
    const today = this.today();
    return this.cached(`product:${id}:${today}`, async () => {
      const row = await findProduct(this.db, id);
      if (!row || row.status !== 'approved') throw notFound('catalogue.product_not_found');
      const cert = row.cert_id ? await findCert(this.db, row.cert_id) : undefined;
      const eligible = cert ? isFirstPurchaseEligible(cert, today, await firstPurchasePolicy(this.db)) : false;
      return productDetail(row, cert, eligible, today);
    });
  }

  async certificate(certNo: string): Promise<{ certificate: CertificateView; current: boolean; listings: number }> {
    const no = certNo.trim().normalize('NFKC');
    const today = this.today();
    return this.cached(`certificate:${no}:${today}`, async () => {
      const cert = await findCertByNo(this.db, no);
      if (!cert) throw notFound('catalogue.certificate_not_found');
      const listings = await countApprovedByCert(this.db, cert.id);
      return { certificate: certificateView(cert, today), current: isCurrent(cert, today), listings };
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
        Promise.all(LEVELS.map((level) => listProducts(this.db, { level, badge: 'first_unit' }, 'newest', 4, 0))),
        listProducts(this.db, { badge: 'boutique' }, 'newest', 8, 0),
        this.counts({}),
      ]);
      LEVELS.forEach((level, i) => (featured[level] = levels[i].map(productItem)));
      const byCount = (counts: Record<string, number>) => Object.entries(counts).map(([key, n]) => ({ key, n }));
      return { featured, boutique: boutique.map(productItem), fields: byCount(all.facets.field), cities: byCount(all.facets.city) };
    });
  }
}
