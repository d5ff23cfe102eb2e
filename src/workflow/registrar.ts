import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { AppError, invalidState } from '../errors';
import { FormInvalid, actorOf, errorBody, objectFirst, parseBody, requireRole, validate, type Actor, type Role } from '../web';
import { decide, leadsFrom, type Step, type StepField, type Workflow } from './steps';

/**
 * The registrar: from a workflow's table, the routes (JSON and page), the "what can I do next" list, the page forms
 * and the access matrix's rows. A domain hands it only what is its own: how to run a step (its service), how to read
 * the id from the path, and what a refused page step shows.
 */

/** The domain's runner: takes the named step on object `id` with the parsed input; `surface` says where it came from. */
export type StepRunner<V> = (step: string, actor: Actor, id: number, input: unknown, surface: 'api' | 'page') => Promise<V>;

const passThrough: Middleware = async (_ctx, next) => next();

/** A step whose fields are all optional may come without a body at all; a body that is sent must be an object. */
function optionalBody(schema: NonNullable<Step<string, unknown>['input']>): Middleware {
  return async (ctx: Context, next: Next): Promise<void> => {
    const body = (ctx.request as unknown as { body?: unknown }).body;
    if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) throw new AppError('malformed', 'errors.malformed_body');
    ctx.state.input = parseBody(ctx, schema, body ?? {});
    await next();
  };
}

/**
 * For objectFirst: a refused body on an object the caller may not see is that object's 403/404, and on one whose state
 * the step cannot leave its 409 (API.md: 401 → 403 → 404 → 409 → 422) — the state read from the same view.
 */
function objectThenState<S extends string, F>(
  wf: Workflow<S, F>,
  step: Step<S, F>,
  visible: (actor: Actor, id: number) => Promise<unknown>,
  idParam: (raw: string | undefined) => number,
  refusal?: (step: string, actor: Actor, id: number) => Promise<void>,
) {
  return async (ctx: Context): Promise<void> => {
    const actor = actorOf(ctx);
    const id = idParam(ctx.params.id);
    const status = ((await visible(actor, id)) as { status?: unknown } | null | undefined)?.status;
    if (typeof status === 'string' && !leadsFrom(step, status as S)) throw invalidState(wf.wrongStateKey(status as S), { status, action: step.name });
    // The step's guards too (a notice period not over, an objection open…), where the domain can say so without writing.
    if (refusal) await refusal(step.name, actor, id);
  };
}

/**
 * `POST {apiPrefix}/:id/{step}` for every step: role at the door, the input (after the object, see objectFirst),
 * Idempotency-Key when money moves. `visible`: the domain's read of one object as the caller may see it (404, 403).
 */
export function mountApiSteps<S extends string, F, V>(
  router: Router,
  wf: Workflow<S, F>,
  opts: {
    idParam: (raw: string | undefined) => number;
    idempotent: Middleware;
    run: StepRunner<V>;
    visible?: (actor: Actor, id: number) => Promise<unknown>;
    /** The 409 the step would meet now whatever its body (its guards), thrown without writing anything. */
    refusal?: (step: string, actor: Actor, id: number) => Promise<void>;
  },
): void {
  for (const step of wf.steps) {
    const checked = !step.input ? passThrough : step.inputOptional ? optionalBody(step.input) : validate(step.input);
    const input = opts.visible && checked !== passThrough ? objectFirst(checked, objectThenState(wf, step, opts.visible, opts.idParam, opts.refusal)) : checked;
    const once = step.movesMoney ? opts.idempotent : passThrough;
    router.post(`${wf.apiPrefix}/:id/${step.name}`, requireRole(...step.roles), input, once, async (ctx) => {
      ctx.body = await opts.run(step.name, actorOf(ctx), opts.idParam(ctx.params.id), ctx.state.input ?? {}, 'api');
    });
  }
}

/**
 * `POST {pagePrefix}/:id/{step}` for every step with a page form. `handle` runs it the page's way (the domain's
 * post-redirect-get with its flash, or the page again with the reason).
 */
