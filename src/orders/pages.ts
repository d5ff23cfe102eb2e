import Router from '@koa/router';
import type { Context } from 'koa';
import { STATUS, actorOf, errorBody, paginationModel, parseInput, requestBody, requireRole, setFlash, takeFlash, withoutEmpty, type AppState } from '../web';
import { fieldErrors, mountPageSteps, nextSteps, stepForms, stepNamed, type Step } from '../workflow';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { formatYuan, Money } from '../money';
import { dropEmpty } from '../schema';
import { ORDER_DOCUMENTS, orderDocument, orderPdf } from './documents';
import { parseOrderId } from './routes';
import { OrderListQuery } from './schema';
import { OrderService, type StepInput } from './service';
import { ORDER_STATUSES, ORDER_WORKFLOW, allowedActions, mayTake, type OrderAction, type OrderStatus, type OrderStep } from './transitions';

/** Where a step's form may send the user back to: the vendor's list, or the order itself. */
const RETURNS = /^\/(vendor\/orders|orders)(\?[\w=&%-]{0,200})?$/;

/** Order pages: "my orders" for purchasers (and the department), the vendor's orders, one order with its steps. */
export function orderPages(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;

  router.get('/orders', requireRole('purchaser', 'vendor', 'admin'), async (ctx) => listPage(ctx, orders, '/orders', 'orders/list'));
  router.get('/vendor/orders', requireRole('vendor'), async (ctx) => listPage(ctx, orders, '/vendor/orders', 'orders/vendor-list'));

  router.get('/orders/:id', requireRole('purchaser', 'vendor', 'admin'), async (ctx) => detailPage(ctx, orders, parseOrderId(ctx.params.id)));

  // The order confirmation (订单确认单) and acceptance form (验收单): a printable page and a PDF each, for both
  // parties and the department (someone else's order: 404, as the order itself).
  for (const kind of ORDER_DOCUMENTS) {
    router.get(`/orders/:id/${kind}`, requireRole('purchaser', 'vendor', 'admin'), async (ctx) => {
      const state = ctx.state as AppState;
      const order = await orders.detail(actorOf(ctx), parseOrderId(ctx.params.id));
      const doc = orderDocument(order, kind, state.t, deps.clock.now());
      ctx.body = state.render('orders/document', { title: `${doc.heading} ${order.orderNo}`, doc, order, pdf: `/orders/${order.id}/${kind}.pdf`, back: `/orders/${order.id}` });
    });
    router.get(`/orders/:id/${kind}.pdf`, requireRole('purchaser', 'vendor', 'admin'), async (ctx) => {
      const state = ctx.state as AppState;
      const order = await orders.detail(actorOf(ctx), parseOrderId(ctx.params.id));
      ctx.body = await orderPdf(orderDocument(order, kind, state.t, deps.clock.now()));
      ctx.type = 'application/pdf';
      ctx.set('Content-Disposition', `inline; filename="${order.orderNo}-${kind}.pdf"`);
      ctx.set('Cache-Control', 'private, no-store');
    });
  }

  // The steps of an order: one page route each, derived from the table (transitions.ts).
  mountPageSteps(router, ORDER_WORKFLOW, {
    idParam: parseOrderId,
    handle: async (ctx, step, id) => {
      const state = ctx.state as AppState;
      const body = requestBody(ctx);
      let done: { orderNo: string };
      try {
        const input = (step.input ? parseInput(step.input, withoutEmpty(body)) : {}) as StepInput;
        requireFields(step, input);
        // 取消订单 and 退款 ask twice: first the page that names what will happen, then its POST with confirm=1.
        if ((step as OrderStep).confirms && body.confirm !== '1' && (await confirmPage(ctx, orders, id, step as OrderStep, input))) return;
        done = await orders.act(actorOf(ctx), id, step.name as OrderAction, input);
      } catch (err) {
        if (!(err instanceof AppError) || ['not_found', 'unauthenticated'].includes(err.code)) throw err;
        const errors = fieldErrors(ctx, ORDER_WORKFLOW, err);
        // A bad note is shown beside the note, which keeps what was typed; other errors at the top of the page.
        await detailPage(ctx, orders, id, Object.keys(errors).length ? null : errorBody(ctx, err).message, { body, errors });
        ctx.status = STATUS[err.code];
        return;
      }
      setFlash(ctx, state.t(step.done, { no: done.orderNo }));
      const back = typeof body.back === 'string' && RETURNS.test(body.back) ? body.back : `/orders/${id}`;
      ctx.redirect(`${state.base}${back}`);
    },
  });

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

/** The steps a list row offers in place: the vendor's one-click steps (no fields, nothing undone by them). */
function stepsFor(ctx: Context, o: { status: string; purchaser: { id: number }; vendor: { id: number } }): OrderAction[] {
  const actor = actorOf(ctx);
  if (actor.role !== 'vendor') return [];
  return allowedActions(actor, { purchaserId: o.purchaser.id, vendorId: o.vendor.id, status: o.status as OrderStatus }).filter((a) => {
    const form = stepNamed(ORDER_WORKFLOW, a).form;
    return form && !form.danger && !form.fields?.length;
  });
}

async function detailPage(ctx: Context, orders: OrderService, id: number, error: string | null = null, typed: { body?: Record<string, unknown>; errors?: Record<string, string> } = {}): Promise<void> {
  const state = ctx.state as AppState;
  const actor = actorOf(ctx);
  const order = await orders.detail(actor, id);
  const parties = { purchaserId: order.purchaser.id, vendorId: order.vendor.id };
  const next = nextSteps<OrderStatus, unknown>(ORDER_WORKFLOW, actor, order.status as OrderStatus, (a, step) => mayTake(a, step, parties), undefined);
  ctx.body = state.render('orders/detail', {
    title: state.t('orders.order_title', { no: order.orderNo }),
    flash: takeFlash(ctx),
    error,
    order,
    // A cancelled or refunded order says why, at the top (the history row has it too).
    ended: ['cancelled', 'refunded'].includes(order.status) ? ([...order.history].reverse().find((h) => h.to === order.status) ?? null) : null,
    // A delivery sent back and not yet delivered again: both sides read why, at the top.
    rejected: order.status === 'confirmed' && order.history.at(-1)?.step === 'reject' ? order.history.at(-1) : null,
    // The payment's hint names whom it pays and how much, so the one click that moves the money says what it moves.
    steps: stepForms(next, {
      t: state.t,
      action: (step) => `${ORDER_WORKFLOW.pagePrefix}/${order.id}/${step.name}`,
      today: '',
      body: typed.body,
      errors: typed.errors,
      hintParams: () => ({ vendor: order.vendor.name, amount: formatYuan(Money.fromString(order.total)) }),
    }),
    backToVendorList: actor.role === 'vendor',
  });
}

/** The page form's required fields (the JSON route may leave them out: its callers predate them). */
function requireFields(step: Step<OrderStatus, unknown>, input: StepInput): void {
  for (const f of step.form?.fields ?? []) {
    const v = (input as Record<string, unknown>)[f.field];
    // Named as the form labels it ("取消原因：必填", not the shared field name's "理由").
    if (f.required && (v === undefined || v === null || v === '')) throw new AppError('validation_failed', 'validation.required', { fieldLabel: f.label }, f.field);
  }
}

/**
 * The confirmation page of a step that ends the order: what happens to the money (released to the unit's budget, or
 * refunded to it) and to the stock, the reason given, and a form that posts the same step again with confirm=1. A step
 * the caller may not take now is not confirmed but refused as usual (false: the caller goes on and gets the refusal).
 */
async function confirmPage(ctx: Context, orders: OrderService, id: number, step: OrderStep, input: StepInput): Promise<boolean> {
  const state = ctx.state as AppState;
  const order = await orders.detail(actorOf(ctx), id);
  if (!order.actions.includes(step.name as OrderAction)) return false;
  ctx.body = state.render('orders/confirm', {
    title: state.t(`orders.confirm_${step.name}_title`, { no: order.orderNo }),
    order,
    step: step.name,
    action: `${ORDER_WORKFLOW.pagePrefix}/${order.id}/${step.name}`,
    reason: input.reason ?? '',
    moneyText: state.t(`orders.consequence_money_${step.money ?? 'none'}`, { amount: formatYuan(Money.fromString(order.total)), purchaser: order.purchaser.name }),
    restoresStock: step.restoresStock,
    button: state.t(`orders.confirm_${step.name}_button`),
    back: `/orders/${order.id}`,
    backToVendorList: actorOf(ctx).role === 'vendor',
  });
  return true;
}
