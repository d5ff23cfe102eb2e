import Router from '@koa/router';
import { z } from 'zod';
import type { Deps } from '../deps';
import { validate } from './validate';
import { shanghaiIso } from '../time';

/**
 * Testing aid (API.md): only when started with FAKE_CLOCK=1 does this route exist. It sets the clock every rule
 * reads; from the set instant time moves on normally. The server refuses FAKE_CLOCK in production (config.ts).
 */
const ClockInput = z.object({ now: z.iso.datetime({ offset: true, message: 'validation.datetime' }) });

export function clockRoutes(deps: Deps): Router {
  const router = new Router();
  const fake = deps.fakeClock;
  if (!fake) return router;
  router.post('/api/v1/admin/clock', validate(ClockInput), async (ctx) => {
    const { now } = ctx.state.input as z.infer<typeof ClockInput>;
    fake.set(new Date(now));
    ctx.body = { now: shanghaiIso(deps.clock.now()) };
  });
  router.get('/api/v1/admin/clock', async (ctx) => {
    ctx.body = { now: shanghaiIso(deps.clock.now()) };
  });
  return router;
}
