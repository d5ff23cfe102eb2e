import type { Context, Next } from 'koa';
import { AppError } from '../errors';
import type { Actor, AppState, Role } from './state';

/** The caller, or 401. */
export function actorOf(ctx: Context): Actor {
  const actor = (ctx.state as AppState).actor;
  if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
  return actor;
}

/** The longest page address the login page carries back to (`next`); a longer one is not followed. */
export const MAX_NEXT = 500;

/** Only these roles pass; anonymous callers get 401 (pages redirect to the login page), other roles 403. */
export function requireRole(...roles: Role[]) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    if (!state.actor) {
      if (!ctx.path.startsWith('/api/') && ctx.method === 'GET') {
        // Back to this page after login — its address without the query if the whole is too long to carry (a
        // 12 KB query made a 36 KB Location header, and the login form takes a `next` of at most MAX_NEXT).
        const back = [state.base + ctx.url, state.base + ctx.path].find((u) => u.length <= MAX_NEXT);
        ctx.redirect(`${state.base}/login${back ? `?next=${encodeURIComponent(back)}` : ''}`);
        return;
      }
      throw new AppError('unauthenticated', 'errors.unauthenticated');
    }
    if (!roles.includes(state.actor.role)) throw new AppError('forbidden', 'errors.wrong_role');
    await next();
  };
}
