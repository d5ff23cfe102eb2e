import { isAdmin, isPurchaserOf, isVendorOf, type PurchaserOwned, type Rule, type VendorOwned } from './rules';

/**
 * Boutique orders and the ledger. An order is seen by its purchasing unit, its vendor and the department (anyone
 * else is told it does not exist); which step each of them may take is the guards of the transitions table
 * (orders/transitions.ts). Budgets are allocated, and the books read, by the department.
 */
export const orderRules = {
  'order.read': ((a, o) => isAdmin(a) || isPurchaserOf(a, o) || isVendorOf(a, o)) as Rule<PurchaserOwned & VendorOwned>,
  'order.place': ((a) => a.role === 'purchaser' && a.purchaserId !== null) as Rule<unknown>,
  'budget.allocate': ((a) => isAdmin(a)) as Rule<unknown>,
  'ledger.read': ((a) => isAdmin(a)) as Rule<unknown>,
};
