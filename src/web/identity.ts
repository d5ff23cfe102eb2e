import type { Context, Next } from 'koa';
import { AppError } from '../errors';
import { authVersionOf } from './session';
import type { Actor, AppState } from './state';

/** A host that mounts the plugin may supply the logged-in user (from its own session, a signed header…). */
export type HostIdentity = (ctx: Context) => Promise<Actor | null> | Actor | null;

/**
 * How a caller's user is found — the auth module's AuthService, handed in by the app (the web kit does not reach
 * into a module's tables): by bearer token or by user id, active users only, else null.
 */
export interface ActorLookup {
  actorForToken(token: string): Promise<Actor | null>;
  /** `version`: the authority version the request's session was read under, if any (see session.ts authVersionOf). */
  activeActor(userId: number, version?: Promise<number>): Promise<Actor | null>;
}

/** Resolves the caller: host identity, then `Authorization: Bearer`, then the session. */
export function identity(auth: ActorLookup, host?: HostIdentity) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    state.actor = null;
    state.authVia = null;
    const header = ctx.get('authorization');
    if (header) {
      const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
      const actor = m ? await auth.actorForToken(m[1]) : null;
      if (!actor) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new AppError('unauthenticated', 'errors.bad_token');
      }
      state.actor = actor;
      state.authVia = 'bearer';
    } else if (host) {
      const actor = await host(ctx);
      if (actor) {
        // The host names one of our users: it must exist, be active, and hold the role and unit the host says
        // (what it writes is checked against them); the host may choose the name shown.
        const known = await auth.activeActor(actor.id);
        if (!known || known.role !== actor.role || known.purchaserId !== (actor.purchaserId ?? null) || known.vendorId !== (actor.vendorId ?? null)) {
          throw new AppError('unauthenticated', 'errors.host_identity_unknown');
        }
        state.actor = { ...known, displayName: actor.displayName || known.displayName };
        state.authVia = 'host';
      }
    }
    if (!state.actor && state.session?.userId) {
      const actor = await auth.activeActor(state.session.userId, authVersionOf(ctx));
      if (actor) {
        state.actor = actor;
        state.authVia = 'session';
      }
    }
    await next();
  };
}
