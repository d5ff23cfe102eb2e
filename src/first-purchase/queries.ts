import type { Clock } from '../clock';
import { executorFor, type Db, type Executor } from '../db';
import { AppError, forbidden, invalidState, notFound } from '../errors';
import { financeDepartment, financeDepartmentComplete } from '../settings';
import { shanghaiDay } from '../time';
import type { Actor, Page } from '../web';
import { shanghaiIsoSeconds } from '../workdays';
import { canOnCase, type CaseAct } from './policies';
import { caseSummary, caseView, filingDue, reviewDue, type CaseSummary, type CaseView } from './presenters';
import { awardLetter, caseNo, contractDue, type AwardLetter } from './notices';
import {
  findCase,
  listCaseNotices,
  listCases,
  listEligibleProducts,
  listHistory,
  listObjections,
  listAwaitingContract,
  listOpenObjections,
  listUnfiledContracts,
  openObjectionCounts,
  type CaseFilter,
  type ObjectionRow,
} from './repo';
import type { CaseListQuery } from './schema';
import { CASE_WORKFLOW, type CaseStatus, type GuardFacts } from './transitions';
import { nextSteps, type NextStep } from '../workflow';

export interface FinanceDesk {
  today: string;
  toApprove: Array<CaseSummary & { waitingSince: string }>;
  objectionReviews: Array<{
    objectionId: number;
    caseId: number;
    caseNo: string;
    projectName: string;
    name: string;
    organization: string;
    content: string;
    createdAt: string;
    copiedToFinanceAt: string | null;
    reviewBy: string | null;
    overdue: boolean;
  }>;
  filings: Array<{
    caseId: number;
    caseNo: string;
    projectName: string;
    purchaser: { id: number; name: string };
    vendor: { id: number; name: string };
    contractNo: string | null;
    signedAt: string | null;
    amount: string | null;
    filingDueAt: string;
    overdue: boolean;
  }>;
}

/** Reading cases: one case as its parties see it, lists per role, the department's work queues. */
export class CaseQueries {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** One case as `actor` sees it; `ex`: read inside the caller's transaction (a step answers with what it wrote). */
  async get(actor: Actor | null, id: number, ex: Executor = executorFor(this.db)): Promise<CaseView> {
    if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
    const c = await findCase(ex, id);
    const parties = c ? { purchaserId: c.purchaser_id, vendorId: c.vendor_id } : null;
    if (!c || !parties) throw notFound('first_purchase.not_found');
    if (!canOnCase(actor, 'case.read', parties)) throw forbidden();
    // A draft is its purchasing unit's own until it is published (its budget, its reasons): not there for the vendor.
    if (actor.role === 'vendor' && c.status === 'draft') throw notFound('first_purchase.not_found');
    // One after another: inside a transaction the three would share one connection anyway.
    const history = await listHistory(ex, id);
    const objections = await listObjections(ex, id);
    const notices = await listCaseNotices(ex, id);
    return caseView(c, { history, objections, notices, now: this.clock.now(), objectorContacts: canOnCase(actor, 'case.read_objector_contact', parties) });
  }

  /** The caller's own cases: a purchasing unit's, the cases naming a vendor's products, or (admin) all. */
  async list(actor: Actor, q: CaseListQuery): Promise<Page<CaseSummary>> {
    const filter: CaseFilter = { status: q.status };
    if (actor.role === 'purchaser') filter.purchaserId = actor.purchaserId ?? -1;
    else if (actor.role === 'vendor') Object.assign(filter, { vendorId: actor.vendorId ?? -1, published: true });
    const { rows, total } = await listCases(executorFor(this.db), filter, q.pageSize, (q.page - 1) * q.pageSize);
    const open = await openObjectionCounts(
      executorFor(this.db),
      rows.map((r) => r.id),
    );
    return { items: rows.map((r) => caseSummary(r, open.get(r.id) ?? 0)), total, page: q.page, pageSize: q.pageSize };
  }

  /**
   * The department's desk: cases whose period has ended and can be approved, open objections with their review
   * deadline (5 working days after the period, arts. 39–40; overdue marked), running notices, and awarded cases
   * waiting for their contract (30 days after the 成交通知书; overdue marked).
   */
  async adminQueues(limit = 100): Promise<{
    toApprove: CaseSummary[];
    waiting: CaseSummary[];
    objections: Array<ObjectionRow & { project_name: string; notice_ends_at: string | null; case_created_at: string; reviewBy: string | null; overdue: boolean }>;
    awaitingContract: Array<CaseSummary & { awardedOn: string | null; contractDueAt: string | null; overdue: boolean }>;
  }> {
    const now = this.clock.now().toISOString();
    const today = shanghaiDay(this.clock.now());
    const [ended, running, openRows, awarded] = await Promise.all([
      listCases(executorFor(this.db), { status: 'notice', noticeEndedBefore: now }, limit, 0),
      listCases(executorFor(this.db), { status: 'notice' }, limit, 0),
      listOpenObjections(executorFor(this.db), limit),
      listAwaitingContract(executorFor(this.db), limit),
    ]);
    const objections = openRows.map((o) => {
      const reviewBy = o.notice_ends_at ? reviewDue(o.notice_ends_at) : null;
      return { ...o, reviewBy, overdue: reviewBy !== null && today > reviewBy };
    });
    const awaitingContract = awarded.map((c) => {
      const awardedOn = c.awarded_at ? shanghaiDay(new Date(c.awarded_at)) : null;
      const due = awardedOn ? contractDue(awardedOn) : null;
      return { ...caseSummary(c, 0), awardedOn, contractDueAt: due, overdue: due !== null && today > due };
    });
    const open = await openObjectionCounts(executorFor(this.db), [...ended.rows, ...running.rows].map((r) => r.id));
    return {
      toApprove: ended.rows.filter((r) => !open.get(r.id)).map((r) => caseSummary(r, 0)),
      waiting: running.rows.filter((r) => !(r.notice_ends_at && r.notice_ends_at < now) || open.get(r.id)).map((r) => caseSummary(r, open.get(r.id) ?? 0)),
      objections,
      awaitingContract,
    };
  }

