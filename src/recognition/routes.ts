import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { PagingQuery, dropEmpty } from '../schema';
import { actorOf, idParam, idempotent, objectFirst, pageOf, parseInput, requestBody, requireRole, validate, type Actor, type AppState } from '../web';
import { mountApiSteps } from '../workflow';
import { sendAttachment, uploadedAttachment } from './attachments';
import { ApplicationInput, AttachmentInput, ExpertActiveInput, AwardSettingsInput, ExpertEditInput, ExpertInput, ListEntryInput, ListQuery, ObjectionInput, PageQuery, ResolveInput, ReviewInput, ReviewsQuery, RoundInput, StatsQuery } from './schema';
import { ADMIN_APPLICATION, VENDOR_APPLICATION } from './transitions';
import { z } from 'zod';

const input = <T>(ctx: Context): T => (ctx.state as AppState).input as T;
const query = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parseInput(schema, dropEmpty(ctx.query as Record<string, unknown>));

const AwardQuery = PageQuery.extend({ status: z.enum(['due', 'paid'], { message: 'validation.one_of' }).optional() });

/** The JSON contract of API.md "First-unit policy: indicator list, certification applications, awards (认定)". */
export function recognitionApiRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.recognition;
  const admin = requireRole('admin');
  const vendor = requireRole('vendor');
  const expert = requireRole('expert');
  const finance = requireRole('finance');
  const reader = requireRole('vendor', 'admin', 'expert', 'purchaser', 'finance');
  const once = idempotent(deps.db, deps.clock);

  // ── the indicator list (清单): public; the department edits it, with history ──
  router.get('/api/v1/indicator-list', async (ctx) => {
    ctx.body = await service.indicatorList(query(ctx, ListQuery));
  });
  router.post('/api/v1/admin/indicator-list', admin, validate(ListEntryInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.addListEntry(actorOf(ctx), input<ListEntryInput>(ctx));
  });
  router.get('/api/v1/admin/indicator-list/:id', admin, async (ctx) => {
    ctx.body = await service.listEntryDetail(actorOf(ctx), idParam(ctx.params.id));
  });
  router.patch('/api/v1/admin/indicator-list/:id', admin, validate(ListEntryInput), async (ctx) => {
    ctx.body = await service.updateListEntry(actorOf(ctx), idParam(ctx.params.id), input<ListEntryInput>(ctx));
  });

  // ── the expert pool (专家库) ──
  router.get('/api/v1/admin/experts', admin, async (ctx) => {
    ctx.body = await service.experts(actorOf(ctx), query(ctx, PageQuery));
  });
  router.post('/api/v1/admin/experts', admin, validate(ExpertInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.addExpert(actorOf(ctx), input<ExpertInput>(ctx));
  });
  router.get('/api/v1/admin/experts/:id', admin, async (ctx) => {
    ctx.body = await service.expertDetail(actorOf(ctx), idParam(ctx.params.id));
  });
  router.patch('/api/v1/admin/experts/:id', admin, validate(ExpertEditInput), async (ctx) => {
    ctx.body = await service.updateExpert(actorOf(ctx), idParam(ctx.params.id), input<ExpertEditInput>(ctx));
  });
  router.post('/api/v1/admin/experts/:id/active', admin, validate(ExpertActiveInput), async (ctx) => {
    ctx.body = await service.setExpertActive(actorOf(ctx), idParam(ctx.params.id), input<ExpertActiveInput>(ctx).active);
  });

  // ── applications ──
  router.post('/api/v1/vendor/applications', vendor, validate(ApplicationInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.createApplication(actorOf(ctx), input<ApplicationInput>(ctx));
  });
  // API.md: own applications (vendor), any (admin), assigned (expert) — `GET /api/v1/admin/applications` is the admin's too.
  router.get('/api/v1/vendor/applications', requireRole('vendor', 'admin', 'expert'), async (ctx) => {
    ctx.body = await service.listApplications(actorOf(ctx), query(ctx, PageQuery));
  });
  // The vendor's draft corrected (the shape of creating it; a draft only, 409 after).
  router.patch('/api/v1/vendor/applications/:id', vendor, objectFirst(validate(ApplicationInput), (ctx) => service.getApplication(actorOf(ctx), idParam(ctx.params.id))), async (ctx) => {
    ctx.body = await service.updateDraft(actorOf(ctx), idParam(ctx.params.id), input<ApplicationInput>(ctx));
  });
  router.get('/api/v1/admin/applications', admin, async (ctx) => {
    ctx.body = await service.listApplications(actorOf(ctx), query(ctx, PageQuery));
  });
  router.get('/api/v1/applications/:id', reader, async (ctx) => {
    ctx.body = await service.getApplication(actorOf(ctx), idParam(ctx.params.id));
  });
  // Attachments: multipart `file` (PDF, JPEG, PNG; ≤ 10 MB) and `kind`; downloads only for those who may read it.
  router.post('/api/v1/vendor/applications/:id/attachments', vendor, objectFirst(async (ctx) => {
    const id = idParam(ctx.params.id);
    const { kind } = parseInput(AttachmentInput, requestBody(ctx));
    const file = await uploadedAttachment(ctx);
    ctx.status = 201;
    ctx.body = await service.addAttachment(actorOf(ctx), id, { kind, ...file });
  }, (ctx) => service.getApplication(actorOf(ctx), idParam(ctx.params.id))));
  router.delete('/api/v1/vendor/applications/:id/attachments/:aid', vendor, async (ctx) => {
    ctx.body = await service.removeAttachment(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.aid));
  });
  router.get('/api/v1/applications/:id/attachments/:aid', reader, async (ctx) => {
    sendAttachment(ctx, await service.attachment(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.aid)));
  });
  const visible = (actor: Actor, id: number) => service.getApplication(actor, id);
  mountApiSteps(router, VENDOR_APPLICATION, { idParam, idempotent: once, run: (step, actor, id, body) => service.run(step, actor, id, body), visible });
  mountApiSteps(router, ADMIN_APPLICATION, { idParam, idempotent: once, run: (step, actor, id, body) => service.run(step, actor, id, body), visible });

  // ── the experts' reviews ──
  router.get('/api/v1/expert/reviews', expert, async (ctx) => {
    ctx.body = await service.myReviews(actorOf(ctx), query(ctx, ReviewsQuery));
  });
  router.post('/api/v1/expert/reviews/:applicationId', expert, objectFirst(validate(ReviewInput), (ctx) => service.getApplication(actorOf(ctx), idParam(ctx.params.applicationId))), async (ctx) => {
    ctx.body = await service.review(actorOf(ctx), idParam(ctx.params.applicationId), input<ReviewInput>(ctx));
  });

  // ── rounds and their 公示 ──
  router.get('/api/v1/admin/certification-rounds', admin, async (ctx) => {
    const q = query(ctx, PagingQuery);
    ctx.body = pageOf((await service.rounds(actorOf(ctx))).items, q);
  });
  router.post('/api/v1/admin/certification-rounds', admin, validate(RoundInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.createRound(actorOf(ctx), input<RoundInput>(ctx));
  });
  router.get('/api/v1/admin/certification-rounds/:id', admin, async (ctx) => {
    ctx.body = await service.round(actorOf(ctx), idParam(ctx.params.id));
  });
  router.post('/api/v1/admin/certification-rounds/:id/finalize', admin, async (ctx) => {
    ctx.body = await service.finalizeRound(actorOf(ctx), idParam(ctx.params.id));
  });
  // A refused body to a round or objection that is not there, or not open, is that 404 or 409 (API.md's order).
  const openRuling = (ctx: Context) => service.checkOpenObjection(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.oid));
  router.post('/api/v1/admin/certification-rounds/:id/objections/:oid/resolve', admin, objectFirst(validate(ResolveInput), openRuling), async (ctx) => {
    const oid = idParam(ctx.params.oid);
    ctx.body = await service.resolveObjection(actorOf(ctx), idParam(ctx.params.id), oid, input<ResolveInput>(ctx));
  });
  // Anyone, during the notice period (as for single source).
  router.post('/api/v1/certification-rounds/:id/objections', objectFirst(validate(ObjectionInput), (ctx) => service.checkObjectionWindow(idParam(ctx.params.id))), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.fileObjection((ctx.state as AppState).actor, idParam(ctx.params.id), input<ObjectionInput>(ctx));
  });
  router.get('/api/v1/certification-notices', async (ctx) => {
    ctx.body = await service.notices(query(ctx, PageQuery));
  });
  router.get('/api/v1/certification-notices/:id', async (ctx) => {
    ctx.body = await service.notice(idParam(ctx.params.id));
  });

  // ── awards (奖励): the amounts by level are a setting; finance pays ──
  router.get('/api/v1/admin/certification-awards', admin, async (ctx) => {
    ctx.body = await service.awardSettings(actorOf(ctx));
  });
  router.post('/api/v1/admin/certification-awards', admin, validate(AwardSettingsInput), async (ctx) => {
    ctx.body = await service.setAwardSettings(actorOf(ctx), input<AwardSettingsInput>(ctx));
  });
  router.get('/api/v1/finance/awards', finance, async (ctx) => {
    ctx.body = await service.awardsDue(actorOf(ctx), query(ctx, AwardQuery));
  });
  router.post('/api/v1/finance/awards/:id/pay', finance, once, async (ctx) => {
    ctx.body = await service.payAward(actorOf(ctx), idParam(ctx.params.id));
  });

  // ── statistics (issue 15 item 8): applications, certificates, the list's standard track, awards ──
  router.get('/api/v1/admin/certification-stats', admin, async (ctx) => {
    ctx.body = await service.statistics(actorOf(ctx), (ctx.state as AppState).t, query(ctx, StatsQuery).year);
  });

  return router;
}
