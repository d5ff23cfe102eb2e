import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  actorOf,
  emptyForm,
  formFailure,
  idParam,
  parseForm,
  parseInput,
  requestBody,
  requireRole,
  setFlash,
  takeFlash,
  withoutEmpty,
  type AppState,
  type FormState,
} from '../web';
import type { Deps } from '../deps';
import { FIELDS, KINDS, LEVELS } from '../domain';
import { AppError } from '../errors';
import { leadsFrom, mountPageSteps } from '../workflow';
import { importCertifications, importReport } from './import';
import { IMPORT_LIMITS } from './import-parse';
import type { CertHistoryEntry, CertView } from './presenters';
import { CertListQuery, CertificationInput, CertificationPatch } from './schema';
import type { CertificationService } from './service';
import { CERT_DESK, certStep, type CertStatus } from './transitions';
import { uploadedFile } from './upload';

type CertDetail = CertView & { history: CertHistoryEntry[] };

const CERT_FIELDS = ['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil', 'indicators', 'keySupported'] as const;

const stateOf = (ctx: Context) => ctx.state as AppState;

function certValues(c: CertView): Record<string, string> {
  return {
    certNo: c.certNo,
    productName: c.productName,
    enterpriseName: c.enterpriseName,
    creditCode: c.creditCode,
    kind: c.kind,
    level: c.level,
    field: c.field,
    year: String(c.year),
    validUntil: c.validUntil,
    indicators: c.indicators.join('\n'),
    keySupported: c.keySupported ? 'on' : '',
  };
}

const options = (values: Record<string, string>) => ({
  kinds: KINDS.map((v) => ({ value: v, selected: values.kind === v })),
  levels: LEVELS.map((v) => ({ value: v, selected: values.level === v })),
  fields: FIELDS.map((f) => ({ value: f.name, selected: values.field === f.name || values.field === f.code })),
  keySupportedChecked: Boolean(values.keySupported),
});

