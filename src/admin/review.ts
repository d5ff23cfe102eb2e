import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { findCert, isCurrent } from '../certification';
import type { Db } from '../db';
import { invalidState, notFound } from '../errors';
import { authorize } from '../policies';
import { shanghaiDay } from '../time';
import {
  countBy,
  findListing,
  findVendor,
  listListings,
  listVendors,
  listingView,
  setVendorUsersStatus,
  updateProduct,
  updateVendor,
  usersOfVendor,
  vendorView,
  type ListingRow,
  type ListingView,
  type VendorView,
} from '../vendors';
import type { Actor, Page } from '../web';

export interface QueueCounts {
  vendors: number;
  products: number;
}

export interface VendorDetail extends VendorView {
  users: Array<{ id: number; username: string; displayName: string; status: string }>;
}

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

  /** Only a listing in review can be approved, and only while its certificate is still current. */
  async approveListing(actor: Actor, id: number): Promise<ListingView> {
    return this.db.transaction(async (trx) => {
      const row = await findListing(trx, id);
      if (!row) throw notFound('vendor.listing_not_found');
      authorize(actor, 'product.review', { vendorId: row.vendor_id });
      if (row.status !== 'pending_review') throw invalidState('admin.not_pending_review');
      if (row.cert_id) {
        const cert = await findCert(trx, row.cert_id);
        if (!cert || !isCurrent(cert, shanghaiDay(this.clock.now()))) throw invalidState('admin.cert_not_current');
      }
      const vendor = await findVendor(trx, row.vendor_id);
      if (vendor?.status !== 'approved') throw invalidState('admin.vendor_not_approved');
      await updateProduct(trx, id, { status: 'approved', review_reason: null, delist_cause: null, updated_at: this.clock.now().toISOString() });
      await recordAudit(trx, this.clock, { actor, action: 'product.approve', entity: 'product', entityId: id, before: { status: row.status }, after: { status: 'approved' } });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }

  async rejectListing(actor: Actor, id: number, reason: string): Promise<ListingView> {
    return this.db.transaction(async (trx) => {
      const row = await findListing(trx, id);
      if (!row) throw notFound('vendor.listing_not_found');
      authorize(actor, 'product.review', { vendorId: row.vendor_id });
      if (row.status !== 'pending_review') throw invalidState('admin.not_pending_review');
      await updateProduct(trx, id, { status: 'rejected', review_reason: reason, updated_at: this.clock.now().toISOString() });
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
    const users = await usersOfVendor(this.db, id);
    return { ...vendorView(v), users: users.map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, status: u.status })) };
  }

  /** Approving a vendor activates the accounts that registered with it. A rejected vendor may be approved later. */
  async approveVendor(actor: Actor, id: number): Promise<VendorView> {
    return this.db.transaction(async (trx) => {
      const v = await findVendor(trx, id);
      if (!v) throw notFound('admin.vendor_not_found');
      authorize(actor, 'vendor.review', v);
      if (v.status === 'approved') throw invalidState('admin.vendor_already_approved');
      const updated = await updateVendor(trx, id, { status: 'approved', review_reason: null, reviewed_at: this.clock.now().toISOString() });
      const activated = await setVendorUsersStatus(trx, id, 'pending', 'active');
      await recordAudit(trx, this.clock, {
        actor,
        action: 'vendor.approve',
        entity: 'vendor',
        entityId: id,
        before: { status: v.status },
        after: { status: 'approved', activated_users: activated },
      });
      return vendorView(updated);
    });
  }

  async rejectVendor(actor: Actor, id: number, reason: string): Promise<VendorView> {
    return this.db.transaction(async (trx) => {
      const v = await findVendor(trx, id);
      if (!v) throw notFound('admin.vendor_not_found');
      authorize(actor, 'vendor.review', v);
      if (v.status !== 'pending') throw invalidState('admin.vendor_not_pending');
      const updated = await updateVendor(trx, id, { status: 'rejected', review_reason: reason, reviewed_at: this.clock.now().toISOString() });
      await recordAudit(trx, this.clock, {
        actor,
        action: 'vendor.reject',
        entity: 'vendor',
        entityId: id,
        before: { status: v.status },
        after: { status: 'rejected', review_reason: reason },
      });
      return vendorView(updated);
    });
  }
}
