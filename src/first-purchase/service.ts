import { recordAudit } from '../audit';
import { isCurrent as isCertificateCurrent } from '../certification';
import { isFirstPurchaseEligible } from './eligibility';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db, type Executor } from '../db';
import { AppError, invalidField, invalidState, notFound } from '../errors';
import { intentionForCase } from '../integration';
import { Ledger, type TradeFacts } from '../ledger';
import { Money } from '../money';
import { financeDepartment, financeDepartmentComplete, firstPurchasePolicy } from '../settings';
import { shanghaiDay, shanghaiIso } from '../time';
import type { Actor } from '../web';
import { noticePeriod, shanghaiIsoSeconds } from '../workdays';
import { caseNo, contractNotice, resultNotice, singleSourceNotice, terminationNotice, type NoticeDraft, type NoticeOutcome, type StoredNegotiation, type TerminationCause } from './notices';
import { authorizeCase, mayOpenCase, type CaseAct } from './policies';
import { CaseQueries } from './queries';
import type { CaseView } from './presenters';
import {
  countOpenObjections,
  findCase,
  findEligibility,
  findObjection,
  findPurchaserAddress,
  insertCase,
  listObjections,
  listOpenCasesOfCert,
  insertHistory,
  insertNotice,
  insertObjection,
  markObjectionRow,
  resolveObjectionRow,
  updateCase,
  type CaseDetailRow,
  type CaseRow,
} from './repo';
import { terminationCausesFor, type Accept, type Approve, type Contract, type CreateCase, type MarkObjection, type Negotiate, type ObjectionInput, type ResolveObjection, type Terminate, type TerminateCase } from './schema';
import { nextStatus, type CaseStatus, type GuardFacts } from './transitions';

/** The notice period the platform publishes: the legal minimum of 5 full working days. */
export const NOTICE_WORKING_DAYS = 5;

const PUBLIC_ACTOR = { id: null, username: 'public' } as unknown as Actor;

/**
 * The single-source procedure (政府首购), one method per step. Each runs as one write transaction (retried on a
 * serialization failure; joining the caller's transaction when built on one, as the demo loader does): it locks
 * the case, checks the policy and the transitions table, writes the case, a history row, the notices the step
 * publishes and an audit record, and makes its ledger call last. Nothing is half-written: any error rolls the whole
 * step back.
 */
