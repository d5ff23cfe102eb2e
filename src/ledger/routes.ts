import Router from '@koa/router';
import type { Deps } from '../deps';
import { actorOf, idempotent, parseInput, requireRole, validate } from '../web';
import { dropEmpty } from '../schema';
import { AllocateInput, PageQuery, TransferQuery } from './schema';

/** The ledger's JSON API: budgets (admin allocates, purchaser reads), the books, and their verification. */
export function ledgerRoutes(deps: Deps): Router {
  const router = new Router();
  const budgets = deps.services.budgets;
  const admin = requireRole('admin');

  router.post('/api/v1/admin/budgets', admin, validate(AllocateInput), idempotent(deps.db, deps.clock, { status: 201 }), async (ctx) => {
    const input = ctx.state.input as AllocateInput;
    ctx.body = await budgets.allocate(actorOf(ctx), { purchaserId: input.purchaserId, amountFen: input.amount }, ctx.get('idempotency-key') || undefined);
    ctx.status = 201;
  });

  router.get('/api/v1/admin/budgets', admin, async (ctx) => {
    const q = parseInput(PageQuery, dropEmpty(ctx.query as Record<string, unknown>));
    ctx.body = await budgets.budgets(q.page, q.pageSize);
  });

  router.get('/api/v1/budget', requireRole('purchaser'), async (ctx) => {
    ctx.body = await budgets.budget(actorOf(ctx).purchaserId as number);
  });

  router.get('/api/v1/admin/ledger/verify', admin, async (ctx) => {
    ctx.body = await budgets.verify();
  });

  router.get('/api/v1/admin/ledger/transfers', admin, async (ctx) => {
    const q = parseInput(TransferQuery, dropEmpty(ctx.query as Record<string, unknown>));
    ctx.body = await budgets.transfers({ kind: q.kind, orderId: q.orderId, orderNo: q.orderNo }, q.page, q.pageSize);
  });

  router.get('/api/v1/admin/ledger/accounts', admin, async (ctx) => {
    const q = parseInput(PageQuery, dropEmpty(ctx.query as Record<string, unknown>));
    ctx.body = await budgets.accounts(q.page, q.pageSize);
  });

  return router;
}
