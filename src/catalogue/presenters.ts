import { Money } from '../money';
import type { CertificationRow, ProductDetailRow, ProductListRow } from './repo';

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

export interface CertificateView {
  certNo: string;
  productName: string;
  enterpriseName: string;
  creditCode: string;
  kind: string;
  level: string;
  field: string;
  year: number;
  validUntil: string;
  status: string;
  revokedReason: string | null;
  indicators: string[];
}

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

export function certificateView(c: CertificationRow): CertificateView {
  let indicators: string[] = [];
  try {
    const parsed = JSON.parse(c.indicators) as unknown;
    if (Array.isArray(parsed)) indicators = parsed.map(String);
  } catch {
    indicators = [];
  }
  return {
    certNo: c.cert_no,
    productName: c.product_name,
    enterpriseName: c.enterprise_name,
    creditCode: c.credit_code,
    kind: c.kind,
    level: c.level,
    field: c.field,
    year: c.year,
    validUntil: c.valid_until,
    status: c.status,
    revokedReason: c.revoked_reason ?? null,
    indicators,
  };
}

export interface ProductDetail extends ProductItem {
  description: string;
  status: string;
  boutiqueEvidence: string | null;
  certificate: CertificateView | null;
  firstPurchaseEligible: boolean;
  updatedAt: string;
}

export function productDetail(r: ProductDetailRow, cert: CertificationRow | undefined, eligible: boolean): ProductDetail {
  return {
    ...productItem(r),
    description: r.description,
    status: r.status,
    boutiqueEvidence: r.boutique_evidence ?? null,
    certificate: cert ? certificateView(cert) : null,
    firstPurchaseEligible: eligible,
    updatedAt: r.updated_at,
  };
}
