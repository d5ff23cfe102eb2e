import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { FIELDS } from '../domain';
import { AppError } from '../errors';
import { dropEmpty } from '../schema';
import { FormInvalid, actorOf, errorBody, formFailure, idParam, paginationModel, parseForm, parseInput, requestBody, requireRole, setFlash, takeFlash, type AppState } from '../web';
import { COMPARATORS, ExpertActiveInput, ExpertEditInput, ExpertForm, ListEntryInput, ListQuery, PageQuery, ResolveInput, StatsQuery, type Indicator } from './schema';
import { requirementText } from './rules';
import type { ExpertView } from './views';

/**
 * The department's pages of the certification lifecycle beyond the desk (pages.ts): the expert pool (专家库), the
 * indicator list's editing (清单), a round with its objections, and the statistics. Every form posts with its CSRF
 * token and redirects after success; a refusal shows the page again with each problem beside its field.
 */

const stateOf = (ctx: Context) => ctx.state as AppState;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined || v === null ? [] : [str(v)]);
/** What is not the user's doing to correct on the form: the error page. */
const blocked = (err: unknown) => err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code);

const EXPERT_FIELDS = ['name', 'unit', 'title', 'fields', 'username'] as const;
const ENTRY_FIELDS = ['year', 'field', 'product', 'indicators'] as const;
const INDICATOR_PARTS = ['name', 'comparator', 'threshold', 'unit'] as const;
/** Blank indicator rows a form offers beyond those filled in. */
const BLANK_ROWS = 3;

interface IndicatorRow {
  n: number;
  name: string;
  comparator: string;
  threshold: string;
  unit: string;
  errors: Record<string, string>;
  comparators: Array<{ value: string; selected: boolean }>;
}

const indicatorText = (i: Indicator) => `${i.name} ${requirementText(i)}`;

/** The form's indicator rows (`ind_name`, `ind_comparator`, `ind_threshold`, `ind_unit`, one each per row). */
function indicatorRows(values: Array<Record<(typeof INDICATOR_PARTS)[number], string>>, errors: Map<number, Record<string, string>> = new Map()): IndicatorRow[] {
  const rows = [...values, ...Array.from({ length: BLANK_ROWS }, () => ({ name: '', comparator: '>=', threshold: '', unit: '' }))];
  return rows.map((r, n) => ({ n: n + 1, ...r, errors: errors.get(n) ?? {}, comparators: COMPARATORS.map((c) => ({ value: c, selected: r.comparator === c })) }));
}

const blankRow = (r: Record<string, string>) => r.name.trim() === '' && r.threshold.trim() === '' && r.unit.trim() === '';

/**
 * The submitted rows as typed (trailing blank rows dropped, so a refused form does not grow), and the filled ones in
 * the JSON shape with each one's row on the form (`rowOf`), so an indicator's error goes beside its own row.
 */
function entryFromForm(body: Record<string, unknown>) {
  const cols = Object.fromEntries(INDICATOR_PARTS.map((p) => [p, list(body[`ind_${p}`])])) as Record<(typeof INDICATOR_PARTS)[number], string[]>;
  const typed = cols.name.map((_, i) => Object.fromEntries(INDICATOR_PARTS.map((p) => [p, cols[p][i] ?? ''])) as Record<(typeof INDICATOR_PARTS)[number], string>);
  while (typed.length && blankRow(typed[typed.length - 1]!)) typed.pop();
  const filled = typed.map((r, row) => ({ r, row })).filter(({ r }) => !blankRow(r));
  return {
    typed,
    rowOf: filled.map((f) => f.row),
    input: { year: body.year, field: body.field, product: body.product, indicators: filled.map(({ r }) => r) },
  };
}

