import type Router from '@koa/router';
import type { AuthService } from './auth/service';
import { authRoutes } from './auth/routes';
import { catalogueRoutes } from './catalogue/routes';
import { statsRoutes } from './stats/routes';
import { firstPurchaseRouters } from './first-purchase';
import { clockRoutes } from './web/clock-routes';
import { vendorRoutes } from './vendors/routes';
import { adminRoutes } from './admin/routes';
import { certificationRoutes } from './certification/routes';
import { auditRoutes } from './audit/routes';
import { ledgerPages } from './ledger/pages';
import { ledgerRoutes } from './ledger/routes';
import { orderPages } from './orders/pages';
import { orderRoutes } from './orders/routes';
import { purchaserRoutes } from './purchaser/routes';
import { settingsRoutes } from './settings/routes';
import type { Deps } from './deps';

/** Every module's router, in one list: a new module is one line here. */
export function moduleRouters(deps: Deps, auth: AuthService): Router[] {
  return [clockRoutes(deps), authRoutes(deps, auth), catalogueRoutes(deps), ...firstPurchaseRouters(deps), vendorRoutes(deps), adminRoutes(deps), certificationRoutes(deps), auditRoutes(deps), ledgerRoutes(deps), orderRoutes(deps), ledgerPages(deps), orderPages(deps), purchaserRoutes(deps), statsRoutes(deps), settingsRoutes(deps)];
}
