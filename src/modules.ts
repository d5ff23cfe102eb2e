import type Router from '@koa/router';
import { authRoutes, type AuthService } from './auth';
import { catalogueRoutes } from './catalogue';
import { statsRoutes } from './stats';
import { reportRoutes } from './reports';
import { firstPurchaseRouters } from './first-purchase';
import { financeRoutes } from './finance';
import { recognitionRouters } from './recognition';
import { insuranceRouters } from './insurance';
import { clockRoutes } from './web';
import { vendorRoutes } from './vendors';
import { adminRoutes } from './admin';
import { certificationRoutes } from './certification';
import { auditRoutes } from './audit';
import { ledgerPages, ledgerRoutes } from './ledger';
import { orderPages, orderRoutes } from './orders';
import { purchaserRoutes } from './purchaser';
import { settingsRoutes } from './settings';
import { integrationRoutes } from './integration';
import { mediaRoutes } from './media';
import type { Deps } from './deps';

/** Every module's router, in one list: a new module is one line here. */
export function moduleRouters(deps: Deps, auth: AuthService): Router[] {
  return [clockRoutes(deps), authRoutes(deps, auth), catalogueRoutes(deps), ...firstPurchaseRouters(deps), financeRoutes(deps), ...recognitionRouters(deps), ...insuranceRouters(deps), vendorRoutes(deps), adminRoutes(deps), certificationRoutes(deps), auditRoutes(deps), ledgerRoutes(deps), orderRoutes(deps), ledgerPages(deps), orderPages(deps), purchaserRoutes(deps), statsRoutes(deps), reportRoutes(deps), settingsRoutes(deps), integrationRoutes(deps), mediaRoutes(deps)];
}
