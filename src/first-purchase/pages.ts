import Router from '@koa/router';
import type { Context } from 'koa';
import {
  FormInvalid,
  actorOf,
  documentPdf,
  errorBody,
  formFailure,
  pagination,
  parseForm,
  parseInput,
  pdfDisposition,
  requestBody,
  requireRole,
  setFlash,
  takeFlash,
  type AppState,
} from '../web';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { hasKey, unitName } from '../i18n';
import { Money, formatYuan } from '../money';
import { dropEmpty } from '../schema';
import { normalizeSearch } from '../search-text';
import { shanghaiDay } from '../time';
import { awardLetterDocument } from './notice-documents';
import type { CaseView } from './presenters';
import { CaseListQuery, CreateCase, MarkObjection, ResolveObjection, fromForm, terminationCausesFor } from './schema';
import { canOnCase } from './policies';
import { fieldErrors, mountPageSteps, stepForms } from '../workflow';
import { CASE_STATUSES, CASE_WORKFLOW } from './transitions';
import { idParam } from './routes';

const stateOf = (ctx: Context) => ctx.state as AppState;
const yuan = (v: string | null): string => (v === null ? '' : formatYuan(Money.fromString(v)));
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

const CREATE_FIELDS = ['productId', 'projectName', 'projectContent', 'budget', 'quantity', 'reason', 'experts', 'expertOpinion', 'contact', 'purchaserAddress', 'contactPerson', 'contactPhone', 'agency'] as const;
const AGENCY_FIELDS = ['name', 'address', 'contactPerson', 'phone'] as const;
const EXPERT_ROWS = 5;
/** The fields of the forms that rule on an objection (resolve; set aside as spam or a duplicate). */
const OBJECTION_FIELDS: readonly string[] = ['upheld', 'opinion', 'reply', 'disposition', 'duplicateOf', 'remark'];

/** The create form's values as typed (strict templates need every key), with five expert rows. */
function createValues(body: Record<string, unknown>) {
  const raw = body.experts;
  const rows = Array.isArray(raw) ? raw : Object.values(obj(raw));
  const experts = Array.from({ length: Math.max(EXPERT_ROWS, rows.length) }, (_, i) => {
    const r = obj(rows[i]);
    return { i, n: i + 1, name: str(r.name), unit: str(r.unit), title: str(r.title) };
  });
  const flat = Object.fromEntries(CREATE_FIELDS.filter((f) => f !== 'experts' && f !== 'agency').map((f) => [f, str(body[f])])) as Record<Exclude<(typeof CREATE_FIELDS)[number], 'experts' | 'agency'>, string>;
  const agency = Object.fromEntries(AGENCY_FIELDS.map((f) => [f, str(obj(body.agency)[f])])) as Record<(typeof AGENCY_FIELDS)[number], string>;
  return { ...flat, experts, agency };
}

