import { Money } from '../money';
import { certView, type CertRow, type CertView } from '../certification';
import type { ProductDetailRow, ProductListRow } from './repo';
import { apiTime } from '../time';

export interface ProductItem {
  id: number;
  title: string;
  model: string;
  price: string;
  unit: string;
  stock: number;
  kind: string;
  level: string | null;
  field: string;
  badges: string[];
  certNo: string | null;
  vendor: { id: number; name: string; city: string };
}

/** The public face of a certificate: the registry's view without its internal fields. */
export type CertificateView = Omit<CertView, 'id' | 'keySupported' | 'current' | 'createdAt' | 'updatedAt'>;

/**
 * The values that thousands of listed products repeat — kinds, levels, fields, cities, units, vendors' names — as one
 * string each (the driver makes a new one per row): the catalogue keeps tens of thousands of listed products
 * (service.ts). Bounded, so that free text typed into a unit cannot grow it without end.
 */
const shared = new Map<string, string>();
const SHARED_MAX = 20_000;
function sharedString(s: string): string {
  const known = shared.get(s);
  if (known !== undefined) return known;
  if (typeof s === 'string' && s.length <= 32 && shared.size < SHARED_MAX) shared.set(s, s);
  return s;
}

/** A product's badges, one frozen list per combination. */
const BADGES: ReadonlyArray<readonly string[]> = [[], ['first_unit'], ['boutique'], ['first_unit', 'boutique']].map((b) => Object.freeze(b));

export function productItem(r: ProductListRow): ProductItem {
  return {
    id: r.id,
    title: r.title,
    model: r.model,
    price: Money.ofFen(r.price_fen).toString(),
    unit: sharedString(r.unit),
    stock: r.stock,
    kind: sharedString(r.kind),
    level: r.level ? sharedString(r.level) : null,
    field: sharedString(r.field),
    badges: BADGES[(r.cert_no ? 1 : 0) + (r.boutique ? 2 : 0)] as string[],
    certNo: r.cert_no ?? null,
    vendor: { id: r.vendor_id, name: sharedString(r.vendor_name), city: sharedString(r.city) },
  };
}

export function certificateView(c: CertRow, today: string): CertificateView {
  const { id: _id, keySupported: _k, current: _c, createdAt: _cr, updatedAt: _u, ...view } = certView(c, today);
  return view;
}

export interface ProductDetail extends ProductItem {
  description: string;
  status: string;
  boutiqueEvidence: string | null;
  certificate: CertificateView | null;
  firstPurchaseEligible: boolean;
  updatedAt: string;
}

export function productDetail(r: ProductDetailRow, cert: CertRow | undefined, eligible: boolean, today: string): ProductDetail {
  return {
    ...productItem(r),
    description: r.description,
    status: r.status,
    boutiqueEvidence: r.boutique_evidence ?? null,
    certificate: cert ? certificateView(cert, today) : null,
    firstPurchaseEligible: eligible,
    updatedAt: apiTime(r.updated_at),
  };
}
