import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors';
import { STATUS, errorBody } from './errors';
import { labelled, zodToAppError } from './validate';

/**
 * Page forms: the same zod schema as the JSON route, but every field's first problem is shown beside that field,
 * and the form comes back with what the user typed. (The JSON route reports the first problem only.)
 */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A problem that belongs to no field on the form (a state conflict, a forbidden action). */
  error: string | null;
}

/** Every issue of a failed parse as an AppError naming its field (first issue per field). */
export function allIssues(error: z.ZodError, data?: unknown): AppError[] {
  const seen = new Set<string>();
  const out: AppError[] = [];
  for (const issue of error.issues) {
    const e = zodToAppError(new z.ZodError([issue]), data);
    const key = e.field ?? '';
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** Parses a form body; on failure throws a FormInvalid carrying every field's error. */
export class FormInvalid extends Error {
  constructor(readonly errors: AppError[]) {
    super('form invalid');
  }
}

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new FormInvalid(allIssues(r.error, body ?? {}).map((e) => labelled(e, schema)));
  return r.data;
}

/** The raw submitted values as strings, for every field the form shows (strict templates need each key). */
export function formValues(fields: readonly string[], body: unknown, defaults: Record<string, string> = {}): Record<string, string> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(
    fields.map((f) => {
      const v = b[f];
      return [f, typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (defaults[f] ?? '')];
    }),
  );
}

export function emptyForm(fields: readonly string[], defaults: Record<string, string> = {}): FormState {
  return { values: formValues(fields, {}, defaults), errors: Object.fromEntries(fields.map((f) => [f, ''])), error: null };
}

/**
 * Turns what a form submission threw into a FormState (and the status to answer with), or rethrows what is not
 * the user's doing. Field errors go beside their field; anything else becomes the form's banner.
 */
export function formFailure(ctx: Context, err: unknown, fields: readonly string[], body: unknown): { form: FormState; status: number } {
  const errors: AppError[] = err instanceof FormInvalid ? err.errors : err instanceof AppError ? [err] : [];
  if (!errors.length) throw err;
  const form: FormState = { values: formValues(fields, body), errors: Object.fromEntries(fields.map((f) => [f, ''])), error: null };
  let status = 422;
  for (const e of errors) {
    const message = errorBody(ctx, e).message;
    const top = e.field?.split('.')[0];
    if (top && fields.includes(top)) form.errors[top] = form.errors[top] || message;
    else form.error = form.error ?? message;
    if (e.code !== 'validation_failed') status = STATUS[e.code];
  }
  return { form, status };
}

/** A numeric route parameter, or 404 (an id that cannot exist is simply not found). */
export function idParam(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw new AppError('not_found', 'errors.not_found');
  return Number(raw);
}

/** The parsed request body (JSON, form or multipart fields), or an empty object. */
export function requestBody(ctx: Context): Record<string, unknown> {
  const b = (ctx.request as unknown as { body?: unknown }).body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** Form fields left empty mean "not given" (so optional fields stay optional and required ones say so). */
export function withoutEmpty(body: Record<string, unknown>, keep: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== '' || keep.includes(k)));
}

/** Post/redirect/get: a one-line notice for the next page, already in the user's language. */
export function setFlash(ctx: Context, message: string): void {
  const state = ctx.state as { session: { flash?: string } | null };
  state.session = state.session ?? {};
  state.session.flash = message;
}

export function takeFlash(ctx: Context): string | null {
  const state = ctx.state as { session: { flash?: string } | null };
  const f = state.session?.flash ?? null;
  if (state.session && f !== null) delete state.session.flash;
  return f;
}
