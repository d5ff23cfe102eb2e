import Router from '@koa/router';
import type { Context } from 'koa';
import { documentPdf, formFailure, pagination, parseForm, parseInput, pdfDisposition, requestBody, setFlash, takeFlash, type AppState, type FormState } from '../web';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { CertificationObjectionInput } from '../recognition';
import { dropEmpty } from '../schema';
import { noticeDocument, noticeFilename } from './notice-documents';
import { type NoticeDetail } from './notice-service';
import { PUBLIC_NOTICE_TYPES, PublicNoticeListQuery } from './notice-schema';
import { idParam } from './routes';
import { ObjectionInput } from './schema';

const OBJECTION_FIELDS = ['name', 'organization', 'contact', 'content'] as const;
/** A certification notice's objection may name the application it is about. */
const CERT_OBJECTION_FIELDS = [...OBJECTION_FIELDS, 'applicationId'] as const;
const stateOf = (ctx: Context) => ctx.state as AppState;

const emptyObjection = (fields: readonly string[] = CERT_OBJECTION_FIELDS): FormState => ({
  values: Object.fromEntries(fields.map((f) => [f, ''])),
  errors: Object.fromEntries(fields.map((f) => [f, ''])),
  error: null,
});

/**
 * The public notice pages: the list by type with dates, one notice in full, and the objection form of a 公示 — a
 * single-source case's, or a certification round's 拟认定名单 (filed with recognition, under the same limits:
 * objection-limits.ts).
 */
export function noticePages(deps: Deps): Router {
  const router = new Router();
  const notices = deps.services.notices;
  const cases = deps.services.firstPurchase;
  const rounds = deps.services.recognition;

  router.get('/notices', async (ctx) => {
    const state = stateOf(ctx);
    const q = parseInput(PublicNoticeListQuery, dropEmpty(ctx.query as Record<string, unknown>));
    const page = await notices.list(q);
    ctx.body = state.render('notices/list', {
      title: q.type ? state.t(`notices.type_${q.type}`) : state.t('notices.title'),
      // The list holds both kinds of notice: its introduction speaks of the kind shown (a workday pass, 2026-12-08).
      intro: !q.type ? 'notices.intro' : q.type === 'certification' ? 'notices.intro_certification' : 'notices.intro_first_purchase',
      type: q.type ?? '',
      tabs: [{ value: '', key: 'notices.all' }, ...PUBLIC_NOTICE_TYPES.map((v) => ({ value: v, key: `notices.type_${v}` }))].map((tab) => ({ ...tab, current: (q.type ?? '') === tab.value })),
      items: page.items.map((n) => ({ ...n, byline: n.purchaserName !== undefined ? `${n.purchaserName} · ${n.projectName ?? ''}` : state.t('notices.certification_publisher') })),
      total: page.total,
      pagination: pagination(page),
    });
  });

  // The notice as a PDF (issue 18 item 1): public as the page is, in the reader's language.
  router.get('/notices/:id.pdf', async (ctx) => {
    const state = stateOf(ctx);
    const notice = await notices.get(idParam(ctx.params.id, 'notices.not_found'));
    ctx.body = await documentPdf(noticeDocument(notice, state.t, state.locale, deps.clock.now()));
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', pdfDisposition(noticeFilename(notice)));
  });

  router.get('/notices/:id', async (ctx) => {
    const notice = await notices.get(idParam(ctx.params.id, 'notices.not_found'));
    ctx.body = detailPage(ctx, notice, emptyObjection(), takeFlash(ctx));
  });

  // The objection form of a 公示: anyone, during the period; the page form needs the CSRF token.
  router.post('/notices/:id/objections', async (ctx) => {
    const notice = await notices.get(idParam(ctx.params.id, 'notices.not_found'));
    const body = requestBody(ctx);
    const certification = notice.type === 'certification' && notice.roundId !== null;
    if (!certification && (notice.type !== 'single_source' || notice.caseId === null)) throw notFound('notices.not_found');
    try {
      const filed = certification
        ? await rounds.fileObjection(stateOf(ctx).actor, notice.roundId as number, parseForm(CertificationObjectionInput, { ...body, applicationId: body.applicationId === '' ? null : body.applicationId }))
        : await cases.fileObjection(stateOf(ctx).actor, notice.caseId as number, parseForm(ObjectionInput, body));
      setFlash(ctx, stateOf(ctx).t('notices.objection_filed', { id: filed.id }));
      ctx.redirect(`${stateOf(ctx).base}/notices/${notice.id}#objection`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, certification ? CERT_OBJECTION_FIELDS : OBJECTION_FIELDS, body);
      ctx.status = status;
      ctx.body = detailPage(ctx, await notices.get(notice.id), { ...form, values: { applicationId: '', ...form.values }, errors: { applicationId: '', ...form.errors } }, null);
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
    isCertification: notice.type === 'certification',
    form,
    flash,
    // A certification notice's list and the objection form's choice of application.
    certList: notice.type === 'certification' ? ((notice.content.list as Array<Record<string, unknown>> | undefined) ?? []) : [],
    objectionTargets: notice.applications.map((a) => ({ ...a, selected: form.values.applicationId === String(a.id) })),
  });
}
