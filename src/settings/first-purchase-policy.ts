import type { Executor } from '../db';
import { readSetting } from './repo';

/**
 * The department's rule for 政府首购 eligibility (DESIGN §3), kept in `settings`: set on the settings page, read by the
 * case service and the catalogue's "eligible" mark (first-purchase/eligibility.ts applies it).
 */
export interface FirstPurchasePolicy {
  /** Only certificates on the list of key supported products (重点支持产品) qualify. */
  keySupportedOnly: boolean;
}

export const FIRST_PURCHASE_POLICY_KEY = 'first_purchase_policy';
export const DEFAULT_POLICY: FirstPurchasePolicy = { keySupportedOnly: false };

export async function firstPurchasePolicy(db: Executor): Promise<FirstPurchasePolicy> {
  return { ...DEFAULT_POLICY, ...(await readSetting<Partial<FirstPurchasePolicy>>(db, FIRST_PURCHASE_POLICY_KEY)) };
}
