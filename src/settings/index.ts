/** The department's settings: their shapes and defaults, the settings page and service. */
export { DEFAULT_DIRECT_PURCHASE_LIMIT_FEN, directPurchaseLimitFen } from './direct-purchase-limit';
export { DEFAULT_FINANCE_DEPARTMENT, financeDepartment, financeDepartmentComplete, type FinanceDepartment } from './finance-department';
export { firstPurchasePolicy, type FirstPurchasePolicy } from './first-purchase-policy';
export { DEFAULT_INTENTION_RULE, intentionRule, type IntentionRule } from './intention-rule';
export { settingsRoutes } from './routes';
export { SettingsService, type Settings } from './service';
