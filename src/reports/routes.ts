import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import type { AppState } from '../web';
import { reportCsv, reportPageModel } from './presenters';
import { yearParam, yearReport } from './report';

/** `?format=csv` asks for the download; anything else (or nothing) is the JSON / the page. */
const wantsCsv = (ctx: Context) => ctx.query.format === 'csv';

export function reportRoutes(deps: Deps): Router {
  const router = new Router();
  const sources = deps.services;

  const csv = async (ctx: Context, year: number) => {
    const state = ctx.state as AppState;
    ctx.set('Content-Disposition', `attachment; filename="report-${year}.csv"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = reportCsv(state.t, await yearReport(sources, year));
  };

  router.get('/api/v1/reports/:year', async (ctx) => {
    const year = yearParam(ctx.params.year);
    if (wantsCsv(ctx)) return csv(ctx, year);
    ctx.body = await yearReport(sources, year);
  });

  router.get('/reports/:year', async (ctx) => {
    const year = yearParam(ctx.params.year);
    if (wantsCsv(ctx)) return csv(ctx, year);
    const state = ctx.state as AppState;
    const report = await yearReport(sources, year);
    ctx.body = state.render('reports/year', reportPageModel(state.t, report, { year }));
  });

  return router;
}
