import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  deskSection,
  emptyForm,
  formFailure,
  idParam,
  parseForm,
  parseInput,
  requestBody,
  requireRole,
  setFlash,
  takeFlash,
  withoutEmpty,
  type AppState,
  type FormState,
  type RatePermit,
} from '../web';
import type { CertView, CertificationService } from '../certification';
import type { Deps } from '../deps';
import { CASE_UPDATES, UPDATES_DAYS, caseUpdates, deskUpdates, objectionUpdates, orderUpdates, type UpdateSource } from '../audit';
import { Money, formatYuan } from '../money';
import type { Executor } from '../db';
import { CITIES, FIELDS } from '../domain';
import { leadsFrom, mountPageSteps } from '../workflow';
import type { ListingService } from './listings';
import { LISTING_DESK, listingStep, type ListingStatus } from './transitions';
import type { ListingView } from './presenters';
import type { RegistrationService } from './registration';
import { ListingForm, ListingPatchForm, ListingQuery, VendorRegistration } from './schema';

const REGISTER_FIELDS = ['enterpriseName', 'creditCode', 'city', 'address', 'contact', 'username', 'password', 'displayName'] as const;
const LISTING_FIELDS = ['certNo', 'boutique', 'boutiqueEvidence', 'title', 'model', 'description', 'price', 'unit', 'stock', 'field', 'kind'] as const;

const stateOf = (ctx: Context) => ctx.state as AppState;

/** Select options for the listing and registration forms (strict templates: every key present). */
function choices(values: Record<string, string>, certs: Array<{ certNo: string; productName: string; current: boolean }>) {
  return {
    cities: CITIES.map((c) => ({ value: c.name, selected: values.city === c.name || values.city === c.code })),
    fields: FIELDS.map((f) => ({ value: f.name, selected: values.field === f.name || values.field === f.code })),
    certs: certs.filter((c) => c.current || c.certNo === values.certNo).map((c) => ({ value: c.certNo, label: `${c.certNo} · ${c.productName}`, selected: values.certNo === c.certNo })),
  };
}

/** A listing as its edit form shows it. */
function listingValues(l: ListingView): Record<string, string> {
  return {
    certNo: l.certNo ?? '',
    boutique: l.boutique ? 'on' : '',
    boutiqueEvidence: l.boutiqueEvidence ?? '',
    title: l.title,
    model: l.model,
    description: l.description,
    price: l.price,
    unit: l.unit,
    stock: String(l.stock),
    field: l.field,
    kind: l.kind,
  };
}

/** What the vendor's listings table shows per row, including why a listing left the catalogue. */
function listingRow(ctx: Context, l: ListingView) {
  const t = stateOf(ctx).t;
  let notice: string | null = null;
  if (l.delistCause) notice = t(`vendor.delist_cause_${l.delistCause}`, { certNo: l.certNo ?? '', reason: l.reviewReason ?? '' });
  else if (l.status === 'rejected') notice = t('vendor.rejected_because', { reason: l.reviewReason ?? '' });
  return {
    ...l,
    notice,
    canDelist: leadsFrom(listingStep('delist'), l.status as ListingStatus),
    canRelist: leadsFrom(listingStep('relist'), l.status as ListingStatus),
    isPublic: l.status === 'approved',
  };
}

/** One thing on the vendor's desk: what to do, on what, since when (none of a vendor's steps has a deadline). */
interface VendorTodo {
  what: string;
  ref: string;
  title: string;
  note: string | null;
  href: string;
  since: string;
}

/**
 * What needs the vendor (the same items the navigation counts, admin/nav.ts `vendorParts`): orders to confirm and to
 * deliver, rejected listings to correct, certification applications still drafts, insurance claims still drafts or
 * sent back by a review; the longest waiting first.
 */