export class FirstPurchaseService {
  readonly queries: CaseQueries;
  private readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly objectionPath: (caseId: number) => string = (id) => `/api/v1/first-purchases/${id}/objections`,
  ) {
    this.ledger = new Ledger(clock);
    this.queries = new CaseQueries(db, clock);
  }

  async create(actor: Actor, input: CreateCase): Promise<{ id: number; caseNo: string; status: 'draft' }> {
    if (!mayOpenCase(actor)) throw new AppError('forbidden', 'errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const fields = await this.draftFields(trx, actor, input);
      const now = this.clock.now().toISOString();
      const row: Omit<CaseRow, 'id'> = {
        ...fields,
        purchaser_id: actor.purchaserId as number,
        status: 'draft',
        notice_starts_at: null,
        notice_ends_at: null,
        amount_fen: null,
        negotiation: null,
        contract_no: null,
        signed_at: null,
        acceptance_note: null,
        acceptance_team: null,
        acceptance_report: null,
        accepted_at: null,
        awarded_at: null,
        termination_reason: null,
        termination_cause: null,
        approval_opinion: null,
        approval_no: null,
        approved_by: null,
        approved_at: null,
        filed_at: null,
        filed_by: null,
        created_by: actor.id,
        demo: false,
        created_at: now,
        updated_at: now,
      };
      const id = await insertCase(trx, row);
      await insertHistory(trx, { case_id: id, action: 'create', from_status: null, to_status: 'draft', actor_id: actor.id, note: null, at: now });
      await recordAudit(trx, this.clock, { actor, action: 'first_purchase.create', entity: 'fp_case', entityId: id, after: { caseNo: caseNo({ id, created_at: now }), status: 'draft', productId: fields.product_id, budget: Money.ofFen(input.budget).toString() } });
      return { id, caseNo: caseNo({ id, created_at: now }), status: 'draft' as const };
    });
  }

  /**
   * The purchaser corrects its draft before the 公示 (the shape of creating it, checked as creating it is): a draft
   * only (409 once submitted or ended), of the caller's own unit (403). History (`edit`) and the audit log name the
   * fields changed.
   */
  updateDraft(actor: Actor, id: number, input: CreateCase): Promise<CaseView> {
    return this.command(actor, id, 'case.edit', async (trx, c) => {
      if (c.status !== 'draft') throw invalidState('first_purchase.edit_not_draft');
      const fields = await this.draftFields(trx, actor, input);
      const now = this.clock.now().toISOString();
      const before = c as unknown as Record<string, unknown>;
      const changed = (Object.keys(fields) as Array<keyof typeof fields>).filter((k) => String(before[k] ?? '') !== String(fields[k] ?? ''));
      // Saved as it was: nothing to record.
      if (changed.length === 0) return;
      if (!(await updateCase(trx, c.id, 'draft', { ...fields, updated_at: now }))) throw invalidState('first_purchase.edit_not_draft');
      // The history names the fields changed, as the API names them ("budget,quantity"); the page reads them as labels.
      const names = changed.filter((k) => k !== 'vendor_id' && k !== 'cert_id').map((k) => apiField(k, null)[0]);
      await insertHistory(trx, { case_id: c.id, action: 'edit', from_status: 'draft', to_status: 'draft', actor_id: actor.id, note: names.length ? names.join(',') : null, at: now });
      await recordAudit(trx, this.clock, {
        actor,
        action: 'first_purchase.edit',
        entity: 'fp_case',
        entityId: c.id,
        before: { caseNo: caseNo(c), ...Object.fromEntries(changed.map((k) => apiField(k, before[k]))) },
        after: { caseNo: caseNo(c), ...Object.fromEntries(changed.map((k) => apiField(k, fields[k]))) },
      });
    });
  }

  /** The 409/404/403 editing this case would meet, whatever the body (API.md's order: before the 422). */
  async checkEditable(actor: Actor, id: number): Promise<void> {
    const c = await findCase(executorFor(this.db), id);
    if (!c) throw notFound('first_purchase.not_found');
    authorizeCase(actor, 'case.edit', { purchaserId: c.purchaser_id, vendorId: c.vendor_id });
    if (c.status !== 'draft') throw invalidState('first_purchase.edit_not_draft');
  }

  /**
   * What a draft holds from its form, checked: the product eligible for 政府首购 today (422 naming `productId`), the
   * experts' own opinion (art. 38), the purchaser's address, contact person and phone for the 公示.
   */
  private async draftFields(trx: Executor, actor: Actor, input: CreateCase) {
    const p = await findEligibility(trx, input.productId);
    const today = shanghaiDay(this.clock.now());
    if (!p || p.status !== 'approved') throw invalidField('productId', 'first_purchase.product_unknown', { productId: input.productId });
    const certified = p.cert_id !== null && p.cert_status !== null && p.cert_credit_code === p.vendor_credit_code;
    const policy = await firstPurchasePolicy(trx);
    const cert = { status: p.cert_status as string, valid_until: p.cert_valid_until as string, key_supported: p.cert_key_supported };
    if (!certified || !isFirstPurchaseEligible(cert, today, policy)) {
      throw invalidField('productId', 'first_purchase.product_not_eligible', { productId: input.productId });
    }
    // Art. 38: the experts' own opinion, not the purchaser's reason written again.
    if (normalized(input.expertOpinion) === normalized(input.reason)) throw invalidField('expertOpinion', 'first_purchase.opinion_is_reason');
    // Art. 38 contacts: the purchaser's address (the case's, else the unit's profile), contact person and phone.
    const address = input.purchaserAddress ?? (await findPurchaserAddress(trx, actor.purchaserId as number));
    if (!address.trim()) throw invalidField('purchaserAddress', 'first_purchase.address_required');
    const parsed = splitContact(input.contact);
    const person = input.contactPerson ?? parsed.person;
    const phone = input.contactPhone ?? parsed.phone;
    if (!person) throw invalidField('contactPerson', 'first_purchase.contact_person_required');
    if (!phone) throw invalidField('contactPhone', 'first_purchase.contact_phone_required');
    return {
      product_id: p.id,
      vendor_id: p.vendor_id,
      cert_id: p.cert_id as number,
      project_name: input.projectName,
      project_content: input.projectContent,
      budget_fen: input.budget,
      quantity: input.quantity,
      reason: input.reason,
      experts: JSON.stringify(input.experts),
      expert_opinion: input.expertOpinion,
      contact: input.contact,
      purchaser_address: address,
      contact_person: person,
      contact_phone: phone,
      agency: input.agency ? JSON.stringify(input.agency) : null,
    } satisfies Partial<CaseRow>;
  }

  /**
   * Publishes the 公示: the period runs NOTICE_WORKING_DAYS full working days from the next working day. The notice
   * names where objections go: the JSON route by default, the page form when the step was taken on a page.
   */
  async submit(actor: Actor, id: number, objectionPath: (caseId: number) => string = this.objectionPath): Promise<CaseView> {
    return this.command(actor, id, 'case.submit', async (trx, c) => {
      const now = this.clock.now();
      const period = noticePeriod(now, NOTICE_WORKING_DAYS);
      await this.step(trx, actor, c, 'submit', { notice_starts_at: now.toISOString(), notice_ends_at: period.endsAt.toISOString() });
      const draft = singleSourceNotice(c, period, now, objectionPath(c.id), await financeDepartment(trx));
      // The 公示 links the purchase intention the case matches (采购意向公开), when there is one.
      const { intention } = await intentionForCase(trx, { purchaserId: c.purchaser_id, productId: c.product_id, projectName: c.project_name }, now);
      if (intention) {
        await trx('fp_cases').where({ id: c.id }).update({ intention_id: intention.id });
        const link = { id: Number(intention.id), projectName: intention.project_name, publishedAt: shanghaiIso(new Date(intention.published_at)), path: `/purchase-intentions/${intention.id}` };
        draft.content = Object.assign({}, draft.content, { intention: link });
      }
      await this.publish(trx, actor, c.id, draft);
    });
  }

  /** Anyone, while the notice period runs (from publication to 23:59:59+08:00 of its last working day). */
  /** The case, if it takes objections now: not found (404), not published, ended or its period over (409). */
  private objectionWindow(c: CaseDetailRow | undefined, now: Date): CaseDetailRow {
    if (!c) throw notFound('first_purchase.not_found');
    if (c.status === 'draft') throw invalidState('first_purchase.objection_not_published', { status: c.status });
    if (c.status === 'terminated') throw invalidState('first_purchase.objection_terminated', { status: c.status });
    const endsAt = c.notice_ends_at ? new Date(c.notice_ends_at) : null;
    if (c.status !== 'notice' || !endsAt || now.getTime() > endsAt.getTime()) {
      throw invalidState('first_purchase.objection_period_over', { status: c.status, endsAt: endsAt ? shanghaiIsoSeconds(endsAt) : '' });
    }
    return c;
  }

  /** The refusal an objection to this case would get whatever its body (API.md's order: 404, 409 before 422). */
  async checkObjectionWindow(id: number): Promise<void> {
    this.objectionWindow(await findCase(executorFor(this.db), id), this.clock.now());
  }

  /** The refusal a ruling on this objection would get whatever its body: not the caller's to rule (403), not found (404), already ruled on (409). */
  async checkOpenObjection(actor: Actor, id: number, objectionId: number, act: 'case.resolve_objection' | 'case.mark_objection'): Promise<void> {
    const db = executorFor(this.db);
    const c = await findCase(db, id);
    if (!c) throw notFound('first_purchase.not_found');
    authorizeCase(actor, act, { purchaserId: c.purchaser_id, vendorId: c.vendor_id });
    await this.openObjectionOf(db, c.id, objectionId);
  }

  private async openObjectionOf(db: Executor, caseId: number, objectionId: number) {
    const o = await findObjection(db, caseId, objectionId);
    if (!o) throw notFound('first_purchase.objection_not_found');
    if (o.status !== 'open') throw invalidState('first_purchase.objection_resolved', { status: o.status });
    return o;
  }

  async fileObjection(actor: Actor | null, id: number, input: ObjectionInput): Promise<{ id: number; caseId: number; caseNo: string; status: 'open'; createdAt: string }> {
    return writeTransaction(this.db, async (trx) => {
      const now = this.clock.now();
      const c = this.objectionWindow(await findCase(trx, id, { lock: true }), now);
      const at = now.toISOString();
      // A copy goes to the finance department at once (DESIGN §9): it reads it on the case and on its desk.
      const oid = await insertObjection(trx, { case_id: c.id, ...input, status: 'open', created_at: at, copied_to_finance_at: at });
      await insertHistory(trx, { case_id: c.id, action: 'objection_filed', from_status: c.status, to_status: c.status, actor_id: actor?.id ?? null, note: `#${oid}`, at });
      await recordAudit(trx, this.clock, { actor: actor ?? PUBLIC_ACTOR, action: 'first_purchase.objection_file', entity: 'fp_objection', entityId: oid, after: { caseId: c.id, caseNo: caseNo(c), status: 'open' } });
      return { id: oid, caseId: c.id, caseNo: caseNo(c), status: 'open' as const, createdAt: shanghaiIso(now) };
    });
  }

  /**
   * The department's ruling: upheld terminates the case (termination notice); dismissed goes on record. The reply to
   * the objector (arts. 39–40; the opinion when none is given) is recorded with it.
   */
  async resolveObjection(actor: Actor, id: number, objectionId: number, input: ResolveObjection): Promise<CaseView> {
    return this.command(actor, id, 'case.resolve_objection', async (trx, c) => {
      const o = await this.openObjectionOf(trx, c.id, objectionId);
      const at = this.clock.now().toISOString();
      const status = input.upheld ? 'upheld' : 'dismissed';
      const reply = input.reply ?? input.opinion;
      if (!(await resolveObjectionRow(trx, o.id, { status, opinion: input.opinion, resolved_by: actor.id, resolved_at: at, reply, replied_at: at }))) {
        throw invalidState('first_purchase.objection_resolved', { status: 'resolved' });
      }
      // caseId: the event goes on the case's stream, as the objection's filing did (docs/integration.md).
      await recordAudit(trx, this.clock, { actor, action: 'first_purchase.objection_resolve', entity: 'fp_objection', entityId: o.id, before: { status: 'open' }, after: { caseId: c.id, caseNo: caseNo(c), status, opinion: input.opinion, reply } });
      if (input.upheld && c.status !== 'terminated') {
        await this.terminate(trx, actor, c, 'uphold_objection', 'objection_upheld', input.opinion, `#${o.id}`);
      } else {
        await insertHistory(trx, { case_id: c.id, action: `objection_${status}`, from_status: c.status, to_status: c.status, actor_id: actor.id, note: `#${o.id}`, at });
      }
    });
  }

  /**
   * Sets an open objection aside in one action — spam, or a duplicate (of another objection of the case, when named) —
   * without a ruling on its merits. It stays on record with who and when, and no longer blocks approval.
   */
  async markObjection(actor: Actor, id: number, objectionId: number, input: MarkObjection): Promise<CaseView> {
    return this.command(actor, id, 'case.mark_objection', async (trx, c) => {
      const o = await this.openObjectionOf(trx, c.id, objectionId);
      const duplicateOf = input.disposition === 'duplicate' ? (input.duplicateOf ?? null) : null;
      if (duplicateOf !== null && (duplicateOf === o.id || !(await findObjection(trx, c.id, duplicateOf)))) {
        throw invalidField('duplicateOf', 'first_purchase.duplicate_of_unknown', { id: duplicateOf });
      }
      const at = this.clock.now().toISOString();
      const status = input.disposition;
      if (!(await markObjectionRow(trx, o.id, { status, opinion: input.remark, resolved_by: actor.id, resolved_at: at, duplicate_of: duplicateOf }))) {
        throw invalidState('first_purchase.objection_resolved', { status: 'resolved' });
      }
      await recordAudit(trx, this.clock, { actor, action: 'first_purchase.objection_mark', entity: 'fp_objection', entityId: o.id, before: { status: 'open' }, after: { caseId: c.id, status, duplicateOf, remark: input.remark } });
      const note = duplicateOf !== null ? `#${o.id} → #${duplicateOf}` : `#${o.id}`;
      await insertHistory(trx, { case_id: c.id, action: `objection_${status}`, from_status: c.status, to_status: c.status, actor_id: actor.id, note, at });
    });
  }

  /**
   * The finance department's approval of the single-source method: only after the notice period has ended, with every
   * objection resolved and the product still eligible; its opinion and approval number go on record.
   */
  async approve(actor: Actor, id: number, input: Approve = { opinion: null, approvalNo: null }): Promise<CaseView> {
    return this.command(actor, id, 'case.approve', async (trx, c) => {
      const at = this.clock.now().toISOString();
      await this.step(trx, actor, c, 'approve', { approval_opinion: input.opinion, approval_no: input.approvalNo, approved_by: actor.id, approved_at: at }, input.approvalNo);
    });
  }

  /** 合同备案: the finance department files the signed contract (due within 7 working days of signing); the status stays. */
  async filing(actor: Actor, id: number): Promise<CaseView & { filedAt: string }> {
    const view = await this.command(actor, id, 'case.file_contract', async (trx, c) => {
      await this.step(trx, actor, c, 'filing', { filed_at: this.clock.now().toISOString(), filed_by: actor.id }, null, { to: c.status });
    });
    return { ...view, filedAt: view.filedAt as string };
  }

  /**
   * Ends a case before payment (MoF Order No. 74 art. 43: conditions changed, irregularities; the supplier declines to
   * sign; withdrawal), by its purchaser or the finance department, with a termination notice. A reserved budget
   * (after the contract) is released.
   */
  async terminateCase(actor: Actor, id: number, input: TerminateCase): Promise<CaseView> {
    return this.command(actor, id, 'case.terminate', async (trx, c) => {
      // API.md's four causes stay open to either party at any stage before payment; the refusal of the method is
      // finance's, before it has approved. The pages offer each party only the causes that fit it (terminationCausesFor).
      if (input.cause === 'not_approved' && !terminationCausesFor(actor.role, c.status).includes(input.cause)) {
        throw invalidField('cause', 'first_purchase.cause_not_yours_now', { cause: input.cause, status: c.status });
      }
      await this.end(trx, actor, c, 'terminate', input.cause, input.explanation);
    });
  }

  /**
   * A revoked certificate ends every open case resting on it (art. 43(1)), in the revocation's transaction: each gets
   * a termination notice (once it was published) saying the purchase will be carried out again, and any reserved
   * budget is released. Returns the ids of the cases ended.
   */
  async terminateCasesOfCertificate(trx: Executor, certId: number, actor: Actor): Promise<number[]> {
    const ended: number[] = [];
    for (const { id } of await listOpenCasesOfCert(trx, certId)) {
      const c = await findCase(trx, id, { lock: true });
      if (!c || c.status === 'paid' || c.status === 'terminated') continue;
      await this.end(trx, actor, c, 'certificate_revoked', 'certificate_revoked', `拟定供应商产品的首台（套）认定证书（${c.cert_no}）已被撤销，不再符合单一来源采购方式的适用情形。`);
      ended.push(id);
    }
    return ended;
  }

  /**
   * The negotiation record (art. 42) and agreed price: above the budget terminates the case, else the supplier is
   * awarded (the 成交通知书 is issued today). The record carries the notice's outcome from the objections on record;
   * the supplier's representative is not one of the negotiators.
   */
  async negotiate(actor: Actor, id: number, input: Negotiate): Promise<CaseView> {
    return this.command(actor, id, 'case.negotiate', async (trx, c) => {
      // An approved case's last step is its approval: the negotiation takes place between that day and today.
      const approvedOn = shanghaiDay(new Date(c.updated_at));
      const record: StoredNegotiation = { ...input.record, noticeOutcome: noticeOutcome(await listObjections(trx, c.id)) };
      const patch = { amount_fen: input.amount, negotiation: JSON.stringify(record), awarded_at: input.amount > c.budget_fen ? null : this.clock.now().toISOString() };
      if (input.amount > c.budget_fen) {
        const explanation = `协商价格 ${Money.ofFen(input.amount).toString()} 元超过采购预算 ${Money.ofFen(c.budget_fen).toString()} 元`;
        await this.terminate(trx, actor, c, 'negotiate', 'over_budget', explanation, null, patch, input.amount, 'over_budget');
      } else {
        await this.step(trx, actor, c, 'negotiate', patch, null, { action: 'award' });
        await this.publish(trx, actor, c.id, resultNotice(c, input.amount, record, this.clock.now()));
      }
      const supplierSide = [input.record.supplierRepresentative, splitContact(c.vendor_contact).person].filter((n): n is string => !!n).map(normalized);
      input.record.staff.forEach((s, i) => {
        if (supplierSide.includes(normalized(s.name))) throw invalidField(`record.staff.${i}`, 'first_purchase.staff_is_supplier', { name: s.name });
      });
      // Checked after the state (409 before 422); throwing here rolls the step back.
      if (input.record.date > shanghaiDay(this.clock.now())) throw invalidField('record.date', 'first_purchase.negotiated_in_future');
      if (input.record.date < approvedOn) throw invalidField('record.date', 'first_purchase.negotiated_before_approval', { day: approvedOn });
    });
  }

  /**
   * The signed contract: contract notice and the budget reserved (insufficient budget → 409, nothing written). Its
   * notice is due within 2 working days of the signing; published later, it is published and marked late.
   */
  async contract(actor: Actor, id: number, input: Contract): Promise<CaseView> {
    return this.command(actor, id, 'case.contract', async (trx, c) => {
      const signedOn = /^\d{4}-\d{2}-\d{2}$/.test(input.signedAt) ? input.signedAt : shanghaiDay(new Date(input.signedAt));
      // An awarded case's last step is its award: the contract is signed between that day and today, and its notice
      // (published now) is due within 2 working days of the signing (DESIGN §3).
      const awardedOn = shanghaiDay(new Date(c.updated_at));
      const stored = c.negotiation ? (JSON.parse(c.negotiation) as StoredNegotiation) : null;
      await this.step(trx, actor, c, 'contract', { contract_no: input.contractNo, signed_at: signedOn });
      // Checked after the state (409 before 422); throwing here rolls the step back.
      const today = shanghaiDay(this.clock.now());
      if (signedOn > today) throw invalidField('signedAt', 'first_purchase.signed_in_future');
      if (signedOn < awardedOn) throw invalidField('signedAt', 'first_purchase.signed_before_award', { day: awardedOn });
      await this.publish(trx, actor, c.id, contractNotice(c, input.contractNo, signedOn, input.mainTerms ?? stored?.agreedTerms ?? '', this.clock.now()));
      await this.ledger.reserve(trx, c.purchaser_id, c.amount_fen as number, { caseId: c.id }, `fp:${c.id}:reserve`, actor.id);
    });
  }

  /** 验收: the acceptance team and its report go on record (both required). */
  async accept(actor: Actor, id: number, input: Accept): Promise<CaseView> {
    return this.command(actor, id, 'case.accept', async (trx, c) => {
      const patch = { acceptance_note: input.note || null, acceptance_team: input.team.length ? JSON.stringify(input.team) : null, acceptance_report: input.report || null, accepted_at: this.clock.now().toISOString() };
      await this.step(trx, actor, c, 'accept', patch, input.note || null);
    });
  }

  /** Payment settles the trade (commitment → vendor) with the case's facts for statistics. */
  async pay(actor: Actor, id: number): Promise<CaseView> {
    return this.command(actor, id, 'case.pay', async (trx, c) => {
      await this.step(trx, actor, c, 'pay', {});
      const facts: TradeFacts = {
        channel: 'first_purchase',
        purchaser: { id: c.purchaser_id, city: c.purchaser_city, type: c.purchaser_type },
        vendor: { id: c.vendor_id, city: c.vendor_city },
        productId: c.product_id,
        productTitle: c.product_title,
        certNo: c.cert_no,
        level: c.cert_level,
        field: c.cert_field,
        kind: c.cert_kind,
      };
      await this.ledger.settle(trx, c.amount_fen as number, { caseId: c.id }, facts, `fp:${c.id}:settle`, actor.id);
    });
  }

  /** The purchaser (or the department) stops the procedure during the notice or before negotiation ends. */
  async withdraw(actor: Actor, id: number, input: Terminate): Promise<CaseView> {
    return this.command(actor, id, 'case.withdraw', async (trx, c) => {
      await this.terminate(trx, actor, c, 'withdraw', 'withdrawn', input.reason, null);
    });
  }

  /**
   * The registrar's runner: takes the named step of CASE_WORKFLOW with its input (already parsed by the step's schema).
   * A step taken on a page names the page's objection form in its notice; the JSON route names the JSON route.
   */
  run(step: string, actor: Actor, id: number, input: unknown, surface: 'api' | 'page'): Promise<CaseView> {
    const steps: Record<string, () => Promise<CaseView>> = {
      submit: () => this.submit(actor, id, surface === 'page' ? (caseId) => `/first-purchases/${caseId}/objections` : this.objectionPath),
      approve: () => this.approve(actor, id, input as Approve),
      filing: () => this.filing(actor, id),
      terminate: () => this.terminateCase(actor, id, input as TerminateCase),
      negotiate: () => this.negotiate(actor, id, input as Negotiate),
      contract: () => this.contract(actor, id, input as Contract),
      accept: () => this.accept(actor, id, input as Accept),
      pay: () => this.pay(actor, id),
      withdraw: () => this.withdraw(actor, id, input as Terminate),
    };
    const take = steps[step];
    if (!take) throw new Error(`first_purchase: no runner for step ${step}`);
    return take();
  }

  // ——— the steps' common parts ———

  /**
   * Load and lock the case, authorize, run the work, and answer with the case as the actor now sees it — read in the
   * same transaction, so the answer is the transaction's result (an Idempotency-Key stores it as it commits).
   */
  private command(actor: Actor, id: number, act: CaseAct, work: (trx: Executor, c: CaseDetailRow) => Promise<void>): Promise<CaseView> {
    return writeTransaction(this.db, async (trx) => {
      const c = await findCase(trx, id, { lock: true });
      if (!c) throw notFound('first_purchase.not_found');
      authorizeCase(actor, act, { purchaserId: c.purchaser_id, vendorId: c.vendor_id });
      await work(trx, c);
      return this.queries.get(actor, id, trx);
    });
  }

  private async facts(trx: Executor, c: CaseDetailRow): Promise<GuardFacts> {
    return {
      now: this.clock.now(),
      noticeEndsAt: c.notice_ends_at ? new Date(c.notice_ends_at) : null,
      openObjections: await countOpenObjections(trx, c.id),
      certificateCurrent: c.cert_status !== null && isCertificateCurrent({ status: c.cert_status, valid_until: c.cert_valid_until }, shanghaiDay(this.clock.now())),
      filed: c.filed_at !== null,
      financeContactSet: financeDepartmentComplete(await financeDepartment(trx)),
      // Only a draft is submitted, and only the submission asks for a purchase intention.
      ...(c.status === 'draft' ? await this.intentionFacts(trx, c) : {}),
    };
  }

  private async intentionFacts(trx: Executor, c: CaseDetailRow): Promise<Pick<GuardFacts, 'intentionPublic' | 'intentionDays'>> {
    const r = await intentionForCase(trx, { purchaserId: c.purchaser_id, productId: c.product_id, projectName: c.project_name }, this.clock.now());
    return { intentionPublic: r.ok, intentionDays: r.minDays };
  }

  /**
   * The 409 `step` would meet on this case now — its state, or a guard of the table (the notice period not over, an
   * objection open…) — read without writing: a step whose body is refused answers this first (API.md's order).
   */
  async checkStep(step: string, id: number): Promise<void> {
    const db = executorFor(this.db);
    const c = await findCase(db, id);
    if (!c) throw notFound('first_purchase.not_found');
    nextStatus(step, c.status, await this.facts(db, c), (iso) => shanghaiIsoSeconds(new Date(iso)));
  }

  /** One transition of the table: the conditional update, its history row and its audit record. */
  private async step(
    trx: Executor,
    actor: Actor,
    c: CaseDetailRow,
    step: string,
    patch: Partial<CaseRow>,
    note: string | null = null,
    outcome: { to?: CaseStatus; action?: string } = {},
  ): Promise<CaseStatus> {
    const from = c.status;
    const action = outcome.action ?? step;
    const to = nextStatus(step, from, await this.facts(trx, c), (iso) => shanghaiIsoSeconds(new Date(iso)), outcome.to);
    const at = this.clock.now().toISOString();
    if (!(await updateCase(trx, c.id, from, { ...patch, status: to, updated_at: at }))) throw invalidState('first_purchase.changed_meanwhile');
    Object.assign(c, patch, { status: to, updated_at: at });
    await insertHistory(trx, { case_id: c.id, action, from_status: from, to_status: to, actor_id: actor.id, note, at });
    await recordAudit(trx, this.clock, { actor, action: `first_purchase.${action}`, entity: 'fp_case', entityId: c.id, before: { status: from }, after: { caseNo: caseNo(c), status: to, ...patch } });
    return to;
  }

  private async terminate(
    trx: Executor,
    actor: Actor,
    c: CaseDetailRow,
    step: string,
    cause: TerminationCause,
    explanation: string,
    note: string | null,
    patch: Partial<CaseRow> = {},
    amountFen?: number,
    action: string = step,
  ): Promise<void> {
    const published = c.status !== 'draft';
    await this.step(trx, actor, c, step, { ...patch, termination_reason: explanation, termination_cause: cause }, note, { to: 'terminated', action });
    if (published) await this.publish(trx, actor, c.id, terminationNotice(c, cause, explanation, this.clock.now(), amountFen));
  }

  /** A termination that may come after the contract: the budget reserved for it goes back to the unit. */
  private async end(trx: Executor, actor: Actor, c: CaseDetailRow, step: string, cause: TerminationCause, explanation: string): Promise<void> {
    const reserved = (c.status === 'contracted' || c.status === 'accepted') && c.amount_fen !== null;
    await this.terminate(trx, actor, c, step, cause, explanation, null);
    if (reserved) await this.ledger.release(trx, c.purchaser_id, c.amount_fen as number, { caseId: c.id }, `fp:${c.id}:release`, actor.id);
  }

  private async publish(trx: Executor, actor: Actor, caseId: number, draft: NoticeDraft): Promise<number> {
    const noticeId = await insertNotice(trx, {
      case_id: caseId,
      type: draft.type,
      title: draft.title,
      content: JSON.stringify(draft.content),
      published_at: this.clock.now().toISOString(),
      period_ends_at: draft.periodEndsAt,
    });
    await recordAudit(trx, this.clock, { actor, action: 'notice.publish', entity: 'notice', entityId: noticeId, after: { caseId, type: draft.type } });
    return noticeId;
  }
}

