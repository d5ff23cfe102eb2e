import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import Handlebars from 'handlebars';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { CITIES, FIELDS, LEVELS, PRODUCT_KINDS } from '../domain';
import { AppError, notFound } from '../errors';
import { Money, formatYuan } from '../money';
import { dropEmpty } from '../schema';
import { STATUS, csrfToken, errorBody, hasSessionCookie, paginationModel, parseInput, setPiecedBody, withCsrfPlaceholder, type Actor, type AppState, type ViewGlobals, type Views } from '../web';
import { CertLookupQuery, SearchQuery } from './schema';
import { CatalogueService } from './service';
import { synonymRoutes } from './synonym-routes';

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

  const views = deps.views;

  router.get('/', async (ctx) =>
    page(ctx, service, views, async () => {
      const state = ctx.state as AppState;
      const overview = await service.overview();
      return view('catalogue/home', {
        title: state.t('catalogue.home_title'),
        levels: LEVELS.map((level) => ({ level, items: overview.featured[level] })),
        boutique: overview.boutique,
        fields: overview.fields,
        cities: CITIES.map((c) => ({ name: c.name, n: overview.cities.find((x) => x.key === c.name)?.n ?? 0 })),
      });
    }),
  );

  router.get('/products', async (ctx) => page(ctx, service, views, () => searchPage(ctx, service)));

  router.get('/products/:id', async (ctx) =>
    page(ctx, service, views, async () => {
      const state = ctx.state as AppState;
      const product = await service.product(parseId(ctx.params.id));
      const limitFen = await service.directPurchaseLimitFen();
      return view('catalogue/product', {
        title: product.title,
        product,
        canBuy: state.actor?.role === 'purchaser',
        signedIn: state.actor !== null,
        // One unit alone above the direct-purchase limit cannot be bought in the boutique hall (DESIGN §9): said here,
        // before the cart refuses it.
        overLimit: Money.fromString(product.price).fen > limitFen ? formatYuan(Money.ofFen(limitFen)) : null,
        // Kept with the catalogue's version (a picture or document added or removed moves it): a signed-in caller's
        // page runs this model on every request, and these reads would queue on SQLite's one writer.
        media: await service.cache.get(`gallery:${product.id}`, () => deps.services.media.gallery(product.id, product.title)),
      });
    }),
  );

  router.get('/certificates', async (ctx) =>
    page(ctx, service, views, async () => {
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
      // A partial number that several certificates begin with: list them to choose from.
      const candidates = !result && certNo ? await service.certificateCandidates(certNo) : [];
      return view('catalogue/certificates', { title: state.t('catalogue.cert_lookup_title'), certNo, result, error, candidates });
    }),
  );

  synonymRoutes(router, deps);

  return router;
}

/**
 * A public catalogue JSON answer is the same for every caller, so its serialised form is kept under the catalogue
 * version too (keyed by the URL and the day, since certificate validity is judged by date). Errors are never kept.
 */
async function json(ctx: Context, service: CatalogueService, compute: () => Promise<unknown>): Promise<void> {
  // Kept as UTF-8 bytes, so a hit is written out without encoding it again.
  ctx.body = await service.responses.getIf(`api:${service.today()}:${ctx.url}`, async () => Buffer.from(JSON.stringify(await compute())), () => true);
  ctx.type = 'application/json';
}

/** A page to render: a view and its model. */
interface View {
  view: string;
  model: Record<string, unknown>;
}

const view = (name: string, model: Record<string, unknown>): View => ({ view: name, model });

/**
 * What a page shows of its caller comes from the render's globals: the header (name, role, the logout form's CSRF
 * token) and the navigation (role, the desk's counts). So a signed-in page is rendered once per URL, language, mount
 * prefix, day, catalogue version and *globals other than the caller's name, username and CSRF token*, with
 * placeholders for those three, and each caller gets that HTML with their own values put in (escaped as the template
 * escapes `{{…}}`). The placeholders are random per process and never leave it.
 */
const SLOT = `s${randomBytes(12).toString('hex')}`;
const SLOTS = { name: `${SLOT}n`, username: `${SLOT}u`, csrf: `${SLOT}c` } as const;
type Slot = keyof typeof SLOTS;
const SLOT_OF: Record<string, Slot> = { [SLOTS.name]: 'name', [SLOTS.username]: 'username', [SLOTS.csrf]: 'csrf' };
const SLOT_RE = new RegExp(`${SLOT}[nuc]`, 'g');

/** A page rendered with placeholders: its UTF-8 pieces and, between them, which caller value goes there. */
interface PageTemplate {
  pieces: Buffer[];
  slots: Slot[];
  approxBytes: number;
}

function toTemplate(html: string): PageTemplate {
  const pieces: Buffer[] = [];
  const slots: Slot[] = [];
  let at = 0;
  for (const m of html.matchAll(SLOT_RE)) {
    pieces.push(Buffer.from(html.slice(at, m.index)));
    slots.push(SLOT_OF[m[0]]);
    at = m.index + m[0].length;
  }
  pieces.push(Buffer.from(html.slice(at)));
  return { pieces, slots, approxBytes: 200 + pieces.reduce((n, b) => n + b.length, 0) };
}

