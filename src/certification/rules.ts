import type { CertRow } from './repo';

/**
 * The registry's rules about one certificate, read by every module that rests something on a certificate: a listing
 * (vendors), the catalogue's marks, a single-source case's eligibility (first-purchase), the admin's review.
 */

/** A listing may rest on a certificate while it is valid and its end date has not passed. */
export const isCurrent = (c: Pick<CertRow, 'status' | 'valid_until'>, today: string): boolean => c.status === 'valid' && c.valid_until >= today;
