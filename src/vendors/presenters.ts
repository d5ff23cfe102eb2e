import { Money } from '../money';
import type { ListingRow, StatusHistoryRow, VendorRow } from './repo';
import { apiTime, apiTimeOrNull } from '../time';

export interface ListingView {
  id: number;
  title: string;
  model: string;
  description: string;
  price: string;
  unit: string;
  stock: number;
  kind: string;
  level: string | null;
  field: string;
  city: string;
  boutique: boolean;
  boutiqueEvidence: string | null;
  certNo: string | null;
  status: string;
  reviewReason: string | null;
  /** Set when the listing left the catalogue because of its certificate: cert_revoked | cert_expired | cert_changed. */
  delistCause: string | null;
  vendor: { id: number; name: string };
  createdAt: string;
  updatedAt: string;
}

export function listingView(r: ListingRow): ListingView {
  return {
    id: r.id,
    title: r.title,
    model: r.model,
    description: r.description,
    price: Money.ofFen(r.price_fen).toString(),
    unit: r.unit,
    stock: r.stock,
    kind: r.kind,
    level: r.level ?? null,
    field: r.field,
    city: r.city,
    boutique: Boolean(r.boutique),
    boutiqueEvidence: r.boutique_evidence ?? null,
    certNo: r.cert_no ?? null,
    status: r.status,
    reviewReason: r.review_reason ?? null,
    delistCause: r.delist_cause ?? null,
    vendor: { id: r.vendor_id, name: r.vendor_name },
    createdAt: apiTime(r.created_at),
    updatedAt: apiTime(r.updated_at),
  };
}

export interface VendorView {
  id: number;
  name: string;
  creditCode: string;
  city: string;
  address: string;
  contact: string;
  status: string;
  reviewReason: string | null;
  createdAt: string;
  reviewedAt: string | null;
}

export const vendorView = (v: VendorRow): VendorView => ({
  id: v.id,
  name: v.name,
  creditCode: v.credit_code,
  city: v.city,
  address: v.address,
  contact: v.contact,
  status: v.status,
  reviewReason: v.review_reason ?? null,
  createdAt: apiTime(v.created_at),
  reviewedAt: apiTimeOrNull(v.reviewed_at),
});

/** One change of status as the admin reads it (the order's history has the same shape, with `action` beside). */
export interface HistoryEntry {
  action: string;
  from: string | null;
  to: string;
  actor: string | null;
  note: string | null;
  at: string;
}

export const historyView = (h: StatusHistoryRow): HistoryEntry => ({
  action: h.action,
  from: h.from_status ?? null,
  to: h.to_status,
  actor: h.actor_name ?? null,
  note: h.note ?? null,
  at: apiTime(h.at),
});
