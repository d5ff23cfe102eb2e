import Router from '@koa/router';
import type { Context } from 'koa';
import { STATUS, actorOf, errorBody, parseInput, requestBody, requireRole, setFlash, takeFlash, type AppState } from '../web';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { Money } from '../money';
import { CartLine, ORDER_STATUSES, OrderInput, countByStatus, isDirectPurchaseLimit } from '../orders';
import { directPurchaseLimitFen } from '../settings';
import { cartOf, cartView, changeLine, checkLineAmount, saveCart } from './cart';

/** The purchaser's desk (采购单位工作台), the cart and the checkout: pages over the order and budget services. */
export function purchaserRoutes(deps: Deps): Router {
  const router = new Router();
  const orders = deps.services.orders;
  const budgets = deps.services.budgets;
  const purchaser = requireRole('purchaser');

  router.get('/purchaser', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const actor = actorOf(ctx);
    const unitId = actor.purchaserId as number;
    const [budget, counts, recent, unit] = await Promise.all([
      budgets.budget(unitId),
      countByStatus(deps.db, { purchaserId: unitId }),
      orders.list(actor, { page: 1, pageSize: 5 }),
      deps.db('purchasers').where({ id: unitId }).first('name'),
    ]);
    ctx.body = state.render('purchaser/desk', {
      title: state.t('purchaser.desk_title'),
      flash: takeFlash(ctx),
      unitName: unit?.name ?? '',
      budget,
      statusCounts: ORDER_STATUSES.map((s) => ({ status: s, n: counts[s] ?? 0 })),
      recent: recent.items,
      cartCount: cartOf(ctx).length,
    });
  });

  router.get('/cart', purchaser, async (ctx) => renderCart(ctx, deps, 'purchaser/cart'));

  router.post('/cart/items', purchaser, async (ctx) => {
    const line = parseInput(CartLine, requestBody(ctx));
    if (line.quantity < 1) throw new AppError('validation_failed', 'validation.too_small', { field: 'quantity' }, 'quantity');
    const lines = changeLine(cartOf(ctx), line.productId, line.quantity, 'add');
    await checkLineAmount(deps.db, line.productId, lines.find((l) => l.productId === line.productId)?.quantity ?? 0);
    saveCart(ctx, lines);
    setFlash(ctx, (ctx.state as AppState).t('purchaser.added_to_cart'));
    ctx.redirect(`${(ctx.state as AppState).base}/cart`);
  });

  router.post('/cart/items/:productId', purchaser, async (ctx) => {
    const line = parseInput(CartLine, { ...requestBody(ctx), productId: ctx.params.productId });
    await checkLineAmount(deps.db, line.productId, line.quantity);
    saveCart(ctx, changeLine(cartOf(ctx), line.productId, line.quantity, 'set'));
    setFlash(ctx, (ctx.state as AppState).t(line.quantity === 0 ? 'purchaser.removed_from_cart' : 'purchaser.cart_updated'));
    ctx.redirect(`${(ctx.state as AppState).base}/cart`);
  });

  router.get('/checkout', purchaser, async (ctx) => renderCart(ctx, deps, 'purchaser/checkout'));

  router.post('/checkout', purchaser, async (ctx) => {
    const state = ctx.state as AppState;
    const cart = cartOf(ctx);
    if (!cart.length) {
      ctx.redirect(`${state.base}/cart`);
      return;
    }
    try {
      const input = parseInput(OrderInput, { items: cart });
      const placed = await orders.placeOrders(actorOf(ctx), input.items);
      saveCart(ctx, []);
      setFlash(ctx, state.t('purchaser.orders_placed', { n: placed.length, ids: placed.map((p) => p.orderNo).join('、') }));
      ctx.redirect(`${state.base}/orders`);
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'unauthenticated' || err.code === 'forbidden') throw err;
      await renderCart(ctx, deps, 'purchaser/checkout', errorBody(ctx, err).message, isDirectPurchaseLimit(err));
      ctx.status = STATUS[err.code];
    }
  });

  return router;
}

/** `overLimit`: the error is the direct-purchase limit's, and the page points to the first-purchase procedure. */
async function renderCart(ctx: Context, deps: Deps, view: 'purchaser/cart' | 'purchaser/checkout', error: string | null = null, overLimit = false): Promise<void> {
  const state = ctx.state as AppState;
  const actor = actorOf(ctx);
  const limitFen = await directPurchaseLimitFen(deps.db);
  const [cart, budget] = await Promise.all([cartView(deps.db, cartOf(ctx), limitFen), deps.services.budgets.budget(actor.purchaserId as number)]);
  const short = Money.fromString(budget.available).fen < cart.totalFen;
  ctx.body = state.render(view, {
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