export function certificationPages(router: Router, deps: Deps, service: CertificationService): void {
  const admin = requireRole('admin');

  router.get('/admin/certifications', admin, async (ctx) => {
    const state = stateOf(ctx);
    const raw = withoutEmpty(ctx.query as Record<string, unknown>);
    const q = parseInput(CertListQuery, raw);
    const page = await service.list(actorOf(ctx), q);
    const totalPages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const current = Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === 'string' && k !== 'page')) as Record<string, string>;
    ctx.body = state.render('admin/certifications', {
      title: state.t('certification.registry_title'),
      flash: takeFlash(ctx),
      items: page.items,
      total: page.total,
      current,
      q: q.q ?? '',
      year: q.year ? String(q.year) : '',
      statuses: ['valid', 'expired', 'revoked'].map((v) => ({ value: v, selected: q.status === v })),
      levels: LEVELS.map((v) => ({ value: v, selected: q.level === v })),
      kinds: KINDS.map((v) => ({ value: v, selected: q.kind === v })),
      pagination: { page: page.page, totalPages, prev: page.page > 1 ? page.page - 1 : null, next: page.page < totalPages ? page.page + 1 : null },
    });
  });

  const renderForm = (ctx: Context, form: FormState, cert: CertDetail | null, status = 200, revokeForm: FormState = emptyForm(['reason'])) => {
    const state = stateOf(ctx);
    const status_ = (s: string) => state.t(`cert_status.${s}`);
    const history = (cert?.history ?? []).map((h) => ({ ...h, actionText: state.t(`certification.history_${h.action}`), fromText: h.from ? status_(h.from) : null, toText: status_(h.to) }));
    ctx.status = status;
    ctx.body = state.render('admin/certification-form', {
      title: cert ? `${state.t('certification.edit_title')} ${cert.certNo}` : state.t('certification.new_title'),
      flash: takeFlash(ctx),
      form,
      cert,
      history,
      revokeForm,
      canRevoke: cert ? leadsFrom(certStep('revoke'), cert.status as CertStatus) : false,
      action: cert ? `/admin/certifications/${cert.id}` : '/admin/certifications',
      ...options(form.values),
    });
  };

  router.get('/admin/certifications/new', admin, async (ctx) => renderForm(ctx, emptyForm(CERT_FIELDS), null));

  router.post('/admin/certifications', admin, async (ctx) => {
    const body = requestBody(ctx);
    try {
      const cert = await service.create(actorOf(ctx), parseForm(CertificationInput, withoutEmpty(body)));
      setFlash(ctx, stateOf(ctx).t('certification.created', { certNo: cert.certNo }));
      ctx.redirect(`${stateOf(ctx).base}/admin/certifications/${cert.id}`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, CERT_FIELDS, body);
      renderForm(ctx, form, null, status);
    }
  });

  router.get('/admin/certifications/import', admin, async (ctx) => {
    const state = stateOf(ctx);
    ctx.body = state.render('admin/certification-import', {
      title: state.t('certification.import_title'),
      report: null,
      error: null,
      maxRows: IMPORT_LIMITS.maxRows,
      maxMb: IMPORT_LIMITS.maxBytes / 1024 / 1024,
    });
  });

  router.post('/admin/certifications/import', admin, async (ctx) => {
    const state = stateOf(ctx);
    let report = null;
    let error: string | null;
    try {
      const outcome = await importCertifications(deps.db, deps.clock, actorOf(ctx), await uploadedFile(ctx));
      report = importReport(outcome, state.locale);
      error = report.error?.message ?? null;
      if (!outcome.ok) ctx.status = 422;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      error = formFailure(ctx, err, ['file'], {}).form.errors.file || state.t('errors.validation_failed');
      ctx.status = 422;
    }
    ctx.body = state.render('admin/certification-import', {
      title: state.t('certification.import_title'),
      report,
      error,
      maxRows: IMPORT_LIMITS.maxRows,
      maxMb: IMPORT_LIMITS.maxBytes / 1024 / 1024,
    });
  });

  router.post('/admin/certifications/expire', admin, async (ctx) => {
    const r = await service.expireOverdue(actorOf(ctx));
    setFlash(ctx, stateOf(ctx).t('certification.expired_done', { n: r.expired, listings: r.delistedListings }));
    ctx.redirect(`${stateOf(ctx).base}/admin/certifications`);
  });

  router.get('/admin/certifications/:id', admin, async (ctx) => {
    const cert = await service.detail(actorOf(ctx), idParam(ctx.params.id));
    renderForm(ctx, { ...emptyForm(CERT_FIELDS), values: certValues(cert) }, cert);
  });

  router.post('/admin/certifications/:id', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    const cert = await service.detail(actorOf(ctx), id);
    const body = requestBody(ctx);
    try {
      // The number identifies the certificate and is not editable; an unticked box means "no".
      const rest: Record<string, unknown> = { ...withoutEmpty(body, CERT_FIELDS), keySupported: body.keySupported ? 'on' : 'false' };
      delete rest.certNo;
      const updated = await service.update(actorOf(ctx), id, parseForm(CertificationPatch, rest));
      setFlash(ctx, stateOf(ctx).t('certification.saved', { n: updated.delistedListings }));
      ctx.redirect(`${stateOf(ctx).base}/admin/certifications/${id}`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, CERT_FIELDS, { ...body, certNo: cert.certNo });
      renderForm(ctx, form, cert, status);
    }
  });

  // Revoke: one page route, derived from the certificate table (transitions.ts); on a refusal the page again with the
  // reason beside its field (or at the top), nothing written.
  mountPageSteps(router, CERT_DESK, {
    idParam,
    handle: async (ctx, step, id) => {
      const cert = await service.detail(actorOf(ctx), id);
      const body = requestBody(ctx);
      try {
        const revoked = await service.run(step.name, actorOf(ctx), id, step.input ? parseForm(step.input, body) : {});
        setFlash(ctx, stateOf(ctx).t(step.done, { certNo: revoked.certNo, n: revoked.delistedListings }));
        ctx.redirect(`${stateOf(ctx).base}/admin/certifications/${id}`);
      } catch (err) {
        const { form: revokeForm, status } = formFailure(ctx, err, ['reason'], body);
        renderForm(ctx, { ...emptyForm(CERT_FIELDS), values: certValues(cert) }, cert, status, revokeForm);
      }
    },
  });
}
