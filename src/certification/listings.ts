import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import type { Executor } from '../db';
import { productSearchText } from '../search-text';
import type { Actor } from '../web';
import { findVendorIdentity, insertListingHistory, listingsOfCert, liveListingsOfCert, updateListingOfCert, type CertRow } from './repo';

/*
 * The listings that rest on a certificate follow it, in the same transaction as the certificate's change: the
 * registry's side of the relation (the vendors module writes listings; this is the one thing a certificate's change
 * does to them). Kept here so that vendors may read the registry (a listing needs a current certificate of its own)
 * without the registry reading vendors back.
 */

/**
 * A certificate was revoked, expired or reassigned: its live listings leave the catalogue, each with the cause and
 * reason the vendor will read on its listings page. Runs in the caller's transaction. Returns the count.
 */
export async function delistListingsOfCert(
  trx: Executor,
  clock: Clock,
  actor: Pick<Actor, 'id' | 'username'> | null,
  certId: number,
  cause: 'cert_revoked' | 'cert_expired' | 'cert_changed',
  reason: string | null,
  onlyVendorsOtherThan?: string,
): Promise<number> {
  const live = await liveListingsOfCert(trx, certId);
  const now = clock.now().toISOString();
  let n = 0;
  for (const p of live) {
    if (onlyVendorsOtherThan !== undefined) {
      const v = await findVendorIdentity(trx, p.vendor_id);
      if (v?.credit_code === onlyVendorsOtherThan) continue;
    }
    await updateListingOfCert(trx, p.id, { status: 'delisted', delist_cause: cause, review_reason: reason, updated_at: now });
    // The listing table's step `delist_by_certificate` (vendors/transitions.ts): from a live status to delisted.
    await insertListingHistory(trx, {
      product_id: p.id,
      action: 'delist_by_certificate',
      from_status: p.status,
      to_status: 'delisted',
      actor_id: actor?.id ?? null,
      note: reason ? `${cause}: ${reason}` : cause,
      at: now,
    });
    await recordAudit(trx, clock, {
      actor,
      action: 'product.delist_by_certificate',
      entity: 'product',
      entityId: p.id,
      before: { status: p.status },
      after: { status: 'delisted', delist_cause: cause, review_reason: reason },
    });
    n++;
  }
  return n;
}

/** After a certificate's kind, level or field changed: the listings' denormalised copies follow. */
export async function refreshListingsOfCert(trx: Executor, cert: CertRow, now: string): Promise<void> {
  for (const p of await listingsOfCert(trx, cert.id)) {
    const vendor = await findVendorIdentity(trx, p.vendor_id);
    await updateListingOfCert(trx, p.id, {
      kind: cert.kind,
      level: cert.level,
      field: cert.field,
      search_text: productSearchText({ title: p.title, model: p.model, field: cert.field, certNo: cert.cert_no, vendorName: vendor?.name, description: p.description }),
      updated_at: now,
    });
  }
}
