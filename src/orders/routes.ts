import Router from '@koa/router';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { actorOf, idempotent, parseInput, requireRole, validate } from '../web';
import { mountApiSteps } from '../workflow';
import { dropEmpty } from '../schema';
import { OrderInput, OrderListQuery } from './schema';
import type { StepInput } from './service';
import { ORDER_WORKFLOW, type OrderAction } from './transitions';

export function parseOrderId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw notFound('orders.not_found');
  return Number(raw);
}

/** Boutique direct purchase, JSON (API.md "Purchaser" and "Vendor"). */
export function orderRoutes(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;
  const anyRole = requireRole('purchaser', 'vendor', 'admin');

  router.post('/api/v1/orders', requireRole('purchaser'), validate(OrderInput), idempotent(deps.db, deps.clock, { status: 201 }), async (ctx) => {
    const { items, ...paperwork } = ctx.state.input as OrderInput;
    ctx.body = await orders.place(actorOf(ctx), items, paperwork);
    ctx.status = 201;
  });

  router.get('/api/v1/orders', anyRole, async (ctx) => {
    ctx.body = await orders.list(actorOf(ctx), parseInput(OrderListQuery, dropEmpty(ctx.query as Record<string, unknown>)));
  });

  router.get('/api/v1/vendor/orders', requireRole('vendor'), async (ctx) => {
    ctx.body = await orders.list(actorOf(ctx), parseInput(OrderListQuery, dropEmpty(ctx.query as Record<string, unknown>)));
  });

  router.get('/api/v1/orders/:id', anyRole, async (ctx) => {
    ctx.body = await orders.detail(actorOf(ctx), parseOrderId(ctx.params.id));
  });

  // The steps of an order: one route each, derived from the table (transitions.ts). The service checks the order
  // is the caller's (404) and its state (409); money-moving steps honour Idempotency-Key.
  mountApiSteps(router, ORDER_WORKFLOW, {
    idParam: parseOrderId,
    idempotent: idempotent(deps.db, deps.clock),
    run: (step, actor, id, input) => orders.act(actor, id, step as OrderAction, input as StepInput),
    visible: (actor, id) => orders.detail(actor, id),
  });

  return router;
}

