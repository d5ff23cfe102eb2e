/** The purchaser's desk, cart and checkout (pages over the orders and ledger modules); the desks' to-do items. */
export { purchaserRoutes } from './routes';
export { byDeadline, todo, type TodoItem } from './desk';
