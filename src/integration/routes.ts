import Router from '@koa/router';
import type { Context } from 'koa';
import { EVENT_TYPES } from '../audit';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { actorOf, emptyForm, formFailure, idParam, parseForm, parseInput, requestBody, requireRole, setFlash, takeFlash, validate, withoutEmpty, type AppState, type FormState } from '../web';
import { atomFeed } from './atom';
import { eventPage } from './events';
import { OcdsService } from './ocds';
import { DeliveriesQuery, EventsQuery, IntentionInput, IntentionListQuery, ListQuery, OcdsQuery, OcidPrefixInput, WebhookInput } from './schema';
import { suggestSecret } from './webhooks';

const WEBHOOK_FIELDS = ['url', 'events', 'secret'] as const;
const INTENTION_FIELDS = ['projectName', 'goods', 'budget', 'expectedMonth', 'productId'] as const;

/** The events a form names: "*" or names separated by commas, spaces or lines. */
const eventList = (v: unknown): string[] => (typeof v === 'string' ? v.split(/[\s,，、]+/).filter(Boolean) : Array.isArray(v) ? v.map(String) : []);

/** The feeds (events, Atom), the webhooks (API and admin pages) and the purchase intentions (API and pages). */
export function integrationRoutes(deps: Deps): Router {
  const router = new Router();
  const admin = requireRole('admin');
  const purchaser = requireRole('purchaser');
  const webhooks = () => deps.services.webhooks;
  const intentions = () => deps.services.intentions;
  // Stateless over the database: built here rather than among the app's services.
  const ocds = new OcdsService(deps.db, deps.clock);

  // --- the events feed (hosts that poll) ---
  router.get('/api/v1/events', admin, validate(EventsQuery, 'query'), async (ctx) => {
    const q = ctx.state.input as EventsQuery;
    ctx.body = await eventPage(deps.db, q.after, q.pageSize);
  });

  // --- the incremental OCDS release feed (public open data), and its ocid prefix (admin) ---
  router.get('/api/v1/ocds/releases', validate(OcdsQuery, 'query'), async (ctx) => {
    const q = ctx.state.input as EventsQuery;
    const state = ctx.state as AppState;
    const root = `${siteOrigin(ctx, deps.config.publicUrl)}${state.base}`;
    const pkg = await ocds.releasePackage(q.after, q.pageSize, root, `${root}/api/v1/ocds/releases?after=${q.after}&pageSize=${q.pageSize}`);
    if (!pkg) {
      ctx.status = 204; // nothing released after the cursor: keep it and ask again later
      return;
    }
    if (pkg.hasMore) ctx.set('Link', `<${root}/api/v1/ocds/releases?after=${pkg.next}&pageSize=${q.pageSize}>; rel="next"`);
    ctx.body = pkg;
  });
  router.get('/api/v1/admin/settings/ocds', admin, async (ctx) => {
    ctx.body = { ocidPrefix: await ocds.ocidPrefix() };
  });
  router.post('/api/v1/admin/settings/ocds', admin, validate(OcidPrefixInput), async (ctx) => {
    ctx.body = await ocds.setOcidPrefix(actorOf(ctx), (ctx.state.input as OcidPrefixInput).ocidPrefix);
  });

  // --- the public Atom feed of notices, newest first (`type` narrows it to any public notice type) ---
  router.get('/notices.atom', async (ctx) => {
    const state = ctx.state as AppState;
    const type = typeof ctx.query.type === 'string' && ctx.query.type ? ctx.query.type : undefined;
    const page = await deps.services.notices.list(parseNoticeQuery(type, deps.services.notices.types));
    ctx.type = 'application/atom+xml; charset=utf-8';
    ctx.body = atomFeed(page.items, { origin: siteOrigin(ctx, deps.config.publicUrl), base: state.base, type, title: state.t('integration.atom_title'), typeLabel: (t) => state.t(`notices.type_${t}`), now: deps.clock.now() });
  });

  // --- webhooks (JSON) ---
  router.post('/api/v1/admin/webhooks', admin, validate(WebhookInput), async (ctx) => {
    ctx.body = await webhooks().register(actorOf(ctx), ctx.state.input as WebhookInput);
    ctx.status = 201;
  });
  router.get('/api/v1/admin/webhooks', admin, validate(ListQuery, 'query'), async (ctx) => {
    const q = ctx.state.input as { page: number; pageSize: number };
    ctx.body = await webhooks().list(q.page, q.pageSize);
  });
  router.get('/api/v1/admin/webhooks/:id', admin, async (ctx) => {
    ctx.body = await webhooks().get(idParam(ctx.params.id));
  });
  router.get('/api/v1/admin/webhooks/:id/deliveries', admin, validate(DeliveriesQuery, 'query'), async (ctx) => {
    const q = ctx.state.input as { page: number; pageSize: number; status?: 'pending' | 'delivered' | 'dead' };
    ctx.body = await webhooks().deliveries(idParam(ctx.params.id), q.status, q.page, q.pageSize);
  });
  router.post('/api/v1/admin/webhooks/:id/deliveries/:did/redeliver', admin, async (ctx) => {
    ctx.body = await webhooks().redeliver(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.did));
  });

  // --- webhooks (admin pages) ---
  router.get('/admin/webhooks', admin, async (ctx) => {
    await webhooksPage(ctx, deps, null);
  });
  router.post('/admin/webhooks', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      const { id } = await webhooks().register(actorOf(ctx), parseForm(WebhookInput, { ...body, events: eventList(body.events) }));
      setFlash(ctx, state.t('integration.registered'));
      ctx.redirect(`${state.base}/admin/webhooks/${id}`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, WEBHOOK_FIELDS, body);
      await webhooksPage(ctx, deps, form);
      ctx.status = status;
    }
  });
  router.get('/admin/webhooks/:id', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const id = idParam(ctx.params.id);
    const q = parseInput(DeliveriesQuery, withoutEmpty(ctx.query as Record<string, unknown>));
    const [hook, page] = await Promise.all([webhooks().get(id), webhooks().deliveries(id, q.status, q.page, q.pageSize)]);
    const totalPages = Math.max(1, Math.ceil(page.total / page.pageSize));
    ctx.body = state.render('integration/webhook', {
      title: state.t('integration.webhook_title', { id }),
      hook,
      flash: takeFlash(ctx),
      deliveries: page.items.map((d) => ({ ...d, dead: d.status === 'dead', statusLabel: state.t(`integration.status_${d.status}`) })),
      total: page.total,
      statuses: ['', 'pending', 'delivered', 'dead'].map((s) => ({ value: s, label: s ? state.t(`integration.status_${s}`) : state.t('integration.status_all'), selected: (q.status ?? '') === s })),
      pagination: { page: page.page, totalPages, prev: page.page > 1 ? page.page - 1 : null, next: page.page < totalPages ? page.page + 1 : null, status: q.status ?? '' },
    });
  });
  router.post('/admin/webhooks/:id/deliveries/:did/redeliver', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const id = idParam(ctx.params.id);
    await webhooks().redeliver(actorOf(ctx), id, idParam(ctx.params.did));
    setFlash(ctx, state.t('integration.redelivered'));
    ctx.redirect(`${state.base}/admin/webhooks/${id}?status=dead`);
  });

  // --- purchase intentions (采购意向公开) ---
  router.post('/api/v1/purchase-intentions', purchaser, validate(IntentionInput), async (ctx) => {
    ctx.body = await intentions().publish(actorOf(ctx), ctx.state.input as IntentionInput);
    ctx.status = 201;
  });
  router.get('/api/v1/purchase-intentions', validate(IntentionListQuery, 'query'), async (ctx) => {
    ctx.body = await intentions().list(ctx.state.input as { page: number; pageSize: number; purchaserId?: number });
  });
  router.get('/api/v1/purchase-intentions/:id', async (ctx) => {
    ctx.body = await intentions().get(idParam(ctx.params.id));
  });
  router.get('/purchase-intentions', async (ctx) => {
    await intentionsPage(ctx, deps, null);
  });
  router.post('/purchase-intentions', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      const v = await intentions().publish(actorOf(ctx), parseForm(IntentionInput, withoutEmpty(body)));
      setFlash(ctx, state.t('integration.intention_published'));
      ctx.redirect(`${state.base}/purchase-intentions/${v.id}`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, INTENTION_FIELDS, body);
      await intentionsPage(ctx, deps, form);
      ctx.status = status;
    }
  });
  router.get('/purchase-intentions/:id', async (ctx) => {
    const state = ctx.state as AppState;
    const intention = await intentions().get(idParam(ctx.params.id));
    ctx.body = state.render('integration/intention', { title: intention.projectName, intention, flash: takeFlash(ctx) });
  });

  return router;
}

