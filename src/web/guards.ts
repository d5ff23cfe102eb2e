import type { Context, Next } from 'koa';
import { AppError } from '../errors';
import type { Actor, AppState, Role } from './state';

/** The caller, or 401. */
export function actorOf(ctx: Context): Actor {
  const actor = (ctx.state as AppState).actor;
  if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
  return actor;
}

/** Only these roles pass; anonymous callers get 401 (pages redirect to the login page), other roles 403. */
export function requireRole(...roles: Role[]) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    if (!state.actor) {
      if (!ctx.path.startsWith('/api/') && ctx.method === 'GET') {
        ctx.redirect(`${state.base}/login?next=${encodeURIComponent(state.base + ctx.url)}`);
        return;
      }
      throw new AppError('unauthenticated', 'errors.unauthenticated');
    }
    if (!roles.includes(state.actor.role)) throw new AppError('forbidden', 'errors.wrong_role');
    await next();
  };
}
