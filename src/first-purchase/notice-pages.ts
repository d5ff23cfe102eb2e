import Router from '@koa/router';
import type { Context } from 'koa';
import { formFailure, pagination, parseForm, parseInput, requestBody, setFlash, takeFlash, type AppState, type FormState } from '../web';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { dropEmpty } from '../schema';
import { type NoticeDetail } from './notice-service';
import { idParam } from './routes';
import { NOTICE_TYPES, NoticeListQuery, ObjectionInput } from './schema';

const OBJECTION_FIELDS = ['name', 'organization', 'contact', 'content'] as const;
const stateOf = (ctx: Context) => ctx.state as AppState;

const emptyObjection = (): FormState => ({
  values: Object.fromEntries(OBJECTION_FIELDS.map((f) => [f, ''])),
  errors: Object.fromEntries(OBJECTION_FIELDS.map((f) => [f, ''])),
  error: null,
});

/** The public notice pages: the list by type with dates, one notice in full, and the objection form of a 公示. */
export function noticePages(deps: Deps): Router {
  const router = new Router();
  const notices = deps.services.notices;
  const cases = deps.services.firstPurchase;

  router.get('/notices', async (ctx) => {
    const state = stateOf(ctx);
    const q = parseInput(NoticeListQuery, dropEmpty(ctx.query as Record<string, unknown>));
    const page = await notices.list(q);
    ctx.body = state.render('notices/list', {
      title: q.type ? state.t(`notices.type_${q.type}`) : state.t('notices.title'),
      type: q.type ?? '',
      tabs: [{ value: '', key: 'notices.all' }, ...NOTICE_TYPES.map((v) => ({ value: v, key: `notices.type_${v}` }))].map((tab) => ({ ...tab, current: (q.type ?? '') === tab.value })),
      items: page.items,
      total: page.total,
      pagination: pagination(page),
    });
  });

  router.get('/notices/:id', async (ctx) => {
    const notice = await notices.get(idParam(ctx.params.id, 'notices.not_found'));
    ctx.body = detailPage(ctx, notice, emptyObjection(), takeFlash(ctx));
  });

  // The objection form of a 公示: anyone, during the period; the page form needs the CSRF token.
  router.post('/notices/:id/objections', async (ctx) => {
    const notice = await notices.get(idParam(ctx.params.id, 'notices.not_found'));
    if (notice.type !== 'single_source') throw notFound('notices.not_found');
    const body = requestBody(ctx);
    try {
      const filed = await cases.fileObjection(stateOf(ctx).actor, notice.caseId, parseForm(ObjectionInput, body));
      setFlash(ctx, stateOf(ctx).t('notices.objection_filed', { id: filed.id }));
      ctx.redirect(`${stateOf(ctx).base}/notices/${notice.id}#objection`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, OBJECTION_FIELDS, body);
      ctx.status = status;
      ctx.body = detailPage(ctx, await notices.get(notice.id), form, null);
    }
  });

  return router;
}

function detailPage(ctx: Context, notice: NoticeDetail, form: FormState, flash: string | null): string {
  const state = stateOf(ctx);
  return state.render('notices/detail', {
    title: notice.title,
    notice,
    c: notice.content,
    isSingleSource: notice.type === 'single_source',
    isResult: notice.type === 'result',
    isContract: notice.type === 'contract',
    isTermination: notice.type === 'termination',
    form,
    flash,
  });
}
