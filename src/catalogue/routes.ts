import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { CITIES, FIELDS, KINDS, LEVELS } from '../domain';
import { AppError, notFound } from '../errors';
import { errorBody } from '../web/errors';
import type { AppState } from '../web/state';
import { parseInput } from '../web/validate';
import { CertLookupQuery, SearchQuery, dropEmpty } from './schema';
import { paginationModel } from './pagination';
import { CatalogueService } from './service';

export function parseId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'];
const FILTER_PARAMS = ['level', 'kind', 'field', 'city', 'badge', 'priceMin', 'priceMax'];

export function catalogueRoutes(deps: Deps): Router {
  const router = new Router();
  const service = new CatalogueService(deps.db, deps.clock);

  router.get('/api/v1/products', async (ctx) => {
    ctx.body = await service.search(parseInput(SearchQuery, dropEmpty(ctx.query as Record<string, unknown>)));
  });

  router.get('/api/v1/products/:id', async (ctx) => {
    ctx.body = await service.product(parseId(ctx.params.id));
  });

  router.get('/api/v1/certificates/:certNo', async (ctx) => {
    ctx.body = await service.certificate(String(ctx.params.certNo));
  });

  router.get('/api/v1/catalogue/overview', async (ctx) => {
    ctx.body = await service.overview();
  });

  router.get('/', async (ctx) => {
    const state = ctx.state as AppState;
    const overview = await service.overview();
    ctx.body = state.render('catalogue/home', {
      title: state.t('catalogue.home_title'),
      levels: LEVELS.map((level) => ({ level, items: overview.featured[level] })),
      boutique: overview.boutique,
      fields: overview.fields,
      cities: CITIES.map((c) => ({ name: c.name, n: overview.cities.find((x) => x.key === c.name)?.n ?? 0 })),
    });
  });

  router.get('/products', async (ctx) => searchPage(ctx, service));

  router.get('/products/:id', async (ctx) => {
    const state = ctx.state as AppState;
    const product = await service.product(parseId(ctx.params.id));
    ctx.body = state.render('catalogue/product', {
      title: product.title,
      product,
      canBuy: state.actor?.role === 'purchaser',
    });
  });

  router.get('/certificates', async (ctx) => {
    const state = ctx.state as AppState;
    let certNo = '';
    let result = null;
    let error: string | null = null;
    try {
      certNo = parseInput(CertLookupQuery, ctx.query).certNo ?? '';
      if (certNo) result = await service.certificate(certNo);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = err.code === 'not_found' ? 404 : 422;
      error = errorBody(ctx, err).message;
    }
    ctx.body = state.render('catalogue/certificates', { title: state.t('catalogue.cert_lookup_title'), certNo, result, error });
  });

  return router;
}

async function searchPage(ctx: Context, service: CatalogueService): Promise<void> {
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
  ctx.body = state.render('catalogue/search', {
    title: current.q ? state.t('catalogue.results_for', { q: current.q }) : state.t('catalogue.search_title'),
    error,
    q: current.q ?? '',
    current,
    activeFilters: FILTER_PARAMS.filter((k) => current[k] !== undefined).length,
    items: result?.items ?? [],
    total: result?.total ?? 0,
    facetKind: facetList('kind', KINDS),
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
