import { canSeeOrder } from '../orders/transitions';
import { isAdmin, type Rule } from './rules';

/**
 * Boutique orders and the ledger. An order is seen by its purchasing unit, its vendor and the department (anyone
 * else is told it does not exist); which step each of them may take is the orders transitions table's guards.
 * Budgets are allocated, and the books read, by the department.
 */
export const orderRules = {
  'order.read': ((a, o) => canSeeOrder(a, o)) as Rule<{ purchaserId: number; vendorId: number }>,
  'order.place': ((a) => a.role === 'purchaser' && a.purchaserId !== null) as Rule<unknown>,
  'budget.allocate': ((a) => isAdmin(a)) as Rule<unknown>,
  'ledger.read': ((a) => isAdmin(a)) as Rule<unknown>,
};
