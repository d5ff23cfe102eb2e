import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { findCert, isCurrent } from '../certification';
import { writeTransaction, type Db } from '../db';
import { notFound } from '../errors';
import { authorize } from '../policies';
import { shanghaiDay } from '../time';
import {
  countBy,
  findListing,
  findVendor,
  historyView,
  listListings,
  listVendors,
  listingView,
  moveListing,
  moveVendor,
  productHistory,
  setVendorUsersStatus,
  usersOfVendor,
  vendorHistories,
  vendorView,
  type HistoryEntry,
  type ListingRow,
  type ListingView,
  type VendorView,
} from '../vendors';
import type { ReasonInputT as ReasonInput } from './schema';
import type { Actor, Page } from '../web';

export interface QueueCounts {
  vendors: number;
  products: number;
}

export interface VendorDetail extends VendorView {
  users: Array<{ id: number; username: string; displayName: string; status: string }>;
  /** Every change of the vendor's status, oldest first (added to API.md's detail; nothing of it renamed). */
  history: HistoryEntry[];
}

/** A listing as the reviewer reads it: the listing, and every change of its status, oldest first. */
export interface ListingDetail extends ListingView {
  history: HistoryEntry[];
}

/** A vendor row of the queue page, with its history. */
export interface VendorWithHistory extends VendorView {
  history: HistoryEntry[];
}

type VendorRow = Parameters<typeof vendorView>[0];

