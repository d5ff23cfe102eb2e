import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { z } from 'zod';
import type { Deps } from '../deps';
import { AppError, notFound } from '../errors';
import { actorOf, idempotent, parseInput, requireRole, validate } from '../web';
import { AcceptInput, NoInput, OrderInput, OrderListQuery } from './schema';
import type { OrderAction } from './transitions';

export function parseOrderId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw notFound('orders.not_found');
  return Number(raw);
}

/** Who may ask for each step at all; the service then checks the order is theirs (404) and its state (409). */
const STEP_ROLES: Record<OrderAction, Array<'purchaser' | 'vendor' | 'admin'>> = {
  confirm: ['vendor'],
  deliver: ['vendor'],
  accept: ['purchaser'],
  pay: ['purchaser'],
  cancel: ['purchaser'],
  refund: ['vendor', 'admin'],
};

/** A step's body may be left out entirely (the note is optional; the other steps take none); if sent, it must be an object. */
function optionalBody(schema: z.ZodType) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const body = (ctx.request as unknown as { body?: unknown }).body;
    if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) throw new AppError('malformed', 'errors.malformed_body');
    ctx.state.input = parseInput(schema, body ?? {});
    await next();
  };
}

/** Money-moving steps honour Idempotency-Key (API.md). */
const IDEMPOTENT: ReadonlySet<OrderAction> = new Set(['pay', 'refund', 'cancel']);

/** Boutique direct purchase, JSON (API.md "Purchaser" and "Vendor"). */
export function orderRoutes(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;
  const anyRole = requireRole('purchaser', 'vendor', 'admin');
  const passThrough = async (_ctx: Context, next: Next) => next();

  router.post('/api/v1/orders', requireRole('purchaser'), validate(OrderInput), idempotent(deps.db, deps.clock, { status: 201 }), async (ctx) => {
    ctx.body = await orders.place(actorOf(ctx), (ctx.state.input as OrderInput).items);
    ctx.status = 201;
  });

  router.get('/api/v1/orders', anyRole, async (ctx) => {
    ctx.body = await orders.list(actorOf(ctx), parseInput(OrderListQuery, ctx.query));
  });

  router.get('/api/v1/vendor/orders', requireRole('vendor'), async (ctx) => {
    ctx.body = await orders.list(actorOf(ctx), parseInput(OrderListQuery, ctx.query));
  });

  router.get('/api/v1/orders/:id', anyRole, async (ctx) => {
    ctx.body = await orders.detail(actorOf(ctx), parseOrderId(ctx.params.id));
  });

  for (const action of Object.keys(STEP_ROLES) as OrderAction[]) {
    const input = optionalBody(action === 'accept' ? AcceptInput : NoInput);
    const replay = IDEMPOTENT.has(action) ? idempotent(deps.db, deps.clock) : passThrough;
    router.post(`/api/v1/orders/:id/${action}`, requireRole(...STEP_ROLES[action]), input, replay, async (ctx) => {
      const note = action === 'accept' ? (ctx.state.input as AcceptInput).note : undefined;
      ctx.body = await orders.act(actorOf(ctx), parseOrderId(ctx.params.id), action, { note });
    });
  }

  return router;
}

export { STEP_ROLES };
