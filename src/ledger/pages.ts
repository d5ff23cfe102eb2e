import Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  emptyForm,
  formFailure,
  paginationModel,
  parseForm,
  parseInput,
  requestBody,
  requireRole,
  setFlash,
  takeFlash,
  type AppState,
  type FormState,
} from '../web';
import type { Deps } from '../deps';
import { formatYuan, Money } from '../money';
import { BudgetService } from './budgets';
import { AllocateInput, PageQuery, TransferQuery } from './schema';

const FORM_FIELDS = ['purchaserId', 'amount'] as const;

/** The department's pages: budgets (allocate, per-unit table) and the ledger (accounts, transfers, verification). */
export function ledgerPages(deps: Deps): Router {
  const router = new Router();
  const budgets = deps.services.budgets;
  const admin = requireRole('admin');

  router.get('/admin/budgets', admin, async (ctx) => budgetsPage(ctx, deps, budgets, emptyForm(FORM_FIELDS)));

  router.post('/admin/budgets', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      const input = parseForm(AllocateInput, body);
      const { budget } = await budgets.allocate(actorOf(ctx), { purchaserId: input.purchaserId, amountFen: input.amount });
      setFlash(ctx, state.t('ledger.allocated', { amount: formatYuan(Money.ofFen(input.amount)), available: formatYuan(Money.fromString(budget.available)) }));
      ctx.redirect(`${state.base}/admin/budgets`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, FORM_FIELDS, body);
      await budgetsPage(ctx, deps, budgets, form);
      ctx.status = status;
    }
  });

  router.get('/admin/ledger', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const q = parseInput(TransferQuery, ctx.query);
    const [accounts, transfers, report] = await Promise.all([
      budgets.accounts(1, 100),
      budgets.transfers({ kind: q.kind, orderId: q.orderId }, q.page, q.pageSize),
      q.verify ? budgets.verify() : Promise.resolve(null),
    ]);
    const current: Record<string, string> = {};
    if (q.kind) current.kind = q.kind;
    if (q.orderId) current.orderId = String(q.orderId);
    ctx.body = state.render('ledger/ledger', {
      title: state.t('ledger.ledger_title'),
      accounts: accounts.items,
      accountTotal: accounts.total,
      transfers: transfers.items,
      transferTotal: transfers.total,
      kinds: ['allocate', 'reserve', 'release', 'settle', 'refund'].map((k) => ({ value: k, selected: k === q.kind })),
      orderId: q.orderId ? String(q.orderId) : '',
      report,
      pagination: paginationModel('/admin/ledger', current, q.page, Math.ceil(transfers.total / q.pageSize)),
    });
  });

  return router;
}

async function budgetsPage(ctx: Context, deps: Deps, budgets: BudgetService, form: FormState): Promise<void> {
  const state = ctx.state as AppState;
  const q = parseInput(PageQuery, ctx.query);
  const [table, units] = await Promise.all([budgets.budgets(q.page, q.pageSize), deps.db('purchasers').orderBy('id').select('id', 'name', 'city')]);
  ctx.body = state.render('ledger/budgets', {
    title: state.t('ledger.budgets_title'),
    flash: takeFlash(ctx),
    form,
    units: units.map((u) => ({ id: u.id, name: u.name, city: u.city, selected: String(u.id) === form.values.purchaserId })),
    rows: table.items,
    total: table.total,
    pagination: paginationModel('/admin/budgets', {}, q.page, Math.ceil(table.total / q.pageSize)),
  });
}