const normalized = (v: string): string => v.replace(/\s+/g, '').toLowerCase();

/** "张老师 0571-87666666" → the person and the phone; either may be missing. */
export function splitContact(contact: string): { person: string | null; phone: string | null } {
  const m = /^(.*?)[\s,，:：;；/]*((?:\+?\d[\d\-\s()（）]{4,}\d)(?:\s*转\s*\d+)?)\s*$/.exec(contact.trim());
  if (!m) return { person: contact.trim() || null, phone: null };
  return { person: m[1].trim() || null, phone: m[2].trim() };
}

/** Art. 42(1): the 公示's outcome, from the objections on record. */
export function noticeOutcome(objections: Array<{ status: string }>): NoticeOutcome {
  const n = objections.length;
  const count = (...st: string[]) => objections.filter((o) => st.includes(o.status)).length;
  const upheld = count('upheld');
  const dismissed = count('dismissed');
  const setAside = count('spam', 'duplicate');
  const text = n === 0 ? '公示期内未收到异议。' : `公示期内收到异议 ${n} 件：成立 ${upheld} 件，不成立 ${dismissed} 件，不予受理（重复或无效）${setAside} 件，均已答复处理。`;
  return { objections: n, upheld, dismissed, setAside, text };
}

/** A draft's column as the API names and writes it (the audit record of an edit): `budget_fen` → `budget: "…"`. */
function apiField(column: string, value: unknown): [string, unknown] {
  const name = column.replace(/_fen$/, '').replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
  if (value === null || value === undefined) return [name, null];
  if (column.endsWith('_fen')) return [name, Money.ofFen(value as number).toString()];
  if (column === 'experts' || column === 'agency') return [name, typeof value === 'string' ? (JSON.parse(value) as unknown) : value];
  return [name, value];
}
