import { invalidState } from '../errors';
import { decide, stepNamed, type Step, type StepField, type Workflow } from '../workflow';
import { CLAIM_STATUSES, ClaimInput, ReviewInput, type ClaimStatus } from './schema';

/**
 * An insurance compensation claim (保险补偿, DESIGN §8) as three tables of steps, one per desk (API.md puts each
 * desk's steps under its own prefix); the registrar derives the routes, the page forms, the next-steps list and the
 * access matrix's rows (docs/adding-a-workflow-step.md).
 *
 *   draft ─submit→ submitted ─review (初审, admin)→ joint_review ─review (联审, finance)→ approved ─disburse→ paid
 *     ↑                      └→ rejected                       └→ rejected
 *     └──────── correct ──────────┘ (the vendor corrects a rejected claim, then submits it again)
 */
export { CLAIM_STATUSES, type ClaimStatus };

/** The guards need nothing beyond the status: the submission's refusals are the rule's (422 naming the field). */
export type ClaimFacts = Record<string, never>;
export type ClaimStep = Step<ClaimStatus, ClaimFacts>;

const wrongStateKey = (status: ClaimStatus) => `insurance.wrong_state_${status}`;

const claimField = (field: string, control: StepField['control'], extra: Partial<StepField> = {}): StepField => ({
  name: field,
  field,
  id: `c-${field}`,
  label: `insurance.field_${field}`,
  control,
  required: true,
  ...extra,
});

/** The claim form's fields (the page's new-claim form uses the same ids and labels). */
export const CLAIM_FORM_FIELDS: readonly StepField[] = [
  claimField('certNo', 'input', { maxlength: 64 }),
  claimField('policyNo', 'input', { maxlength: 64 }),
  claimField('insurer', 'input', { maxlength: 200 }),
  claimField('insuredValue', 'decimal', { hint: 'insurance.hint_yuan' }),
  claimField('premium', 'decimal', { hint: 'insurance.hint_yuan' }),
  claimField('policyStart', 'date'),
  claimField('policyEnd', 'date'),
  claimField('policyYear', 'select', { options: ['1', '2', '3'], optionLabel: 'insurance.policy_year_' }),
  claimField('unitOrdinal', 'select', { options: ['1', '2', '3'], optionLabel: 'insurance.unit_ordinal_' }),
  claimField('purchaserName', 'input', { maxlength: 200 }),
  claimField('contractNo', 'input', { maxlength: 64 }),
  claimField('nationalSubsidy', 'select', { options: ['false', 'true'], optionLabel: 'insurance.national_' }),
];

const reviewFields = (prefix: string): readonly StepField[] => [
  { name: 'passed', field: 'passed', id: `${prefix}-passed`, label: 'insurance.review_passed', control: 'select', options: ['true', 'false'], optionLabel: 'insurance.passed_', required: true },
  { name: 'opinion', field: 'opinion', id: `${prefix}-opinion`, label: 'insurance.review_opinion', control: 'textarea', rows: 3, maxlength: 2000, required: true, hint: 'insurance.review_opinion_hint' },
];

/** The vendor's own steps. */
export const VENDOR_CLAIM: Workflow<ClaimStatus, ClaimFacts> = {
  name: 'insurance_vendor',
  statuses: CLAIM_STATUSES,
  final: ['paid'],
  apiPrefix: '/api/v1/vendor/insurance-claims',
  pagePrefix: '/vendor/insurance-claims',
  wrongStateKey,
  steps: [
    {
      name: 'submit',
      from: ['draft'],
      to: 'submitted',
      roles: ['vendor'],
      may: 'claim.own',
      done: 'insurance.done_submit',
      form: { title: 'insurance.submit_title', hint: 'insurance.submit_hint', button: 'insurance.submit_button' },
    },
    {
      name: 'correct',
      from: ['draft', 'rejected'],
      to: 'draft',
      roles: ['vendor'],
      may: 'claim.own',
      input: ClaimInput,
      done: 'insurance.done_correct',
      form: { title: 'insurance.correct_title', hint: 'insurance.correct_hint', button: 'insurance.correct_button', fields: CLAIM_FORM_FIELDS },
    },
  ],
};

/** 初审 by the department (经信). */
export const ADMIN_CLAIM: Workflow<ClaimStatus, ClaimFacts> = {
  name: 'insurance_admin',
  statuses: CLAIM_STATUSES,
  final: ['paid'],
  apiPrefix: '/api/v1/admin/insurance-claims',
  pagePrefix: '/admin/insurance-claims',
  wrongStateKey,
  steps: [
    {
      name: 'review',
      from: ['submitted'],
      to: 'joint_review',
      outcomes: ['rejected'],
      roles: ['admin'],
      may: 'claim.first_review',
      input: ReviewInput,
      done: 'insurance.done_first_review',
      form: { title: 'insurance.first_review_title', hint: 'insurance.first_review_hint', button: 'insurance.review_button', fields: reviewFields('ar') },
    },
  ],
};

/** 联审 and the payout by the finance department (财政). */
export const FINANCE_CLAIM: Workflow<ClaimStatus, ClaimFacts> = {
  name: 'insurance_finance',
  statuses: CLAIM_STATUSES,
  final: ['paid'],
  apiPrefix: '/api/v1/finance/insurance-claims',
  pagePrefix: '/finance/insurance-claims',
  wrongStateKey,
  steps: [
    {
      name: 'review',
      from: ['joint_review'],
      to: 'approved',
      outcomes: ['rejected'],
      roles: ['finance'],
      may: 'claim.joint_review',
      input: ReviewInput,
      done: 'insurance.done_joint_review',
      form: { title: 'insurance.joint_review_title', hint: 'insurance.joint_review_hint', button: 'insurance.review_button', fields: reviewFields('fr') },
    },
    {
      name: 'disburse',
      from: ['approved'],
      to: 'paid',
      roles: ['finance'],
      may: 'claim.disburse',
      movesMoney: true,
      done: 'insurance.done_disburse',
      form: { title: 'insurance.disburse_title', hint: 'insurance.disburse_hint', button: 'insurance.disburse_button', confirm: 'insurance.disburse_confirm' },
    },
  ],
};

export const CLAIM_WORKFLOWS = { vendor: VENDOR_CLAIM, admin: ADMIN_CLAIM, finance: FINANCE_CLAIM } as const;
export type Desk = keyof typeof CLAIM_WORKFLOWS;

/** The next status for a desk's step, or the 409 in the status's words. */
export function nextStatus(desk: Desk, step: string, status: ClaimStatus, to?: ClaimStatus): ClaimStatus {
  const wf = CLAIM_WORKFLOWS[desk];
  const verdict = decide(wf, stepNamed(wf, step), status, {} as ClaimFacts, to);
  if (verdict.ok) return verdict.to;
  throw invalidState(verdict.key, verdict.params);
}
