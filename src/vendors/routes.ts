import Router from '@koa/router';
import type { Context } from 'koa';
import { RATE_LIMITS, RateLimiter, actorOf, clientAddress, enforce, idParam, objectFirst, rateLimit, requireRole, validate, type RateKey } from '../web';
import { CertListQuery } from '../certification';
import type { Deps } from '../deps';
import { mountApiSteps } from '../workflow';
import { vendorPages } from './pages';
import { LISTING_DESK, noIdempotency } from './transitions';
import { ListingInput, ListingPatch, ListingQuery, VendorRegistration } from './schema';

const REGISTRATION_LIMIT_MESSAGE = 'vendor.registration_rate_limited';

/** The vendor portal: registration (anyone), then the vendor's own certificates and listings. JSON and pages. */
export function vendorRoutes(deps: Deps): Router {
  const router = new Router();
  const listings = deps.services.listings;
  const registration = deps.services.registration;
  const certs = deps.services.certification;
  const vendor = requireRole('vendor');

  // Registrations per client address (RATE_LIMITS.registrationPerAddress); only those that succeed count.
  const limiter = new RateLimiter(deps.db, deps.clock);
  const registrationKeys = (ctx: Context): RateKey[] => [{ rule: RATE_LIMITS.registrationPerAddress, subject: clientAddress(ctx) }];
  const registrationLimited = rateLimit(limiter, registrationKeys, { messageKey: REGISTRATION_LIMIT_MESSAGE, onlySuccess: true });

  router.post('/api/v1/vendors', validate(VendorRegistration), registrationLimited, async (ctx) => {
    ctx.status = 201;
    ctx.body = await registration.register(ctx.state.input as VendorRegistration);
  });

  router.get('/api/v1/vendor/profile', vendor, async (ctx) => {
    ctx.body = await registration.profile(actorOf(ctx));
  });

  router.get('/api/v1/vendor/certifications', vendor, validate(CertListQuery, 'query'), async (ctx) => {
    ctx.body = await certs.pageForVendor(actorOf(ctx), ctx.state.input as CertListQuery);
  });

  router.get('/api/v1/vendor/products', vendor, validate(ListingQuery, 'query'), async (ctx) => {
    ctx.body = await listings.list(actorOf(ctx), ctx.state.input as ListingQuery);
  });

  router.post('/api/v1/vendor/products', vendor, validate(ListingInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await listings.create(actorOf(ctx), ctx.state.input as ListingInput);
  });

  router.get('/api/v1/vendor/products/:id', vendor, async (ctx) => {
    ctx.body = await listings.get(actorOf(ctx), idParam(ctx.params.id));
  });

  router.patch('/api/v1/vendor/products/:id', vendor, objectFirst(validate(ListingPatch), (ctx) => listings.get(actorOf(ctx), idParam(ctx.params.id))), async (ctx) => {
    ctx.body = await listings.update(actorOf(ctx), idParam(ctx.params.id), ctx.state.input as ListingPatch);
  });

  // Delist and relist: one route each, derived from the listing table's vendor desk (transitions.ts).
  mountApiSteps(router, LISTING_DESK, { idParam, idempotent: noIdempotency, run: (step, actor, id) => listings.run(step, actor, id) });

  const registrationPermit = (ctx: Context) => enforce(ctx, limiter, registrationKeys(ctx), REGISTRATION_LIMIT_MESSAGE);
  vendorPages(router, deps, { listings, registration, certs, registrationPermit });
  return router;
}

type ListingQuery = import('zod').output<typeof ListingQuery>;
