import Router from '@koa/router';
import type { Context } from 'koa';
import { FormInvalid, STATUS, actorOf, deskSection, errorBody, parseForm, parseInput, requestBody, requireRole, setFlash, takeFlash, type Actor, type AppState } from '../web';
import type { Deps } from '../deps';
import { writeTransaction } from '../db';
import { AppError } from '../errors';
import { formatYuan, Money } from '../money';
import { AddressInput, CartLine, CheckoutInput, InvoiceTitleInput, ORDER_STATUSES, OrderInput, countByStatus, isDirectPurchaseLimit, paperworkProblems, type AddressView } from '../orders';
import { halfWidth } from '../schema';
import { shanghaiDay } from '../time';
import { directPurchaseLimitFen } from '../settings';
import { CASE_UPDATES, UPDATES_DAYS, caseUpdates, deskUpdates, objectionUpdates, orderUpdates, type UpdateSource } from '../audit';
import { cartOf, cartView, changeLine, checkLineAmount, saveCart } from './cart';
import { CASE_TODO, awardedAt, byDeadline, contractDueDay, noticeOver, ordersToAct, todo, type TodoItem } from './desk';
import { caseReservedFen, cartProducts } from './repo';

/** The purchaser's desk (采购单位工作台), the cart and the checkout: pages over the order and budget services. */
export function purchaserRoutes(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;
  const purchaser = requireRole('purchaser');

  router.get('/purchaser', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const actor = actorOf(ctx);
    const unitId = actor.purchaserId as number;
    const [budget, counts, recent, unit, todos, cart, updates] = await Promise.all([
      budgetLines(deps, unitId),
      countByStatus(deps.db, { purchaserId: unitId }),
      orders.list(actor, { page: 1, pageSize: 5 }),
      deps.db('purchasers').where({ id: unitId }).first('name'),
      purchaserTodos(deps, actor),
      cartOf(deps.db, actor.id),
      deskUpdates(deps.db, unitId, PURCHASER_UPDATES, deps.clock.now()),
    ]);
    const todo = deskSection('todo', todos, '/purchaser', ctx.query);
    ctx.body = state.render('purchaser/desk', {
      title: state.t('purchaser.desk_title'),
      flash: takeFlash(ctx),
      unitName: unit?.name ?? '',
      budget,
      todos: todo.items,
      todo,
      actionCount: todos.filter((i) => !i.waiting).length,
      statusCounts: ORDER_STATUSES.map((s) => ({ status: s, n: counts[s] ?? 0 })),
      recent: recent.items,
      cartCount: cart.length,
      updates,
      updatesDays: UPDATES_DAYS,
      updatesIntro: 'purchaser.updates_intro',
    });
  });

  router.get('/cart', purchaser, async (ctx) => renderCart(ctx, deps, 'purchaser/cart'));

  // Adding or changing a line: more than the stock, or a product no longer on sale, is said so and nothing changes
  // (the cart page with the reason, 409); otherwise back to the cart with what was done.
  router.post('/cart/items', purchaser, async (ctx) => {
    let line: CartLine;
    try {
      line = parseInput(CartLine, requestBody(ctx));
      if (line.quantity < 1) throw new AppError('validation_failed', 'validation.too_small', { field: 'quantity' }, 'quantity');
    } catch (err) {
      // A product page's quantity sent blank or wrong (past the browser's own check): the cart, saying what was wrong.
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      await renderCart(ctx, deps, 'purchaser/cart', errorBody(ctx, err).message, false, 422);
      return;
    }
    await changeCart(ctx, deps, line.productId, line.quantity, 'add');
  });

  router.post('/cart/items/:productId', purchaser, async (ctx) => {
    let line: CartLine;
    try {
      line = parseInput(CartLine, { ...requestBody(ctx), productId: ctx.params.productId });
    } catch (err) {
      // A quantity typed wrong in the cart (10001, letters): the cart again, saying what was wrong, not a bare error page.
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      await renderCart(ctx, deps, 'purchaser/cart', errorBody(ctx, err).message, false, 422);
      return;
    }
    await changeCart(ctx, deps, line.productId, line.quantity, 'set');
  });

  router.get('/checkout', purchaser, async (ctx) => renderCart(ctx, deps, 'purchaser/checkout'));

  // The unit's address book and invoice title (what checkout is prefilled with and the JSON route defaults to).
  router.get('/purchaser/addresses', purchaser, async (ctx) => addressPage(ctx, deps));
  router.post('/purchaser/addresses', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      await orders.addresses.add(actorOf(ctx), parseInput(AddressInput, body));
    } catch (err) {
      if (!(err instanceof AppError) || !['validation_failed', 'conflict'].includes(err.code)) throw err;
      await addressPage(ctx, deps, { body, errors: err.field ? { [err.field]: errorBody(ctx, err).message } : {}, error: err.field ? null : errorBody(ctx, err).message });
      ctx.status = STATUS[err.code];
      return;
    }
    setFlash(ctx, state.t('purchaser.address_added'));
    ctx.redirect(`${state.base}/purchaser/addresses`);
  });
  router.post('/purchaser/addresses/:id/default', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    await orders.addresses.makeDefault(actorOf(ctx), addressId(ctx.params.id));
    setFlash(ctx, state.t('purchaser.address_updated'));
    ctx.redirect(`${state.base}/purchaser/addresses`);
  });
  router.post('/purchaser/addresses/:id/delete', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    await orders.addresses.remove(actorOf(ctx), addressId(ctx.params.id));
    setFlash(ctx, state.t('purchaser.address_removed'));
    ctx.redirect(`${state.base}/purchaser/addresses`);
  });
  router.post('/purchaser/invoice-title', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      await orders.addresses.setInvoiceTitle(actorOf(ctx), parseInput(InvoiceTitleInput, body).invoiceTitle);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      await addressPage(ctx, deps, { invoiceBody: body, errors: { invoiceTitle: errorBody(ctx, err).message } });
      ctx.status = STATUS[err.code];
      return;
    }
    setFlash(ctx, state.t('purchaser.invoice_title_saved'));
    ctx.redirect(`${state.base}/purchaser/addresses`);
  });

  router.post('/checkout', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const actor = actorOf(ctx);
    const cart = await cartOf(deps.db, actor.id);
    if (!cart.length) {
      ctx.redirect(`${state.base}/cart`);
      return;
    }
    const body = requestBody(ctx);
    try {
      // Every field's problem at once, each beside its field, not one per submission: the form's own (parseForm) and
      // the formats of the phone, plan number and day that came through it (the order service judges them again).
      let problems: AppError[] = [];
      let parsed: CheckoutInput | undefined;
      try {
        parsed = parseForm(CheckoutInput, body);
      } catch (e) {
        if (!(e instanceof FormInvalid)) throw e;
        problems = e.errors;
      }
      const given = (field: 'contactPhone' | 'budgetCode' | 'deliveryDate') => {
        const v = body[field];
        return typeof v === 'string' && v.trim() !== '' && !problems.some((p) => p.field === field) ? halfWidth(v).trim() : undefined;
      };
      const formats = paperworkProblems(deps.clock, { contactPhone: given('contactPhone'), budgetCode: given('budgetCode'), deliveryDate: given('deliveryDate') });
      if (problems.length || formats.length || !parsed) throw new FormInvalid([...problems, ...formats]);
      const { addressId: _from, ...paperwork } = parsed;
      const input = parseInput(OrderInput, { items: cart });
      const placed = await orders.placeOrders(actor, input.items, { paperwork });
      await saveCart(deps.db, actor.id, [], deps.clock.now().toISOString());
      setFlash(ctx, state.t('purchaser.orders_placed', { n: placed.length, ids: placed.map((p) => p.orderNo).join(state.t('common.list_separator')) }));
      ctx.redirect(`${state.base}/orders`);
    } catch (err) {
      const refused = err instanceof FormInvalid ? err.errors : err instanceof AppError && err.code !== 'unauthenticated' && err.code !== 'forbidden' ? [err] : null;
      if (!refused) throw err;
      // A paperwork field's error beside its field (what was typed kept); others at the top of the page.
      const errors: Record<string, string> = {};
      let banner: string | null = null;
      for (const e of refused) {
        const message = errorBody(ctx, e).message;
        if (e.field && PAPERWORK_FIELDS.includes(e.field as (typeof PAPERWORK_FIELDS)[number])) errors[e.field] ||= message;
        else banner ??= message;
      }
      await renderCart(ctx, deps, 'purchaser/checkout', banner, refused.some(isDirectPurchaseLimit), 200, { body, errors });
      ctx.status = STATUS[refused[0]!.code];
    }
  });

  return router;
}

