import type Router from '@koa/router';
import type { Deps } from '../deps';
import { noticePages } from './notice-pages';
import { noticeApiRoutes } from './notice-routes';
import { objectionFormLimits } from './objection-limits';
import { firstPurchasePages } from './pages';
import { firstPurchaseApiRoutes } from './routes';

/**
 * The single-source procedure's routers: the JSON API, the public notices and their pages. The objection form's
 * rate limit comes before the notice pages, which serve that form.
 */
export function firstPurchaseRouters(deps: Deps): Router[] {
  return [firstPurchaseApiRoutes(deps), noticeApiRoutes(deps), objectionFormLimits(deps), noticePages(deps), firstPurchasePages(deps)];
}
