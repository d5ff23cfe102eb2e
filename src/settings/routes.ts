import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { actorOf, emptyForm, formFailure, parseForm, requestBody, requireRole, validate, type AppState, type FormState } from '../web';
import { FinanceDepartmentInput, IntentionRuleInput, SettingsInput } from './schema';
import type { SettingsService } from './service';

/** The fields of the settings page's form. */
const FIELDS = ['keySupportedOnly', 'directPurchaseLimit'] as const;
/** The fields of the purchase-intention rule's form (its own form on the same page). */
const RULE_FIELDS = ['required', 'minDays'] as const;
/** The fields of the finance department's form (its own form on the same page). */
const FINANCE_FIELDS = ['name', 'address', 'contactPerson', 'phone'] as const;

export function settingsRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.settings;
  const admin = requireRole('admin');

  // Public, no login: what a purchaser (or anyone) needs to know before ordering (API.md "Direct-purchase limit").
  router.get('/api/v1/settings/public', async (ctx) => {
    ctx.body = await service.publicSettings();
  });

  router.get('/api/v1/admin/settings', admin, async (ctx) => {
    ctx.body = await service.all();
  });

  router.post('/api/v1/admin/settings', admin, validate(SettingsInput), async (ctx) => {
    ctx.body = await service.update(actorOf(ctx), ctx.state.input as SettingsInput);
  });

  // The finance department the single-source notices name (MoF Order No. 74 art. 38), kept apart from the above.
  router.get('/api/v1/admin/settings/finance-department', admin, async (ctx) => {
    ctx.body = await service.financeDepartment();
  });

  router.post('/api/v1/admin/settings/finance-department', admin, validate(FinanceDepartmentInput), async (ctx) => {
    ctx.body = await service.setFinanceDepartment(actorOf(ctx), ctx.state.input as FinanceDepartmentInput);
  });

  // The purchase-intention rule of 政府首购 (采购意向公开 ≥ 30 days), kept apart from the above.
  router.get('/api/v1/admin/settings/purchase-intentions', admin, async (ctx) => {
    ctx.body = await service.intentionRule();
  });

  router.post('/api/v1/admin/settings/purchase-intentions', admin, validate(IntentionRuleInput), async (ctx) => {
    ctx.body = await service.setIntentionRule(actorOf(ctx), ctx.state.input as IntentionRuleInput);
  });

  router.get('/admin/settings', admin, async (ctx) => {
    await renderPage(ctx, service, null, ctx.query.saved === '1');
  });

  router.post('/admin/settings/finance-department', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      await service.setFinanceDepartment(actorOf(ctx), parseForm(FinanceDepartmentInput, body));
    } catch (err) {
      const { form, status } = formFailure(ctx, err, FINANCE_FIELDS, body);
      await renderPage(ctx, service, null, false, form);
      ctx.status = status;
      return;
    }
    ctx.redirect(`${state.base}/admin/settings?saved=1#finance-department`);
  });

  // The purchase-intention rule's form: an unticked checkbox sends nothing, which is "off".
  router.post('/admin/settings/purchase-intentions', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      const days = typeof body.minDays === 'string' ? body.minDays.trim() : body.minDays;
      const input = parseForm(IntentionRuleInput, { required: body.required ?? false, ...(days === undefined || days === '' ? {} : { minDays: typeof days === 'string' && /^\d{1,4}$/.test(days) ? Number(days) : days }) });
      await service.setIntentionRule(actorOf(ctx), input);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, RULE_FIELDS, body);
      await renderPage(ctx, service, null, false, null, form);
      ctx.status = status;
      return;
    }
    ctx.redirect(`${state.base}/admin/settings?saved=1#purchase-intention-rule`);
  });

  router.post('/admin/settings', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      // An unchecked checkbox sends nothing: that is "off". An empty limit field leaves the limit as it is.
      const limit = typeof body.directPurchaseLimit === 'string' ? body.directPurchaseLimit.trim() : body.directPurchaseLimit;
      const input = parseForm(SettingsInput, { keySupportedOnly: body.keySupportedOnly ?? false, ...(limit === undefined || limit === '' ? {} : { directPurchaseLimit: limit }) });
      await service.update(actorOf(ctx), input);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, FIELDS, body);
      await renderPage(ctx, service, form, false);
      ctx.status = status;
      return;
    }
    ctx.redirect(`${state.base}/admin/settings?saved=1`);
  });

  return router;
}

async function renderPage(ctx: Context, service: SettingsService, typed: FormState | null, saved: boolean, financeTyped: FormState | null = null, ruleTyped: FormState | null = null): Promise<void> {
  const state = ctx.state as AppState;
  const settings = await service.all();
  const finance = await service.financeDepartment();
  const rule = await service.intentionRule();
  const ruleForm = ruleTyped ?? emptyForm(RULE_FIELDS, { minDays: String(rule.minDays) });
  const financeForm = financeTyped ?? emptyForm(FINANCE_FIELDS, { ...finance });
  const form = typed ?? emptyForm(FIELDS, { directPurchaseLimit: settings.directPurchaseLimit });
  ctx.body = state.render('settings/index', {
    title: state.t('settings.title'),
    policy: typed ? { keySupportedOnly: typed.values.keySupportedOnly === 'on' || typed.values.keySupportedOnly === 'true' } : settings.firstPurchase,
    limit: settings.directPurchaseLimit,
    form,
    financeForm,
    financeFields: FINANCE_FIELDS.map((name) => ({ name, value: financeForm.values[name] ?? '', error: financeForm.errors[name] ?? '' })),
    ruleForm,
    ruleRequired: ruleTyped ? ruleTyped.values.required === 'on' || ruleTyped.values.required === 'true' : rule.required,
    saved,
  });
}
