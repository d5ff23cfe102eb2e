/** The purchaser's desk, cart and checkout (pages over the orders and ledger modules). */
export { purchaserRoutes } from './routes';
