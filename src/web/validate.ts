import type { Context, Next } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors';
import { MONEY_MAX } from '../money';
import { dropEmpty, fieldLabelsOf, parsingTypedBody } from '../schema';

/** The value at an issue's path in the parsed input (undefined where there is none). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Messages that, said of a value nobody gave, mean it is missing. */
const ABSENT_IS_REQUIRED = new Set(['validation.invalid_type', 'validation.integer', 'validation.invalid', 'validation.one_of', 'validation.boolean', 'validation.money', 'validation.date']);

/** An error of `schema` with the schema's own label of its field put on it (src/schema.ts `withFieldLabels`). */
export function labelled(e: AppError, schema: z.ZodType): AppError {
  const labels = fieldLabelsOf(schema);
  const key = labels && e.field ? (labels[e.field] ?? labels[e.field.split('.')[0]]) : undefined;
  if (key) e.params.fieldLabel = key;
  return e;
}

/**
 * The message that says a size or count bound's value, where the issue has it: a number's (at most / at least), a
 * list's (at most so many items), a text's (at least / at most so many characters).
 */
function boundMessage(msg: string, i: { code: string; minimum?: number | bigint; maximum?: number | bigint; origin?: string }): { key: string; params: Record<string, number | string> } | null {
  if (msg === 'validation.money_range') return { key: msg, params: { max: MONEY_MAX } };
  if (i.code === 'too_big' && i.maximum !== undefined) {
    const max = Number(i.maximum);
    if (msg === 'validation.too_big' && i.origin === 'number') return { key: 'validation.at_most', params: { max } };
    if ((msg === 'validation.too_big' || msg === 'validation.too_many') && i.origin === 'array') return { key: 'validation.too_many_max', params: { max } };
    if (msg === 'validation.too_long' && i.origin === 'string') return { key: 'validation.too_long_max', params: { max } };
  }
  if (i.code === 'too_small' && i.minimum !== undefined) {
    const min = Number(i.minimum);
    if (msg === 'validation.too_small' && i.origin === 'number') return { key: 'validation.at_least', params: { min } };
    if (msg === 'validation.too_short' && i.origin === 'string') return { key: 'validation.too_short', params: { min } };
  }
  return null;
}

/**
 * Turns the first zod issue into an AppError naming the field. Schemas carry catalogue keys as messages
 * (`validation.*`); other issues map from their code. With the input at hand (`data`), a value of the wrong type is
 * told apart from a missing one ('required' only when nothing was sent), and a query parameter given twice
 * (`?page=1&page=2` arrives as an array) is named as such.
 */
export function zodToAppError(error: z.ZodError, data?: unknown): AppError {
  const issue = error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  const i = issue as unknown as { code: string; expected?: string; minimum?: number | bigint; maximum?: number | bigint; origin?: string; input?: unknown };
  const sent = data === undefined ? i.input : valueAt(data, issue.path);
  const wrongType = i.code === 'invalid_type' || i.code === 'invalid_union';
  if (wrongType && Array.isArray(sent) && i.expected !== 'array') return new AppError('validation_failed', 'validation.single_value', { field }, field);
  let msg = issue.message;
  if (msg === 'validation.required' && wrongType && sent !== undefined && sent !== null && sent !== '') msg = 'validation.invalid_type';
  // Nothing given (a select left at its blank choice, a radio not picked, a key left out) is "required", not a value of
  // the wrong kind: "商品：须为整数" told someone who had not chosen a product nothing they could act on.
  if (issue.path.length > 0 && (sent === undefined || sent === null || sent === '') && ABSENT_IS_REQUIRED.has(msg)) msg = 'validation.required';
  // A schema's own catalogue key (`validation.*`, or a domain's such as `insurance.end_before_start`) is the message;
  // a bound the schema set is said with it ("评分：不能大于 100", not "评分：数值过大").
  if (msg.startsWith('validation.') || /^[a-z][a-z_]*\.[a-z0-9_]+$/.test(msg)) {
    const bounded = boundMessage(msg, i);
    return bounded ? new AppError('validation_failed', bounded.key, { field, ...bounded.params }, field) : new AppError('validation_failed', msg, { field }, field);
  }
  switch (i.code) {
    case 'too_small':
      if (i.origin === 'string' && Number(i.minimum) === 1) return new AppError('validation_failed', 'validation.required', { field }, field);
      return new AppError('validation_failed', i.origin === 'string' ? 'validation.too_short' : 'validation.at_least', { field, min: Number(i.minimum) }, field);
    case 'too_big':
      return new AppError('validation_failed', i.origin === 'string' ? 'validation.too_long_max' : i.origin === 'array' ? 'validation.too_many_max' : 'validation.at_most', { field, max: Number(i.maximum) }, field);
    case 'invalid_type':
      return new AppError('validation_failed', sent === undefined || sent === null ? 'validation.required' : 'validation.invalid_type', { field }, field);
    case 'invalid_value':
      return new AppError('validation_failed', 'validation.one_of', { field }, field);
    default:
      return new AppError('validation_failed', 'validation.invalid', { field }, field);
  }
}

export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw labelled(zodToAppError(result.error, data), schema);
  return result.data;
}

/** Parses a request's body: a JSON body's numbers and yes/no are typed (src/schema.ts `parsingTypedBody`), a form's are text. */
export function parseBody<S extends z.ZodType>(ctx: Context, schema: S, body: unknown): z.output<S> {
  return ctx.request.is('json') ? parsingTypedBody(() => parseInput(schema, body)) : parseInput(schema, body);
}

/**
 * `input` (a check of the request's input, or a handler that checks it), but an object that is not there or not the
 * caller's answers as such first (API.md: 401 → 403 → 404 → 409 → 422): when the input is refused, `visible` reads
 * the object as the caller may see it, and its 404 or 403 wins over the 422. Only on that path: a valid input goes
 * straight on, to the work that reads the object itself.
 */
export function objectFirst(input: (ctx: Context, next: Next) => Promise<void>, visible: (ctx: Context) => Promise<unknown>) {
  return async (ctx: Context, next: Next): Promise<void> => {
    let passed = false;
    try {
      await input(ctx, () => {
        passed = true;
        return next();
      });
    } catch (err) {
      if (!passed && err instanceof AppError && (err.code === 'validation_failed' || err.code === 'malformed')) await visible(ctx);
      throw err;
    }
  };
}

/**
 * Parses `ctx.query` (source 'query') or the body into `ctx.state.input`. In a query an empty parameter (`pageSize=`)
 * is one not given, as on every list.
 */
export function validate<S extends z.ZodType>(schema: S, source: 'query' | 'body' = 'body') {
  return async (ctx: Context, next: Next): Promise<void> => {
    const data = source === 'query' ? dropEmpty(ctx.query as Record<string, unknown>) : (ctx.request as unknown as { body?: unknown }).body;
    if (source === 'body' && (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data))) {
      throw new AppError('malformed', 'errors.malformed_body');
    }
    ctx.state.input = source === 'body' ? parseBody(ctx, schema, data) : parseInput(schema, data);
    await next();
  };
}