async function vendorTodos(db: Executor, vendorId: number): Promise<VendorTodo[]> {
  const [orders, rejected, drafts, claims] = await Promise.all([
    db('orders as o').join('purchasers as p', 'p.id', 'o.purchaser_id').where('o.vendor_id', vendorId).whereIn('o.status', ['placed', 'confirmed']).limit(200).select('o.id', 'o.order_no', 'o.status', 'p.name as purchaser_name', 'o.updated_at'),
    db('products').where({ vendor_id: vendorId, status: 'rejected' }).limit(200).select('id', 'title', 'model', 'review_reason', 'updated_at'),
    db('cert_applications').where({ vendor_id: vendorId, status: 'draft' }).limit(200).select('id', 'application_no', 'product_name', 'model', 'updated_at'),
    db('insurance_claims').where({ vendor_id: vendorId }).whereIn('status', ['draft', 'rejected']).limit(200).select('id', 'claim_no', 'policy_no', 'status', 'admin_opinion', 'finance_opinion', 'rejected_by', 'updated_at'),
  ]);
  const iso = (v: string) => new Date(v).toISOString();
  const items: VendorTodo[] = [
    ...orders.map((o: { id: number; order_no: string; status: string; purchaser_name: string; updated_at: string }) => ({ what: o.status === 'placed' ? 'vendor.todo_confirm' : 'vendor.todo_deliver', ref: o.order_no, title: o.purchaser_name, note: null, href: `/orders/${o.id}`, since: iso(o.updated_at) })),
    ...rejected.map((p: { id: number; title: string; model: string; review_reason: string | null; updated_at: string }) => ({ what: 'vendor.todo_rejected', ref: p.model, title: p.title, note: p.review_reason, href: `/vendor/products/${p.id}/edit`, since: iso(p.updated_at) })),
    ...drafts.map((a: { id: number; application_no: string | null; product_name: string; model: string; updated_at: string }) => ({ what: 'vendor.todo_application', ref: a.application_no ?? a.model, title: a.product_name, note: null, href: `/vendor/applications/${a.id}`, since: iso(a.updated_at) })),
    ...claims.map((c: { id: number; claim_no: string | null; policy_no: string; status: string; admin_opinion: string | null; finance_opinion: string | null; rejected_by: string | null; updated_at: string }) => ({
      what: c.status === 'rejected' ? 'vendor.todo_claim_returned' : 'vendor.todo_claim_draft',
      ref: c.claim_no ?? c.policy_no,
      title: c.policy_no,
      // A claim sent back says why, in the words of the review that sent it back.
      note: c.status === 'rejected' ? (c.rejected_by === 'finance' ? c.finance_opinion : c.admin_opinion) : null,
      href: `/vendor/insurance-claims/${c.id}`,
      since: iso(c.updated_at),
    })),
  ];
  return items.sort((a, b) => Date.parse(a.since) - Date.parse(b.since) || a.ref.localeCompare(b.ref));
}

