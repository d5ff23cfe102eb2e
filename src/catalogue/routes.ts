import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { CITIES, FIELDS, LEVELS, PRODUCT_KINDS } from '../domain';
import { AppError, notFound } from '../errors';
import { dropEmpty } from '../schema';
import { STATUS, errorBody, hasSessionCookie, paginationModel, parseInput, type AppState } from '../web';
import { CertLookupQuery, SearchQuery } from './schema';
import { CatalogueService } from './service';

export function parseId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'];
const FILTER_PARAMS = ['level', 'kind', 'field', 'city', 'badge', 'priceMin', 'priceMax'];

export function catalogueRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.catalogue;

  router.get('/api/v1/products', async (ctx) => json(ctx, service, () => service.search(parseInput(SearchQuery, dropEmpty(ctx.query as Record<string, unknown>)))));

  router.get('/api/v1/products/:id', async (ctx) => json(ctx, service, () => service.product(parseId(ctx.params.id))));

  router.get('/api/v1/certificates/:certNo', async (ctx) => json(ctx, service, () => service.certificate(String(ctx.params.certNo))));

  router.get('/api/v1/catalogue/overview', async (ctx) => json(ctx, service, () => service.overview()));

  router.get('/', async (ctx) =>
    page(ctx, service, async () => {
      const state = ctx.state as AppState;
      const overview = await service.overview();
      return state.render('catalogue/home', {
        title: state.t('catalogue.home_title'),
        levels: LEVELS.map((level) => ({ level, items: overview.featured[level] })),
        boutique: overview.boutique,
        fields: overview.fields,
        cities: CITIES.map((c) => ({ name: c.name, n: overview.cities.find((x) => x.key === c.name)?.n ?? 0 })),
      });
    }),
  );

  router.get('/products', async (ctx) => page(ctx, service, () => searchPage(ctx, service)));

  router.get('/products/:id', async (ctx) =>
    page(ctx, service, async () => {
      const state = ctx.state as AppState;
      const product = await service.product(parseId(ctx.params.id));
      return state.render('catalogue/product', {
        title: product.title,
        product,
        canBuy: state.actor?.role === 'purchaser',
      });
    }),
  );

  router.get('/certificates', async (ctx) =>
    page(ctx, service, async () => {
      const state = ctx.state as AppState;
      let certNo = '';
      let result = null;
      let error: string | null = null;
      try {
        certNo = parseInput(CertLookupQuery, ctx.query).certNo ?? '';
        if (certNo) result = await service.certificate(certNo);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        ctx.status = STATUS[err.code];
        error = errorBody(ctx, err).message;
      }
      return state.render('catalogue/certificates', { title: state.t('catalogue.cert_lookup_title'), certNo, result, error });
    }),
  );

  return router;
}

/**
 * A public catalogue JSON answer is the same for every caller, so its serialised form is kept under the catalogue
 * version too (keyed by the URL and the day, since certificate validity is judged by date). Errors are never kept.
 */
async function json(ctx: Context, service: CatalogueService, compute: () => Promise<unknown>): Promise<void> {
  // Kept as UTF-8 bytes, so a hit is written out without encoding it again.
  ctx.body = await service.cache.getIf(`api:${service.today()}:${ctx.url}`, async () => Buffer.from(JSON.stringify(await compute())), () => true);
  ctx.type = 'application/json';
}

/**
 * Renders a catalogue page. A visitor with no identity and no session sees a page that depends only on the URL, the
 * language, the mount prefix, the catalogue version and the day, so that HTML is reused (under the catalogue cache's
 * version rule). Pages with another status than 200 are never kept, nor one that printed a CSRF token.
 */
async function page(ctx: Context, service: CatalogueService, render: () => Promise<string>): Promise<void> {
  const state = ctx.state as AppState;
  ctx.status = 200;
  if (state.actor || hasSessionCookie(ctx)) {
    ctx.body = await render();
    return;
  }
  const key = `page:${state.locale}:${state.base}:${service.today()}:${ctx.url}`;
  ctx.body = await service.cache.getIf(key, async () => Buffer.from(await render()), () => ctx.status === 200 && !state.session?.csrfSecret);
  ctx.type = 'html';
}

async function searchPage(ctx: Context, service: CatalogueService): Promise<string> {
  const state = ctx.state as AppState;
  const raw = dropEmpty(ctx.query as Record<string, unknown>);
  let error: string | null = null;
  let result = null;
  let query: SearchQuery | null = null;
  try {
    query = parseInput(SearchQuery, raw);
    result = await service.search(query);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    ctx.status = 422;
    error = errorBody(ctx, err).message;
  }
  const current = Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === 'string' && k !== 'page' && k !== 'lang')) as Record<string, string>;
  const facets = result?.facets ?? { kind: {}, level: {}, field: {}, city: {} };
  // Selection by the parsed value: `field=cnc_machine_tools` selects 数控机床.
  const chosen = (dim: 'kind' | 'level' | 'field' | 'city'): string | undefined => (query ? query[dim] : current[dim]);
  const facetList = (dim: 'kind' | 'level' | 'field' | 'city', values: readonly string[]) =>
    values.map((v) => ({ value: v, n: facets[dim]?.[v] ?? 0, selected: chosen(dim) === v }));
  const totalPages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  const page = result?.page ?? 1;
  const sort = query?.sort ?? (current.q ? 'relevance' : 'newest');
  return state.render('catalogue/search', {
    title: current.q ? state.t('catalogue.results_for', { q: current.q }) : state.t('catalogue.search_title'),
    error,
    q: current.q ?? '',
    current,
    activeFilters: FILTER_PARAMS.filter((k) => current[k] !== undefined).length,
    items: result?.items ?? [],
    total: result?.total ?? 0,
    facetKind: facetList('kind', PRODUCT_KINDS),
    facetLevel: facetList('level', LEVELS),
    facetField: facetList('field', FIELDS.map((f) => f.name)),
    facetCity: facetList('city', CITIES.map((c) => c.name)),
    badge: current.badge ?? '',
    sorts: SORTS.filter((s) => s !== 'relevance' || current.q).map((s) => ({ value: s, selected: sort === s })),
    priceMin: current.priceMin ?? '',
    priceMax: current.priceMax ?? '',
    pagination: paginationModel('/products', current, page, totalPages),
  });
}
