import type { Context, Next } from 'koa';
import Tokens from 'csrf';
import { AppError } from '../errors';
import { hasSessionCookie, newCsrfSecret } from './session';
import type { AppState } from './state';

const tokens = new Tokens();
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const PLACEHOLDER = Symbol('csrfPlaceholder');

/**
 * Runs `render` with `placeholder` standing for the CSRF token, the session left as it is — for a page rendered once
 * and then reused with each caller's own token put in its place (`csrfToken(ctx)` afterwards, if the page printed it).
 */
export async function withCsrfPlaceholder<T>(ctx: Context, placeholder: string, render: () => Promise<T>): Promise<T> {
  const holder = ctx as unknown as Record<symbol, string | undefined>;
  holder[PLACEHOLDER] = placeholder;
  try {
    return await render();
  } finally {
    holder[PLACEHOLDER] = undefined;
  }
}

/** The page's CSRF token, creating the session's secret on first use (only pages with a form ask). */
export function csrfToken(ctx: Context): string {
  const placeholder = (ctx as unknown as Record<symbol, string | undefined>)[PLACEHOLDER];
  if (placeholder !== undefined) return placeholder;
  const state = ctx.state as AppState;
  const session = state.session ?? (state.session = {});
  if (!session.csrfSecret) session.csrfSecret = newCsrfSecret();
  return tokens.create(session.csrfSecret);
}

/**
 * Every state-changing request that rides on a cookie must carry the token (form field `_csrf` or header
 * `X-CSRF-Token`, from a page's form or `GET /api/v1/auth/csrf`). Bearer-token requests carry no ambient authority
 * and need none; neither does an anonymous API call that sends no session cookie at all. A user supplied by the host
 * (`identity`) came from the host's own cookie or gateway, so that is ambient authority too: it needs the token. Page
 * forms always need it.
 */
export function csrfProtection() {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    if (SAFE.has(ctx.method) || state.authVia === 'bearer') return next();
    const isApi = ctx.path.startsWith('/api/');
    if (isApi && !hasSessionCookie(ctx) && state.authVia !== 'host') return next();
    const sentBody = (ctx.request as unknown as { body?: unknown }).body;
    // Only a form or a JSON object can carry the field (the body guard refuses text bodies; arrays and scalars have none).
    const body = sentBody !== null && typeof sentBody === 'object' && !Array.isArray(sentBody) ? (sentBody as Record<string, unknown>) : undefined;
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? ctx.get('x-csrf-token');
    const secret = state.session?.csrfSecret;
    if (!secret || !sent || !tokens.verify(secret, sent)) throw new AppError('forbidden', 'errors.csrf');
    if (body && '_csrf' in body) delete body._csrf;
    await next();
  };
}