export function vendorPages(
  router: Router,
  deps: Deps,
  s: { listings: ListingService; registration: RegistrationService; certs: CertificationService; registrationPermit: (ctx: Context) => Promise<RatePermit> },
): void {
  const vendor = requireRole('vendor');

  const renderRegister = (ctx: Context, form: FormState, status = 200) => {
    const state = stateOf(ctx);
    ctx.status = status;
    ctx.body = state.render('vendor/register', { title: state.t('vendor.register_title'), form, ...choices(form.values, []) });
  };

  router.get('/vendor/register', async (ctx) => renderRegister(ctx, emptyForm(REGISTER_FIELDS)));

  router.post('/vendor/register', async (ctx) => {
    const body = requestBody(ctx);
    let permit: RatePermit | null = null;
    try {
      const input = parseForm(VendorRegistration, withoutEmpty(body));
      // Counted against the address's registrations (429 with Retry-After beyond it); given back if it fails.
      permit = await s.registrationPermit(ctx);
      const result = await s.registration.register(input);
      const state = stateOf(ctx);
      ctx.body = state.render('vendor/registered', { title: state.t('vendor.registered_title'), username: result.username });
    } catch (err) {
      await permit?.release();
      const { form, status } = formFailure(ctx, err, REGISTER_FIELDS, body);
      form.values.password = '';
      renderRegister(ctx, form, status);
    }
  });

  router.get('/vendor', vendor, async (ctx) => {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const [profile, certs, summary, todos, updates] = await Promise.all([
      s.registration.profile(actor),
      s.certs.forVendor(actor),
      s.listings.summary(actor),
      vendorTodos(deps.db, actor.vendorId ?? -1),
      deskUpdates(deps.db, actor.vendorId ?? -1, VENDOR_UPDATES, deps.clock.now()),
    ]);
    const byStatus = (st: string) => summary.counts[st] ?? 0;
    const todo = deskSection('todo', todos, '/vendor', ctx.query);
    ctx.body = state.render('vendor/dashboard', {
      title: state.t('vendor.dashboard_title'),
      flash: takeFlash(ctx),
      profile,
      certCount: certs.length,
      currentCertCount: certs.filter((c) => c.current).length,
      counts: { approved: byStatus('approved'), pending: byStatus('pending_review'), rejected: byStatus('rejected'), delisted: byStatus('delisted') },
      attention: summary.attention.map((l) => listingRow(ctx, l)),
      todos: todo.items,
      todo,
      updates,
      updatesDays: UPDATES_DAYS,
      updatesIntro: 'vendor.updates_intro',
    });
  });

  router.get('/vendor/certifications', vendor, async (ctx) => {
    const state = stateOf(ctx);
    const certs = await s.certs.forVendor(actorOf(ctx));
    ctx.body = state.render('vendor/certifications', { title: state.t('vendor.certs_title'), certs });
  });

  router.get('/vendor/products', vendor, async (ctx) => {
    const state = stateOf(ctx);
    const q = parseInput(ListingQuery, withoutEmpty(ctx.query as Record<string, unknown>));
    const page = await s.listings.list(actorOf(ctx), q);
    const totalPages = Math.max(1, Math.ceil(page.total / page.pageSize));
    ctx.body = state.render('vendor/products', {
      title: state.t('vendor.listings_title'),
      flash: takeFlash(ctx),
      items: page.items.map((l) => listingRow(ctx, l)),
      total: page.total,
      statuses: ['pending_review', 'approved', 'rejected', 'delisted'].map((v) => ({ value: v, selected: q.status === v })),
      status: q.status ?? '',
      pagination: { page: page.page, totalPages, prev: page.page > 1 ? page.page - 1 : null, next: page.page < totalPages ? page.page + 1 : null },
    });
  });

  const renderListingForm = async (ctx: Context, form: FormState, listing: ListingView | null, status = 200, known?: CertView[]) => {
    const state = stateOf(ctx);
    const certs = known ?? (await s.certs.forVendor(actorOf(ctx)));
    ctx.status = status;
    ctx.body = state.render('vendor/product-form', {
      title: state.t(listing ? 'vendor.edit_listing_title' : 'vendor.new_listing_title'),
      form,
      listing: listing ? listingRow(ctx, listing) : null,
      action: listing ? `/vendor/products/${listing.id}` : '/vendor/products',
      boutiqueChecked: Boolean(form.values.boutique),
      hasCerts: certs.some((c) => c.current),
      ...choices(form.values, certs),
    });
  };

  router.get('/vendor/products/new', vendor, async (ctx) => {
    const certNo = typeof ctx.query.certNo === 'string' ? ctx.query.certNo.slice(0, 64) : '';
    // 据此上架产品 from a certificate: the form starts with the certified product's name (a workday pass, 2026-12-08).
    const certs = await s.certs.forVendor(actorOf(ctx));
    const cert = certNo ? certs.find((c) => c.certNo === certNo) : undefined;
    await renderListingForm(ctx, emptyForm(LISTING_FIELDS, { unit: (ctx.state as AppState).t('vendor.default_unit'), stock: '1', certNo, ...(cert ? { title: cert.productName } : {}) }), null, 200, certs);
  });

  router.post('/vendor/products', vendor, async (ctx) => {
    const body = requestBody(ctx);
    try {
      const created = await s.listings.create(actorOf(ctx), parseForm(ListingForm, withoutEmpty(body)));
      setFlash(ctx, stateOf(ctx).t('vendor.listing_submitted', { id: created.id }));
      ctx.redirect(`${stateOf(ctx).base}/vendor/products`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, LISTING_FIELDS, body);
      await renderListingForm(ctx, form, null, status);
    }
  });

  router.get('/vendor/products/:id/edit', vendor, async (ctx) => {
    const listing = await s.listings.get(actorOf(ctx), idParam(ctx.params.id));
    await renderListingForm(ctx, { ...emptyForm(LISTING_FIELDS), values: listingValues(listing) }, listing);
  });

  router.post('/vendor/products/:id', vendor, async (ctx) => {
    const id = idParam(ctx.params.id);
    const listing = await s.listings.get(actorOf(ctx), id);
    const body = requestBody(ctx);
    try {
      // The edit form sends every field: an empty certificate means "none", an unticked box means "not boutique".
      const input = { ...withoutEmpty(body, ['certNo', 'description', 'title', 'model', 'price', 'unit', 'stock']), boutique: body.boutique ? 'on' : 'false' };
      const updated = await s.listings.update(actorOf(ctx), id, parseForm(ListingPatchForm, input));
      setFlash(ctx, stateOf(ctx).t(updated.status === 'pending_review' && listing.status !== 'pending_review' ? 'vendor.listing_back_to_review' : 'vendor.listing_saved'));
      ctx.redirect(`${stateOf(ctx).base}/vendor/products`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, LISTING_FIELDS, body);
      await renderListingForm(ctx, form, listing, status);
    }
  });

  // Delist and relist: one page route each, derived from the listing table's vendor desk (transitions.ts); back to
  // the list with the outcome, or the reason it was refused (nothing written).
  mountPageSteps(router, LISTING_DESK, {
    idParam,
    handle: async (ctx, step, id) => {
      const state = stateOf(ctx);
      try {
        await s.listings.run(step.name, actorOf(ctx), id);
        setFlash(ctx, state.t(step.done));
      } catch (err) {
        const { form } = formFailure(ctx, err, [], {});
        if ((err as { code?: string }).code === 'forbidden' || (err as { code?: string }).code === 'not_found') throw err;
        setFlash(ctx, form.error ?? state.t('errors.conflict'));
      }
      ctx.redirect(`${state.base}/vendor/products`);
    },
  });
}