export function recognitionAdminPages(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.recognition;
  const admin = requireRole('admin');

  /** Field errors of a failed form by their full path (`indicators.2.threshold`), each in the reader's language. */
  const errorsByPath = (ctx: Context, err: unknown): Map<string, string> => {
    const errors = err instanceof FormInvalid ? err.errors : err instanceof AppError ? [err] : [];
    const m = new Map<string, string>();
    for (const e of errors) if (e.field && !m.has(e.field)) m.set(e.field, errorBody(ctx, e).message);
    return m;
  };

  const fieldBoxes = (state: AppState, chosen: string[], prefix: string) =>
    FIELDS.map((f, i) => ({ id: `${prefix}-f${i}`, value: f.name, label: state.t(`fieldnames.${f.name}`), checked: chosen.includes(f.name) }));

  // ── the expert pool (专家库) ──
  async function expertsPage(ctx: Context, form: { values: Record<string, string>; fields: string[]; errors: Record<string, string>; error: string | null }) {
    const state = stateOf(ctx);
    const q = parseInput(PageQuery, dropEmpty(ctx.query as Record<string, unknown>));
    const page = await service.experts(actorOf(ctx), { page: q.page, pageSize: 50 });
    return state.render('recognition/experts', {
      title: state.t('recognition.experts_title'),
      flash: takeFlash(ctx),
      items: page.items.map((e) => ({ ...e, fieldLabels: e.fields.map((f) => state.t(`fieldnames.${f}`)).join(state.t('common.list_separator')) })),
      total: page.total,
      pagination: paginationModel('/admin/experts', {}, page.page, Math.ceil(page.total / page.pageSize)),
      values: form.values,
      fieldBoxes: fieldBoxes(state, form.fields, 'ex-new'),
      errors: form.errors,
      error: form.error,
    });
  }
  const emptyExpert = () => ({ values: { name: '', unit: '', title: '', username: '' }, fields: [] as string[], errors: {}, error: null });

  router.get('/admin/experts', admin, async (ctx) => {
    ctx.body = await expertsPage(ctx, emptyExpert());
  });
  router.post('/admin/experts', admin, async (ctx) => {
    const state = stateOf(ctx);
    const raw = requestBody(ctx);
    const fields = list(raw.fields);
    try {
      const e = await service.addExpert(actorOf(ctx), parseForm(ExpertForm, { ...raw, fields }));
      setFlash(ctx, state.t('recognition.expert_added', { name: e.name }));
      ctx.redirect(`${state.base}/admin/experts/${e.id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, err, EXPERT_FIELDS, raw);
      ctx.status = status;
      ctx.body = await expertsPage(ctx, { values: { name: str(raw.name), unit: str(raw.unit), title: str(raw.title), username: str(raw.username) }, fields, errors: form.errors, error: form.error });
    }
  });

  async function expertPage(ctx: Context, id: number, form: { values?: Record<string, string>; fields?: string[]; errors: Record<string, string>; error: string | null }) {
    const state = stateOf(ctx);
    const e = await service.expertDetail(actorOf(ctx), id);
    const show = (k: string, v: unknown) => (k === 'fields' && Array.isArray(v) ? v.map((f) => state.t(`fieldnames.${str(f)}`)).join(state.t('common.list_separator')) : k === 'active' ? state.t(v ? 'recognition.expert_active' : 'recognition.expert_inactive') : str(v));
    const changes = (before: unknown, after: unknown) =>
      Object.keys((after ?? {}) as Record<string, unknown>).map((k) => ({
        label: state.t(`recognition.expert_f_${k === 'active' ? 'state' : k}`),
        before: show(k, (before as Record<string, unknown>)?.[k]),
        after: show(k, (after as Record<string, unknown>)[k]),
      }));
    const chosen = form.fields ?? e.fields;
    return state.render('recognition/expert-edit', {
      title: state.t('recognition.expert_edit_title', { name: e.name }),
      flash: takeFlash(ctx),
      e,
      fieldLabels: e.fields.map((f) => state.t(`fieldnames.${f}`)).join(state.t('common.list_separator')),
      values: form.values ?? { name: e.name, unit: e.unit, title: e.title },
      fieldBoxes: fieldBoxes(state, chosen, 'ex-edit'),
      errors: form.errors,
      error: form.error,
      history: e.history.map((h) => ({ at: h.at, action: state.t(`recognition.expert_history_${h.action === 'active' ? 'active' : 'update'}`), changes: changes(h.before, h.after) })).reverse(),
    });
  }

  router.get('/admin/experts/:id', admin, async (ctx) => {
    ctx.body = await expertPage(ctx, idParam(ctx.params.id), { errors: {}, error: null });
  });
  router.post('/admin/experts/:id', admin, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    const raw = requestBody(ctx);
    const fields = list(raw.fields);
    try {
      const before: ExpertView = await service.expertDetail(actorOf(ctx), id);
      const e = await service.updateExpert(actorOf(ctx), id, parseForm(ExpertEditInput, { name: raw.name, unit: raw.unit, title: raw.title, fields }));
      setFlash(ctx, state.t(JSON.stringify([before.name, before.unit, before.title, before.fields]) === JSON.stringify([e.name, e.unit, e.title, e.fields]) ? 'recognition.expert_unchanged' : 'recognition.expert_saved', { name: e.name }));
      ctx.redirect(`${state.base}/admin/experts/${id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, err, EXPERT_FIELDS, raw);
      ctx.status = status;
      ctx.body = await expertPage(ctx, id, { values: { name: str(raw.name), unit: str(raw.unit), title: str(raw.title) }, fields, errors: form.errors, error: form.error });
    }
  });
  router.post('/admin/experts/:id/active', admin, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    const raw = requestBody(ctx);
    try {
      const active = parseForm(ExpertActiveInput, raw).active;
      const e = await service.setExpertActive(actorOf(ctx), id, active);
      setFlash(ctx, state.t(e.active ? 'recognition.expert_activated' : 'recognition.expert_deactivated', { name: e.name }));
      ctx.redirect(`${state.base}/admin/experts/${id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, err, [], raw);
      ctx.status = status;
      ctx.body = await expertPage(ctx, id, { errors: {}, error: form.error ?? Object.values(form.errors).find(Boolean) ?? null });
    }
  });

  // ── the indicator list (清单): add and edit entries, with their history ──
  const entryForm = (state: AppState, values: Record<string, string>, rows: IndicatorRow[], errors: Record<string, string>, error: string | null, action: string, prefix: string) => ({
    action,
    prefix,
    values,
    rows,
    errors,
    error,
    fields: FIELDS.map((f) => ({ value: f.name, label: state.t(`fieldnames.${f.name}`), selected: values.field === f.name })),
  });

  /** A failed entry form: the entry's fields' errors, and each indicator's beside its own row. */
  function failedEntry(ctx: Context, err: unknown, raw: Record<string, unknown>) {
    const { typed, rowOf } = entryFromForm(raw);
    const byPath = errorsByPath(ctx, err);
    const rowErrors = new Map<number, Record<string, string>>();
    for (const [path, message] of byPath) {
      const m = /^indicators\.(\d+)\.(\w+)$/.exec(path);
      if (!m) continue;
      const row = rowOf[Number(m[1])];
      if (row === undefined) continue;
      rowErrors.set(row, { ...(rowErrors.get(row) ?? {}), [m[2]!]: rowErrors.get(row)?.[m[2]!] ?? message });
    }
    const { form, status } = formFailure(ctx, err, ENTRY_FIELDS, raw);
    // `indicators` beside the list only for what no row shows (none given, a name twice).
    const listError = byPath.get('indicators') ?? '';
    return { status, rows: indicatorRows(typed, rowErrors), errors: { ...form.errors, indicators: listError }, error: form.error, values: { year: str(raw.year), field: str(raw.field), product: str(raw.product) } };
  }

  async function listPage(ctx: Context, failed: ReturnType<typeof failedEntry> | null) {
    const state = stateOf(ctx);
    const q = parseInput(ListQuery, dropEmpty(ctx.query as Record<string, unknown>));
    const page = await service.indicatorList({ ...q, pageSize: 50 });
    const current: Record<string, string> = {};
    if (q.year !== undefined) current.year = String(q.year);
    if (q.field) current.field = q.field;
    const fresh = { year: q.year !== undefined ? String(q.year) : '', field: q.field ?? '', product: '' };
    return state.render('recognition/list-admin', {
      title: state.t('recognition.list_admin_title'),
      flash: takeFlash(ctx),
      items: page.items.map((e) => ({ ...e, fieldLabel: state.t(`fieldnames.${e.field}`), indicators: e.indicators.map(indicatorText) })),
      total: page.total,
      pagination: paginationModel('/admin/indicator-list', current, page.page, Math.ceil(page.total / page.pageSize)),
      year: q.year ?? '',
      filterFields: FIELDS.map((f) => ({ value: f.name, label: state.t(`fieldnames.${f.name}`), selected: q.field === f.name })),
      form: failed
        ? entryForm(state, failed.values, failed.rows, failed.errors, failed.error, '/admin/indicator-list', 'il-new')
        : entryForm(state, fresh, indicatorRows([], new Map()), {}, null, '/admin/indicator-list', 'il-new'),
    });
  }

  router.get('/admin/indicator-list', admin, async (ctx) => {
    ctx.body = await listPage(ctx, null);
  });
  router.post('/admin/indicator-list', admin, async (ctx) => {
    const state = stateOf(ctx);
    const raw = requestBody(ctx);
    try {
      const e = await service.addListEntry(actorOf(ctx), parseForm(ListEntryInput, entryFromForm(raw).input));
      setFlash(ctx, state.t('recognition.entry_added', { product: e.product }));
      ctx.redirect(`${state.base}/admin/indicator-list/${e.id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const failed = failedEntry(ctx, err, raw);
      ctx.status = failed.status;
      ctx.body = await listPage(ctx, failed);
    }
  });

  async function entryPage(ctx: Context, id: number, failed: ReturnType<typeof failedEntry> | null) {
    const state = stateOf(ctx);
    const e = await service.listEntryDetail(actorOf(ctx), id);
    const summary = (v: unknown): string => {
      if (Array.isArray(v)) return (v as Indicator[]).map(indicatorText).join('；');
      if (v && typeof v === 'object') {
        const o = v as { year?: number; field?: string; product?: string; indicators?: Indicator[] };
        return `${o.year ?? ''} · ${o.field ? state.t(`fieldnames.${o.field}`) : ''} · ${o.product ?? ''}：${(o.indicators ?? []).map(indicatorText).join('；')}`;
      }
      return '';
    };
    const values = { year: String(e.year), field: e.field, product: e.product };
    const rows = indicatorRows(e.indicators.map((i) => ({ name: i.name, comparator: i.comparator, threshold: String(i.threshold), unit: i.unit })));
    return state.render('recognition/list-entry', {
      title: state.t('recognition.entry_edit_title', { product: e.product }),
      flash: takeFlash(ctx),
      e: { ...e, fieldLabel: state.t(`fieldnames.${e.field}`), indicators: e.indicators.map(indicatorText) },
      form: failed ? entryForm(state, failed.values, failed.rows, failed.errors, failed.error, `/admin/indicator-list/${id}`, 'il-edit') : entryForm(state, values, rows, {}, null, `/admin/indicator-list/${id}`, 'il-edit'),
      history: e.history
        .map((h) => ({ at: h.at, action: state.t(`recognition.entry_history_${h.action === 'create' ? 'create' : 'update'}`), before: h.before === null ? null : summary(h.before), after: summary(h.after) }))
        .reverse(),
    });
  }

  router.get('/admin/indicator-list/:id', admin, async (ctx) => {
    ctx.body = await entryPage(ctx, idParam(ctx.params.id), null);
  });
  router.post('/admin/indicator-list/:id', admin, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    const raw = requestBody(ctx);
    try {
      const e = await service.updateListEntry(actorOf(ctx), id, parseForm(ListEntryInput, entryFromForm(raw).input));
      setFlash(ctx, state.t('recognition.entry_saved', { product: e.product }));
      ctx.redirect(`${state.base}/admin/indicator-list/${id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const failed = failedEntry(ctx, err, raw);
      ctx.status = failed.status;
      ctx.body = await entryPage(ctx, id, failed);
    }
  });

  // ── a round: its applications, its 公示, the objections and their rulings, finalizing ──
  async function roundPage(ctx: Context, id: number, failed: { oid: number; values: Record<string, string>; errors: Record<string, string>; error: string | null } | null, error: string | null = null) {
    const state = stateOf(ctx);
    const r = await service.round(actorOf(ctx), id);
    const now = deps.clock.now().getTime();
    const running = r.status === 'notice' && now <= Date.parse(r.periodEndsAt);
    const open = r.objections.filter((o) => o.status === 'open');
    const appNo = new Map(r.applications.map((a) => [a.id, `${a.applicationNo ?? a.id} ${a.productName}`]));
    const refusal = r.status !== 'notice' ? null : running ? state.t('recognition.guard_notice_running', { endsAt: r.periodEndsAt }) : open.length ? state.t('recognition.guard_objections_open', { n: open.length }) : null;
    return state.render('recognition/round', {
      title: state.t('recognition.round_title', { year: r.year, id: r.id }),
      flash: takeFlash(ctx),
      error,
      r,
      statusLabel: state.t(`recognition.round_${r.status}`),
      running,
      openCount: open.length,
      applications: r.applications.map((a) => ({ ...a, statusLabel: state.t(`recognition.status_${a.status}`), levelLabel: a.level ? state.t(`levels.${a.level}`) : '' })),
      objections: r.objections.map((o) => {
        const mine = failed?.oid === o.id ? failed : null;
        const values = mine?.values ?? { upheld: '', opinion: '', applicationId: '' };
        return {
          ...o,
          open: o.status === 'open' && r.status === 'notice',
          statusLabel: state.t(`recognition.objection_${o.status}`),
          named: o.applicationId !== null ? (appNo.get(o.applicationId) ?? `#${o.applicationId}`) : null,
          action: `/admin/certification-rounds/${r.id}/objections/${o.id}/resolve`,
          values,
          errors: mine?.errors ?? {},
          error: mine?.error ?? null,
          choices: r.applications.filter((a) => a.status === 'in_round').map((a) => ({ id: a.id, label: appNo.get(a.id), selected: values.applicationId === String(a.id) })),
        };
      }),
      canFinalize: r.status === 'notice' && refusal === null,
      finalizeRefusal: refusal,
    });
  }

  router.get('/admin/certification-rounds/:id', admin, async (ctx) => {
    ctx.body = await roundPage(ctx, idParam(ctx.params.id), null);
  });
  router.post('/admin/certification-rounds/:id/objections/:oid/resolve', admin, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    const oid = idParam(ctx.params.oid);
    const raw = requestBody(ctx);
    try {
      const input = parseForm(ResolveInput, dropEmpty(raw));
      await service.resolveObjection(actorOf(ctx), id, oid, input);
      setFlash(ctx, state.t(input.upheld ? 'recognition.done_upheld' : 'recognition.done_dismissed'));
      ctx.redirect(`${state.base}/admin/certification-rounds/${id}#objection-${oid}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, err, ['upheld', 'opinion', 'applicationId'], raw);
      ctx.status = status;
      ctx.body = await roundPage(ctx, id, { oid, values: { upheld: str(raw.upheld), opinion: str(raw.opinion), applicationId: str(raw.applicationId) }, errors: form.errors, error: form.error });
    }
  });

  // ── statistics (issue 15 item 8) ──
  router.get('/admin/certification-stats', admin, async (ctx) => {
    const state = stateOf(ctx);
    let year: number | undefined;
    let error: string | null = null;
    try {
      year = parseInput(StatsQuery, dropEmpty(ctx.query as Record<string, unknown>)).year;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = 422;
      error = errorBody(ctx, err).message;
    }
    const s = await service.statistics(actorOf(ctx), state.t, year);
    const share = (n: number, of: number) => (of > 0 ? `${((n * 100) / of).toFixed(1)}%` : '—');
    const withShare = (rows: Array<{ key: string; label: string; count: number }>, of: number) => rows.map((r) => ({ ...r, share: share(r.count, of) }));
    ctx.body = state.render('recognition/stats', {
      title: year ? state.t('recognition.stats_title_year', { year }) : state.t('recognition.stats_title_all'),
      error,
      s,
      yearOptions: [...s.years].reverse().map((y) => ({ value: y, selected: y === year })),
      certs: {
        byKind: withShare(s.certifications.byKind, s.certifications.total),
        byLevel: withShare(s.certifications.byLevel, s.certifications.total),
        byField: withShare(s.certifications.byField, s.certifications.total),
        byCity: withShare(s.certifications.byCity, s.certifications.total),
        byYear: s.certifications.byYear,
      },
      reportYear: year ?? null,
    });
  });

  return router;
}
