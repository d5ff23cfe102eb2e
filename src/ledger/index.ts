/** The double-entry ledger, its only writer: other modules move money through Ledger inside their own transaction. */
export { budgetAccount } from './accounts';
export { BudgetService } from './budgets';
export { ledgerPages } from './pages';
export { findAccount, findAccounts } from './repo';
export { ledgerRoutes } from './routes';
export { Ledger, type TradeFacts, type VerifyReport } from './service';
