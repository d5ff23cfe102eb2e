import type Router from '@koa/router';
import type { Deps } from '../deps';
import { noticePages } from './notice-pages';
import { noticeApiRoutes } from './notice-routes';
import { objectionFormLimits } from './objection-limits';
import { firstPurchasePages } from './pages';
import { firstPurchaseApiRoutes } from './routes';

export { isFirstPurchaseEligible } from './eligibility';
export { NoticeService } from './notice-service';
export { FirstPurchaseService } from './service';
export { reviewDue } from './presenters';

/**
 * The single-source procedure (政府首购) and its public notices. Its routers: the JSON API, the public notices and
 * their pages. The objection form's rate limit comes before the notice pages, which serve that form.
 */
export function firstPurchaseRouters(deps: Deps): Router[] {
  return [firstPurchaseApiRoutes(deps), noticeApiRoutes(deps), objectionFormLimits(deps), noticePages(deps), firstPurchasePages(deps)];
}
