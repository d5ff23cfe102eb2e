import { invalidState } from '../errors';
import { decide, stepNamed, type GuardFailure, type Step, type Workflow } from '../workflow';
import { APPLICATION_STATUSES, DrawInput, ScreenInput, type ApplicationStatus } from './schema';

/**
 * A certification application (认定申请, DESIGN §8) as tables of steps; the registrar derives the routes, the page
 * forms, the next-steps list and the access matrix's rows (docs/adding-a-workflow-step.md). The vendor's desk and
 * the department's desk live under their own prefixes (API.md), so the application has two tables over one status.
 *
 *   draft ─submit→ submitted ─screen (形式审查)→ expert_review ─experts (draw)→ … reviews … ─recommend→ recommended
 *                              └→ rejected                                         (mean < 70) └→ rejected
 *   recommended ─(a round publishes its 公示)→ in_round ─(round finalized)→ certified
 *                                                       └(objection upheld)→ rejected
 *
 * The round's moves are cascades (CASCADES): they follow from the round, not from a step on one application.
 */
export { APPLICATION_STATUSES, type ApplicationStatus };

/** What the guards look at, gathered by the service inside its transaction (or by a page from the view). */
export interface ApplicationFacts {
  /** Experts on the panel (drawn and not replaced after a conflict). */
  panel: number;
  /** Of them, those who have scored. */
  scored: number;
}

export type ApplicationStep = Step<ApplicationStatus, ApplicationFacts>;

const notDrawn = (f: ApplicationFacts): GuardFailure | null => (f.panel > 0 ? { key: 'recognition.guard_already_drawn', params: { n: f.panel } } : null);

/** The smallest panel that may recommend: the smallest draw (DrawInput, 3–7). */
export const MIN_PANEL = 3;

/** 补抽 only for a panel that conflicts have left short of MIN_PANEL with no replacement. */
const panelShort = (f: ApplicationFacts): GuardFailure | null => (f.panel > 0 && f.panel < MIN_PANEL ? null : { key: 'recognition.guard_panel_full', params: { min: MIN_PANEL } });

const allScored = (f: ApplicationFacts): GuardFailure | null => {
  if (f.panel === 0) return { key: 'recognition.guard_not_drawn' };
  if (f.panel < MIN_PANEL) return { key: 'recognition.guard_panel_short', params: { n: f.panel, min: MIN_PANEL } };
  if (f.scored < f.panel) return { key: 'recognition.guard_reviews_pending', params: { n: f.panel - f.scored } };
  return null;
};

const wrongStateKey = (status: ApplicationStatus) => `recognition.wrong_state_${status}`;

/** The vendor's own steps on its application. */
export const VENDOR_APPLICATION: Workflow<ApplicationStatus, ApplicationFacts> = {
  name: 'recognition_vendor',
  statuses: APPLICATION_STATUSES,
  final: ['certified', 'rejected'],
  apiPrefix: '/api/v1/vendor/applications',
  pagePrefix: '/vendor/applications',
  wrongStateKey,
  steps: [
    {
      name: 'submit',
      from: ['draft'],
      to: 'submitted',
      roles: ['vendor'],
      may: 'application.own',
      done: 'recognition.done_submit',
      form: { hint: 'recognition.submit_hint', button: 'recognition.submit_button' },
    },
  ],
};

/** The department's steps: 形式审查, the draw of experts, the recommendation from their scores. */
export const ADMIN_APPLICATION: Workflow<ApplicationStatus, ApplicationFacts> = {
  name: 'recognition_admin',
  statuses: APPLICATION_STATUSES,
  final: ['certified', 'rejected'],
  apiPrefix: '/api/v1/admin/applications',
  pagePrefix: '/admin/applications',
  wrongStateKey,
  steps: [
    {
      name: 'screen',
      from: ['submitted'],
      to: 'expert_review',
      outcomes: ['rejected'],
      roles: ['admin'],
      may: 'application.manage',
      input: ScreenInput,
      done: 'recognition.done_screen',
      form: {
        title: 'recognition.screen_title',
        hint: 'recognition.screen_hint',
        button: 'recognition.screen_button',
        fields: [
          { name: 'passed', field: 'passed', id: 's-passed', label: 'recognition.screen_passed', control: 'select', options: ['true', 'false'], optionLabel: 'recognition.passed_', required: true },
          { name: 'opinion', field: 'opinion', id: 's-opinion', label: 'recognition.screen_opinion', control: 'textarea', rows: 3, maxlength: 2000, hint: 'recognition.screen_opinion_hint' },
        ],
      },
    },
    {
      // The draw of the panel (status unchanged): 3–7 experts of the field, at random, never the applicant's own unit.
      name: 'experts',
      from: ['expert_review'],
      to: 'expert_review',
      roles: ['admin'],
      may: 'application.manage',
      guard: notDrawn,
      input: DrawInput,
      done: 'recognition.done_experts',
      form: {
        title: 'recognition.draw_title',
        hint: 'recognition.draw_hint',
        button: 'recognition.draw_button',
        fields: [{ name: 'count', field: 'count', id: 'd-count', label: 'recognition.draw_count', control: 'select', options: ['3', '4', '5', '6', '7'], optionLabel: 'recognition.count_', required: true }],
      },
    },
    {
      // 补抽: conflicts with no replacement left the panel short (status unchanged).
      name: 'top_up',
      from: ['expert_review'],
      to: 'expert_review',
      roles: ['admin'],
      may: 'application.manage',
      guard: panelShort,
      inputOptional: true,
      done: 'recognition.done_top_up',
      form: { title: 'recognition.top_up_title', hint: 'recognition.top_up_hint', button: 'recognition.top_up_button' },
    },
    {
      name: 'recommend',
      from: ['expert_review'],
      to: 'recommended',
      outcomes: ['rejected'],
      roles: ['admin'],
      may: 'application.manage',
      guard: allScored,
      done: 'recognition.done_recommend',
      form: { title: 'recognition.recommend_title', hint: 'recognition.recommend_hint', button: 'recognition.recommend_button', showWhenRefused: true },
    },
  ],
};

/** Moves that follow from a round rather than a step of their own. */
export const CASCADES = {
  enter_round: { from: ['recommended'] as readonly ApplicationStatus[], to: 'in_round' as ApplicationStatus },
  certify: { from: ['in_round'] as readonly ApplicationStatus[], to: 'certified' as ApplicationStatus },
  objection_upheld: { from: ['in_round'] as readonly ApplicationStatus[], to: 'rejected' as ApplicationStatus },
};

const WORKFLOWS = [VENDOR_APPLICATION, ADMIN_APPLICATION];

/** The next status for a step or cascade, or the 409 in the status's (or the guard's) words. */
export function nextStatus(step: string, status: ApplicationStatus, facts: ApplicationFacts, to?: ApplicationStatus): ApplicationStatus {
  if (step in CASCADES) {
    const c = CASCADES[step as keyof typeof CASCADES];
    if (!c.from.includes(status)) throw invalidState(wrongStateKey(status), { status, action: step });
    return c.to;
  }
  const wf = WORKFLOWS.find((w) => w.steps.some((s) => s.name === step));
  if (!wf) throw new Error(`recognition: no step ${step}`);
  const verdict = decide(wf, stepNamed(wf, step), status, facts, to);
  if (verdict.ok) return verdict.to;
  throw invalidState(verdict.key, verdict.params);
}
