import Router from '@koa/router';
import { actorOf, idParam, requireRole, validate } from '../web';
import type { Deps } from '../deps';
import { adminPages } from './pages';
import { ListingQueueQuery, ReasonInput, VendorQueueQuery, type ReasonInputT } from './schema';

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

  router.post('/api/v1/admin/vendors/:id/approve', admin, async (ctx) => {
    ctx.body = await review.approveVendor(actorOf(ctx), idParam(ctx.params.id));
  });

  router.post('/api/v1/admin/vendors/:id/reject', admin, validate(ReasonInput), async (ctx) => {
    ctx.body = await review.rejectVendor(actorOf(ctx), idParam(ctx.params.id), (ctx.state.input as ReasonInputT).reason);
  });

  router.get('/api/v1/admin/products', admin, validate(ListingQueueQuery, 'query'), async (ctx) => {
    ctx.body = await review.listings(ctx.state.input as ListingQueueQuery);
  });

  router.get('/api/v1/admin/products/:id', admin, async (ctx) => {
    ctx.body = await review.listing(actorOf(ctx), idParam(ctx.params.id));
  });

  router.post('/api/v1/admin/products/:id/approve', admin, async (ctx) => {
    ctx.body = await review.approveListing(actorOf(ctx), idParam(ctx.params.id));
  });

  router.post('/api/v1/admin/products/:id/reject', admin, validate(ReasonInput), async (ctx) => {
    ctx.body = await review.rejectListing(actorOf(ctx), idParam(ctx.params.id), (ctx.state.input as ReasonInputT).reason);
  });

  adminPages(router, review);
  return router;
}
