import { isCurrent } from '../certification/rules';
import type { Executor } from '../db';
import { readSetting } from '../settings/repo';

/** The department's rule for 政府首购 eligibility (DESIGN §3), kept in `settings`. */
export interface FirstPurchasePolicy {
  /** Only certificates on the list of key supported products (重点支持产品) qualify. */
  keySupportedOnly: boolean;
}

export const FIRST_PURCHASE_POLICY_KEY = 'first_purchase_policy';
export const DEFAULT_POLICY: FirstPurchasePolicy = { keySupportedOnly: false };

export async function firstPurchasePolicy(db: Executor): Promise<FirstPurchasePolicy> {
  return { ...DEFAULT_POLICY, ...(await readSetting<Partial<FirstPurchasePolicy>>(db, FIRST_PURCHASE_POLICY_KEY)) };
}

/**
 * A product may be bought by single source while its first-unit certificate is current (valid, end date not passed)
 * and, when the department limits first purchases to key supported products, on that list. One rule, read by the
 * case service and by the catalogue's "eligible" mark.
 */
export function isFirstPurchaseEligible(
  cert: { status: string; valid_until: string; key_supported: number | boolean | null },
  today: string,
  policy: FirstPurchasePolicy,
): boolean {
  return isCurrent(cert, today) && (!policy.keySupportedOnly || Boolean(cert.key_supported));
}
