import type { Kind } from '../domain';
import type { CertRow } from './repo';

/**
 * The registry's rules about one certificate, read by every module that rests something on a certificate: a listing
 * (vendors), the catalogue's marks, a single-source case's eligibility (first-purchase), the admin's review.
 */

/** A listing may rest on a certificate while it is valid and its end date has not passed. */
export const isCurrent = (c: Pick<CertRow, 'status' | 'valid_until'>, today: string): boolean => c.status === 'valid' && c.valid_until >= today;

/** The registry's number letters by kind: STT 首台套 (equipment), SPC 首批次 (materials), SBC 首版次 (software). */
const CERT_KIND_CODE: Readonly<Record<Kind, string>> = { equipment: 'STT', material: 'SPC', software: 'SBC' };

/** A certificate's number in the registry: ZJ-STT-2020-0001, in issue order within its year (one sequence for every kind). */
export const certificateNumber = (kind: Kind, year: number, seq: number): string => `ZJ-${CERT_KIND_CODE[kind]}-${year}-${String(seq).padStart(4, '0')}`;
