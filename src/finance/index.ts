/**
 * The finance department (财政部门, role `finance`): its desk. It reads the single-source cases through
 * first-purchase (and, later, insurance claims and payouts through their modules).
 */
export { financeRoutes } from './routes';
