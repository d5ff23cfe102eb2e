import { isCurrent } from '../certification';
import type { FirstPurchasePolicy } from '../settings';

/**
 * A product may be bought by single source while its first-unit certificate is current (valid, end date not passed)
 * and, when the department limits first purchases to key supported products (its policy, kept in settings), on that
 * list. One rule, read by the case service and by the catalogue's "eligible" mark.
 */
export function isFirstPurchaseEligible(
  cert: { status: string; valid_until: string; key_supported: number | boolean | null },
  today: string,
  policy: FirstPurchasePolicy,
): boolean {
  return isCurrent(cert, today) && (!policy.keySupportedOnly || Boolean(cert.key_supported));
}
