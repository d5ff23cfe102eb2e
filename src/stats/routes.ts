import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { shanghaiDay } from '../time';
import { errorBody, parseInput, requireRole, type AppState } from '../web';
import { StatsExporter } from './exports';
import { adminStatsModel, publicSummaryModel } from './presenters';
import { dropEmpty } from '../schema';
import { ExportQuerySchema, StatsQuerySchema, SummaryQuerySchema, type StatsQuery } from './schema';

const query = (ctx: Context) => dropEmpty(ctx.query as Record<string, unknown>);

/** An ASCII filename plus its UTF-8 form (RFC 6266 / 5987). */
const disposition = (filename: string) => `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

export function statsRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.stats;
  const exporter = new StatsExporter(deps.db, service);
  const admin = requireRole('admin');
  /** The day it is in Asia/Shanghai: an unfinished year (or month) is compared with the same period a year earlier. */
  const today = () => shanghaiDay(deps.clock.now());

  router.get('/api/v1/admin/stats', admin, async (ctx) => {
    ctx.body = await service.stats(parseInput(StatsQuerySchema, query(ctx)), (ctx.state as AppState).t, { today: today() });
  });

  const download = async (ctx: Context) => {
    const state = ctx.state as AppState;
    const q = parseInput(ExportQuerySchema, query(ctx));
    const file = await exporter.open(q, state.t, { uri: ctx.href, now: deps.clock.now() });
    ctx.set('Content-Disposition', disposition(file.filename));
    ctx.set('Cache-Control', 'no-store');
    ctx.type = file.contentType;
    ctx.body = file.body;
  };
  router.get('/api/v1/admin/stats/export', admin, download);
  router.get('/admin/stats/export', admin, download);

  router.get('/admin/stats', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const raw = query(ctx);
    let q: StatsQuery | null = null;
    let error: string | null = null;
    try {
      q = parseInput(StatsQuerySchema, raw);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = 422;
      error = errorBody(ctx, err).message;
    }
    const data = q ? await service.dashboard(q, state.t, { today: today() }) : null;
    const thisYear = Number(shanghaiDay(deps.clock.now()).slice(0, 4));
    ctx.body = state.render('stats/admin', adminStatsModel({ t: state.t, raw, query: q, error, data, thisYear }));
  });

  router.get('/api/v1/stats/summary', async (ctx) => {
    ctx.body = await service.summary(parseInput(SummaryQuerySchema, query(ctx)), (ctx.state as AppState).t, { today: today() });
  });

  router.get('/stats', async (ctx) => {
    const state = ctx.state as AppState;
    let year: number | undefined;
    let error: string | null = null;
    try {
      year = parseInput(SummaryQuerySchema, query(ctx)).year;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = 422;
      error = errorBody(ctx, err).message;
    }
    const summary = await service.summary({ year }, state.t, { today: today() });
    const years = summary.years.map((y) => y.year);
    ctx.body = state.render('stats/public', { ...publicSummaryModel(state.t, summary, years), error });
  });

  return router;
}
