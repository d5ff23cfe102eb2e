import { decide, stepNamed, type GuardFailure, type Step, type Workflow } from '../workflow';
import { invalidState } from '../errors';
import { Accept, Approve, CASE_STATUSES, Contract, Negotiate, TERMINATE_CAUSES, Terminate, TerminateCase, type CaseStatus } from './schema';

/**
 * The single-source case (政府首购) as one table of steps (DESIGN §3; MoF Order No. 74 arts. 38–43); the registrar
 * derives the routes, the next-steps list, the page forms and the access matrix's rows from it
 * (docs/adding-a-workflow-step.md).
 *
 *   draft ─submit→ notice ─approve→ approved ─negotiate→ awarded ─contract→ contracted ─accept→ accepted ─pay→ paid
 *                    │     (finance)      │        (above the budget → terminated, art. 43(3))   │ filing (finance, 合同备案)
 *                    ├─(objection upheld)┤→ terminated     (another method must be used)
 *                    ├─withdraw──────────┴─withdraw → terminated   (the purchaser or the department stops it)
 *                    └─terminate (draft … accepted) → terminated    (art. 43(1)(2), the supplier declines, withdrawal;
 *                                                                     by the purchaser or the finance department)
 *
 * Eligibility is checked again at approval, award and contract (DESIGN §9): the certificate must still be current.
 * Revoking a certificate terminates its open cases (art. 43(1); `terminateCasesOfCertificate`).
 */
export { CASE_STATUSES, type CaseStatus };

/** What the guards may look at: facts the service gathered inside its transaction (or the page from the case's view). */
export interface GuardFacts {
  now: Date;
  noticeEndsAt: Date | null;
  openObjections: number;
  certificateCurrent: boolean;
  /** The contract has been filed with the finance department (合同备案). */
  filed: boolean;
  /** The finance department's address, contact person and phone are set (the 公示 names them, art. 38). */
  financeContactSet: boolean;
  /**
   * 采购意向公开: false when the rule is on and no matching purchase intention has been public for `intentionDays`
   * days (integration/intentions.ts); absent where it was not looked up (a page's next steps).
   */
  intentionPublic?: boolean;
  intentionDays?: number;
}

export type CaseStep = Step<CaseStatus, GuardFacts>;

const certificateCurrent = (f: GuardFacts): GuardFailure | null => (f.certificateCurrent ? null : { key: 'first_purchase.guard_cert_not_current' });

const noticeOver = (f: GuardFacts): GuardFailure | null => {
  if (f.noticeEndsAt && f.now.getTime() <= f.noticeEndsAt.getTime()) return { key: 'first_purchase.guard_notice_running', params: { endsAt: f.noticeEndsAt.toISOString() } };
  if (f.openObjections > 0) return { key: 'first_purchase.guard_objections_open', params: { n: f.openObjections } };
  return null;
};

/** The notice has ended with nothing open, and the product is still eligible. */
const approvable = (f: GuardFacts): GuardFailure | null => noticeOver(f) ?? certificateCurrent(f);

/** The 公示 can name every contact art. 38 requires, and the product is still eligible. */
const publishable = (f: GuardFacts): GuardFailure | null =>
  (f.financeContactSet ? null : { key: 'first_purchase.guard_finance_contact_missing' }) ??
  (f.intentionPublic === false ? { key: 'integration.guard_intention_missing', params: { days: f.intentionDays ?? 30 } } : null) ??
  certificateCurrent(f);

const notFiled = (f: GuardFacts): GuardFailure | null => (f.filed ? { key: 'first_purchase.guard_already_filed' } : null);

