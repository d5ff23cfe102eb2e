import Router from '@koa/router';
import { z } from 'zod';
import type { Deps } from '../deps';
import { validate } from './validate';
import { shanghaiDay, shanghaiIso } from '../time';

/**
 * Testing aid (API.md): only when started with FAKE_CLOCK=1 does this route exist. It sets the clock every rule
 * reads; from the set instant time moves on normally. The server refuses FAKE_CLOCK in production (config.ts).
 *
 * The instant must fall in the years every date the app takes lies in (1900–2999, as the statistics filters), read
 * in Shanghai time: what happens then is written down as it reads there, and 9999-12-31T16:00:00Z is already the year
 * 10000, whose '+010000-…' days and months nothing downstream parses (the statistics dashboard looped forever, the
 * whole process with it, once a trade had been settled at such a time).
 */
const CLOCK_YEARS = { min: 1900, max: 2999 };

/** ISO 8601 to the minute (`2026-12-07T09:00+08:00`) is an instant too: read as its minute's first second. */
const toTheSecond = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/, '$1:00$2') : v);

const ClockInput = z.object({
  now: z.preprocess(toTheSecond, z.iso.datetime({ offset: true, message: 'validation.datetime' })).superRefine((v, ctx) => {
    // zod runs this after a failed format check too: what is no instant has had its answer already.
    if (Number.isNaN(Date.parse(v))) return;
    const year = Number(shanghaiDay(new Date(v)).slice(0, 4));
    if (!(year >= CLOCK_YEARS.min)) ctx.addIssue({ code: 'custom', message: 'validation.too_small' });
    else if (year > CLOCK_YEARS.max) ctx.addIssue({ code: 'custom', message: 'validation.too_big' });
  }),
});

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