/** The pages of the procedure: each role's case list, the case form, the case with its next steps, the admin's desk. */
export function firstPurchasePages(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.firstPurchase;
  const party = requireRole('purchaser', 'vendor', 'admin', 'finance');
  const purchaser = requireRole('purchaser');
  const admin = requireRole('admin');

  /** An objection's ruling forms: empty, or refused (`errors`) with what was typed kept. Every key present (strict templates). */
  function objectionForm(errors: Record<string, string> | null, body: Record<string, unknown> | undefined) {
    const typed = errors ? obj(body) : {};
    return {
      errors: Object.fromEntries(OBJECTION_FIELDS.map((f) => [f, errors?.[f] ?? ''])),
      values: Object.fromEntries(OBJECTION_FIELDS.map((f) => [f, str(typed[f])])),
    };
  }

  /** The messages of a refused ruling on an objection, by the field of its forms they belong to. */
  function objectionErrors(ctx: Context, err: unknown): Record<string, string> {
    const all = err instanceof FormInvalid ? err.errors : err instanceof AppError ? [err] : [];
    const out: Record<string, string> = {};
    for (const e of all) {
      const field = e.field?.split('.')[0];
      if (field && OBJECTION_FIELDS.includes(field) && !out[field]) out[field] = errorBody(ctx, e).message;
    }
    return out;
  }

  async function detail(
    ctx: Context,
    view: CaseView,
    extra: { error?: string | null; body?: Record<string, unknown>; flash?: string | null; fieldErrors?: Record<string, string>; objection?: { id: number; errors: Record<string, string> } } = {},
  ): Promise<string> {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const next = service.queries.nextSteps(actor, view, await service.queries.financeContactSet());
    const parties = { purchaserId: view.purchaser.id, vendorId: view.vendor.id };
    const canResolve = canOnCase(actor, 'case.resolve_objection', parties) && view.openObjections > 0;
    const hintParams: Record<string, Record<string, string | number>> = {
      negotiate: { budget: yuan(view.budget) },
      contract: { amount: yuan(view.amount) },
      pay: { amount: yuan(view.amount) },
      filing: { signedAt: view.signedAt ?? '', due: view.filingDueAt ?? '' },
    };
    // The purchaser ends its case by 终止采购活动, whose causes include its own withdrawal (采购人撤回采购): a second
    // form that ends the case as well only made it choose between two (the JSON route and the department's form stay).
    const shown = actor.role === 'purchaser' && next.some((s) => s.step.name === 'terminate') ? next.filter((s) => s.step.name !== 'withdraw') : next;
    const forms = stepForms(shown, {
      t: state.t,
      action: (step) => `${CASE_WORKFLOW.pagePrefix}/${view.id}/${step.name}`,
      today: shanghaiDay(deps.clock.now()),
      body: extra.body,
      errors: extra.fieldErrors,
      hintParams: (step) => hintParams[step.name] ?? {},
    });
    // Ending the case offers only the causes this party may give at this stage (terminationCausesFor).
    const causes: readonly string[] = terminationCausesFor(actor.role, view.status);
    for (const form of forms) {
      for (const f of form.fields) if (form.name === 'terminate' && f.name === 'cause') f.options = f.options.filter((o) => causes.includes(o.value));
    }
    return state.render('first-purchase/detail', {
      title: `${view.caseNo} ${view.projectName}`,
      // Objectors' contacts are shown only to those who may see them; strict templates need the key either way.
      // A refused ruling on an objection shows its message beside the field of that objection's form, with what was typed.
      c: {
        ...view,
        // An edit's note names the fields changed: read as their labels.
        history: view.history.map((h) => (h.action === 'edit' && h.note ? { ...h, note: state.t('first_purchase.edit_changed', { fields: h.note.split(',').map((f) => fieldLabel(state, f)).join(state.locale === 'en' ? ', ' : '、') }) } : h)),
        objections: view.objections.map((o) => ({
          contact: null,
          ...o,
          setAside: o.status === 'spam' || o.status === 'duplicate',
          form: objectionForm(extra.objection?.id === o.id ? extra.objection.errors : null, extra.body),
        })),
      },
      flash: extra.flash ?? null,
      error: extra.error ?? null,
      steps: forms,
      canResolve,
      editHref: view.status === 'draft' && canOnCase(actor, 'case.edit', parties) ? `/first-purchases/${view.id}/edit` : null,
      budgetShort: budgetShort(state, view, canOnCase(actor, 'case.edit', parties)),
      hasActions: next.length > 0 || canResolve,
      isAdmin: actor.role === 'admin',
      filingDue: view.filingDueAt !== null && view.filedAt === null && view.status !== 'terminated',
      // The 成交通知书 exists from the award on (a case ended later keeps it on record).
      hasAwardLetter: view.awardedOn !== null,
      contractPending: view.status === 'awarded' && view.contractDueAt !== null,
      openObjections: view.objections.filter((o) => o.status === 'open'),
    });
  }

  /** Runs a step from a page form: success → back to the case with a notice; a refusal → the case with the reason. */
  async function step(ctx: Context, id: number, doneKey: string, work: (body: Record<string, unknown>) => Promise<CaseView>, objection?: number): Promise<void> {
    const state = stateOf(ctx);
    const body = fromForm(requestBody(ctx));
    try {
      const view = await work(body);
      // A draft ended before its 公示 has no termination notice (nothing was published): the message says so.
      const unpublished = view.status === 'terminated' && !view.notices.some((n) => n.type === 'termination');
      const key = unpublished && (doneKey === 'first_purchase.done_terminate' || doneKey === 'first_purchase.done_withdraw') ? 'first_purchase.done_terminate_draft' : doneKey;
      setFlash(ctx, state.t(key, { status: state.t(`first_purchase.status_${view.status}`) }));
      ctx.redirect(`${state.base}/first-purchases/${id}`);
    } catch (err) {
      if (err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code)) throw err;
      // Beside its field first (named as the form labels it), so that the summary at the top names it the same way.
      const besideFields = fieldErrors(ctx, CASE_WORKFLOW, err);
      const { form, status } = formFailure(ctx, err, [], body);
      ctx.status = status;
      const message = form.error ?? Object.values(form.errors).find(Boolean) ?? null;
      // The message stays at the top (a summary where the page opens) and, for a field of the form, beside it too.
      // The fields show what was typed (the raw form, before `fromForm` shaped it).
      ctx.body = await detail(ctx, await service.queries.get(actorOf(ctx), id), {
        error: message,
        body: requestBody(ctx),
        fieldErrors: besideFields,
        objection: objection === undefined ? undefined : { id: objection, errors: objectionErrors(ctx, err) },
      });
    }
  }

  router.get('/first-purchases', party, async (ctx) => {
    const state = stateOf(ctx);
    const actor = actorOf(ctx);
    const q = parseInput(CaseListQuery, dropEmpty(ctx.query as Record<string, unknown>));
    const page = await service.queries.list(actor, q);
    ctx.body = state.render('first-purchase/list', {
      title: state.t(`first_purchase.list_title_${actor.role}`),
      flash: takeFlash(ctx),
      role: actor.role,
      isPurchaser: actor.role === 'purchaser',
      isAdmin: actor.role === 'admin',
      isFinance: actor.role === 'finance',
      status: q.status ?? '',
      statuses: CASE_STATUSES.map((s) => ({ value: s, selected: q.status === s })),
      // A case still 公示中 whose period has ended waits for the department's approval: say so, not "until" a past day.
      items: page.items.map((c) => ({ ...c, noticeOver: c.status === 'notice' && c.noticeEndsAt !== null && deps.clock.now().getTime() > new Date(c.noticeEndsAt).getTime() })),
      total: page.total,
      pagination: pagination(page),
    });
  });

  router.get('/first-purchases/new', purchaser, async (ctx) => {
    const state = stateOf(ctx);
    const all = await service.queries.eligibleProducts();
    // 查找产品: a word or two narrows the list (some 1,400 products on the demo data); a single find is chosen for the purchaser.
    const find = str(ctx.query.find).trim().slice(0, FIND_MAX);
    const found = find ? findProducts(all, find) : all;
    let productId = str(ctx.query.productId);
    if (!productId && find && found.length === 1) productId = String(found[0].id);
    const chosen = all.find((p) => String(p.id) === productId);
    const products = found.length === 0 ? all : chosen && !found.includes(chosen) ? [chosen, ...found] : found;
    const values = createValues({ productId, quantity: '1' });
    const model = newModel(state, products, values, {}, null);
    ctx.body = state.render('first-purchase/new', { ...model, finder: { q: find, n: found.length, total: all.length, none: find !== '' && found.length === 0 } });
  });

  router.post('/first-purchases', purchaser, async (ctx) => {
    const state = stateOf(ctx);
    const body = fromForm(requestBody(ctx));
    try {
      const created = await service.create(actorOf(ctx), parseForm(CreateCase, body));
      setFlash(ctx, state.t('first_purchase.created'));
      ctx.redirect(`${state.base}/first-purchases/${created.id}`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, CREATE_FIELDS, body);
      ctx.status = status;
      const products = await service.queries.eligibleProducts();
      ctx.body = state.render('first-purchase/new', newModel(state, products, createValues(requestBody(ctx)), form.errors, form.error));
    }
  });

  /** A case no longer a draft: its page, saying why it cannot be edited (409), instead of a bare error page. */
  async function notEditable(ctx: Context, id: number, err: unknown): Promise<boolean> {
    if (!(err instanceof AppError) || err.code !== 'invalid_state') return false;
    ctx.status = 409;
    ctx.body = await detail(ctx, await service.queries.get(actorOf(ctx), id), { error: errorBody(ctx, err).message });
    return true;
  }

  // 修改草稿: the case form, filled in with what the draft holds, posting back to the draft.
  router.get('/first-purchases/:id/edit', purchaser, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    try {
      await service.checkEditable(actorOf(ctx), id);
    } catch (err) {
      if (await notEditable(ctx, id, err)) return;
      throw err;
    }
    const view = await service.queries.get(actorOf(ctx), id);
    const products = await service.queries.eligibleProducts();
    ctx.body = state.render('first-purchase/new', editModel(state, view, products, draftValues(view), {}, null));
  });

  router.post('/first-purchases/:id/edit', purchaser, async (ctx) => {
    const state = stateOf(ctx);
    const id = idParam(ctx.params.id);
    const body = fromForm(requestBody(ctx));
    try {
      // A case no longer a draft says so whatever the form holds (a stale tab).
      await service.checkEditable(actorOf(ctx), id);
      await service.updateDraft(actorOf(ctx), id, parseForm(CreateCase, body));
      setFlash(ctx, state.t('first_purchase.done_edit'));
      ctx.redirect(`${state.base}/first-purchases/${id}`);
    } catch (err) {
      if (err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code)) throw err;
      if (await notEditable(ctx, id, err)) return;
      const { form, status } = formFailure(ctx, err, CREATE_FIELDS, body);
      ctx.status = status;
      const view = await service.queries.get(actorOf(ctx), id);
      const products = await service.queries.eligibleProducts();
      ctx.body = state.render('first-purchase/new', editModel(state, view, products, createValues(requestBody(ctx)), form.errors, form.error));
    }
  });

  router.get('/first-purchases/:id', party, async (ctx) => {
    const view = await service.queries.get(actorOf(ctx), idParam(ctx.params.id));
    ctx.body = await detail(ctx, view, { flash: takeFlash(ctx) });
  });

  // 成交通知书: a printable page for the supplier (and the case's other parties).
  router.get('/first-purchases/:id/award-letter', party, async (ctx) => {
    const state = stateOf(ctx);
    const letter = await service.queries.awardLetter(actorOf(ctx), idParam(ctx.params.id));
    ctx.body = state.render('first-purchase/award-letter', { title: `${letter.title} ${letter.letterNo}`, letter });
  });

  // The same letter as a PDF, for the same readers (the page's access rules: service.queries.awardLetter).
  router.get('/first-purchases/:id/award-letter.pdf', party, async (ctx) => {
    const state = stateOf(ctx);
    const letter = await service.queries.awardLetter(actorOf(ctx), idParam(ctx.params.id));
    ctx.body = await documentPdf(awardLetterDocument(letter, state.t, state.locale, deps.clock.now()));
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', pdfDisposition(`${letter.letterNo}.pdf`));
  });

  // The steps of the case: one page route each, derived from the table (transitions.ts).
  mountPageSteps(router, CASE_WORKFLOW, {
    idParam: (raw) => idParam(raw),
    handle: (ctx, s, id) => step(ctx, id, s.done, (b) => service.run(s.name, actorOf(ctx), id, s.input ? parseForm(s.input, b) : {}, 'page')),
  });
  router.post('/first-purchases/:id/objections/:oid/resolve', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    const oid = idParam(ctx.params.oid);
    await step(ctx, id, 'first_purchase.done_resolve', (b) => service.resolveObjection(actorOf(ctx), id, oid, parseForm(ResolveObjection, b)), oid);
  });

  // One action: set an open objection aside as spam or a duplicate (which button was pressed), kept on record.
  router.post('/first-purchases/:id/objections/:oid/mark', admin, async (ctx) => {
    const id = idParam(ctx.params.id);
    const oid = idParam(ctx.params.oid);
    await step(ctx, id, 'first_purchase.done_mark', (b) => service.markObjection(actorOf(ctx), id, oid, parseForm(MarkObjection, b)), oid);
  });

  router.get('/admin/first-purchases', admin, async (ctx) => {
    const state = stateOf(ctx);
    const desk = await service.queries.adminQueues();
    ctx.body = state.render('first-purchase/desk', {
      title: state.t('first_purchase.desk_title'),
      flash: takeFlash(ctx),
      toApprove: desk.toApprove,
      waiting: desk.waiting,
      objections: desk.objections.map((o) => ({
        id: o.id,
        caseId: o.case_id,
        projectName: o.project_name,
        name: o.name,
        organization: o.organization,
        content: o.content,
        createdAt: new Date(o.created_at).toISOString(),
        reviewBy: o.reviewBy,
        overdue: o.overdue,
      })),
      awaitingContract: desk.awaitingContract,
    });
  });

  return router;
}

