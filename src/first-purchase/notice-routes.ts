import Router from '@koa/router';
import type { Deps } from '../deps';
import { dropEmpty } from '../schema';
import { parseInput } from '../web';
import { idParam } from './routes';
import { PublicNoticeListQuery } from './notice-schema';

/** Public notices as JSON: the list by type (paged) and one notice with its full content. */
export function noticeApiRoutes(deps: Deps): Router {
  const router = new Router({ prefix: '/api/v1/notices' });
  const service = deps.services.notices;

  router.get('/', async (ctx) => {
    ctx.body = await service.list(parseInput(PublicNoticeListQuery, dropEmpty(ctx.query as Record<string, unknown>)));
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await service.get(idParam(ctx.params.id, 'notices.not_found'));
  });

  return router;
}
