/** Boutique-hall orders (精品馆直购): routes, pages, the service and what the purchaser's desk and cart read. */
export { orderPages } from './pages';
export { DirectPurchaseLimitError, isDirectPurchaseLimit } from './limit';
export { ORDER_NO_PATTERN, formatOrderNo } from './numbers';
export { countByStatus } from './repo';
export { orderRoutes } from './routes';
export { AddressInput, CartLine, CheckoutInput, InvoiceTitleInput, OrderInput, type OrderLine } from './schema';
export { OrderService } from './service';
export { AddressBook, MAX_DELIVERY_DAYS, paperworkProblems, type AddressView } from './paperwork';
export { ORDER_STATUSES } from './transitions';
