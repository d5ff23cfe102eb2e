import Router from '@koa/router';
import { actorOf, idParam, requireRole, validate } from '../web';
import type { Deps } from '../deps';
import { LISTING_REVIEW, VENDOR_WORKFLOW, noIdempotency } from '../vendors';
import { mountApiSteps } from '../workflow';
import { adminPages } from './pages';
import { ListingQueueQuery, VendorQueueQuery } from './schema';

/** The admin's review queues (vendors, listings) and dashboard, as JSON and pages. */
export function adminRoutes(deps: Deps): Router {
  const router = new Router();
  const review = deps.services.review;
  const admin = requireRole('admin');

  router.get('/api/v1/admin/queues', admin, async (ctx) => {
    ctx.body = await review.counts();
  });

  router.get('/api/v1/admin/vendors', admin, validate(VendorQueueQuery, 'query'), async (ctx) => {
    ctx.body = await review.vendors(ctx.state.input as VendorQueueQuery);
  });

  router.get('/api/v1/admin/vendors/:id', admin, async (ctx) => {
    ctx.body = await review.vendor(actorOf(ctx), idParam(ctx.params.id));
  });

  // Approve and reject: one route each, derived from the vendor table (vendors/transitions.ts).
  mountApiSteps(router, VENDOR_WORKFLOW, { idParam, idempotent: noIdempotency, run: (step, actor, id, input) => review.reviewVendor(step, actor, id, input) });

  router.get('/api/v1/admin/products', admin, validate(ListingQueueQuery, 'query'), async (ctx) => {
    ctx.body = await review.listings(ctx.state.input as ListingQueueQuery);
  });

  router.get('/api/v1/admin/products/:id', admin, async (ctx) => {
    ctx.body = await review.listingDetail(actorOf(ctx), idParam(ctx.params.id));
  });

  // Approve and reject: one route each, derived from the listing table's review desk (vendors/transitions.ts).
  mountApiSteps(router, LISTING_REVIEW, { idParam, idempotent: noIdempotency, run: (step, actor, id, input) => review.reviewListing(step, actor, id, input) });

  adminPages(router, review, deps.db, deps.clock);
  return router;
}