export const CASE_WORKFLOW: Workflow<CaseStatus, GuardFacts> = {
  name: 'first_purchase',
  statuses: CASE_STATUSES,
  final: ['paid', 'terminated'],
  apiPrefix: '/api/v1/first-purchases',
  pagePrefix: '/first-purchases',
  wrongStateKey: (status) => `first_purchase.wrong_state_${status}`,
  steps: [
    {
      name: 'submit',
      from: ['draft'],
      to: 'notice',
      roles: ['purchaser'],
      may: 'case.submit',
      guard: publishable,
      notice: 'single_source',
      done: 'first_purchase.done_submit',
      form: { hint: 'first_purchase.submit_hint', button: 'first_purchase.submit_button', showWhenRefused: true },
    },
    {
      name: 'approve',
      from: ['notice'],
      to: 'approved',
      roles: ['finance'],
      may: 'case.approve',
      guard: approvable,
      input: Approve,
      inputOptional: true,
      done: 'first_purchase.done_approve',
      form: {
        title: 'first_purchase.approve_title',
        button: 'first_purchase.approve_button',
        showWhenRefused: true,
        fields: [
          { name: 'opinion', field: 'opinion', id: 'ap-opinion', label: 'first_purchase.approval_opinion', control: 'textarea', rows: 2, maxlength: 2000 },
          { name: 'approvalNo', field: 'approvalNo', id: 'ap-no', label: 'first_purchase.approval_no', control: 'input', maxlength: 64 },
        ],
      },
    },
    {
      name: 'negotiate',
      from: ['approved'],
      to: 'awarded',
      outcomes: ['terminated'],
      roles: ['purchaser'],
      may: 'case.negotiate',
      guard: certificateCurrent,
      input: Negotiate,
      notice: 'result',
      done: 'first_purchase.done_negotiate',
      form: {
        title: 'first_purchase.negotiate_title',
        hint: 'first_purchase.negotiate_hint',
        button: 'first_purchase.negotiate_button',
        fields: [
          { name: 'amount', field: 'amount', id: 'n-amount', label: 'first_purchase.agreed_price', control: 'decimal', required: true },
          { name: 'record[date]', field: 'record.date', id: 'n-date', label: 'first_purchase.record_date', control: 'date', required: true, initial: 'today' },
          { name: 'record[place]', field: 'record.place', id: 'n-place', label: 'first_purchase.record_place', control: 'input', required: true, maxlength: 200 },
          { name: 'record[staff]', field: 'record.staff', id: 'n-staff', label: 'first_purchase.record_staff', control: 'textarea', required: true, rows: 3, hint: 'first_purchase.staff_hint', lines: true },
          { name: 'record[supplierRepresentative]', field: 'record.supplierRepresentative', id: 'n-supplier-rep', label: 'first_purchase.record_supplier_rep', control: 'input', maxlength: 50 },
          { name: 'record[costNote]', field: 'record.costNote', id: 'n-cost', label: 'first_purchase.record_cost', control: 'textarea', required: true, rows: 3, maxlength: 5000 },
          { name: 'record[comparablePrices]', field: 'record.comparablePrices', id: 'n-comparable', label: 'first_purchase.record_comparable', control: 'textarea', required: true, rows: 2, maxlength: 5000 },
          { name: 'record[patents]', field: 'record.patents', id: 'n-patents', label: 'first_purchase.record_patents', control: 'textarea', required: true, rows: 2, maxlength: 5000 },
          { name: 'record[agreedTerms]', field: 'record.agreedTerms', id: 'n-terms', label: 'first_purchase.record_terms', control: 'textarea', required: true, rows: 2, maxlength: 5000 },
        ],
      },
    },
    {
      name: 'contract',
      from: ['awarded'],
      to: 'contracted',
      roles: ['purchaser'],
      may: 'case.contract',
      guard: certificateCurrent,
      input: Contract,
      movesMoney: true,
      notice: 'contract',
      done: 'first_purchase.done_contract',
      form: {
        title: 'first_purchase.contract_title',
        hint: 'first_purchase.contract_hint',
        button: 'first_purchase.contract_button',
        fields: [
          { name: 'contractNo', field: 'contractNo', id: 'k-no', label: 'fields.contractNo', control: 'input', required: true, maxlength: 64 },
          { name: 'signedAt', field: 'signedAt', id: 'k-date', label: 'fields.signedAt', control: 'date', required: true, initial: 'today' },
          { name: 'mainTerms', field: 'mainTerms', id: 'k-terms', label: 'first_purchase.contract_main_terms', control: 'textarea', rows: 2, maxlength: 5000, hint: 'first_purchase.contract_main_terms_hint' },
        ],
      },
    },
    {
      name: 'accept',
      from: ['contracted'],
      to: 'accepted',
      roles: ['purchaser'],
      may: 'case.accept',
      input: Accept,
      inputOptional: true,
      done: 'first_purchase.done_accept',
      form: {
        title: 'first_purchase.accept_title',
        hint: 'first_purchase.accept_hint',
        button: 'first_purchase.accept_button',
        fields: [
          { name: 'team', field: 'team', id: 'a-team', label: 'first_purchase.acceptance_team', control: 'textarea', required: true, rows: 2, hint: 'first_purchase.acceptance_team_hint', lines: true },
          { name: 'report', field: 'report', id: 'a-report', label: 'first_purchase.acceptance_report', control: 'textarea', required: true, rows: 4, maxlength: 5000 },
          { name: 'note', field: 'note', id: 'a-note', label: 'first_purchase.acceptance_note', control: 'textarea', rows: 2, maxlength: 1000 },
        ],
      },
    },
    {
      name: 'pay',
      from: ['accepted'],
      to: 'paid',
      roles: ['purchaser'],
      may: 'case.pay',
      movesMoney: true,
      done: 'first_purchase.done_pay',
      form: { hint: 'first_purchase.pay_hint', button: 'first_purchase.pay_button', confirm: 'first_purchase.pay_confirm' },
    },
    {
      // 合同备案: the finance department files the contract (within 7 working days of signing); the status stays.
      name: 'filing',
      from: ['contracted', 'accepted'],
      to: 'contracted',
      outcomes: ['accepted'],
      roles: ['finance'],
      may: 'case.file_contract',
      guard: notFiled,
      done: 'first_purchase.done_filing',
      form: { title: 'first_purchase.filing_title', hint: 'first_purchase.filing_hint', button: 'first_purchase.filing_button' },
    },
    {
      // MoF Order No. 74 art. 43 (and the supplier declining to sign, or withdrawal), at any point before payment — a
      // draft too (API.md), which ends without a notice: nothing of it was published.
      name: 'terminate',
      from: ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted'],
      to: 'terminated',
      roles: ['purchaser', 'finance'],
      may: 'case.terminate',
      input: TerminateCase,
      notice: 'termination',
      done: 'first_purchase.done_terminate',
      form: {
        title: 'first_purchase.terminate_title',
        hint: 'first_purchase.terminate_hint',
        button: 'first_purchase.terminate_button',
        danger: true,
        fields: [
          { name: 'cause', field: 'cause', id: 't-cause', label: 'first_purchase.termination_cause', control: 'select', options: TERMINATE_CAUSES, optionLabel: 'first_purchase.cause_', required: true },
          { name: 'explanation', field: 'explanation', id: 't-explanation', label: 'first_purchase.termination_explanation', control: 'textarea', required: true, rows: 2, maxlength: 1000 },
        ],
      },
    },
    {
      name: 'withdraw',
      from: ['notice', 'approved'],
      to: 'terminated',
      roles: ['purchaser', 'admin'],
      may: 'case.withdraw',
      input: Terminate,
      notice: 'termination',
      done: 'first_purchase.done_withdraw',
      form: {
        title: 'first_purchase.withdraw_title',
        button: 'first_purchase.withdraw_button',
        danger: true,
        fields: [{ name: 'reason', field: 'reason', id: 'w-reason', label: 'fields.reason', control: 'textarea', required: true, rows: 2, maxlength: 1000 }],
      },
    },
  ],
};

