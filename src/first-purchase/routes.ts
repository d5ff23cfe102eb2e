import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { dropEmpty } from '../schema';
import { RateLimiter, actorOf, idempotent, objectFirst, parseInput, requireRole, validate, type AppState } from '../web';
import { caseIdParam, objectionLimit } from './objection-limits';
import { CaseListQuery, CreateCase, MarkObjection, ObjectionInput, ResolveObjection } from './schema';
import { CASE_WORKFLOW } from './transitions';
import { mountApiSteps } from '../workflow';

/** A case's (or, with its own message, a notice's) id from the path; anything but a positive number is a 404. */
export function idParam(raw: string | undefined, notFoundKey = 'first_purchase.not_found'): number {
  if (!raw || !/^[1-9]\d{0,8}$/.test(raw)) throw notFound(notFoundKey);
  return Number(raw);
}

const input = <T>(ctx: Context): T => (ctx.state as AppState).input as T;

/** The JSON contract of API.md for single-source cases. Handlers only parse, call the service and answer. */
export function firstPurchaseApiRoutes(deps: Deps): Router {
  const router = new Router({ prefix: '/api/v1/first-purchases' });
  const service = deps.services.firstPurchase;
  const purchaser = requireRole('purchaser');
  const admin = requireRole('admin');
  const party = requireRole('purchaser', 'vendor', 'admin', 'finance');
  const once = idempotent(deps.db, deps.clock);

  router.post('/', purchaser, validate(CreateCase), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.create(actorOf(ctx), input<CreateCase>(ctx));
  });

  // The purchaser corrects its draft (the shape of creating it); a case not its own or no longer a draft is refused
  // before the body is looked at (API.md's order).
  router.patch('/:id', purchaser, objectFirst(validate(CreateCase), (ctx) => service.checkEditable(actorOf(ctx), idParam(ctx.params.id))), async (ctx) => {
    ctx.body = await service.updateDraft(actorOf(ctx), idParam(ctx.params.id), input<CreateCase>(ctx));
  });

  router.get('/', party, async (ctx) => {
    ctx.body = await service.queries.list(actorOf(ctx), parseInput(CaseListQuery, dropEmpty(ctx.query as Record<string, unknown>)));
  });

  router.get('/:id', party, async (ctx) => {
    ctx.body = await service.queries.get(actorOf(ctx), idParam(ctx.params.id));
  });

  // 成交通知书 (the award letter to the supplier), for the case's parties; before the award → 409.
  router.get('/:id/award-letter', party, async (ctx) => {
    ctx.body = await service.queries.awardLetter(actorOf(ctx), idParam(ctx.params.id));
  });

  // Anyone, signed in or not: the public's right to object during the notice period — within the limits of
  // objection-limits.ts (429 with Retry-After beyond them).
  const objectionsLimited = objectionLimit(new RateLimiter(deps.db, deps.clock), caseIdParam);
  // A refused body to a case that is not there or not open to objections is that 404 or 409 (API.md's order).
  const openToObjections = (ctx: Context) => service.checkObjectionWindow(idParam(ctx.params.id));
  const ruling = (act: 'case.resolve_objection' | 'case.mark_objection') => (ctx: Context) => service.checkOpenObjection(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.oid), act);
  router.post('/:id/objections', objectFirst(validate(ObjectionInput), openToObjections), objectionsLimited, async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.fileObjection((ctx.state as AppState).actor, idParam(ctx.params.id), input<ObjectionInput>(ctx));
  });

  router.post('/:id/objections/:oid/resolve', admin, objectFirst(validate(ResolveObjection), ruling('case.resolve_objection')), async (ctx) => {
    const oid = idParam(ctx.params.oid);
    ctx.body = await service.resolveObjection(actorOf(ctx), idParam(ctx.params.id), oid, input<ResolveObjection>(ctx));
  });

  // Sets an open objection aside as spam or a duplicate, in one action (kept on record; no longer blocks approval).
  router.post('/:id/objections/:oid/mark', admin, objectFirst(validate(MarkObjection), ruling('case.mark_objection')), async (ctx) => {
    const oid = idParam(ctx.params.oid);
    ctx.body = await service.markObjection(actorOf(ctx), idParam(ctx.params.id), oid, input<MarkObjection>(ctx));
  });

  // The steps of the case: one route each, derived from the table (transitions.ts).
  mountApiSteps(router, { ...CASE_WORKFLOW, apiPrefix: '' }, {
    idParam: (raw) => idParam(raw),
    idempotent: once,
    run: (...args) => service.run(...args),
    visible: (actor, id) => service.queries.get(actor, id),
    refusal: (step, _actor, id) => service.checkStep(step, id),
  });

  return router;
}
