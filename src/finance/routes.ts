import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { actorOf, deskSection, requireRole, takeFlash, type AppState } from '../web';

/**
 * The finance department (财政部门): its desk, JSON and page. What it acts on — approving a single-source case, filing
 * a contract, terminating a case — are steps of the case's table (first-purchase/transitions.ts) with their own routes.
 */
export function financeRoutes(deps: Deps): Router {
  const router = new Router();
  const finance = requireRole('finance');
  const queries = deps.services.firstPurchase.queries;
  // Insurance claims in 联审 and approved claims due for payout (30 days), overdue marked: read through insurance.
  const insurance = () => deps.services.insurance.financeDesk();
  // Certification awards (奖励) due, oldest deadline first (the whole list and the payment: /finance/awards).
  const awards = async (ctx: Context) => {
    const due = await deps.services.recognition.awardsDue(actorOf(ctx), { page: 1, pageSize: 10, status: 'due' });
    return { count: due.total, items: due.items, overdue: due.items.filter((a) => a.overdue).length };
  };

  // Cases waiting for approval, objection reviews due, filings due; each with its deadline, overdue marked.
  router.get('/api/v1/finance/desk', finance, async (ctx) => {
    ctx.body = { ...(await queries.financeDesk()), insurance: await insurance(), awards: await awards(ctx) };
  });

  router.get('/finance', finance, async (ctx: Context) => {
    const state = ctx.state as AppState;
    const desk = await queries.financeDesk();
    const claims = await insurance();
    const row = (c: (typeof claims.jointReview)[number]) => ({ ...c, href: `/finance/insurance-claims/${c.id}` });
    // Each section: its first ten and its total, the rest on `?section=<name>&page=` (the awards: /finance/awards).
    const q = ctx.query;
    const sections = {
      toApprove: deskSection('approve', desk.toApprove, '/finance', q),
      objectionReviews: deskSection('objections', desk.objectionReviews, '/finance', q),
      filings: deskSection('filings', desk.filings, '/finance', q),
      jointReview: deskSection('joint-review', claims.jointReview.map(row), '/finance', q),
      payoutsDue: deskSection('payouts', claims.payoutsDue.map(row), '/finance', q),
    };
    ctx.body = state.render('finance/desk', {
      title: state.t('finance.desk_title'),
      flash: takeFlash(ctx),
      ...desk,
      toApprove: sections.toApprove.items,
      objectionReviews: sections.objectionReviews.items,
      filings: sections.filings.items,
      sections,
      insurance: { jointReview: sections.jointReview.items, payoutsDue: sections.payoutsDue.items, overdue: claims.overdue },
      awards: await awards(ctx),
    });
  });

  return router;
}