export function mountPageSteps<S extends string, F>(
  router: Router,
  wf: Workflow<S, F>,
  opts: { idParam: (raw: string | undefined) => number; handle: (ctx: Context, step: Step<S, F>, id: number) => Promise<void> },
): void {
  for (const step of wf.steps) {
    if (!step.form) continue;
    router.post(`${wf.pagePrefix}/:id/${step.name}`, requireRole(...step.roles), async (ctx) => {
      const id = opts.idParam(ctx.params.id);
      // A step whose form asks for a tick (a payment) is not taken without it, whatever the browser let through.
      if (step.form?.confirm) requireTick((ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {});
      await opts.handle(ctx, step, id);
    });
  }
}

/**
 * A page form's tick before a payment that cannot be undone (StepForm.confirm, or a form of its own such as the
 * award's): without it, a 422 naming `_confirm`.
 */
export function requireTick(body: Record<string, unknown>): void {
  const v = body._confirm;
  if (v !== 'on' && v !== '1' && v !== 'true') throw new AppError('validation_failed', 'validation.confirm_required', { field: '_confirm' }, '_confirm');
}

/** A step the actor could take now, or one they will be able to take once the guard allows it (with the reason). */
export interface NextStep<S extends string, F> {
  step: Step<S, F>;
  enabled: boolean;
  reasonKey: string | null;
  reasonParams: Record<string, string | number>;
}

/**
 * What the actor may do next: the steps whose role and party rule admit them and which lead from the status; a
 * step the guard still refuses is listed (disabled, with the reason) when its form says so, left out otherwise.
 */
export function nextSteps<S extends string, F>(wf: Workflow<S, F>, actor: Actor | null, status: S, may: (actor: Actor, step: Step<S, F>) => boolean, facts: F): NextStep<S, F>[] {
  if (!actor) return [];
  const out: NextStep<S, F>[] = [];
  for (const step of wf.steps) {
    if (!step.roles.includes(actor.role) || !may(actor, step)) continue;
    const verdict = decide(wf, step, status, facts);
    if (verdict.ok) out.push({ step, enabled: true, reasonKey: null, reasonParams: {} });
    else if (verdict.reason === 'guard' && step.form?.showWhenRefused) out.push({ step, enabled: false, reasonKey: verdict.key, reasonParams: verdict.params });
  }
  return out;
}

/** One form of the page, as the `step-forms` partial renders it. */
export interface StepFormModel {
  name: string;
  action: string;
  title: string | null;
  hint: string | null;
  button: string;
  /** The statement to tick before the button (a payment that cannot be undone), or null. */
  confirm: string | null;
  danger: boolean;
  /** A danger step folds shut in a <details>; refused (a field with its message), it comes back open so the message is seen. */
  open: boolean;
  enabled: boolean;
  reason: string | null;
  fields: Array<Omit<StepField, 'required' | 'maxlength' | 'rows' | 'hint' | 'options'> & { select: boolean; options: Array<{ value: string; label: string; selected: boolean }>; required: boolean; maxlength: number | null; rows: number; hint: string | null; labelText: string; hintText: string | null; value: string; error: string; textarea: boolean; type: string; inputmode: string | null }>;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(text).join('\n') : '');

/** The value a posted form carried for a field named `record[date]` or `amount` (as the body parser nests it). */
function posted(body: Record<string, unknown>, field: string): unknown {
  let at: unknown = body;
  for (const part of field.split('.')) at = at && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

/**
 * Each next step's form: its fields with the values typed (after a refusal) or their initial values, and the
 * messages of the refusal beside their fields. `hintParams` gives each hint's parameters from the page's object.
 */
export function stepForms<S extends string, F>(
  next: NextStep<S, F>[],
  opts: {
    t: (key: string, params?: Record<string, string | number>) => string;
    action: (step: Step<S, F>) => string;
    today: string;
    body?: Record<string, unknown>;
    errors?: Record<string, string>;
    hintParams?: (step: Step<S, F>) => Record<string, string | number>;
  },
): StepFormModel[] {
  return next
    .filter((n) => n.step.form)
    .map(({ step, enabled, reasonKey, reasonParams }) => {
      const form = step.form!;
      const danger = form.danger === true;
      const fields = (form.fields ?? []).map((f) => {
        const typed = opts.body ? posted(opts.body, f.field) : undefined;
        const value = typed !== undefined ? text(typed) : f.initial === 'today' ? opts.today : '';
        return {
          ...f,
          select: f.control === 'select',
          options: (f.options ?? []).map((v) => ({ value: v, label: opts.t(`${f.optionLabel ?? ''}${v}`), selected: v === value })),
          required: f.required === true,
          maxlength: f.maxlength ?? null,
          rows: f.rows ?? 2,
          hint: f.hint ?? null,
          labelText: opts.t(f.label),
          hintText: f.hint ? opts.t(f.hint) : null,
          value,
          error: opts.errors?.[f.field] ?? '',
          textarea: f.control === 'textarea',
          type: f.control === 'date' ? 'date' : 'text',
          inputmode: f.control === 'decimal' ? 'decimal' : null,
        };
      });
      return {
        name: step.name,
        action: opts.action(step),
        title: form.title ? opts.t(form.title) : null,
        hint: form.hint ? opts.t(form.hint, opts.hintParams?.(step) ?? {}) : null,
        button: opts.t(form.button),
        confirm: form.confirm ? opts.t(form.confirm, opts.hintParams?.(step) ?? {}) : null,
        danger,
        // One flag per step, however many of its fields were refused.
        open: danger && fields.some((f) => f.error !== ''),
        enabled,
        reason: reasonKey ? opts.t(reasonKey, reasonParams) : null,
        fields,
      };
    });
}

/**
 * A refused step's messages by the form field they belong to ('record.staff.0' → the field `record.staff`); a
 * message no field of the workflow shows is left for the top of the page.
 */
export function fieldErrors<S extends string, F>(ctx: Context, wf: Workflow<S, F>, err: unknown): Record<string, string> {
  // The step this page posted to (its route ends with the step's name) labels its own fields first.
  const posted = ctx.path.split('/').pop();
  const ordered = [...wf.steps].sort((a, b) => Number(b.name === posted) - Number(a.name === posted));
  const fields = ordered.flatMap((s) => s.form?.fields ?? []);
  const all = err instanceof FormInvalid ? err.errors : err instanceof AppError ? [err] : [];
  const out: Record<string, string> = {};
  for (const e of all) {
    if (!e.field) continue;
    const field = fields.find((f) => e.field === f.field || e.field!.startsWith(`${f.field}.`));
    if (!field || out[field.field]) continue;
    // Named as the form labels the field ("审查意见：必填", not the shared field name's "处理意见").
    if (field.label && e.field === field.field && e.params.fieldLabel === undefined) e.params.fieldLabel = field.label;
    out[field.field] = errorBody(ctx, e).message;
  }
  return out;
}

/** One route the registrar mounts, for the access matrix and the docs. */
export interface StepRoute {
  route: string;
  surface: 'api' | 'page';
  step: string;
  roles: readonly Role[];
  from: readonly string[];
  hasInput: boolean;
  inputOptional: boolean;
}

/** Every route the registrar mounts for the workflow ('POST /api/v1/…/:id/submit'), with who may call it and from where. */
export function stepRoutes<S extends string, F>(wf: Workflow<S, F>): StepRoute[] {
  return wf.steps.flatMap((s) => {
    const base = { step: s.name, roles: s.roles, from: s.from, hasInput: !!s.input, inputOptional: !!s.inputOptional };
    const api: StepRoute = { ...base, route: `POST ${wf.apiPrefix}/:id/${s.name}`, surface: 'api' };
    return s.form ? [api, { ...base, route: `POST ${wf.pagePrefix}/:id/${s.name}`, surface: 'page' as const }] : [api];
  });
}