/** What others do to a vendor's orders, listings, applications, claims and awards that it should hear of on its desk. */
const VENDOR_UPDATES: UpdateSource[] = [
  orderUpdates('vendor_id', ['order.place', 'order.accept', 'order.reject', 'order.pay', 'order.cancel']),
  // The 政府首购 cases that name its products, once published (a draft is the purchasing unit's own): every step of
  // its cases but the contract's filing, which is between the purchasing unit and the finance department.
  caseUpdates('vendor_id', CASE_UPDATES.filter((a) => a !== 'first_purchase.filing')),
  objectionUpdates('vendor_id'),
  {
    entity: 'product',
    table: 'products',
    owner: 'vendor_id',
    actions: ['product.approve', 'product.reject'],
    columns: ['id', 'title', 'model'],
    ref: (p) => ({ ref: String(p.model), title: String(p.title), href: `/vendor/products/${String(p.id)}/edit` }),
  },
  {
    entity: 'cert_application',
    table: 'cert_applications',
    owner: 'vendor_id',
    actions: ['recognition.screen', 'recognition.recommend', 'recognition.enter_round', 'recognition.certify', 'recognition.objection_upheld'],
    columns: ['id', 'application_no', 'product_name'],
    ref: (a) => ({ ref: String(a.application_no ?? `#${String(a.id)}`), title: String(a.product_name), href: `/vendor/applications/${String(a.id)}` }),
  },
  {
    entity: 'insurance_claim',
    table: 'insurance_claims',
    owner: 'vendor_id',
    actions: ['insurance.admin_review', 'insurance.finance_review', 'insurance.finance_disburse'],
    columns: ['id', 'claim_no', 'policy_no'],
    ref: (c) => ({ ref: String(c.claim_no ?? c.policy_no), title: '', href: `/vendor/insurance-claims/${String(c.id)}` }),
  },
  {
    entity: 'cert_award',
    table: 'cert_awards',
    owner: 'vendor_id',
    actions: ['recognition.award_pay'],
    columns: ['id', 'application_id', 'amount_fen'],
    ref: (w) => ({ ref: formatYuan(Money.ofFen(w.amount_fen as number | string)), title: '', href: `/vendor/applications/${String(w.application_id)}` }),
  },
];
