import type { Context, Next } from 'koa';
import type { Db } from '../db';
import { countBy } from '../vendors';
import type { AppState } from '../web';

export interface NavCounts {
  vendors: number;
  products: number;
}

const NAV = Symbol('navCounts');

/**
 * The admin's navigation shows how many vendors and listings wait for review. Loaded only for an admin's page
 * requests (not the JSON API), before the handler renders.
 */
export function adminNavCounts(db: Db) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    if (state.actor?.role === 'admin' && ctx.method === 'GET' && !ctx.path.startsWith('/api/') && !ctx.path.startsWith('/static/')) {
      const [vendors, products] = await Promise.all([countBy(db, 'vendors', 'pending'), countBy(db, 'products', 'pending_review')]);
      (ctx as unknown as Record<symbol, NavCounts>)[NAV] = { vendors, products };
    }
    await next();
  };
}

/** For the layout: the counts, or zeros (strict templates need every key). */
export function navCounts(ctx: Context): NavCounts {
  return (ctx as unknown as Record<symbol, NavCounts | undefined>)[NAV] ?? { vendors: 0, products: 0 };
}