/** The admin's review queues: vendors awaiting approval, listings awaiting review. */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async counts(): Promise<QueueCounts> {
    const [vendors, products] = await Promise.all([countBy(this.db, 'vendors', 'pending'), countBy(this.db, 'products', 'pending_review')]);
    return { vendors, products };
  }

  async listings(q: { status?: string; page: number; pageSize: number }): Promise<Page<ListingView>> {
    const { rows, total } = await listListings(this.db, { status: q.status }, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(listingView), total, page: q.page, pageSize: q.pageSize };
  }

  async listing(actor: Actor, id: number): Promise<ListingView> {
    const row = await findListing(this.db, id);
    if (!row) throw notFound('vendor.listing_not_found');
    authorize(actor, 'product.review', { vendorId: row.vendor_id });
    return listingView(row);
  }

  /** A listing under review with its history (the admin's detail, JSON and page). */
  async listingDetail(actor: Actor, id: number): Promise<ListingDetail> {
    const listing = await this.listing(actor, id);
    return { ...listing, history: (await productHistory(this.db, id)).map(historyView) };
  }

  /** A step of the listing review (vendors/transitions.ts `LISTING_REVIEW`): approve, or reject with a reason. */
  reviewListing(step: string, actor: Actor, id: number, input: unknown): Promise<ListingView> {
    if (step === 'approve') return this.approveListing(actor, id);
    if (step === 'reject') return this.rejectListing(actor, id, (input as ReasonInput).reason);
    throw new Error(`review: no listing step ${step}`);
  }

  /** Only a listing in review can be approved, and only while its certificate is still current and its vendor approved. */
  async approveListing(actor: Actor, id: number): Promise<ListingView> {
    return writeTransaction(this.db, async (trx) => {
      const row = await findListing(trx, id);
      if (!row) throw notFound('vendor.listing_not_found');
      authorize(actor, 'product.review', { vendorId: row.vendor_id });
      const cert = row.cert_id ? await findCert(trx, row.cert_id) : null;
      const vendor = await findVendor(trx, row.vendor_id);
      const facts = { certCurrent: !row.cert_id || (!!cert && isCurrent(cert, shanghaiDay(this.clock.now()))), vendorApproved: vendor?.status === 'approved' };
      await moveListing(trx, this.clock, actor, row, 'approve', { facts, patch: { review_reason: null, delist_cause: null } });
      await recordAudit(trx, this.clock, { actor, action: 'product.approve', entity: 'product', entityId: id, before: { status: row.status }, after: { status: 'approved' } });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }

  async rejectListing(actor: Actor, id: number, reason: string): Promise<ListingView> {
    return writeTransaction(this.db, async (trx) => {
      const row = await findListing(trx, id);
      if (!row) throw notFound('vendor.listing_not_found');
      authorize(actor, 'product.review', { vendorId: row.vendor_id });
      await moveListing(trx, this.clock, actor, row, 'reject', { patch: { review_reason: reason }, note: reason });
      await recordAudit(trx, this.clock, {
        actor,
        action: 'product.reject',
        entity: 'product',
        entityId: id,
        before: { status: row.status },
        after: { status: 'rejected', review_reason: reason },
      });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }

  async vendors(q: { status?: string; page: number; pageSize: number }): Promise<Page<VendorView>> {
    const { rows, total } = await listVendors(this.db, q.status, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(vendorView), total, page: q.page, pageSize: q.pageSize };
  }

  async vendor(actor: Actor, id: number): Promise<VendorDetail> {
    const v = await findVendor(this.db, id);
    if (!v) throw notFound('admin.vendor_not_found');
    authorize(actor, 'vendor.review', v);
    const [users, histories] = await Promise.all([usersOfVendor(this.db, id), vendorHistories(this.db, [id])]);
    return {
      ...vendorView(v),
      users: users.map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, status: u.status })),
      history: (histories.get(id) ?? []).map(historyView),
    };
  }

  /** A page of the vendor queue with each vendor's history (the admin's queue page). */
  async vendorsWithHistory(q: { status?: string; page: number; pageSize: number }): Promise<Page<VendorWithHistory>> {
    const page = await this.vendors(q);
    const histories = await vendorHistories(this.db, page.items.map((v) => v.id));
    return { ...page, items: page.items.map((v) => ({ ...v, history: (histories.get(v.id) ?? []).map(historyView) })) };
  }

  /** A step of the vendor review (vendors/transitions.ts `VENDOR_WORKFLOW`): approve, or reject with a reason. */
  reviewVendor(step: string, actor: Actor, id: number, input: unknown): Promise<VendorView> {
    if (step === 'approve') return this.approveVendor(actor, id);
    if (step === 'reject') return this.rejectVendor(actor, id, (input as ReasonInput).reason);
    throw new Error(`review: no vendor step ${step}`);
  }

  /** Approving a vendor activates the accounts that registered with it. A rejected vendor may be approved later. */
  async approveVendor(actor: Actor, id: number): Promise<VendorView> {
    return writeTransaction(this.db, async (trx) => {
      const v = await findVendor(trx, id);
      if (!v) throw notFound('admin.vendor_not_found');
      authorize(actor, 'vendor.review', v);
      await moveVendor(trx, this.clock, actor, v, 'approve', { patch: { review_reason: null, reviewed_at: this.clock.now().toISOString() } });
      const activated = await setVendorUsersStatus(trx, id, 'pending', 'active');
      await recordAudit(trx, this.clock, {
        actor,
        action: 'vendor.approve',
        entity: 'vendor',
        entityId: id,
        before: { status: v.status },
        after: { status: 'approved', activated_users: activated },
      });
      return vendorView((await findVendor(trx, id)) as VendorRow);
    });
  }

  async rejectVendor(actor: Actor, id: number, reason: string): Promise<VendorView> {
    return writeTransaction(this.db, async (trx) => {
      const v = await findVendor(trx, id);
      if (!v) throw notFound('admin.vendor_not_found');
      authorize(actor, 'vendor.review', v);
      await moveVendor(trx, this.clock, actor, v, 'reject', { patch: { review_reason: reason, reviewed_at: this.clock.now().toISOString() }, note: reason });
      await recordAudit(trx, this.clock, {
        actor,
        action: 'vendor.reject',
        entity: 'vendor',
        entityId: id,
        before: { status: v.status },
        after: { status: 'rejected', review_reason: reason },
      });
      return vendorView((await findVendor(trx, id)) as VendorRow);
    });
  }
}
