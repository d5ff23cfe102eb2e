import Router from '@koa/router';
import type { Context } from 'koa';
import type { CertView } from '../certification';
import type { Deps } from '../deps';
import { LEVELS } from '../domain';
import { Money, formatYuan } from '../money';
import { AppError } from '../errors';
import { dropEmpty } from '../schema';
import { shanghaiDay } from '../time';
import { actorOf, formFailure, idParam, parseForm, parseInput, requestBody, requireRole, setFlash, takeFlash, type AppState } from '../web';
import { fieldErrors, mountPageSteps, nextSteps, stepForms, type Step } from '../workflow';
import { relabel } from './labels';
import { CLAIM_FIELDS, ClaimInput, ClaimQuery, InsuranceStatsQuery, NationalInput, RuleInput, STATS_GROUPS } from './schema';
import { explain, type ClaimView, type ComputedView, type RuleView } from './service';
import { labelledStats, type StatsYoy } from './stats';
import { CLAIM_FORM_FIELDS, CLAIM_WORKFLOWS, type ClaimFacts, type ClaimStatus, type Desk } from './transitions';

const stateOf = (ctx: Context) => ctx.state as AppState;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const blocked = (err: unknown) => err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code);

const NATIONAL_FIELDS = ['year', 'projectName', 'enterpriseName', 'units', 'insuredValue', 'subsidy', 'note'] as const;

/** A claim's values in the form's shape (the correction form starts from them). */
const claimValues = (v: ClaimView): Record<string, string> => ({
  certNo: v.certNo,
  policyNo: v.policyNo,
  insurer: v.insurer,
  insuredValue: v.insuredValue,
  premium: v.premium,
  policyStart: v.policyStart,
  policyEnd: v.policyEnd,
  policyYear: String(v.policyYear),
  unitOrdinal: String(v.unitOrdinal),
  purchaserName: v.purchaserName,
  contractNo: v.contractNo,
  nationalSubsidy: String(v.nationalSubsidy),
});

