/** The department's settings: their shapes and defaults, the settings page and service. */
export { firstPurchasePolicy, type FirstPurchasePolicy } from './first-purchase-policy';
export { settingsRoutes } from './routes';
export { SettingsService } from './service';