const PAPERWORK_FIELDS = ['deliveryAddress', 'contactPerson', 'contactPhone', 'deliveryDate', 'budgetCode', 'invoiceTitle'] as const;

function addressId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw new AppError('not_found', 'orders.address_not_found');
  return Number(raw);
}

/**
 * The checkout form's values: what was typed (after a refusal), else the address chosen from the book
 * (`?address=<id>`), else the unit's default address; the invoice title the unit's.
 */
async function paperworkForm(ctx: Context, deps: Deps, typed: Record<string, unknown> | undefined) {
  const book = await deps.services.orders.addresses.list(actorOf(ctx));
  const wanted = typed?.addressId ?? ctx.query.address;
  const chosen = book.addresses.find((a) => String(a.id) === wanted) ?? book.addresses.find((a) => a.isDefault) ?? null;
  const str = (k: string, fallback: string) => (typed && typeof typed[k] === 'string' ? (typed[k] as string) : fallback);
  return {
    addresses: book.addresses.map((a: AddressView) => ({ ...a, chosen: chosen?.id === a.id })),
    several: book.addresses.length > 1,
    addressId: chosen ? String(chosen.id) : '',
    values: {
      deliveryAddress: str('deliveryAddress', chosen?.address ?? ''),
      contactPerson: str('contactPerson', chosen?.contactPerson ?? ''),
      contactPhone: str('contactPhone', chosen?.phone ?? ''),
      deliveryDate: str('deliveryDate', ''),
      budgetCode: str('budgetCode', ''),
      invoiceTitle: str('invoiceTitle', book.invoiceTitle),
    },
    today: shanghaiDay(deps.clock.now()),
  };
}