/**
 * The origin of the feeds' absolute links: PUBLIC_URL where it is set; else the request's own scheme and host (not
 * Koa 3's `ctx.origin`, the request's Origin header, which a feed reader does not send), and then the answer varies
 * by Host: a cache keyed by path alone must not hand one caller's Host to everyone (a penetration test, 2026-12-08).
 */
function siteOrigin(ctx: Context, publicUrl: string | null): string {
  if (publicUrl) return publicUrl;
  ctx.vary('Host');
  return `${ctx.protocol}://${ctx.host}`;
}

/** `?type=` of the Atom feed: any public notice type (the notices' own list), else a 422 naming `type`. */
function parseNoticeQuery(type: string | undefined, allowed: readonly string[]) {
  if (type !== undefined && !allowed.includes(type)) throw new AppError('validation_failed', 'validation.one_of', { field: 'type' }, 'type');
  return { type: type as 'single_source' | undefined, page: 1, pageSize: 50, lang: undefined };
}

async function webhooksPage(ctx: Context, deps: Deps, typed: FormState | null): Promise<void> {
  const state = ctx.state as AppState;
  const q = parseInput(ListQuery, withoutEmpty(ctx.query as Record<string, unknown>));
  const page = await deps.services.webhooks.list(q.page, q.pageSize);
  ctx.body = state.render('integration/webhooks', {
    title: state.t('integration.webhooks_title'),
    flash: takeFlash(ctx),
    items: page.items.map((w) => ({ ...w, eventsText: w.events.join(', ') })),
    total: page.total,
    form: typed ?? emptyForm(WEBHOOK_FIELDS, { events: '*', secret: suggestSecret() }),
    eventTypes: EVENT_TYPES.join(', '),
  });
}

async function intentionsPage(ctx: Context, deps: Deps, typed: FormState | null): Promise<void> {
  const state = ctx.state as AppState;
  const q = parseInput(IntentionListQuery, withoutEmpty(ctx.query as Record<string, unknown>));
  const page = await deps.services.intentions.list(q);
  const totalPages = Math.max(1, Math.ceil(page.total / page.pageSize));
  ctx.body = state.render('integration/intentions', {
    title: state.t('integration.intentions_title'),
    flash: takeFlash(ctx),
    items: page.items,
    total: page.total,
    mayPublish: state.actor?.role === 'purchaser',
    form: typed ?? emptyForm(INTENTION_FIELDS),
    pagination: { page: page.page, totalPages, prev: page.page > 1 ? page.page - 1 : null, next: page.page < totalPages ? page.page + 1 : null },
  });
}
