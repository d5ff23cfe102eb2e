import Router from '@koa/router';
import type { Context } from 'koa';
import { actorOf, errorBody, paginationModel, parseInput, requestBody, requireRole, setFlash, takeFlash, type AppState } from '../web';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { dropEmpty } from '../schema';
import { parseOrderId, STEP_ROLES } from './routes';
import { AcceptInput, OrderListQuery } from './schema';
import { OrderService } from './service';
import { ORDER_ACTIONS, ORDER_STATUSES, type OrderAction } from './transitions';

/** Where a step's form may send the user back to: the vendor's list, or the order itself. */
const RETURNS = /^\/(vendor\/orders|orders)(\?[\w=&%-]{0,200})?$/;

/** Order pages: "my orders" for purchasers (and the department), the vendor's orders, one order with its steps. */
export function orderPages(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;

  router.get('/orders', requireRole('purchaser', 'vendor', 'admin'), async (ctx) => listPage(ctx, orders, '/orders', 'orders/list'));
  router.get('/vendor/orders', requireRole('vendor'), async (ctx) => listPage(ctx, orders, '/vendor/orders', 'orders/vendor-list'));

  router.get('/orders/:id', requireRole('purchaser', 'vendor', 'admin'), async (ctx) => detailPage(ctx, orders, parseOrderId(ctx.params.id)));

  for (const action of ORDER_ACTIONS) {
    router.post(`/orders/:id/${action}`, requireRole(...STEP_ROLES[action]), async (ctx) => {
      const state = ctx.state as AppState;
      const id = parseOrderId(ctx.params.id);
      const body = requestBody(ctx);
      try {
        const note = action === 'accept' ? parseInput(AcceptInput, { note: body.note === '' ? undefined : body.note }).note : undefined;
        await orders.act(actorOf(ctx), id, action, { note });
      } catch (err) {
        if (!(err instanceof AppError) || ['not_found', 'unauthenticated'].includes(err.code)) throw err;
        const message = errorBody(ctx, err).message;
        // A bad note is shown beside the note, which keeps what was typed; other errors at the top of the page.
        const note = action === 'accept' ? { value: typeof body.note === 'string' ? body.note : '', error: err.field === 'note' ? message : null } : undefined;
        await detailPage(ctx, orders, id, note?.error ? null : message, note);
        ctx.status = err.code === 'validation_failed' ? 422 : err.code === 'forbidden' ? 403 : 409;
        return;
      }
      setFlash(ctx, state.t(`orders.done_${action}`, { id }));
      const back = typeof body.back === 'string' && RETURNS.test(body.back) ? body.back : `/orders/${id}`;
      ctx.redirect(`${state.base}${back}`);
    });
  }

  return router;
}

async function listPage(ctx: Context, orders: OrderService, path: string, view: string): Promise<void> {
  const state = ctx.state as AppState;
  const query = parseInput(OrderListQuery, dropEmpty(ctx.query as Record<string, unknown>));
  const page = await orders.list(actorOf(ctx), query);
  const current: Record<string, string> = query.status ? { status: query.status } : {};
  const rows = page.items.map((o) => ({ ...o, actions: stepsFor(ctx, o) }));
  ctx.body = state.render(view, {
    title: state.t(path === '/vendor/orders' ? 'orders.vendor_orders_title' : 'orders.my_orders_title'),
    flash: takeFlash(ctx),
    orders: rows,
    total: page.total,
    statuses: ORDER_STATUSES.map((s) => ({ value: s, selected: s === query.status })),
    pagination: paginationModel(path, current, page.page, Math.ceil(page.total / page.pageSize)),
    back: ctx.url,
  });
}

/** The steps a list row offers (the vendor's list confirms and delivers in place). */
function stepsFor(ctx: Context, o: { status: string }): OrderAction[] {
  const role = actorOf(ctx).role;
  if (role !== 'vendor') return [];
  return o.status === 'placed' ? ['confirm'] : o.status === 'confirmed' ? ['deliver'] : [];
}

async function detailPage(ctx: Context, orders: OrderService, id: number, error: string | null = null, note: { value: string; error: string | null } = { value: '', error: null }): Promise<void> {
  const state = ctx.state as AppState;
  const order = await orders.detail(actorOf(ctx), id);
  ctx.body = state.render('orders/detail', {
    title: state.t('orders.order_title', { id: order.id }),
    flash: takeFlash(ctx),
    error,
    note,
    order,
    steps: order.actions.map((a) => ({ action: a, accept: a === 'accept', danger: a === 'cancel' || a === 'refund' })),
    backToVendorList: actorOf(ctx).role === 'vendor',
  });
}