/** The page for this caller: their name and username escaped as Handlebars escapes `{{…}}`, their own CSRF token. */
function fillIn(ctx: Context, template: PageTemplate, actor: Actor | null): void {
  if (template.slots.length === 0) {
    ctx.body = template.pieces[0];
    ctx.type = 'html';
    return;
  }
  const values: Partial<Record<Slot, Buffer>> = {};
  const value = (slot: Slot): Buffer => {
    const known = values[slot];
    if (known) return known;
    const text = slot === 'csrf' ? csrfToken(ctx) : Handlebars.Utils.escapeExpression(slot === 'name' ? (actor?.displayName ?? '') : (actor?.username ?? ''));
    return (values[slot] = Buffer.from(text));
  };
  const out: Buffer[] = [template.pieces[0]];
  template.slots.forEach((slot, i) => out.push(value(slot), template.pieces[i + 1]));
  // Written piece by piece: the kept HTML is not copied for each caller.
  setPiecedBody(ctx, out, 'html');
}

/**
 * The globals `state.render` would pass to the views for this request, found without rendering: `state.render` hands
 * them to `views.render` synchronously, which is stood in for during the call. Null if it did not call it.
 */
function globalsOf(state: AppState, views: Views): ViewGlobals | null {
  let seen: ViewGlobals | null = null;
  const target = views as unknown as { render: Views['render'] };
  target.render = (_view, _model, globals) => {
    seen = globals;
    return '';
  };
  try {
    state.render('', {});
  } finally {
    delete (target as { render?: unknown }).render;
  }
  return seen;
}

/** The globals a page's HTML depends on, with the caller's name, username and token left out (they are filled in). */
function globalsKey(globals: ViewGlobals): string {
  const actor = globals.actor ? { ...globals.actor, displayName: '', username: '' } : null;
  return JSON.stringify({ ...globals, csrfToken: '', actor });
}

/**
 * Renders a catalogue page. A visitor with no identity and no session sees a page that depends only on the URL, the
 * language, the mount prefix, the catalogue version and the day, so that HTML is reused (under the catalogue cache's
 * version rule). A caller with a session or an identity gets the HTML kept for the same URL and the same globals
 * but their name, username and token, with theirs put in (above); `render` runs only when no page is kept. It may
 * depend on the URL, the language, the catalogue's data and the caller's role only. Pages with another status than
 * 200 are never kept, nor one whose rendering changed the session.
 */
async function page(ctx: Context, service: CatalogueService, views: Views, render: () => Promise<View>): Promise<void> {
  const state = ctx.state as AppState;
  ctx.status = 200;
  const actor = state.actor;
  // One version read for the page and the catalogue reads its model makes (they join this one while it waits).
  const version = service.cache.currentVersion();
  if (!actor && !hasSessionCookie(ctx)) {
    const key = `page:${state.locale}:${state.base}:${service.today()}:${ctx.url}`;
    ctx.body = await service.responses.getIf(
      key,
      async () => {
        const p = await render();
        return Buffer.from(state.render(p.view, p.model));
      },
      () => ctx.status === 200 && !state.session?.csrfSecret,
      version,
    );
    ctx.type = 'html';
    return;
  }
  // The globals depend on the request, never on the page's model: found first, so that a page kept for them is
  // served without building its model again (the search page's, from its cached results and facets).
  const globals = globalsOf(state, views);
  if (!globals) {
    const p = await render();
    ctx.body = state.render(p.view, p.model);
    return;
  }
  const session = JSON.stringify(state.session ?? {});
  const key = `page:signed:${service.today()}:${ctx.url}:${globalsKey(globals)}`;
  const template = await service.responses.getIf(
    key,
    async () => {
      const p = await render();
      state.actor = actor ? { ...actor, displayName: SLOTS.name, username: SLOTS.username } : null;
      try {
        return toTemplate(await withCsrfPlaceholder(ctx, SLOTS.csrf, async () => state.render(p.view, p.model)));
      } finally {
        state.actor = actor;
      }
    },
    () => ctx.status === 200 && JSON.stringify(state.session ?? {}) === session,
    version,
  );
  fillIn(ctx, template, actor);
}

async function searchPage(ctx: Context, service: CatalogueService): Promise<View> {
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
    // A page number or size typed wrong (page=abc) says so over the first page, rather than over a catalogue of
    // nothing with every facet at (0).
    if (err.field === 'page' || err.field === 'pageSize') {
      const { page: _page, pageSize: _size, ...rest } = raw;
      query = parseInput(SearchQuery, rest);
      result = await service.search(query);
    }
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
  return view('catalogue/search', {
    title: current.q ? state.t('catalogue.results_for', { q: current.q }) : state.t('catalogue.search_title'),
    error,
    q: current.q ?? '',
    current,
    activeFilters: FILTER_PARAMS.filter((k) => current[k] !== undefined).length,
    items: result?.items ?? [],
    total: result?.total ?? 0,
    // A page past the last (page=9999 of 80): said as such, with the way back, not "nothing matches".
    pastLast: result && result.items.length === 0 && result.total > 0 ? { page, pages: totalPages } : null,
    suggestions: result?.suggestions ?? [],
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
