import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Deps } from '../deps';
import { PagingQuery, dropEmpty } from '../schema';
import { shanghaiDay } from '../time';
import { actorOf, idParam, idempotent, pageOf, parseInput, requireRole, validate, type AppState } from '../web';
import { mountApiSteps } from '../workflow';
import { wordFields } from './labels';
import { ClaimInput, ClaimQuery, InsuranceStatsQuery, NationalInput, NationalQuery, RuleInput } from './schema';
import { explain, type ClaimView } from './service';
import { labelledStats } from './stats';
import { ADMIN_CLAIM, FINANCE_CLAIM, VENDOR_CLAIM } from './transitions';

const input = <T>(ctx: Context): T => (ctx.state as AppState).input as T;
const query = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parseInput(schema, dropEmpty(ctx.query as Record<string, unknown>));
const worded = (ctx: Context, v: ClaimView) => ({ ...v, computed: explain(v.computed, (ctx.state as AppState).t) });

/** The JSON contract of API.md "First-unit insurance compensation (保险补偿)", and the rule table and national records. */
export function insuranceApiRoutes(deps: Deps): Router {
  const router = new Router();
  router.use(wordFields);
  const service = deps.services.insurance;
  const admin = requireRole('admin');
  const vendor = requireRole('vendor');
  const desks = requireRole('vendor', 'admin', 'finance');
  const once = idempotent(deps.db, deps.clock);

  // ── the rule table: public; the department adds and edits versions, with history ──
  router.get('/api/v1/insurance-rules', async (ctx) => {
    const q = query(ctx, PagingQuery);
    ctx.body = pageOf((await service.rules()).items, q);
  });
  router.post('/api/v1/admin/insurance-rules', admin, validate(RuleInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.addRule(actorOf(ctx), input<RuleInput>(ctx));
  });
  router.get('/api/v1/admin/insurance-rules/:id', admin, async (ctx) => {
    ctx.body = await service.rule(actorOf(ctx), idParam(ctx.params.id));
  });
  router.patch('/api/v1/admin/insurance-rules/:id', admin, validate(RuleInput), async (ctx) => {
    ctx.body = await service.updateRule(actorOf(ctx), idParam(ctx.params.id), input<RuleInput>(ctx));
  });

  // ── claims ──
  router.post('/api/v1/vendor/insurance-claims/preview', vendor, validate(ClaimInput), async (ctx) => {
    ctx.body = { computed: explain(await service.preview(actorOf(ctx), input<ClaimInput>(ctx)), (ctx.state as AppState).t) };
  });
  router.post('/api/v1/vendor/insurance-claims', vendor, validate(ClaimInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = worded(ctx, await service.createClaim(actorOf(ctx), input<ClaimInput>(ctx)));
  });
  router.get('/api/v1/vendor/insurance-claims', vendor, async (ctx) => {
    const page = await service.listClaims(actorOf(ctx), query(ctx, ClaimQuery));
    ctx.body = { ...page, items: page.items.map((v) => worded(ctx, v)) };
  });
  router.get('/api/v1/admin/insurance-claims', admin, async (ctx) => {
    const page = await service.listClaims(actorOf(ctx), query(ctx, ClaimQuery));
    ctx.body = { ...page, items: page.items.map((v) => worded(ctx, v)) };
  });
  router.get('/api/v1/finance/insurance-claims', requireRole('finance'), async (ctx) => {
    const page = await service.listClaims(actorOf(ctx), query(ctx, ClaimQuery));
    ctx.body = { ...page, items: page.items.map((v) => worded(ctx, v)) };
  });
  router.get('/api/v1/insurance-claims/:id', desks, async (ctx) => {
    ctx.body = worded(ctx, await service.getClaim(actorOf(ctx), idParam(ctx.params.id)));
  });
  for (const [desk, wf] of [['vendor', VENDOR_CLAIM], ['admin', ADMIN_CLAIM], ['finance', FINANCE_CLAIM]] as const) {
    mountApiSteps(router, wf, { idParam, idempotent: once, run: async (step, actor, id, body) => service.run(desk, step, actor, id, body), visible: (actor, id) => service.getClaim(actor, id) });
  }

  // ── the statistics of paid claims: the department and finance (API.md; the current year when none is asked) ──
  router.get('/api/v1/admin/insurance-stats', requireRole('admin', 'finance'), async (ctx) => {
    const q = query(ctx, InsuranceStatsQuery);
    const year = q.year ?? Number(shanghaiDay(deps.clock.now()).slice(0, 4));
    ctx.body = labelledStats((ctx.state as AppState).t, await service.stats(actorOf(ctx), { year, groupBy: q.groupBy }));
  });

  // ── the national scheme's records (kept apart) ──
  router.get('/api/v1/admin/national-insurance', admin, async (ctx) => {
    const q = query(ctx, NationalQuery.extend(PagingQuery.shape));
    const records = await service.nationalRecords(actorOf(ctx), q.year);
    // Paged as every list; `years` sums every record of the filter, not only this page's.
    ctx.body = { ...records, ...pageOf(records.items, q) };
  });
  router.post('/api/v1/admin/national-insurance', admin, validate(NationalInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.addNationalRecord(actorOf(ctx), input<NationalInput>(ctx));
  });

  return router;
}