  /** Whether the finance department's contacts are set (the 公示 names them; submit waits for them). */
  async financeContactSet(): Promise<boolean> {
    return financeDepartmentComplete(await financeDepartment(executorFor(this.db)));
  }

  /**
   * The 成交通知书 of an awarded case, for its parties (others: 404 as for the case); before the award (or a case that
   * never was awarded) → 409.
   */
  async awardLetter(actor: Actor | null, id: number): Promise<AwardLetter & { status: CaseStatus }> {
    if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
    const c = await findCase(executorFor(this.db), id);
    if (!c) throw notFound('first_purchase.not_found');
    if (!canOnCase(actor, 'case.read', { purchaserId: c.purchaser_id, vendorId: c.vendor_id })) throw forbidden();
    if (!c.awarded_at || !c.negotiation || c.amount_fen === null) throw invalidState('first_purchase.no_award_letter', { status: c.status });
    return { ...awardLetter(c), status: c.status };
  }

  /**
   * The finance department's desk (财政部门): cases waiting for its approval (notice ended, nothing open), objection
   * reviews due (the copies it received: 5 working days after the notice period) and contract filings due (7 working
   * days after signing), each with its deadline and whether it has passed (today, Shanghai).
   */
  async financeDesk(limit = 100): Promise<FinanceDesk> {
    const ex = executorFor(this.db);
    const now = this.clock.now();
    const today = shanghaiDay(now);
    const ended = await listCases(ex, { status: 'notice', noticeEndedBefore: now.toISOString() }, limit, 0);
    const open = await openObjectionCounts(ex, ended.rows.map((r) => r.id));
    const objections = await listOpenObjections(ex, limit);
    const contracts = await listUnfiledContracts(ex, limit);
    return {
      today,
      // Longest waiting first.
      toApprove: ended.rows
        .filter((r) => !open.get(r.id))
        .map((r) => ({ ...caseSummary(r, 0), waitingSince: shanghaiIsoSeconds(new Date(r.notice_ends_at as string)) }))
        .sort((a, b) => a.waitingSince.localeCompare(b.waitingSince) || a.id - b.id),
      objectionReviews: objections.map((o) => {
        const reviewBy = o.notice_ends_at ? reviewDue(o.notice_ends_at) : null;
        return {
          objectionId: o.id,
          caseId: o.case_id,
          caseNo: caseNo({ id: o.case_id, created_at: o.case_created_at }),
          projectName: o.project_name,
          name: o.name,
          organization: o.organization,
          content: o.content,
          createdAt: shanghaiIsoSeconds(new Date(o.created_at)),
          copiedToFinanceAt: o.copied_to_finance_at ? shanghaiIsoSeconds(new Date(o.copied_to_finance_at)) : null,
          reviewBy,
          overdue: reviewBy !== null && today > reviewBy,
        };
      }),
      filings: contracts.map((c) => {
        const due = filingDue(c.signed_at as string);
        return {
          caseId: c.id,
          caseNo: caseNo(c),
          projectName: c.project_name,
          purchaser: { id: c.purchaser_id, name: c.purchaser_name },
          vendor: { id: c.vendor_id, name: c.vendor_name },
          contractNo: c.contract_no,
          signedAt: c.signed_at,
          amount: caseSummary(c, 0).amount,
          filingDueAt: due,
          overdue: today > due,
        };
      }),
    };
  }

  /**
   * What the actor may do next on the case (the table's steps their role and party admit, from its status); a step
   * the guards still refuse comes with the reason. The guards see the facts the service would see.
   */
  nextSteps(actor: Actor | null, view: CaseView, financeContactSet: boolean): NextStep<CaseStatus, GuardFacts>[] {
    const parties = { purchaserId: view.purchaser.id, vendorId: view.vendor.id };
    return nextSteps(CASE_WORKFLOW, actor, view.status as CaseStatus, (a, step) => canOnCase(a, step.may as CaseAct, parties), {
      now: this.clock.now(),
      noticeEndsAt: view.noticeEndsAt ? new Date(view.noticeEndsAt) : null,
      openObjections: view.openObjections,
      certificateCurrent: view.product.certificateCurrent,
      filed: view.filedAt !== null,
      financeContactSet,
    }).map((n) => {
      const params = { ...n.reasonParams };
      if (typeof params.endsAt === 'string') params.endsAt = shanghaiIsoSeconds(new Date(params.endsAt));
      return { ...n, reasonParams: params };
    });
  }

  /**
   * Products a case may be opened for today (approved, with a current certificate of their own vendor): every one,
   * by field (the form groups them so; 500 once left out every field after the first few, high-end medical among them).
   */
  async eligibleProducts(limit = 10_000) {
    return listEligibleProducts(executorFor(this.db), shanghaiDay(this.clock.now()), limit);
  }
}