/**
 * A draft's budget below the product's listed price × quantity is said to the purchaser on the case: a price above
 * the budget ends the purchase (art. 43(3)), so it learns it while the draft can still be corrected.
 */
function budgetShort(state: AppState, view: CaseView, mayEdit: boolean): string | null {
  if (view.status !== 'draft' || !mayEdit) return null;
  const listed = Money.fromString(view.product.listPrice);
  const budget = Money.fromString(view.budget);
  const totalFen = BigInt(listed.fen) * BigInt(view.quantity);
  if (BigInt(budget.fen) >= totalFen) return null;
  let total: Money;
  try {
    total = Money.ofFen(totalFen);
  } catch {
    return null; // a total past the money range: nothing sensible to say
  }
  return state.t('first_purchase.budget_below_list', {
    budget: formatYuan(budget),
    total: formatYuan(total),
    price: formatYuan(listed),
    quantity: view.quantity,
    unit: unitName(state.locale, view.product.unit, view.quantity),
  });
}

/** A case field's label as the form shows it; a name without one as it is. */
function fieldLabel(state: AppState, name: string): string {
  if (name === 'productId') return state.t('first_purchase.product_label');
  return hasKey(state.locale, `fields.${name}`) ? state.t(`fields.${name}`) : name;
}

/** The case form's values from a draft as it is kept. */
function draftValues(view: CaseView) {
  const agency = view.contacts.agency;
  return createValues({
    productId: String(view.product.id),
    projectName: view.projectName,
    projectContent: view.projectContent,
    budget: view.budget,
    quantity: String(view.quantity),
    reason: view.reason,
    experts: view.experts,
    expertOpinion: view.expertOpinion,
    contact: view.contact,
    purchaserAddress: view.contacts.purchaser.address,
    contactPerson: view.contacts.purchaser.contactPerson,
    contactPhone: view.contacts.purchaser.phone,
    agency: agency ? { name: agency.name, address: agency.address, contactPerson: agency.contactPerson, phone: agency.phone } : {},
  });
}

