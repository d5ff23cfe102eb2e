import type Router from '@koa/router';
import type { Deps } from '../deps';
import { recognitionAdminPages } from './admin-pages';
import { recognitionPages } from './pages';
import { recognitionApiRoutes } from './routes';

/**
 * The certification lifecycle (认定, DESIGN §8; docs/recognition.md): the key technical indicator list (清单), the
 * expert pool (专家库), online applications, the random draw of experts and their reviews, rounds with their public
 * 公示 and objections, certificates entered in the registry, and the awards (奖励) finance pays through the ledger.
 */
export { RecognitionService } from './service';
export { MIN_PANEL } from './transitions';
export { roundNoticeFacts, type RoundNoticeFacts } from './public-notices';
export { ObjectionInput as CertificationObjectionInput } from './schema';

export function recognitionRouters(deps: Deps): Router[] {
  return [recognitionApiRoutes(deps), recognitionPages(deps), recognitionAdminPages(deps)];
}
