import { invalidState } from '../errors';

/**
 * The single-source case (政府首购) as one explicit table of transitions (DESIGN §3; MoF Order No. 74 arts. 38–43).
 *
 *   draft ─submit→ notice ─approve→ approved ─award→ awarded ─contract→ contracted ─accept→ accepted ─pay→ paid
 *                    │                  │
 *                    ├─uphold_objection─┤→ terminated     (an upheld objection: another method must be used)
 *                    │                  ├─over_budget───→ terminated   (negotiated price above the budget)
 *                    └─withdraw─────────┴─withdraw──────→ terminated   (the purchaser or the department stops it)
 *
 * A guard answers with a message key (and its parameters) when the step is not allowed now, or null.
 */
export const CASE_STATUSES = ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted', 'paid', 'terminated'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export type CaseAction = 'submit' | 'approve' | 'uphold_objection' | 'award' | 'over_budget' | 'withdraw' | 'contract' | 'accept' | 'pay';

/** What the guards may look at: facts the service gathered inside its transaction. */
export interface GuardFacts {
  now: Date;
  noticeEndsAt: Date | null;
  openObjections: number;
  certificateCurrent: boolean;
}

export interface GuardFailure {
  key: string;
  params?: Record<string, string | number>;
}

export interface Transition {
  from: readonly CaseStatus[];
  to: CaseStatus;
  guard?: (facts: GuardFacts) => GuardFailure | null;
}

export const TRANSITIONS: Record<CaseAction, Transition> = {
  submit: {
    from: ['draft'],
    to: 'notice',
    guard: (f) => (f.certificateCurrent ? null : { key: 'first_purchase.guard_cert_not_current' }),
  },
  approve: {
    from: ['notice'],
    to: 'approved',
    guard: (f): GuardFailure | null => {
      if (f.noticeEndsAt && f.now.getTime() <= f.noticeEndsAt.getTime()) return { key: 'first_purchase.guard_notice_running', params: { endsAt: f.noticeEndsAt.toISOString() } };
      if (f.openObjections > 0) return { key: 'first_purchase.guard_objections_open', params: { n: f.openObjections } };
      return null;
    },
  },
  uphold_objection: { from: ['notice'], to: 'terminated' },
  award: { from: ['approved'], to: 'awarded' },
  over_budget: { from: ['approved'], to: 'terminated' },
  withdraw: { from: ['notice', 'approved'], to: 'terminated' },
  contract: { from: ['awarded'], to: 'contracted' },
  accept: { from: ['contracted'], to: 'accepted' },
  pay: { from: ['accepted'], to: 'paid' },
};

export const FINAL_STATUSES: readonly CaseStatus[] = ['paid', 'terminated'];

/** Is `action` possible from `status` at all (ignoring guards)? */
export const leadsFrom = (action: CaseAction, status: CaseStatus): boolean => TRANSITIONS[action].from.includes(status);

/** The guard's verdict for a step that is possible from the status, or null when it may go ahead. */
export function guardFailure(action: CaseAction, facts: GuardFacts): GuardFailure | null {
  return TRANSITIONS[action].guard?.(facts) ?? null;
}

/**
 * The next status, or a 409 saying what state the case is in (one message per status, so it reads naturally in
 * every language) or why the guard refused. `shownTime` formats instants in guard messages for people.
 */
export function nextStatus(action: CaseAction, status: CaseStatus, facts: GuardFacts, shownTime: (iso: string) => string = (s) => s): CaseStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) throw invalidState(`first_purchase.wrong_state_${status}`, { status, action });
  const failure = guardFailure(action, facts);
  if (failure) {
    const params: Record<string, string | number> = { ...(failure.params ?? {}), status };
    if (typeof params.endsAt === 'string') params.endsAt = shownTime(params.endsAt);
    throw invalidState(failure.key, params);
  }
  return t.to;
}
