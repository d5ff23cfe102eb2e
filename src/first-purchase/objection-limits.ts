import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { RATE_LIMITS, RateLimiter, clientAddress, rateLimit, type AppState, type RateKey } from '../web';

/**
 * How many objections one caller may file (src/web/rate-limit.ts RATE_LIMITS, per hour, sliding): an anonymous caller
 * 5 per case and 20 over all cases from one client address, and all anonymous callers together 50 per case; a logged-in
 * caller 5 per case. Only objections actually filed count (a refused or invalid one gives its count back). Beyond a
 * limit: 429 `too_many_attempts` with Retry-After, before anything is written — every open objection must be
 * resolved or set aside before approval, so an unlimited stream would let anyone stall any case.
 *
 * A certification round's 公示 (recognition) is held to the same limits, counted per round (`round:<id>`, apart from
 * the cases): every open objection must be dealt with before the round is finalized, too.
 */
export function objectionKeys(ctx: Context, caseId: number | string): RateKey[] {
  const actor = (ctx.state as AppState).actor;
  if (actor) return [{ rule: RATE_LIMITS.objectionPerUserPerCase, subject: `${caseId}:${actor.id}` }];
  const address = clientAddress(ctx);
  return [
    { rule: RATE_LIMITS.objectionPerAddressPerCase, subject: `${caseId}:${address}` },
    { rule: RATE_LIMITS.objectionPerAddress, subject: address },
    { rule: RATE_LIMITS.objectionPerCase, subject: String(caseId) },
  ];
}

export const OBJECTION_LIMIT_MESSAGE = 'first_purchase.objection_rate_limited';

/** The limit as middleware for a route whose case id is `caseIdOf(ctx)` (null: not a case, let the route answer). */
export function objectionLimit(limiter: RateLimiter, caseIdOf: (ctx: Context) => number | string | null | Promise<number | string | null>) {
  return rateLimit(
    limiter,
    async (ctx) => {
      const caseId = await caseIdOf(ctx);
      return caseId === null ? [] : objectionKeys(ctx, caseId);
    },
    { messageKey: OBJECTION_LIMIT_MESSAGE, onlySuccess: true },
  );
}

const positiveId = (raw: string | undefined): number | null => (raw && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null);

/** The subject a round's objections count against (never a case's number). */
export const roundSubject = (roundId: number): string => `round:${roundId}`;

/**
 * The same limits for the notice page's objection form (POST /notices/:id/objections, served by the notices pages)
 * and for a certification round's JSON objections (POST /api/v1/certification-rounds/:id/objections, served by
 * recognition, whose routers come after these): this router runs first for those addresses, counts the objection
 * against the notice's case or round, and hands on.
 */
export function objectionFormLimits(deps: Deps): Router {
  const router = new Router();
  const limiter = new RateLimiter(deps.db, deps.clock);
  router.post(
    '/notices/:id/objections',
    objectionLimit(limiter, async (ctx) => {
      const noticeId = positiveId(ctx.params.id);
      if (noticeId === null) return null;
      const notice: { case_id: number | null; round_id: number | null } | undefined = await deps.db('notices').where({ id: noticeId }).first('case_id', 'round_id');
      if (!notice) return null;
      return notice.round_id !== null ? roundSubject(Number(notice.round_id)) : Number(notice.case_id);
    }),
  );
  router.post(
    '/api/v1/certification-rounds/:id/objections',
    objectionLimit(limiter, (ctx) => {
      const roundId = positiveId(ctx.params.id);
      return roundId === null ? null : roundSubject(roundId);
    }),
  );
  return router;
}

/** For the JSON route: the case id from the path. */
export const caseIdParam = (ctx: Context): number | null => positiveId((ctx as Context & { params?: Record<string, string> }).params?.id);
