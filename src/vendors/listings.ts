import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { findCertByNo, isCurrent, type CertRow } from '../certification';
import { writeTransaction, type Db, type Executor } from '../db';
import { UNCERTIFIED_KIND } from '../domain';
import { AppError, invalidField, notFound } from '../errors';
import { authorize } from '../policies';
import { productSearchText } from '../search-text';
import { shanghaiDay } from '../time';
import type { Actor, Page } from '../web';
import { assertListingStep, moveListing, startListing } from './moves';
import { listingView, type ListingView } from './presenters';
import { countListingsByStatus, findListing, findVendor, insertProduct, listListings, listingsNeedingAttention, updateProduct, vendorMainField, type ListingRow, type ProductRow, type VendorRow } from './repo';
import type { ListingInput, ListingPatch } from './schema';

/** What a change to these sends a listing back to review: what the certificate and the reviewer vouched for. */
const REVIEWED_FIELDS = ['title', 'model', 'description', 'field', 'kind', 'boutique', 'boutique_evidence', 'cert_id'] as const;

/** A first-unit kind comes with a certificate: an uncertified listing may only be (or say it is) `boutique`. */
function refuseFirstUnitKind(kind: string | undefined): void {
  if (kind !== undefined && kind !== UNCERTIFIED_KIND) throw invalidField('kind', 'vendor.kind_needs_cert');
}

/** The snapshot of a listing kept in the audit log. */
const snapshot = (r: Partial<ProductRow>) => {
  const { search_text: _s, ...rest } = r as ProductRow;
  return rest;
};

/**
 * A vendor's listings: create against its own valid certificate (or as a boutique item), edit, delist, relist.
 * Every write is one transaction with its audit record; every object goes through its policy first.
 */
