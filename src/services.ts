import { AccountService, AuthService } from './auth';
import { CatalogueService } from './catalogue';
import type { Clock } from './clock';
import { CertificationService } from './certification';
import type { Db } from './db';
import { FirstPurchaseService, NoticeService } from './first-purchase';
import { IntentionService, WebhookService } from './integration';
import { BudgetService } from './ledger';
import { MediaService } from './media';
import { OrderService } from './orders';
import { ReviewService } from './admin';
import { InsuranceService } from './insurance';
import { RecognitionService } from './recognition';
import { SettingsService } from './settings';
import { StatsService } from './stats';
import { ListingService, RegistrationService } from './vendors';

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
  recognition: RecognitionService;
  insurance: InsuranceService;
  settings: SettingsService;
  stats: StatsService;
  webhooks: WebhookService;
  intentions: IntentionService;
  media: MediaService;
}

export function buildServices(db: Db, clock: Clock, options: { production?: boolean; credentialClock?: Clock } = {}): Services {
  const firstPurchase = new FirstPurchaseService(db, clock);
  return {
    auth: new AuthService(db, clock, options.credentialClock ?? clock),
    account: new AccountService(db, clock),
    catalogue: new CatalogueService(db, clock),
    // Revoking a certificate terminates its open single-source cases in the same transaction (art. 43(1)).
    certification: new CertificationService(db, clock, (trx, certId, actor) => firstPurchase.terminateCasesOfCertificate(trx, certId, actor)),
    listings: new ListingService(db, clock),
    registration: new RegistrationService(db, clock),
    review: new ReviewService(db, clock),
    budgets: new BudgetService(db, clock),
    orders: new OrderService(db, clock),
    firstPurchase,
    notices: new NoticeService(db, clock),
    recognition: new RecognitionService(db, clock),
    insurance: new InsuranceService(db, clock),
    settings: new SettingsService(db, clock),
    stats: new StatsService(db),
    webhooks: new WebhookService(db, clock, options.production ?? false),
    intentions: new IntentionService(db, clock),
    media: new MediaService(db, clock),
  };
}