async function addressPage(ctx: Context, deps: Deps, typed: { body?: Record<string, unknown>; invoiceBody?: Record<string, unknown>; errors?: Record<string, string>; error?: string | null } = {}): Promise<void> {
  const state = ctx.state as AppState;
  const book = await deps.services.orders.addresses.list(actorOf(ctx));
  ctx.body = state.render('purchaser/addresses', {
    title: state.t('purchaser.addresses_title'),
    flash: takeFlash(ctx),
    error: typed.error ?? null,
    unitName: book.unitName,
    addresses: book.addresses,
    invoiceTitle: typeof typed.invoiceBody?.invoiceTitle === 'string' ? typed.invoiceBody.invoiceTitle : book.invoiceTitle,
    form: Object.fromEntries(['label', 'address', 'contactPerson', 'phone'].map((f) => [f, typeof typed.body?.[f] === 'string' ? typed.body[f] : ''])),
    makeDefault: typed.body ? Boolean(typed.body.isDefault) : book.addresses.length === 0,
    errors: Object.fromEntries(['label', 'address', 'contactPerson', 'phone', 'invoiceTitle'].map((f) => [f, typed.errors?.[f] ?? ''])),
  });
}

/** `overLimit`: the error is the direct-purchase limit's, and the page points to the first-purchase procedure. */
async function renderCart(
  ctx: Context,
  deps: Deps,
  view: 'purchaser/cart' | 'purchaser/checkout',
  error: string | null = null,
  overLimit = false,
  status = 200,
  typed: { body?: Record<string, unknown>; errors?: Record<string, string> } = {},
): Promise<void> {
  const state = ctx.state as AppState;
  const actor = actorOf(ctx);
  const limitFen = await directPurchaseLimitFen(deps.db);
  const [cart, budget, paperwork] = await Promise.all([
    cartView(deps.db, await cartOf(deps.db, actor.id), limitFen),
    budgetLines(deps, actor.purchaserId as number),
    view === 'purchaser/checkout' ? paperworkForm(ctx, deps, typed.body) : Promise.resolve(null),
  ]);
  const short = Money.fromString(budget.available).fen < cart.totalFen;
  if (error) ctx.status = status;
  ctx.body = state.render(view, {
    paperwork,
    errors: Object.fromEntries(PAPERWORK_FIELDS.map((f) => [f, typed.errors?.[f] ?? ''])),
    title: state.t(view === 'purchaser/cart' ? 'purchaser.cart_title' : 'purchaser.checkout_title'),
    flash: takeFlash(ctx),
    error,
    // The pointer to a procurement procedure, beside the refusal or the cart's own warning.
    overLimit: overLimit || cart.overLimit,
    cart,
    budget,
    short,
    canCheckout: cart.count > 0 && !cart.blocked && !cart.overLimit && !short,
  });
}

/**
 * Adds to a line of the user's cart (or sets it; 0 removes it). More than the product's stock, or a product no
 * longer on sale, changes nothing and says so on the cart page (409); the cart is the user's (cart_lines), read and
 * written in one transaction.
 */
