import type { z } from 'zod';
import type { Role } from '../web';

/**
 * Workflows as data (Vendure's order process, Outline's policies): a workflow is one table of steps. Each step says
 * everything about itself once — the states it leads from and to, who may take it (roles at the door, the object's
 * parties inside), the guard over the facts the service gathers, its input schema, whether it moves money and so
 * honours Idempotency-Key, the notice it publishes, its page form and its message keys. The registrar
 * (registrar.ts) derives from the table the JSON routes, the page routes, the "what can I do next" list and the
 * access-matrix rows; the domain's service derives the transition itself (`advance`).
 */

/** Why a step is not possible now: a message key and its parameters. */
export interface GuardFailure {
  key: string;
  params?: Record<string, string | number>;
}

/** One field of a step's page form; the generic partial `step-forms` renders it with its label and its error. */
export interface StepField {
  /** The form control's name, e.g. `amount` or `record[date]`. */
  name: string;
  /** The field's key in the input (and in a 422's `field`), e.g. `amount` or `record.date`. */
  field: string;
  /** The element id (stable: pages and tests link to it). */
  id: string;
  /** Message key of the label. */
  label: string;
  control: 'input' | 'textarea' | 'date' | 'decimal' | 'select';
  /** A select's values, and the message-key prefix of their labels (`first_purchase.cause_` + value). */
  options?: readonly string[];
  optionLabel?: string;
  required?: boolean;
  maxlength?: number;
  rows?: number;
  /** Message key of a hint under the field. */
  hint?: string;
  /** The value a fresh form shows: today's date (Shanghai), or nothing. */
  initial?: 'today';
  /** The control carries a list, one item per line (an array in the input). */
  lines?: boolean;
}

/** A step's form on the object's page. */
export interface StepForm {
  /** Message key of the form's heading, if it has one. */
  title?: string;
  /** Message key of the hint above the fields; its parameters come from the page's object (`hintParams`). */
  hint?: string;
  button: string;
  fields?: readonly StepField[];
  /** A step that ends the procedure: a red button, folded away under its title. */
  danger?: boolean;
  /** The form is shown (disabled, with the reason) while the guard still refuses, not hidden. */
  showWhenRefused?: boolean;
  /**
   * Message key of a statement the person ticks before the button (a payment that cannot be undone: "我已核对…，确认
   * 拨付"); its parameters come from the page's object, as the hint's do. The page's POST without the tick is a 422
   * naming `_confirm` (mountPageSteps); the JSON route is not asked.
   */
  confirm?: string;
}

export interface Step<S extends string, F> {
  /** The step's name: its route segment, its audit action, its message keys. */
  name: string;
  from: readonly S[];
  /** Where the step leads. */
  to: S;
  /** Other states the step may end in, as the service decides (a price above the budget terminates the case). */
  outcomes?: readonly S[];
  /** Who may ask at the door (the route's role check); the object check is `may`. */
  roles: readonly Role[];
  /** Which of the object's parties may take it (a party rule of the domain's policy). */
  may: string;
  guard?: (facts: F) => GuardFailure | null;
  /** The input schema (JSON body and page form alike); none: the step takes no input. */
  input?: z.ZodType;
  /** The body may be left out entirely (every field optional). */
  inputOptional?: boolean;
  /** Moves money: the JSON route honours Idempotency-Key. */
  movesMoney?: boolean;
  /** The notice type the step publishes, if any. */
  notice?: string;
  /** Message key of the flash after the step is taken on a page. */
  done: string;
  /** Its page form; a step without one has a JSON route only. */
  form?: StepForm;
}

/** A workflow's table; `X` is what its domain adds to every step (an order step's money flow, say). */
export interface Workflow<S extends string, F, X extends object = object> {
  name: string;
  statuses: readonly S[];
  final: readonly S[];
  /** `/api/v1/first-purchases` */
  apiPrefix: string;
  /** `/first-purchases` */
  pagePrefix: string;
  steps: readonly (Step<S, F> & X)[];
  /** The 409's message key when a step does not lead from `status`. */
  wrongStateKey: (status: S) => string;
}

/**
 * The state after the step, or the refusal: a step that does not lead from `status` is `state` (409, one message per
 * status), a guard's refusal is `guard` (409 with the guard's reason).
 */
export type Verdict<S extends string> = { ok: true; to: S } | { ok: false; reason: 'state' | 'guard'; key: string; params: Record<string, string | number> };

export function decide<S extends string, F>(wf: Workflow<S, F>, step: Step<S, F>, status: S, facts: F, to: S = step.to): Verdict<S> {
  if (!step.from.includes(status)) return { ok: false, reason: 'state', key: wf.wrongStateKey(status), params: { status, action: step.name } };
  if (to !== step.to && !(step.outcomes ?? []).includes(to)) throw new Error(`${wf.name}.${step.name} does not lead to ${to}`);
  const failure = step.guard?.(facts) ?? null;
  if (failure) return { ok: false, reason: 'guard', key: failure.key, params: { ...(failure.params ?? {}), status } };
  return { ok: true, to };
}

export function stepNamed<S extends string, F, X extends object>(wf: Workflow<S, F, X>, name: string): Step<S, F> & X {
  const step = wf.steps.find((s) => s.name === name);
  if (!step) throw new Error(`${wf.name}: no step ${name}`);
  return step;
}

/** Is the step possible from `status` at all (ignoring guards)? */
export const leadsFrom = <S extends string, F>(step: Step<S, F>, status: S): boolean => step.from.includes(status);
