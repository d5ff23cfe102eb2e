import type { Context, Next } from 'koa';
import { DEFAULT_LOCALE, isLocale, translator, type Locale } from '../i18n';
import type { AppState } from './state';

export const LANG_COOKIE = 'lang';

/**
 * Pages are Chinese unless the visitor chose English (`?lang=en`, remembered in a cookie — a preference, not
 * server state). API callers may also ask with Accept-Language.
 */
export function locale(production = false) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    let chosen: Locale = DEFAULT_LOCALE;
    const q = ctx.query.lang;
    const cookie = ctx.cookies.get(LANG_COOKIE);
    if (isLocale(q)) {
      chosen = q;
      // Secure in production, as the session's cookie is (behind a TLS-terminating proxy Koa may see plain HTTP: the
      // cookie jar is told the connection is secure, as src/web/session.ts does).
      if (production) (ctx.cookies as unknown as { secure: boolean }).secure = true;
      ctx.cookies.set(LANG_COOKIE, q, { httpOnly: true, sameSite: 'lax', secure: production, path: state.base || '/', maxAge: 365 * 24 * 3600 * 1000, signed: false, overwrite: true });
    } else if (isLocale(cookie)) {
      chosen = cookie;
    } else if (ctx.path.startsWith('/api/') && /^en\b/i.test(ctx.get('accept-language'))) {
      chosen = 'en';
    }
    state.locale = chosen;
    state.t = translator(chosen);
    ctx.set('Content-Language', chosen);
    await next();
  };
}
