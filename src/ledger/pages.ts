import Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  emptyForm,
  errorBody,
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
import { AppError } from '../errors';
import { formatYuan, Money } from '../money';
import { dropEmpty } from '../schema';
import { parseAccountCode } from './accounts';
import { BudgetService } from './budgets';
import { AllocateInput, PageQuery, TransferQuery, pageTransferQuery } from './schema';

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
    const query = pageTransferQuery(dropEmpty(ctx.query as Record<string, unknown>));
    // A filter that cannot be read (an order box holding neither a number nor an id) is said beside the box, over the
    // unfiltered list, rather than as an error page without the form.
    let q: TransferQuery;
    let filterError: string | null = null;
    try {
      q = parseInput(TransferQuery, query);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      filterError = errorBody(ctx, err).message;
      ctx.status = 422;
      q = parseInput(TransferQuery, {});
    }
    const [accounts, transfers, report] = await Promise.all([
      budgets.accounts(1, 100),
      budgets.transfers({ kind: q.kind, orderId: q.orderId, orderNo: q.orderNo }, q.page, q.pageSize),
      q.verify ? budgets.verify() : Promise.resolve(null),
    ]);
    const current: Record<string, string> = {};
    if (q.kind) current.kind = q.kind;
    if (q.orderId) current.order = String(q.orderId);
    if (q.orderNo) current.order = q.orderNo;
    const names = await accountNames(deps, [...transfers.items.flatMap((t) => [t.from, t.to]), ...accounts.items.map((a) => a.code)]);
    const account = (code: string) => ({ code, ...(names.get(code) ?? { owner: code, typeKey: 'ledger.col_account' }) });
    ctx.body = state.render('ledger/ledger', {
      title: state.t('ledger.ledger_title'),
      accounts: accounts.items.map((a) => ({ ...a, account: account(a.code) })),
      accountTotal: accounts.total,
      transfers: transfers.items.map((t) => ({ ...t, fromAccount: account(t.from), toAccount: account(t.to) })),
      transferTotal: transfers.total,
      kinds: ['allocate', 'reserve', 'release', 'settle', 'refund'].map((k) => ({ value: k, selected: k === q.kind })),
      order: filterError ? String(query.orderNo ?? query.orderId ?? '') : (q.orderNo ?? (q.orderId ? String(q.orderId) : '')),
      filterError,
      report,
      pagination: paginationModel('/admin/ledger', current, q.page, Math.ceil(transfers.total / q.pageSize)),
    });
  });

  return router;
}

/**
 * Accounts as people read them (issue 18 item 7): the owner's name — the purchasing unit of `budget:1` and
 * `commitment:1`, the vendor of `vendor:3` — or the fund's name (国库, 奖励资金…), with the account's kind; the code
 * itself stays beside it in small print. One query per kind of owner.
 */
async function accountNames(deps: Deps, codes: string[]): Promise<Map<string, { owner: string | null; typeKey: string }>> {
  const parsed = [...new Set(codes)].flatMap((code) => {
    try {
      return [{ code, ...parseAccountCode(code) }];
    } catch {
      return [];
    }
  });
  const ids = (types: string[]) => [...new Set(parsed.filter((p) => types.includes(p.type) && p.ownerId !== null).map((p) => p.ownerId as number))];
  const [units, vendors] = await Promise.all([
    ids(['budget', 'commitment']).length ? deps.db('purchasers').whereIn('id', ids(['budget', 'commitment'])).select('id', 'name') : Promise.resolve([]),
    ids(['vendor']).length ? deps.db('vendors').whereIn('id', ids(['vendor'])).select('id', 'name') : Promise.resolve([]),
  ]);
  const unitName = new Map((units as Array<{ id: number; name: string }>).map((u) => [Number(u.id), u.name]));
  const vendorName = new Map((vendors as Array<{ id: number; name: string }>).map((v) => [Number(v.id), v.name]));
  return new Map(
    parsed.map((p) => {
      const owner = p.ownerId === null ? null : p.type === 'vendor' ? vendorName.get(p.ownerId) : unitName.get(p.ownerId);
      return [p.code, { owner: owner ?? null, typeKey: `ledger.account_${p.type}` }];
    }),
  );
}

async function budgetsPage(ctx: Context, deps: Deps, budgets: BudgetService, form: FormState): Promise<void> {
  const state = ctx.state as AppState;
  const q = parseInput(PageQuery, dropEmpty(ctx.query as Record<string, unknown>));
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
