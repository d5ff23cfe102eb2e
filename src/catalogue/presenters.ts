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

export function productItem(r: ProductListRow): ProductItem {
  const badges: string[] = [];
  if (r.cert_no) badges.push('first_unit');
  if (r.boutique) badges.push('boutique');
  return {
    id: r.id,
    title: r.title,
    model: r.model,
    price: Money.ofFen(r.price_fen).toString(),
    unit: r.unit,
    stock: r.stock,
    kind: r.kind,
    level: r.level ?? null,
    field: r.field,
    badges,
    certNo: r.cert_no ?? null,
    vendor: { id: r.vendor_id, name: r.vendor_name, city: r.city },
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
