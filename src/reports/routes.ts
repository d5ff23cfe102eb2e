import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import type { AppState } from '../web';
import { reportCsv, reportPageModel } from './presenters';
import { formatParam, insuranceTrend, yearParam, yearReport, type ReportFormat } from './report';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function reportRoutes(deps: Deps): Router {
  const router = new Router();
  const sources = deps.services;

  /** The CSV or the workbook of the year's figures, as a download, on the page's and the API's address alike. */
  const download = async (ctx: Context, year: number, format: Exclude<ReportFormat, 'json'>) => {
    const state = ctx.state as AppState;
    const report = await yearReport(sources, year);
    ctx.set('Content-Disposition', `attachment; filename="report-${year}.${format}"`);
    ctx.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = reportCsv(state.t, report);
      return;
    }
    // exceljs (~30 MB resident) is loaded only when a workbook is asked for, as for the statistics' exports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { reportXlsx } = require('./xlsx') as typeof import('./xlsx');
    ctx.type = XLSX_TYPE;
    ctx.body = await reportXlsx(state.t, report);
  };

  router.get('/api/v1/reports/:year', async (ctx) => {
    const year = yearParam(ctx.params.year);
    const format = formatParam(ctx.query.format);
    if (format === 'csv' || format === 'xlsx') return download(ctx, year, format);
    ctx.body = await yearReport(sources, year);
  });

  router.get('/reports/:year', async (ctx) => {
    const year = yearParam(ctx.params.year);
    const format = formatParam(ctx.query.format);
    if (format === 'csv' || format === 'xlsx') return download(ctx, year, format);
    if (format === 'json') {
      ctx.body = await yearReport(sources, year);
      return;
    }
    const state = ctx.state as AppState;
    const [report, trend] = await Promise.all([yearReport(sources, year), insuranceTrend(sources, year)]);
    ctx.body = state.render('reports/year', reportPageModel(state.t, report, { year, trend }));
  });

  return router;
}
