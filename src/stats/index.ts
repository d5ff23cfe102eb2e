/** Trade statistics and exports (CSV, XLSX, OCDS), read from the ledger's trade facts. */
export { statsRoutes } from './routes';
export { StatsService } from './service';
