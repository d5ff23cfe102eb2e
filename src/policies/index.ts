import { AppError } from '../errors';
import type { Actor } from '../web';
import { caseRules } from './cases';
import { orderRules } from './orders';
import { productRules } from './products';
import { registryRules } from './registry';

export { isAdmin, isFinance, isPurchaserOf, isVendorOf, type PurchaserOwned, type Rule, type VendorOwned } from './rules';
export { caseRules, type CaseParties } from './cases';

/**
 * Every policy in one table, by action (Outline's `policies/`). A domain adds its rules in its own file here
 * (e.g. `orders.ts` exporting `orderRules = { 'order.confirm': …, 'order.read': … }`) and one spread line below;
 * handlers then call `authorize(actor, 'order.confirm', order)` after loading the object and before acting on it.
 * The rules are pure predicates over plain objects (the parties of an order, a case, a listing), so this folder
 * depends on no domain module: the domains depend on it (docs/architecture.md).
 */
export const POLICIES = {
  ...productRules,
  ...registryRules,
  ...orderRules,
  ...caseRules,
};

export type Action = keyof typeof POLICIES;
export type PolicyObject<A extends Action> = Parameters<(typeof POLICIES)[A]>[1];

/** May `actor` do `action` to `object`? Anonymous callers may do nothing that has a policy. */
export function can<A extends Action>(actor: Actor | null, action: A, object: PolicyObject<A>): boolean {
  if (!actor) return false;
  const rule = POLICIES[action] as (a: Actor, o: PolicyObject<A>) => boolean;
  return rule(actor, object);
}

/** `can`, or an error: 401 for nobody, 403 for someone not allowed (API.md: "not yours / wrong role"). */
export function authorize<A extends Action>(actor: Actor | null, action: A, object: PolicyObject<A>): void {
  if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
  if (can(actor, action, object)) return;
  throw new AppError('forbidden', 'errors.forbidden');
}