export class ListingService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return shanghaiDay(this.clock.now());
  }

  private async vendorOf(db: Executor, actor: Actor): Promise<VendorRow> {
    const vendor = actor.vendorId ? await findVendor(db, actor.vendorId) : undefined;
    if (!vendor) throw new AppError('forbidden', 'errors.wrong_role');
    return vendor;
  }

  /** The certificate a listing may rest on: it exists, it is the vendor's own, it is current; else 422 on certNo. */
  private async usableCert(db: Executor, vendor: VendorRow, certNo: string): Promise<CertRow> {
    const cert = await findCertByNo(db, certNo.normalize('NFKC').trim());
    if (!cert) throw invalidField('certNo', 'vendor.cert_unknown', { certNo });
    if (cert.credit_code !== vendor.credit_code) throw invalidField('certNo', 'vendor.cert_not_own', { certNo });
    if (!isCurrent(cert, this.today())) throw invalidField('certNo', 'vendor.cert_not_valid', { certNo });
    return cert;
  }

  /** The listing, loaded and authorised for `action`; another vendor's listing is a 403. */
  private async ownListing(db: Executor, actor: Actor, id: number, action: 'product.read_own' | 'product.update' | 'product.delist' | 'product.relist'): Promise<ListingRow> {
    const row = await findListing(db, id);
    if (!row) throw notFound('vendor.listing_not_found');
    authorize(actor, action, { vendorId: row.vendor_id });
    return row;
  }

  async create(actor: Actor, input: ListingInput): Promise<{ id: number; status: string }> {
    return writeTransaction(this.db, async (trx) => {
      const vendor = await this.vendorOf(trx, actor);
      authorize(actor, 'product.create', vendor);
      const cert = input.certNo ? await this.usableCert(trx, vendor, input.certNo) : null;
      if (!cert) refuseFirstUnitKind(input.kind);
      const now = this.clock.now().toISOString();
      const field = cert?.field ?? input.field ?? (await vendorMainField(trx, vendor));
      if (!field) throw invalidField('field', 'validation.required');
      const row = {
        vendor_id: vendor.id,
        cert_id: cert?.id ?? null,
        boutique: input.boutique ?? false,
        boutique_evidence: input.boutiqueEvidence ?? null,
        title: input.title,
        model: input.model,
        description: input.description,
        field,
        kind: cert?.kind ?? UNCERTIFIED_KIND,
        level: cert?.level ?? null,
        city: vendor.city,
        price_fen: input.price,
        unit: input.unit,
        stock: input.stock,
        status: 'pending_review',
        search_text: productSearchText({ title: input.title, model: input.model, field, certNo: cert?.cert_no, vendorName: vendor.name, description: input.description }),
        created_at: now,
        updated_at: now,
      };
      const id = await insertProduct(trx, row);
      await startListing(trx, this.clock, actor, id, 'pending_review');
      await recordAudit(trx, this.clock, { actor, action: 'product.create', entity: 'product', entityId: id, after: snapshot(row) });
      return { id, status: 'pending_review' };
    });
  }

  async get(actor: Actor, id: number): Promise<ListingView> {
    return listingView(await this.ownListing(this.db, actor, id, 'product.read_own'));
  }

  async list(actor: Actor, q: { status?: string; page: number; pageSize: number }): Promise<Page<ListingView>> {
    const vendor = await this.vendorOf(this.db, actor);
    const { rows, total } = await listListings(this.db, { vendorId: vendor.id, status: q.status }, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(listingView), total, page: q.page, pageSize: q.pageSize };
  }

  /** The dashboard's summary: counts per status and the listings that need the vendor's attention. */
  async summary(actor: Actor): Promise<{ counts: Record<string, number>; attention: ListingView[] }> {
    const vendor = await this.vendorOf(this.db, actor);
    const [counts, attention] = await Promise.all([countListingsByStatus(this.db, vendor.id), listingsNeedingAttention(this.db, vendor.id, 20)]);
    return { counts, attention: attention.map(listingView) };
  }

  /**
   * Price, stock and unit apply at once, even to an approved listing. A change to what was certified or reviewed
   * (title, model, description, field, kind, certificate, boutique claim) sends an approved listing back to review;
   * any change to a rejected listing resubmits it.
   */
  async update(actor: Actor, id: number, patch: ListingPatch): Promise<ListingView> {
    return writeTransaction(this.db, async (trx) => {
      const row = await this.ownListing(trx, actor, id, 'product.update');
      const vendor = await this.vendorOf(trx, actor);
      let cert: CertRow | null | undefined; // undefined: unchanged
      if (patch.certNo !== undefined) {
        const wanted = patch.certNo ? patch.certNo.normalize('NFKC').trim() : '';
        if (!wanted) cert = null;
        else if (wanted !== row.cert_no) cert = await this.usableCert(trx, vendor, wanted);
      }
      const next: ProductRow = { ...row };
      if (patch.title !== undefined) next.title = patch.title;
      if (patch.model !== undefined) next.model = patch.model;
      if (patch.description !== undefined) next.description = patch.description;
      if (patch.price !== undefined) next.price_fen = patch.price;
      if (patch.stock !== undefined) next.stock = patch.stock;
      if (patch.unit !== undefined) next.unit = patch.unit;
      if (patch.boutique !== undefined) next.boutique = patch.boutique;
      if (patch.boutiqueEvidence !== undefined) next.boutique_evidence = patch.boutiqueEvidence;
      if (cert !== undefined) {
        next.cert_id = cert?.id ?? null;
        next.level = cert?.level ?? null;
        if (cert) {
          next.kind = cert.kind;
          next.field = cert.field;
        }
      }
      if (!next.cert_id) {
        if (patch.field !== undefined) next.field = patch.field;
        refuseFirstUnitKind(patch.kind);
        // Without a certificate an item has no first-unit kind: it is a 浙江制造精品 item.
        next.kind = UNCERTIFIED_KIND;
      }
      if (!next.cert_id && !next.boutique) throw invalidField('certNo', 'validation.cert_or_boutique');
      const changed = (Object.keys(next) as Array<keyof ProductRow>).filter((k) => normalise(next[k]) !== normalise(row[k]));
      if (!changed.length) return listingView(row);
      const reviewed = changed.some((k) => (REVIEWED_FIELDS as readonly string[]).includes(k));
      const resubmit = (row.status === 'approved' && reviewed) || row.status === 'rejected';
      if (resubmit) {
        next.status = 'pending_review';
        next.review_reason = null;
        next.delist_cause = null;
      }
      next.search_text = productSearchText({
        title: next.title,
        model: next.model,
        field: next.field,
        certNo: cert === undefined ? row.cert_no : (cert?.cert_no ?? null),
        vendorName: vendor.name,
        description: next.description,
      });
      next.updated_at = this.clock.now().toISOString();
      const patchRow: Partial<ProductRow> = {};
      for (const k of [...changed, 'status', 'review_reason', 'delist_cause', 'search_text', 'updated_at'] as Array<keyof ProductRow>) {
        (patchRow as Record<string, unknown>)[k] = next[k];
      }
      if (resubmit) {
        // Back to review: the table's step `resubmit`, with its history row.
        const { status: _status, ...rest } = patchRow;
        await moveListing(trx, this.clock, actor, row, 'resubmit', { patch: rest });
      } else {
        await updateProduct(trx, id, patchRow);
      }
      await recordAudit(trx, this.clock, {
        actor,
        action: 'product.update',
        entity: 'product',
        entityId: id,
        before: Object.fromEntries([...changed, 'status'].map((k) => [k, row[k as keyof ProductRow]])),
        after: Object.fromEntries([...changed, 'status'].map((k) => [k, next[k as keyof ProductRow]])),
      });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }

  /** A step of the vendor's desk (transitions.ts `LISTING_DESK`), as the registrar's routes call it. */
  run(step: string, actor: Actor, id: number): Promise<ListingView> {
    if (step === 'delist') return this.delist(actor, id);
    if (step === 'relist') return this.relist(actor, id);
    throw new Error(`listings: no step ${step}`);
  }

  /** The vendor takes a listing out of the catalogue (or withdraws it from review). */
  async delist(actor: Actor, id: number): Promise<ListingView> {
    return writeTransaction(this.db, async (trx) => {
      const row = await this.ownListing(trx, actor, id, 'product.delist');
      await moveListing(trx, this.clock, actor, row, 'delist', { patch: { delist_cause: null } });
      await recordAudit(trx, this.clock, { actor, action: 'product.delist', entity: 'product', entityId: id, before: { status: row.status }, after: { status: 'delisted' } });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }

  /** A delisted listing goes back to review; its certificate must still be the vendor's own and current. */
  async relist(actor: Actor, id: number): Promise<ListingView> {
    return writeTransaction(this.db, async (trx) => {
      const row = await this.ownListing(trx, actor, id, 'product.relist');
      assertListingStep(row.status, 'relist');
      const vendor = await this.vendorOf(trx, actor);
      if (row.cert_no) await this.usableCert(trx, vendor, row.cert_no);
      await moveListing(trx, this.clock, actor, row, 'relist', { patch: { review_reason: null, delist_cause: null } });
      await recordAudit(trx, this.clock, { actor, action: 'product.relist', entity: 'product', entityId: id, before: { status: row.status }, after: { status: 'pending_review' } });
      return listingView((await findListing(trx, id)) as ListingRow);
    });
  }
}

const normalise = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v === undefined ? null : v);
