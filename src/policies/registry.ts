import { isAdmin, type Rule } from './rules';

/** The certification registry and the vendor accounts: the admin's. A vendor reads its own certificates. */
export const registryRules = {
  'certification.manage': ((a) => isAdmin(a)) as Rule<unknown>,
  'certification.read_own': ((a, c) => a.role === 'vendor' && c.vendorCreditCode === c.creditCode) as Rule<{
    creditCode: string;
    vendorCreditCode: string;
  }>,
  'vendor.review': ((a) => isAdmin(a)) as Rule<{ id: number }>,
  'vendor.read': ((a, v) => isAdmin(a) || (a.role === 'vendor' && a.vendorId === v.id)) as Rule<{ id: number }>,
  'audit.read': ((a) => isAdmin(a)) as Rule<unknown>,
};
