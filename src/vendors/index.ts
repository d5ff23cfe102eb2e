/** Vendor accounts and their listings: registration, the vendor portal, and what the admin's review reads and writes. */
export { ListingService } from './listings';
export { moveListing, moveVendor } from './moves';
export { historyView, listingView, vendorView, type HistoryEntry, type ListingView, type VendorView } from './presenters';
export { RegistrationService } from './registration';
export {
  countBy,
  findListing,
  findVendor,
  listListings,
  listVendors,
  productHistory,
  setVendorUsersStatus,
  usersOfVendor,
  vendorHistories,
  type ListingRow,
} from './repo';
export { vendorRoutes } from './routes';
export {
  LISTING_DESK,
  LISTING_REVIEW,
  LISTING_WORKFLOW,
  VENDOR_WORKFLOW,
  listingStep,
  noIdempotency,
  vendorStep,
  type ListingFacts,
  type ListingStatus,
  type ListingStepName,
  type VendorStatus,
  type VendorStepName,
} from './transitions';
