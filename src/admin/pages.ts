import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  formFailure,
  idParam,
  pagination,
  parseForm,
  parseInput,
  requestBody,
  requireRole,
  setFlash,
  takeFlash,
  withoutEmpty,
  type AppState,
} from '../web';
import { AppError } from '../errors';
import type { ReviewService } from './review';
import { ListingQueueQuery, ReasonInput, VendorQueueQuery } from './schema';

const stateOf = (ctx: Context) => ctx.state as AppState;

/**
 * Runs a review action from a page form and comes back to `back` with a notice: the outcome on success, the reason
 * on a conflict or bad input (nothing was written). Someone else's object or a wrong role is still an error page.
 */
async function act(ctx: Context, back: string, work: () => Promise<string>): Promise<void> {
  const state = stateOf(ctx);
  try {
    setFlash(ctx, await work());
  } catch (err) {
    if (err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code)) throw err;
    const { form } = formFailure(ctx, err, [], {});
    setFlash(ctx, form.error ?? state.t('errors.conflict'));
  }
  ctx.redirect(state.base + back);
}

export function adminPages(router: Router, review: ReviewService): void {
  const admin = requireRole('admin');

  router.get('/admin', admin, async (ctx) => {
    const state = stateOf(ctx);
    ctx.body = state.render('admin/dashboard', { title: state.t('admin.dashboard_title'), flash: takeFlash(ctx), counts: await review.counts() });
  });

  router.get('/admin/vendors', admin, async (ctx) => {
    const state = stateOf(ctx);
    const q = parseInput(VendorQueueQuery, withoutEmpty({ status: 'pending', ...(ctx.query as Record<string, unknown>) }));
    const page = await review.vendors(q);
    ctx.body = state.render('admin/vendors', {
      title: state.t('admin.vendors_title'),
      flash: takeFlash(ctx),
      items: page.items.map((v) => ({ ...v, pending: v.status === 'pending', canApprove: v.status !== 'approved' })),
      total: page.total,
      status: q.status ?? '',
      statuses: ['pending', 'approved', 'rejected'].map((v) => ({ value: v, selected: q.status === v })),
      pagination: pagination(page),
    });
  });

  router.post('/admin/vendors/:id/approve', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    await act(ctx, '/admin/vendors', async () => {
      const v = await review.approveVendor(actorOf(ctx), id);
      return stateOf(ctx).t('admin.vendor_approved', { name: v.name });
    });
  });

  router.post('/admin/vendors/:id/reject', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    await act(ctx, '/admin/vendors', async () => {
      const v = await review.rejectVendor(actorOf(ctx), id, parseForm(ReasonInput, requestBody(ctx)).reason);
      return stateOf(ctx).t('admin.vendor_rejected', { name: v.name });
    });
  });

  router.get('/admin/products', admin, async (ctx) => {
    const state = stateOf(ctx);
    const q = parseInput(ListingQueueQuery, withoutEmpty({ status: 'pending_review', ...(ctx.query as Record<string, unknown>) }));
    const page = await review.listings(q);
    ctx.body = state.render('admin/products', {
      title: state.t('admin.listings_title'),
      flash: takeFlash(ctx),
      items: page.items,
      total: page.total,
      status: q.status ?? '',
      statuses: ['pending_review', 'approved', 'rejected', 'delisted'].map((v) => ({ value: v, selected: q.status === v })),
      pagination: pagination(page),
    });
  });

  router.get('/admin/products/:id', admin, async (ctx) => {
    const state = stateOf(ctx);
    const listing = await review.listing(actorOf(ctx), idParam(ctx.params.id));
    ctx.body = state.render('admin/product', { title: listing.title, flash: takeFlash(ctx), listing, pending: listing.status === 'pending_review' });
  });

  router.post('/admin/products/:id/approve', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    await act(ctx, `/admin/products/${id}`, async () => {
      const l = await review.approveListing(actorOf(ctx), id);
      return stateOf(ctx).t('admin.listing_approved', { title: l.title });
    });
  });

  router.post('/admin/products/:id/reject', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    await act(ctx, `/admin/products/${id}`, async () => {
      const l = await review.rejectListing(actorOf(ctx), id, parseForm(ReasonInput, requestBody(ctx)).reason);
      return stateOf(ctx).t('admin.listing_rejected', { title: l.title });
    });
  });
}
