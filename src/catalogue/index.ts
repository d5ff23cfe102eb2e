/** The public catalogue: search, product pages, certificate lookup. */
export { catalogueRoutes } from './routes';
export { CatalogueService } from './service';
