import type { Middleware } from 'koa';
import { ReasonInput } from '../schema';
import { decide, stepNamed, type Step, type Verdict, type Workflow } from '../workflow';

/**
 * The lives of a listing and of a vendor, each one table of steps (docs/adding-a-workflow-step.md). The services
 * take every change of status through its table (`decideListing`, `decideVendor`) and leave a history row for it;
 * the registrar derives the step routes of the desks below (the admin's review, the vendor's own listings), their
 * access-matrix rows and the 409 for a wrong state.
 *
 * Steps without a desk have no route of their own: `resubmit` is what an edit of a reviewed or rejected listing does
 * (PATCH /api/v1/vendor/products/:id), `delist_by_certificate` what a certificate's revocation, expiry or new holder
 * does to the listings resting on it (certification/listings.ts, the registry's side), `register` is the vendor's
 * registration.
 */

export const LISTING_STATUSES = ['pending_review', 'approved', 'rejected', 'delisted'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const VENDOR_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

/** What the guard of a listing step reads: is its certificate (if any) current, is its vendor approved. */
export interface ListingFacts {
  certCurrent: boolean;
  vendorApproved: boolean;
}

/** What a status step of these tables adds to a step of the workflow kit. */
export interface StatusStepExtras {
  /** Where its routes are mounted: the admin's review desk, the vendor's own space, or nowhere (the service's own). */
  desk: 'review' | 'vendor' | null;
  /**
   * The step's own 409 message when it does not lead from the status, where the step always said it in its own words
   * ("only a delisted listing can be submitted again"); otherwise the table's message for the status.
   */
  wrongState?: string;
}

export type ListingStep = Step<ListingStatus, ListingFacts> & StatusStepExtras;
export type VendorStep = Step<VendorStatus, unknown> & StatusStepExtras;

const reasonField = (id: string, control: 'input' | 'textarea') => ({ name: 'reason', field: 'reason', id, label: 'fields.reason', control, required: true, maxlength: 500 });

export const LISTING_WORKFLOW: Workflow<ListingStatus, ListingFacts, StatusStepExtras> = {
  name: 'listings',
  statuses: LISTING_STATUSES,
  final: [],
  apiPrefix: '/api/v1/vendor/products',
  pagePrefix: '/vendor/products',
  wrongStateKey: (status) => `vendor.listing_in_state_${status}`,
  steps: [
    {
      name: 'approve',
      from: ['pending_review'],
      to: 'approved',
      roles: ['admin'],
      may: 'product.review',
      guard: (f) => (!f.certCurrent ? { key: 'admin.cert_not_current' } : !f.vendorApproved ? { key: 'admin.vendor_not_approved' } : null),
      done: 'admin.listing_approved',
      desk: 'review',
      wrongState: 'admin.not_pending_review',
      form: { button: 'admin.approve_listing' },
    },
    {
      name: 'reject',
      from: ['pending_review'],
      to: 'rejected',
      roles: ['admin'],
      may: 'product.review',
      input: ReasonInput,
      done: 'admin.listing_rejected',
      desk: 'review',
      wrongState: 'admin.not_pending_review',
      form: { button: 'admin.reject_listing', danger: true, fields: [{ ...reasonField('reject-reason', 'textarea'), rows: 3 }] },
    },
    {
      name: 'delist',
      from: ['pending_review', 'approved', 'rejected'],
      to: 'delisted',
      roles: ['vendor'],
      may: 'product.delist',
      done: 'vendor.listing_delisted',
      desk: 'vendor',
      wrongState: 'vendor.already_delisted',
      form: { button: 'vendor.delist' },
    },
    {
      name: 'relist',
      from: ['delisted'],
      to: 'pending_review',
      roles: ['vendor'],
      may: 'product.relist',
      done: 'vendor.listing_relisted',
      desk: 'vendor',
      wrongState: 'vendor.not_delisted',
      form: { button: 'vendor.relist' },
    },
    { name: 'resubmit', from: ['approved', 'rejected'], to: 'pending_review', roles: ['vendor'], may: 'product.update', done: 'vendor.listing_back_to_review', desk: null },
    { name: 'delist_by_certificate', from: ['pending_review', 'approved'], to: 'delisted', roles: [], may: 'certification.manage', done: 'vendor.listing_delisted', desk: null },
  ],
};

export const VENDOR_WORKFLOW: Workflow<VendorStatus, unknown, StatusStepExtras> = {
  name: 'vendors',
  statuses: VENDOR_STATUSES,
  final: [],
  apiPrefix: '/api/v1/admin/vendors',
  pagePrefix: '/admin/vendors',
  wrongStateKey: (status) => `vendor.vendor_in_state_${status}`,
  steps: [
    // A rejected vendor may be approved later.
    {
      name: 'approve',
      from: ['pending', 'rejected'],
      to: 'approved',
      roles: ['admin'],
      may: 'vendor.review',
      done: 'admin.vendor_approved',
      desk: 'review',
      wrongState: 'admin.vendor_already_approved',
      form: { button: 'admin.approve' },
    },
    {
      name: 'reject',
      from: ['pending'],
      to: 'rejected',
      roles: ['admin'],
      may: 'vendor.review',
      input: ReasonInput,
      done: 'admin.vendor_rejected',
      desk: 'review',
      wrongState: 'admin.vendor_not_pending',
      form: { button: 'admin.reject', danger: true, fields: [reasonField('vr', 'input')] },
    },
  ],
};

/**
 * The desk of a table: the same table with only the steps routed there, under the desk's prefixes, as the registrar
 * mounts it (and the access matrix reads it).
 */
export function deskOf<S extends string, F>(
  wf: Workflow<S, F, StatusStepExtras>,
  desk: 'review' | 'vendor',
  prefixes: { apiPrefix: string; pagePrefix: string },
): Workflow<S, F, StatusStepExtras> {
  return { ...wf, ...prefixes, steps: wf.steps.filter((s) => s.desk === desk) };
}

/** The admin's review of listings: `POST /api/v1/admin/products/:id/{approve,reject}` and the pages'. */
export const LISTING_REVIEW = deskOf(LISTING_WORKFLOW, 'review', { apiPrefix: '/api/v1/admin/products', pagePrefix: '/admin/products' });
/** The vendor's own listings: `POST /api/v1/vendor/products/:id/{delist,relist}` and the pages'. */
export const LISTING_DESK = deskOf(LISTING_WORKFLOW, 'vendor', { apiPrefix: '/api/v1/vendor/products', pagePrefix: '/vendor/products' });

export type ListingStepName = 'approve' | 'reject' | 'delist' | 'relist' | 'resubmit' | 'delist_by_certificate';
export type VendorStepName = 'approve' | 'reject';

/** The table's verdict, the step's own words for a wrong state where it has them. */
export function decideStatusStep<S extends string, F>(wf: Workflow<S, F, StatusStepExtras>, step: Step<S, F> & StatusStepExtras, status: string, facts: F): Verdict<S> {
  const known = (wf.statuses as readonly string[]).includes(status);
  const verdict = known ? decide(wf, step, status as S, facts) : ({ ok: false, reason: 'state', key: '', params: {} } as Verdict<S>);
  if (!verdict.ok && verdict.reason === 'state') return { ...verdict, key: step.wrongState ?? (known ? verdict.key : 'errors.conflict') };
  return verdict;
}

export const listingStep = (name: ListingStepName): ListingStep => stepNamed(LISTING_WORKFLOW, name);
export const vendorStep = (name: VendorStepName): VendorStep => stepNamed(VENDOR_WORKFLOW, name);

/** No step of these tables moves money, so none honours Idempotency-Key (the registrar asks for the middleware). */
export const noIdempotency: Middleware = async (_ctx, next) => next();