async function changeCart(ctx: Context, deps: Deps, productId: number, quantity: number, mode: 'add' | 'set'): Promise<void> {
  const state = ctx.state as AppState;
  const actor = actorOf(ctx);
  const refusal = await writeTransaction(deps.db, async (trx) => {
    const lines = changeLine(await cartOf(trx, actor.id), productId, quantity, mode);
    const wanted = lines.find((l) => l.productId === productId)?.quantity ?? 0;
    await checkLineAmount(trx, productId, wanted);
    if (wanted > 0) {
      const [p] = await cartProducts(trx, [productId]);
      if (!p || p.status !== 'approved') return state.t('purchaser.not_on_sale', { product: p?.title ?? String(productId) });
      // One unit alone above the direct-purchase limit can never be ordered here (DESIGN §9): refused now, with the way
      // on, rather than taken into a cart that then asks for fewer than one.
      const limitFen = await directPurchaseLimitFen(trx);
      if (mode === 'add' && p.price_fen > limitFen) return state.t('purchaser.unit_over_limit', { product: p.title, limit: formatYuan(Money.ofFen(limitFen)) });
      if (wanted > p.stock) return state.t(mode === 'add' ? 'purchaser.over_stock_add' : 'purchaser.over_stock_set', { product: p.title, stock: p.stock, unit: p.unit, quantity: wanted });
    }
    await saveCart(trx, actor.id, lines, deps.clock.now().toISOString());
    return null;
  });
  if (refusal) {
    await renderCart(ctx, deps, 'purchaser/cart', refusal, false, 409);
    return;
  }
  setFlash(ctx, state.t(mode === 'add' ? 'purchaser.added_to_cart' : quantity === 0 ? 'purchaser.removed_from_cart' : 'purchaser.cart_updated'));
  ctx.redirect(`${state.base}/cart`);
}

/**
 * The unit's budget as the desk and the checkout show it: what its orders hold apart from what its 首购 contracts
 * hold (both are reserved, commitment:<unit>; a contract reserves its amount until it is paid or ended).
 */
async function budgetLines(deps: Deps, unitId: number) {
  const [budget, cases] = await Promise.all([deps.services.budgets.budget(unitId), caseReservedFen(deps.db, unitId)]);
  const reserved = Money.fromString(budget.reserved).fen;
  const forCases = Math.min(cases, reserved);
  return { ...budget, reservedOrders: Money.ofFen(reserved - forCases).toString(), reservedCases: Money.ofFen(forCases).toString() };
}

/** The purchaser's to-do list: deliveries to accept, orders to pay, its 首购 cases at each step with their deadlines. */
async function purchaserTodos(deps: Deps, actor: Actor): Promise<TodoItem[]> {
  const now = deps.clock.now();
  const [orderRows, cases] = await Promise.all([ordersToAct(deps.db, actor.purchaserId as number), deps.services.firstPurchase.queries.list(actor, { page: 1, pageSize: 100 })]);
  const open = cases.items.filter((c) => CASE_TODO[c.status]);
  const awarded = await awardedAt(deps.db, open.filter((c) => c.status === 'awarded').map((c) => c.id));
  return byDeadline([
    ...orderRows.map((o) =>
      todo(now, { what: o.status === 'delivered' ? 'purchaser.todo_accept' : 'purchaser.todo_pay', ref: o.order_no, title: o.vendor_name, href: `/orders/${o.id}`, deadline: null, since: new Date(o.updated_at).toISOString() }),
    ),
    ...open.map((c) => {
      const won = awarded.get(c.id);
      const over = c.status === 'notice' ? noticeOver(c, now) : null;
      if (over) return todo(now, { what: over.what, ref: c.caseNo, title: c.projectName, href: `/first-purchases/${c.id}`, deadline: over.deadline, since: c.updatedAt, waiting: true, overdueWhileWaiting: true });
      const deadline = c.status === 'notice' ? c.noticeEndsAt : c.status === 'awarded' && won ? contractDueDay(won) : null;
      return todo(now, { what: CASE_TODO[c.status]!, ref: c.caseNo, title: c.projectName, href: `/first-purchases/${c.id}`, deadline, since: c.updatedAt, waiting: c.status === 'notice' });
    }),
  ]);
}

/** What others do to a purchasing unit's orders and 政府首购 cases that it should hear of on its desk. */
const PURCHASER_UPDATES: UpdateSource[] = [
  orderUpdates('purchaser_id', ['order.confirm', 'order.deliver', 'order.decline', 'order.refund']),
  caseUpdates('purchaser_id', CASE_UPDATES),
  objectionUpdates('purchaser_id'),
];
