/**
 * The year report (DESIGN §8 (5), issue 16 item 5; docs/reports.md): every figure of the report's first-unit
 * paragraph, read from the modules that own them — the registry and the trades (stats), the list, list-track
 * certifications and awards (recognition), the compensation and the national scheme (insurance).
 */
export { reportRoutes } from './routes';
export { yearReport, type YearReport } from './report';