/**
 * Transitions that follow from another act rather than being a step of their own: an objection upheld by the
 * department ends the case during its notice (art. 40).
 */
export const CASCADES = {
  uphold_objection: { from: ['notice'] as readonly CaseStatus[], to: 'terminated' as CaseStatus },
  // A revoked certificate ends every open case resting on it (art. 43(1)).
  certificate_revoked: { from: ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted'] as readonly CaseStatus[], to: 'terminated' as CaseStatus },
};

export const FINAL_STATUSES: readonly CaseStatus[] = CASE_WORKFLOW.final;

/**
 * The next status for `step` (to its usual outcome, or to `to`), or a 409 saying what state the case is in (one
 * message per status, so it reads naturally in every language) or why the guard refused. `shownTime` formats instants
 * in guard messages for people.
 */
export function nextStatus(step: string, status: CaseStatus, facts: GuardFacts, shownTime: (iso: string) => string = (s) => s, to?: CaseStatus): CaseStatus {
  if (step in CASCADES) {
    const c = CASCADES[step as keyof typeof CASCADES];
    if (!c.from.includes(status)) throw invalidState(CASE_WORKFLOW.wrongStateKey(status), { status, action: step });
    return c.to;
  }
  const verdict = decide(CASE_WORKFLOW, stepNamed(CASE_WORKFLOW, step), status, facts, to);
  if (verdict.ok) return verdict.to;
  const params = { ...verdict.params };
  if (typeof params.endsAt === 'string') params.endsAt = shownTime(params.endsAt);
  throw invalidState(verdict.key, params);
}
