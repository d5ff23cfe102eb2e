import type Router from '@koa/router';
import type { Deps } from '../deps';
import { insurancePages } from './pages';
import { insuranceApiRoutes } from './routes';

/**
 * First-unit insurance compensation (保险补偿, DESIGN §8; docs/insurance.md): the versioned rule table, the vendors'
 * online claims with 初审 (department) and 联审 (finance), the payout through the ledger's subsidy fund, and the
 * national scheme's records kept apart.
 */
export { InsuranceService, type ClaimView } from './service';
export { computeCompensation, ruleFor, type RuleVersion } from './rules';

export function insuranceRouters(deps: Deps): Router[] {
  return [insuranceApiRoutes(deps), insurancePages(deps)];
}