/** The pages of insurance compensation: the vendor's claims, the 初审 queue, the rules, the national records, 联审. */
export function insurancePages(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.insurance;
  const vendor = requireRole('vendor');
  const admin = requireRole('admin');
  const finance = requireRole('finance');

  const computedModel = (state: AppState, c: ComputedView) => {
    const e = explain(c, state.t);
    return { ...e, hasRefusals: e.refusals.length > 0 };
  };
  const listItem = (state: AppState, v: ClaimView, base: string) => ({
    ...v,
    href: `${base}/${v.id}`,
    statusLabel: state.t(`insurance.status_${v.status}`),
    levelLabel: state.t(`levels.${v.certLevel}`),
  });

  /**
   * The claim form's fields with their values, errors and options (the new-claim form; the correction is a step form).
   * The certificate is chosen among the vendor's own (a workday pass, 2026-12-08: it was typed), expired ones too — a
   * claim counts a certificate valid when its policy started; a number typed before stays among the choices.
   */
  const claimForm = (state: AppState, values: Record<string, string>, errors: Record<string, string>, certs: CertView[]) =>
    CLAIM_FORM_FIELDS.map((f) => ({
      id: f.id,
      name: f.name,
      labelText: state.t(f.label),
      hintText: f.hint ? state.t(f.hint) : null,
      value: values[f.field] ?? '',
      error: errors[f.field] ?? '',
      select: f.control === 'select',
      type: f.control === 'date' ? 'date' : 'text',
      inputmode: f.control === 'decimal' ? 'decimal' : null,
      maxlength: f.maxlength ?? null,
      options: (f.options ?? []).map((o) => ({ value: o, label: state.t(`${f.optionLabel ?? ''}${o}`), selected: o === (values[f.field] ?? '') })),
      ...(f.field === 'certNo' && certs.length ? certChoice(state, values.certNo ?? '', certs) : {}),
    }));
  const certChoice = (state: AppState, chosen: string, certs: CertView[]) => ({
    select: true,
    options: [
      { value: '', label: state.t('insurance.choose_cert'), selected: chosen === '' },
      ...(chosen && !certs.some((c) => c.certNo === chosen) ? [{ value: chosen, label: chosen, selected: true }] : []),
      ...certs.map((c) => ({ value: c.certNo, label: `${c.certNo} · ${c.productName} · ${state.t('insurance.cert_valid_until', { day: c.validUntil })}`, selected: c.certNo === chosen })),
    ],
  });

  // ── one claim, on any desk ──
  async function claimPage(ctx: Context, desk: Desk, view: ClaimView, extra: { error?: string | null; body?: Record<string, unknown>; fieldErrors?: Record<string, string>; flash?: string | null } = {}) {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const wf = CLAIM_WORKFLOWS[desk];
    const next = nextSteps(wf, actor, view.status, () => true, {} as ClaimFacts);
    const steps = stepForms(next, {
      t: state.t,
      action: (s) => `${wf.pagePrefix}/${view.id}/${s.name}`,
      today: shanghaiDay(deps.clock.now()),
      body: extra.body ?? (desk === 'vendor' ? claimValues(view) : undefined),
      errors: extra.fieldErrors,
      // The disbursement's hint names whom it pays and how much: one click moves the money.
      hintParams: () => ({ vendor: view.vendor.name, amount: formatYuan(Money.fromString(view.computed.compensation)) }),
    });
    return state.render('insurance/claim', {
      title: `${view.claimNo}`,
      c: view,
      computed: computedModel(state, view.computed),
      statusLabel: state.t(`insurance.status_${view.status}`),
      levelLabel: state.t(`levels.${view.certLevel}`),
      rejectedByLabel: view.rejection ? state.t(`insurance.rejected_by_${view.rejection.by}`) : null,
      back: `${wf.pagePrefix}`,
      flash: extra.flash ?? null,
      error: extra.error ?? null,
      steps,
      // A payout's note is its amount ("231000.00"): shown as money is shown everywhere else.
      history: view.history.map((h) => ({ ...h, actionLabel: state.t(`insurance.action_${h.action}`), note: h.action.endsWith('disburse') && h.note !== null && Money.isValidInput(h.note) ? formatYuan(Money.fromString(h.note)) : h.note })),
    });
  }

  async function pageStep(ctx: Context, desk: Desk, step: Step<ClaimStatus, ClaimFacts>, id: number): Promise<void> {
    const state = stateOf(ctx);
    const body = requestBody(ctx);
    const wf = CLAIM_WORKFLOWS[desk];
    try {
      const view = await service.run(desk, step.name, actorOf(ctx), id, step.input ? parseForm(step.input, body) : {});
      setFlash(ctx, state.t(step.done, { status: state.t(`insurance.status_${view.status}`), amount: formatYuan(Money.fromString(view.computed.compensation)) }));
      ctx.redirect(`${state.base}${wf.pagePrefix}/${id}`);
    } catch (raw) {
      if (blocked(raw)) throw raw;
      const err = relabel(raw, state.t);
      const besideFields = fieldErrors(ctx, wf, err);
      const { form, status } = formFailure(ctx, err, [], body);
      ctx.status = status;
      const message = form.error ?? Object.values(form.errors).find(Boolean) ?? null;
      ctx.body = await claimPage(ctx, desk, await service.getClaim(actorOf(ctx), id), { error: message, body: step.input ? body : undefined, fieldErrors: besideFields });
    }
  }

  for (const desk of ['vendor', 'admin', 'finance'] as const) {
    const wf = CLAIM_WORKFLOWS[desk];
    router.get(`${wf.pagePrefix}/:id`, requireRole(desk), async (ctx) => {
      ctx.body = await claimPage(ctx, desk, await service.getClaim(actorOf(ctx), idParam(ctx.params.id)), { flash: takeFlash(ctx) });
    });
    mountPageSteps(router, wf, { idParam, handle: (ctx, s, id) => pageStep(ctx, desk, s, id) });
  }

  // ── the vendor: the claim form (preview, then save as a draft) and my claims ──
  const emptyClaim = Object.fromEntries(CLAIM_FIELDS.map((f) => [f, ''])) as Record<string, string>;
  async function vendorDesk(ctx: Context, values: Record<string, string>, errors: Record<string, string>, error: string | null, computed: ComputedView | null) {
    const state = stateOf(ctx);
    const page = await service.listClaims(actorOf(ctx), parseInput(ClaimQuery, dropEmpty(ctx.query as Record<string, unknown>)));
    return state.render('insurance/vendor', {
      title: state.t('insurance.vendor_title'),
      flash: takeFlash(ctx),
      items: page.items.map((v) => listItem(state, v, '/vendor/insurance-claims')),
      fields: claimForm(state, { policyYear: '1', unitOrdinal: '1', nationalSubsidy: 'false', ...values }, errors, await deps.services.certification.forVendor(actorOf(ctx))),
      error,
      computed: computed ? computedModel(state, computed) : null,
    });
  }

  router.get('/vendor/insurance-claims', vendor, async (ctx) => {
    ctx.body = await vendorDesk(ctx, emptyClaim, {}, null, null);
  });

  router.post('/vendor/insurance-claims', vendor, async (ctx) => {
    const state = stateOf(ctx);
    const raw = requestBody(ctx);
    const values = { ...emptyClaim, ...Object.fromEntries(CLAIM_FIELDS.map((f) => [f, str(raw[f])])) };
    try {
      const input = parseForm(ClaimInput, raw);
      if (raw.action === 'preview') {
        ctx.body = await vendorDesk(ctx, values, {}, null, await service.preview(actorOf(ctx), input));
        return;
      }
      const created = await service.createClaim(actorOf(ctx), input);
      setFlash(ctx, state.t('insurance.created', { no: created.claimNo, amount: formatYuan(Money.fromString(created.computed.compensation)) }));
      ctx.redirect(`${state.base}/vendor/insurance-claims/${created.id}`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, relabel(err, state.t), CLAIM_FIELDS, raw);
      ctx.status = status;
      ctx.body = await vendorDesk(ctx, values, form.errors, form.error, null);
    }
  });

  // ── the department: the 初审 queue ──
  router.get('/admin/insurance-claims', admin, async (ctx) => {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const queue = await service.listClaims(actor, { page: 1, pageSize: 100, status: 'submitted' });
    const recent = await service.listClaims(actor, { page: 1, pageSize: 20 });
    ctx.body = state.render('insurance/admin', {
      title: state.t('insurance.admin_title'),
      flash: takeFlash(ctx),
      queue: queue.items.map((v) => listItem(state, v, '/admin/insurance-claims')),
      recent: recent.items.map((v) => listItem(state, v, '/admin/insurance-claims')),
      total: recent.total,
    });
  });

  // ── the department: the rule table (each version editable, with its history) ──
  const ruleValues = (r: RuleView | null, body?: Record<string, unknown>) => {
    if (body) {
      const p = (body.percents ?? {}) as Record<string, unknown>;
      const at = (l: string, i: number) => str((Array.isArray(p[l]) ? (p[l] as unknown[]) : [])[i] ?? (p[l] as Record<string, unknown> | undefined)?.[String(i)]);
      return { version: str(body.version), fromYear: str(body.fromYear), rateCap: str(body.rateCap), yearlyCap: str(body.yearlyCap), note: str(body.note), percents: LEVELS.map((l) => ({ level: l, values: [0, 1, 2].map((i) => ({ i, year: i + 1, value: at(l, i) })) })) };
    }
    return {
      version: r?.version ?? '',
      fromYear: r ? String(r.fromYear) : '',
      rateCap: r?.rateCap ?? '',
      yearlyCap: r?.yearlyCap ?? '',
      note: r?.note ?? '',
      percents: LEVELS.map((l) => ({ level: l, values: [0, 1, 2].map((i) => ({ i, year: i + 1, value: r ? String(r.percents[l][i] ?? '') : '' })) })),
    };
  };
  const RULE_FIELDS = ['version', 'fromYear', 'rateCap', 'percents', 'yearlyCap', 'note'] as const;
  const ruleErrors = (e: Record<string, string> | undefined) => Object.fromEntries(RULE_FIELDS.map((f) => [f, e?.[f] ?? '']));
  async function rulesPage(ctx: Context, failed: { id: number | 'new'; body: Record<string, unknown>; errors: Record<string, string>; error: string | null } | null) {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const rules = (await service.rules()).items;
    const items = [];
    for (const r of rules) {
      const detail = await service.rule(actor, r.id);
      const mine = failed?.id === r.id ? failed : null;
      items.push({
        ...r,
        levels: LEVELS.map((l) => ({ label: state.t(`levels.${l}`), values: r.percents[l] })),
        form: { prefix: `r${r.id}`, action: `/admin/insurance-rules/${r.id}`, values: ruleValues(r, mine?.body), errors: ruleErrors(mine?.errors), error: mine?.error ?? null, open: mine !== null, button: state.t('insurance.rule_save') },
        history: detail.history.map((h) => ({ ...h, summary: JSON.stringify(h.after) })),
      });
    }
    const fresh = failed?.id === 'new' ? failed : null;
    return state.render('insurance/rules', {
      title: state.t('insurance.rules_title'),
      flash: takeFlash(ctx),
      items,
      levelLabels: LEVELS.map((l) => ({ level: l, label: state.t(`levels.${l}`) })),
      form: { prefix: 'rnew', action: '/admin/insurance-rules', values: ruleValues(null, fresh?.body), errors: ruleErrors(fresh?.errors), error: fresh?.error ?? null, open: true, button: state.t('insurance.rule_add') },
    });
  }
  async function ruleAction(ctx: Context, id: number | 'new') {
    const state = stateOf(ctx);
    const body = requestBody(ctx);
    try {
      const input = parseForm(RuleInput, body);
      const r = id === 'new' ? await service.addRule(actorOf(ctx), input) : await service.updateRule(actorOf(ctx), id, input);
      setFlash(ctx, state.t('insurance.rule_saved', { version: r.version }));
      ctx.redirect(`${state.base}/admin/insurance-rules`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, relabel(err, state.t), RULE_FIELDS, body);
      ctx.status = status;
      ctx.body = await rulesPage(ctx, { id, body, errors: form.errors, error: form.error });
    }
  }
  router.get('/admin/insurance-rules', admin, async (ctx) => {
    ctx.body = await rulesPage(ctx, null);
  });
  router.post('/admin/insurance-rules', admin, async (ctx) => ruleAction(ctx, 'new'));
  router.post('/admin/insurance-rules/:id', admin, async (ctx) => ruleAction(ctx, idParam(ctx.params.id)));

  // ── the department: the national scheme's records ──
  async function nationalPage(ctx: Context, values: Record<string, string>, errors: Record<string, string>, error: string | null) {
    const state = stateOf(ctx);
    const records = await service.nationalRecords(actorOf(ctx));
    return state.render('insurance/national', { title: state.t('insurance.national_title'), flash: takeFlash(ctx), ...records, values, errors, error });
  }
  const emptyNational = Object.fromEntries(NATIONAL_FIELDS.map((f) => [f, ''])) as Record<string, string>;
  router.get('/admin/national-insurance', admin, async (ctx) => {
    ctx.body = await nationalPage(ctx, { ...emptyNational, units: '1' }, {}, null);
  });
  router.post('/admin/national-insurance', admin, async (ctx) => {
    const state = stateOf(ctx);
    const raw = requestBody(ctx);
    try {
      const r = await service.addNationalRecord(actorOf(ctx), parseForm(NationalInput, raw));
      setFlash(ctx, state.t('insurance.national_added', { project: r.projectName }));
      ctx.redirect(`${state.base}/admin/national-insurance`);
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, relabel(err, state.t), NATIONAL_FIELDS, raw);
      ctx.status = status;
      ctx.body = await nationalPage(ctx, { ...emptyNational, ...Object.fromEntries(NATIONAL_FIELDS.map((f) => [f, str(raw[f])])) }, form.errors, form.error);
    }
  });

  // ── the department and finance: the statistics of paid claims, by level, field, city or year ──
  /** A change as people read it: "+58.9%", "-3.0%", "0.0%"; "—" where last year had nothing. */
  const change = (v: string | null) => (v === null ? '—' : `${Number(v) > 0 ? '+' : ''}${v}%`);
  const changes = (y: StatsYoy) => ({ projects: change(y.projects), compensation: change(y.compensation) });
  router.get('/admin/insurance-stats', requireRole('admin', 'finance'), async (ctx) => {
    const state = stateOf(ctx);
    const raw = dropEmpty(ctx.query as Record<string, unknown>);
    const thisYear = Number(shanghaiDay(deps.clock.now()).slice(0, 4));
    const values = { year: str(raw.year) || String(thisYear), groupBy: str(raw.groupBy) || 'level' };
    let errors: Record<string, string> = { year: '', groupBy: '' };
    let error: string | null = null;
    let data = null;
    try {
      const q = parseInput(InsuranceStatsQuery, raw);
      const s = labelledStats(state.t, await service.stats(actorOf(ctx), { year: q.year ?? thisYear, groupBy: q.groupBy }));
      data = {
        ...s,
        yoyText: changes(s.yoy),
        groupLabel: state.t(`insurance.stats_group_${s.groupBy}`),
        byYear: s.groupBy === 'year',
        rows: s.rows.map((r) => ({ ...r, yoyText: changes(r.yoy), shareText: r.share === null ? '—' : `${r.share}%` })),
        json: `/api/v1/admin/insurance-stats?year=${s.year}&groupBy=${s.groupBy}`,
      };
    } catch (err) {
      if (blocked(err)) throw err;
      const { form, status } = formFailure(ctx, relabel(err, state.t), ['year', 'groupBy'], raw);
      ctx.status = status;
      errors = form.errors;
      error = form.error ?? Object.values(form.errors).find(Boolean) ?? null;
    }
    ctx.body = state.render('insurance/stats', {
      title: state.t('insurance.stats_title'),
      values,
      errors,
      error,
      groups: STATS_GROUPS.map((g) => ({ value: g, label: state.t(`insurance.stats_group_${g}`), selected: g === values.groupBy })),
      data,
    });
  });

  // ── finance: 联审 and the payouts due ──
  router.get('/finance/insurance-claims', finance, async (ctx) => {
    const state = stateOf(ctx);
    const desk = await service.financeDesk();
    const paid = await service.recentlyPaid(actorOf(ctx));
    ctx.body = state.render('insurance/finance', {
      title: state.t('insurance.finance_title'),
      flash: takeFlash(ctx),
      jointReview: desk.jointReview.map((v) => listItem(state, v, '/finance/insurance-claims')),
      payoutsDue: desk.payoutsDue.map((v) => listItem(state, v, '/finance/insurance-claims')),
      overdue: desk.overdue,
      // What finance has paid, latest first: the record it works from when asked.
      paid: paid.items.map((v) => listItem(state, v, '/finance/insurance-claims')),
      paidTotal: paid.total,
    });
  });

  return router;
}
