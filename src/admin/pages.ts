import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  deskSection,
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
import { LISTING_REVIEW, VENDOR_WORKFLOW, listingStep, vendorStep, type HistoryEntry, type ListingStatus, type VendorStatus } from '../vendors';
import { leadsFrom, mountPageSteps } from '../workflow';
import type { Clock } from '../clock';
import type { Executor } from '../db';
import { certificateFacts } from './certificate-facts';
import { adminDesk } from './desk';
import type { ReviewService } from './review';
import { ListingQueueQuery, VendorQueueQuery } from './schema';

const stateOf = (ctx: Context) => ctx.state as AppState;

/** The history as the pages show it: the step's and the statuses' names in the reader's language. */
function historyRows(state: AppState, history: HistoryEntry[], status: (s: string) => string = (s) => state.t(`vendor.status_${s}`)) {
  return history.map((h) => ({ ...h, actionText: state.t(`admin.history_${h.action}`), fromText: h.from ? status(h.from) : null, toText: status(h.to) }));
}

/**
 * Runs a review action from a page form: on success, back to `back` with the outcome as a notice; on bad input or a
 * conflict (nothing was written), the page the form was on again, saying why, with the error's status (422 naming
 * the field, 409). Someone else's object or a wrong role is still an error page.
 */
/** A review's POST: done → flash and back; refused → the page again, a `reason` problem beside that field, others on top. */
async function act(ctx: Context, back: string, work: () => Promise<string>, again: (error: string | null, reasonError: string | null) => Promise<void>): Promise<void> {
  const state = stateOf(ctx);
  try {
    setFlash(ctx, await work());
  } catch (err) {
    if (err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code)) throw err;
    const { form, status } = formFailure(ctx, err, ['reason'], {});
    const reasonError = form.errors.reason || null;
    await again(form.error ?? (reasonError ? null : state.t('errors.conflict')), reasonError);
    ctx.status = status;
    return;
  }
  ctx.redirect(state.base + back);
}

export function adminPages(router: Router, review: ReviewService, db: Executor, clock: Clock): void {
  const admin = requireRole('admin');

  // The department's desk: key figures, what waits for it (oldest deadline first), its pages in groups.
  router.get('/admin', admin, async (ctx) => {
    const state = stateOf(ctx);
    const [counts, desk] = await Promise.all([review.counts(), adminDesk(db, clock.now())]);
    // The to-dos: the first ten and the total, the rest on `?section=todo&page=` (the navigation counts them all).
    const todo = deskSection('todo', desk.todos, '/admin', ctx.query);
    ctx.body = state.render('admin/dashboard', { title: state.t('admin.dashboard_title'), flash: takeFlash(ctx), counts, ...desk, todos: todo.items, todo });
  });

  /** The vendor queue (after a refused review: the pending queue, saying why). */
  const vendorsPage = async (ctx: Context, error: string | null = null) => {
    const state = stateOf(ctx);
    const q = parseInput(VendorQueueQuery, withoutEmpty({ status: 'pending', ...(error ? {} : (ctx.query as Record<string, unknown>)) }));
    const page = await review.vendorsWithHistory(q);
    ctx.body = state.render('admin/vendors', {
      title: state.t('admin.vendors_title'),
      flash: takeFlash(ctx),
      error,
      items: page.items.map((v) => ({ ...v, history: historyRows(state, v.history, (s) => state.t(`vendor.vendor_status_${s}`)), pending: leadsFrom(vendorStep('reject'), v.status as VendorStatus), canApprove: leadsFrom(vendorStep('approve'), v.status as VendorStatus) })),
      total: page.total,
      status: q.status ?? '',
      statuses: ['pending', 'approved', 'rejected'].map((v) => ({ value: v, selected: q.status === v })),
      pagination: pagination(page),
    });
  };
  router.get('/admin/vendors', admin, async (ctx) => vendorsPage(ctx));

  // Approve and reject a vendor: one page route each, derived from the vendor table (vendors/transitions.ts).
  mountPageSteps(router, VENDOR_WORKFLOW, {
    idParam,
    handle: (ctx, step, id) =>
      act(
        ctx,
        '/admin/vendors',
        async () => {
          const v = await review.reviewVendor(step.name, actorOf(ctx), id, step.input ? parseForm(step.input, requestBody(ctx)) : {});
          return stateOf(ctx).t(step.done, { name: v.name });
        },
        (error, reasonError) => vendorsPage(ctx, error ?? reasonError),
      ),
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

  const productPage = async (ctx: Context, id: number, error: string | null = null, reasonError: string | null = null) => {
    const state = stateOf(ctx);
    const listing = await review.listingDetail(actorOf(ctx), id);
    const certificate = await certificateFacts(db, listing);
    ctx.body = state.render('admin/product', { title: listing.title, flash: takeFlash(ctx), error, reasonError, listing, certificate, history: historyRows(state, listing.history), pending: leadsFrom(listingStep('approve'), listing.status as ListingStatus) });
  };
  router.get('/admin/products/:id', admin, async (ctx) => productPage(ctx, idParam(ctx.params.id)));

  // Approve and reject a listing: one page route each, derived from the listing table's review desk.
  mountPageSteps(router, LISTING_REVIEW, {
    idParam,
    handle: (ctx, step, id) =>
      act(
        ctx,
        `/admin/products/${id}`,
        async () => {
          const l = await review.reviewListing(step.name, actorOf(ctx), id, step.input ? parseForm(step.input, requestBody(ctx)) : {});
          return stateOf(ctx).t(step.done, { title: l.title });
        },
        (error, reasonError) => productPage(ctx, id, error, reasonError),
      ),
  });
}
