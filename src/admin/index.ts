/** The department's review desk (vendors and listings): its routes, its service and the navigation counts. */
export { adminNavCounts, navCounts } from './nav';
export { ReviewService } from './review';
export { adminRoutes } from './routes';
