import { AccountService } from './auth/account';
import { AuthService } from './auth/service';
import { CatalogueService } from './catalogue/service';
import type { Clock } from './clock';
import { CertificationService } from './certification/service';
import type { Db } from './db';
import { FirstPurchaseService } from './first-purchase/service';
import { BudgetService } from './ledger/budgets';
import { NoticeService } from './first-purchase/notice-service';
import { OrderService } from './orders/service';
import { ReviewService } from './admin/review';
import { SettingsService } from './settings/service';
import { StatsService } from './stats/service';
import { ListingService } from './vendors/listings';
import { RegistrationService } from './vendors/registration';

/**
 * Every service of one app, built once (the composition root): routers and pages receive this object and never
 * construct a service themselves, so there is one payment queue (group commit) per app, one catalogue cache, one of
 * everything.
 */
export interface Services {
  auth: AuthService;
  account: AccountService;
  catalogue: CatalogueService;
  certification: CertificationService;
  listings: ListingService;
  registration: RegistrationService;
  review: ReviewService;
  budgets: BudgetService;
  orders: OrderService;
  firstPurchase: FirstPurchaseService;
  notices: NoticeService;
  settings: SettingsService;
  stats: StatsService;
}

export function buildServices(db: Db, clock: Clock): Services {
  return {
    auth: new AuthService(db, clock),
    account: new AccountService(db, clock),
    catalogue: new CatalogueService(db, clock),
    certification: new CertificationService(db, clock),
    listings: new ListingService(db, clock),
    registration: new RegistrationService(db, clock),
    review: new ReviewService(db, clock),
    budgets: new BudgetService(db, clock),
    orders: new OrderService(db, clock),
    firstPurchase: new FirstPurchaseService(db, clock),
    notices: new NoticeService(db, clock),
    settings: new SettingsService(db, clock),
    stats: new StatsService(db),
  };
}
