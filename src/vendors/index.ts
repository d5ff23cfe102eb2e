/** Vendor accounts and their listings: registration, the vendor portal, and what the admin's review reads and writes. */
export { ListingService } from './listings';
export { listingView, vendorView, type ListingView, type VendorView } from './presenters';
export { RegistrationService } from './registration';
export { countBy, findListing, findVendor, listListings, listVendors, setVendorUsersStatus, updateProduct, updateVendor, usersOfVendor, type ListingRow } from './repo';
export { vendorRoutes } from './routes';