/** The case form as the draft's editor: its title, where it posts, its button. */
function editModel(state: AppState, view: CaseView, products: Parameters<typeof newModel>[1], values: ReturnType<typeof createValues>, errors: Record<string, string>, error: string | null) {
  return {
    ...newModel(state, products, values, errors, error),
    title: state.t('first_purchase.edit_title', { no: view.caseNo }),
    formAction: `/first-purchases/${view.id}/edit`,
    submitLabel: state.t('first_purchase.edit_button'),
    caseHref: `/first-purchases/${view.id}`,
  };
}

/** The longest 查找产品 text read (a filter, not stored: a longer one is cut). */
const FIND_MAX = 100;

/**
 * The products whose name, model, enterprise, certificate number or field hold every word of `find` (letters' width
 * and case folded, as search folds them), in their order.
 */
export function findProducts<P extends { title: string; model: string; vendor_name: string; cert_no: string; field: string }>(products: P[], find: string): P[] {
  const words = normalizeSearch(find).split(' ').filter(Boolean);
  if (words.length === 0) return products;
  return products.filter((p) => {
    const text = normalizeSearch(`${p.title} ${p.model} ${p.vendor_name} ${p.cert_no} ${p.field}`);
    return words.every((w) => text.includes(w));
  });
}

function newModel(
  state: AppState,
  products: Array<{ id: number; title: string; model: string; vendor_name: string; cert_no: string; field: string; price_fen: number; unit: string }>,
  values: ReturnType<typeof createValues>,
  errors: Record<string, string>,
  error: string | null,
) {
  return {
    title: state.t('first_purchase.new_title'),
    formAction: '/first-purchases',
    submitLabel: state.t('first_purchase.create_button'),
    caseHref: null as string | null,
    // 查找产品, on a new form only (a search would lose what an edit or a refused form holds).
    finder: null as { q: string; n: number; total: number; none: boolean } | null,
    values,
    errors: Object.fromEntries(CREATE_FIELDS.map((f) => [f, errors[f] ?? ''])),
    error,
    // One group a field, in the order the products come (by field, then title).
    productGroups: products.reduce<Array<{ label: string; products: Array<(typeof products)[number] & { price: string; selected: boolean }> }>>((groups, p) => {
      const label = state.t(`fieldnames.${p.field}`);
      if (groups.at(-1)?.label !== label) groups.push({ label, products: [] });
      // Its listed price, to set the budget by (per unit of sale).
      groups.at(-1)!.products.push({ ...p, price: `${formatYuan(Money.ofFen(p.price_fen))}/${unitName(state.locale, p.unit)}`, selected: String(p.id) === values.productId });
      return groups;
    }, []),
  };
}
