import type { Context, Next } from 'koa';
import { AppError } from '../errors';

/** Deeper than any input of the contract (the deepest, an import record's nested fields, is 4). */
export const MAX_BODY_DEPTH = 32;

const NUL = '\u0000';
/** What a decoder puts in place of bytes that are not UTF-8: text that arrived as something else, or broken. */
const REPLACEMENT = '\uFFFD';
/**
 * Half of a UTF-16 surrogate pair standing alone (JSON's `"\ud800"`): no character, and what the database's UTF-8
 * would store in its place is a U+FFFD — the text written would not be the text sent.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const hasBad = (text: string): boolean => text.includes(NUL) || text.includes(REPLACEMENT) || LONE_SURROGATE.test(text);

/**
 * The first string in `value` (or key) holding a NUL, a U+FFFD or a lone surrogate, as a field path ('items.0.note') with the message
 * for it, else null. Iterative: no recursion.
 */
function findBadText(value: unknown, root: string): { path: string; key: string } | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  const found = (text: string, path: string) => ({ path, key: text.includes(NUL) ? 'validation.nul_char' : 'validation.bad_encoding' });
  while (stack.length) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (hasBad(v)) return found(v, path);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (hasBad(k)) return found(k, path || k.split(NUL).join('').split(REPLACEMENT).join('').replace(new RegExp(LONE_SURROGATE.source, 'gu'), ''));
        stack.push([child, path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}

/** How deep `value` nests (a scalar is 0), stopping as soon as it passes `max`. Iterative. */
function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** A number as people type it, with thousands separators in well-formed groups ("1,880,000", "1,234.50"). */
const GROUPED = /^[1-9]\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?$/;

/**
 * A form's numbers as people type them: every field of a form body that is exactly a grouped number loses its
 * separators ("1,880,000" → "1880000"), so a money or quantity field takes what people paste. Forms only: JSON keeps
 * the contract's grammar (API.md: "1234", "1234.5", "1234.50"; anything else is a 422). Iterative.
 */
function ungroupNumbers(body: Record<string, unknown>): void {
  const stack: Array<Record<string, unknown> | unknown[]> = [body];
  while (stack.length) {
    const o = stack.pop() as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && GROUPED.test(v)) o[k] = v.replace(/,/g, '');
      else if (v !== null && typeof v === 'object') stack.push(v as Record<string, unknown>);
    }
  }
}

/**
 * Right after the body parser, before anything reads the input: hostile shapes become one clear 4xx here instead of a
 * 500 wherever they would first hurt.
 * - A JSON body nested deeper than MAX_BODY_DEPTH (a 36 KB body nests 6,000 deep; hashing it for an Idempotency-Key
 *   or validating it would recurse until the stack overflows): 400 `malformed`.
 * - A NUL character in the path, a query parameter or any string of the body (PostgreSQL refuses it in text, SQLite's
 *   full-text search reads it as the end of the query): 422 naming the field. No legitimate text holds one.
 * - A U+FFFD there likewise (422 naming the field): it is what decoding left of bytes that were not UTF-8 (a JSON body
 *   sent in GBK, a query string with a broken escape such as `%E0%A4%A`), so what was meant is not known. So is a
 *   lone surrogate (JSON's `"\ud800"`), which the database would store as a U+FFFD.
 * - A text body (`text/plain`, or a body the parser keeps as a string) on a state-changing request: 400
 *   `malformed`, since every write takes a form or a JSON object (the CSRF check read `_csrf` from it and threw).
 * - A JSON array on a state-changing request: 400 `malformed` likewise — no route takes one, and a step that takes
 *   no input (`{}`, the filing, a payout) would otherwise have gone on as if it had been sent an empty object.
 * - A form's numbers with thousands separators lose them (`ungroupNumbers`); JSON keeps the contract's grammar.
 */
export function bodyGuard() {
  return async (ctx: Context, next: Next): Promise<void> => {
    let path: string;
    try {
      path = decodeURIComponent(ctx.path);
    } catch {
      throw new AppError('malformed', 'errors.malformed');
    }
    if (path.includes(NUL)) throw new AppError('malformed', 'errors.malformed');
    const inQuery = findBadText(ctx.query, '');
    if (inQuery !== null) throw new AppError('validation_failed', inQuery.key, { field: inQuery.path }, inQuery.path || undefined);

    const request = ctx.request as unknown as { body?: unknown };
    const body = request.body;
    if (typeof body === 'string') {
      if (body.length > 0 && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) throw new AppError('malformed', 'errors.body_not_form');
      request.body = {};
    } else if (body !== null && typeof body === 'object') {
      if (Array.isArray(body) && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) throw new AppError('malformed', 'errors.malformed_body');
      if (depthOver(body, MAX_BODY_DEPTH)) throw new AppError('malformed', 'errors.body_too_deep', { max: MAX_BODY_DEPTH });
      const inBody = findBadText(body, '');
      if (inBody !== null) throw new AppError('validation_failed', inBody.key, { field: inBody.path }, inBody.path || undefined);
      if (ctx.is('urlencoded', 'multipart')) ungroupNumbers(body as Record<string, unknown>);
    }
    await next();
  };
}
