import { isAdmin, isVendorOf, type Rule, type VendorOwned } from './rules';

/** A vendor's listings: only that vendor edits them; only an admin reviews them. */
export const productRules = {
  'product.create': ((a, vendor) => a.role === 'vendor' && a.vendorId === vendor.id && vendor.status === 'approved') as Rule<{
    id: number;
    status: string;
  }>,
  'product.read_own': ((a, p) => isVendorOf(a, p)) as Rule<VendorOwned>,
  'product.update': ((a, p) => isVendorOf(a, p)) as Rule<VendorOwned>,
  'product.delist': ((a, p) => isVendorOf(a, p)) as Rule<VendorOwned>,
  'product.relist': ((a, p) => isVendorOf(a, p)) as Rule<VendorOwned>,
  'product.review': ((a) => isAdmin(a)) as Rule<VendorOwned>,
};
