import { parseStoredArray } from '../errors';
import { apiTime } from '../time';
import type { CertHistoryRow, CertRow } from './repo';
import { isCurrent } from './rules';

export interface CertView {
  id: number;
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
  keySupported: boolean;
  /** Valid and not past its end date: a listing may rest on it. */
  current: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The stored indicators (a JSON array of strings); anything else is a corrupt row, not an empty list. */
export const parseIndicators = (c: Pick<CertRow, 'id' | 'indicators'>): string[] =>
  parseStoredArray(c.indicators, { table: 'certifications', column: 'indicators', id: c.id }).map(String);

export const certView = (c: CertRow, today: string): CertView => ({
  id: c.id,
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
  indicators: parseIndicators(c),
  keySupported: Boolean(c.key_supported),
  current: isCurrent(c, today),
  createdAt: apiTime(c.created_at),
  updatedAt: apiTime(c.updated_at),
});

/** One change of a certificate's status as the admin reads it (a listing's and an order's history have this shape). */
export interface CertHistoryEntry {
  action: string;
  from: string | null;
  to: string;
  actor: string | null;
  note: string | null;
  at: string;
}

export const certHistoryView = (h: CertHistoryRow): CertHistoryEntry => ({
  action: h.action,
  from: h.from_status ?? null,
  to: h.to_status,
  actor: h.actor_name ?? null,
  note: h.note ?? null,
  at: apiTime(h.at),
});
