import { recordAudit } from '../audit';
import { findCertByNo, type CertRow } from '../certification';
import type { Clock } from '../clock';
import { executorFor, isUniqueViolation, writeTransaction, type Db, type Executor } from '../db';
import type { Level, Unanswered } from '../domain';
import { AppError, invalidField, invalidState, notFound, parseStoredJson } from '../errors';
import { Ledger } from '../ledger';
import { Money } from '../money';
import { daysAfter, shanghaiDay, shanghaiIso } from '../time';
import type { Actor, Page } from '../web';
import { shanghaiIsoSeconds } from '../workdays';
import {
  activeKeyTaken,
  claimHistory,
  findClaim,
  findRule,
  insertClaim,
  insertClaimHistory,
  insertNational,
  insertRule,
  insertRuleHistory,
  listClaims,
  listNational,
  listRules,
  lockVendor,
  paidGroups,
  paidTotals,
  ruleHistory,
  updateClaim,
  updateRule,
  usedInYear,
  type ClaimDetailRow,
  type ClaimRow,
  type RuleRow,
  type StatsGroup,
} from './repo';
import { computeCompensation, roundedShare, ruleFor, type Computation, type Refusal, type RuleVersion } from './rules';
import type { ClaimInput, ClaimQuery, ClaimStatus, NationalInput, ReviewInput, RuleInput } from './schema';
import { buildStats, type InsuranceStats } from './stats';
import { nextStatus, type Desk } from './transitions';

/** Finance pays an approved claim within 30 days (DESIGN §8: "自接到上级资金下达文件30日内"). */
export const PAYOUT_DAYS = 30;

// The ledger's account codes (ledger/accounts.ts): the treasury funds the subsidy fund, which pays the vendor.
const TREASURY = 'treasury';
const SUBSIDY_FUND = 'subsidy_fund';
const vendorAccount = (id: number) => `vendor:${id}`;

const yuan = (fen: number | string | null): string => Money.ofFen(Number(fen ?? 0)).toString();
const num = (v: number | string | null): number => Number(v ?? 0);
/** The same policy and policy year, whoever claims it. */
const policyKey = (policyNo: string, policyYear: number): string => `${policyNo.replace(/\s+/g, '').toUpperCase()}#${policyYear}`;

export type ClaimAct = 'claim.read' | 'claim.own' | 'claim.first_review' | 'claim.joint_review' | 'claim.disburse';

/** The vendor its own claims (another's: 403, API.md's "not yours"); the department and finance their desks' acts. */
export function mayClaim(actor: Actor, act: ClaimAct, c: { vendor_id: number }): void {
  if (actor.role === 'vendor') {
    if (actor.vendorId !== c.vendor_id) throw new AppError('forbidden', 'errors.forbidden');
    if (act === 'claim.read' || act === 'claim.own') return;
  } else if (actor.role === 'admin') {
    if (act === 'claim.read' || act === 'claim.first_review') return;
  } else if (actor.role === 'finance') {
    if (act === 'claim.read' || act === 'claim.joint_review' || act === 'claim.disburse') return;
  }
  throw new AppError('forbidden', 'errors.wrong_role');
}

function mayManage(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('forbidden', 'errors.wrong_role');
}

export interface RuleView {
  id: number;
  version: string;
  fromYear: number;
  rateCap: string;
  percents: Record<Level, number[]>;
  yearlyCap: string | null;
  note: string | null;
}

export interface ComputedView {
  countedPremium: string;
  percent: number;
  compensation: string;
  ruleVersion: string | null;
  rateCap: string;
  uncut: string;
  cut: { cap: string; usedThisYear: string; left: string } | null;
  eligible: boolean;
  refusals: Array<{ field: string; status: number; key: string; params: Record<string, string | number> }>;
}

export interface ClaimView {
  id: number;
  claimNo: string;
  status: ClaimStatus;
  vendor: { id: number; name: string };
  certNo: string;
  certLevel: string;
  /** The certificate's product, its validity's end and status: what the reviewers check the claim against. */
  certProductName: string;
  certValidUntil: string;
  certStatus: string;
  policyNo: string;
  insurer: string;
  insuredValue: string;
  premium: string;
  policyStart: string;
  policyEnd: string;
  year: number;
  policyYear: number;
  unitOrdinal: number;
  purchaserName: string;
  contractNo: string;
  nationalSubsidy: boolean;
  computed: ComputedView;
  adminOpinion: string | null;
  financeOpinion: string | null;
  rejection: { by: string; opinion: string | null } | null;
  submittedAt: string | null;
  approvedAt: string | null;
  payoutDueAt: string | null;
  overdue: boolean;
  paidAt: string | null;
  /** Paid, but after its 30 days: kept on record as late. */
  paidLate: boolean;
  transferId: number | null;
  createdAt: string;
  history: Array<{ action: string; from: string | null; to: string; note: string | null; at: string }>;
}

const percentsOf = (r: RuleRow): Record<Level, [number, number, number]> => {
  const p = parseStoredJson(r.percents, { table: 'insurance_rules', column: 'percents', id: r.id }) as Record<Level, [number, number, number]>;
  return p;
};

const ruleVersionOf = (r: RuleRow): RuleVersion => ({
  version: r.version,
  fromYear: r.from_year,
  rateCapBp: r.rate_cap_bp,
  percents: percentsOf(r),
  yearlyCapFen: r.yearly_cap_fen === null ? null : num(r.yearly_cap_fen),
});

const ruleView = (r: RuleRow): RuleView => ({
  id: r.id,
  version: r.version,
  fromYear: r.from_year,
  rateCap: (r.rate_cap_bp / 100).toFixed(2),
  percents: percentsOf(r),
  yearlyCap: r.yearly_cap_fen === null ? null : yuan(r.yearly_cap_fen),
  note: r.note,
});

const computedView = (c: Computation): ComputedView => ({
  countedPremium: yuan(c.countedPremiumFen),
  percent: c.percent,
  compensation: yuan(c.compensationFen),
  ruleVersion: c.ruleVersion,
  rateCap: yuan(c.rateCapFen),
  uncut: yuan(c.uncutFen),
  cut: c.cut ? { cap: yuan(c.cut.capFen), usedThisYear: yuan(c.cut.usedFen), left: yuan(c.cut.leftFen) } : null,
  eligible: c.refusals.length === 0,
  refusals: c.refusals.map((r) => ({ field: r.field, status: r.status, key: r.key, params: r.params })),
});

/** The computation in the reader's words: each refusal's message, and the yearly cap's cut explained. */
export function explain(computed: ComputedView, t: (key: string, params?: Record<string, string | number>) => string): ComputedView & { explanation: string | null; refusals: Array<ComputedView['refusals'][number] & { message: string }> } {
  return {
    ...computed,
    explanation: computed.cut ? t('insurance.cut_explained', { uncut: computed.uncut, cap: computed.cut.cap, used: computed.cut.usedThisYear, left: computed.cut.left }) : null,
    refusals: computed.refusals.map((r) => ({ ...r, message: t(r.key, { ...r.params, field: t(`insurance.field_${r.field}`) }) })),
  };
}

/** A refusal as the error the submission throws: 422 naming the field, or 409 (claimed twice, yearly cap used up). */
function refusalError(r: Refusal): AppError {
  if (r.status === 422) return invalidField(r.field, r.key, r.params);
  return new AppError(r.key === 'insurance.claimed_twice' ? 'duplicate' : 'conflict', r.key, r.params, r.field);
}

/**
 * First-unit insurance compensation (保险补偿, DESIGN §8, API.md): the rule table, the vendors' claims and their
 * review (初审 by the department, 联审 by finance), the payout through the ledger (treasury → subsidy fund → vendor;
 * not a trade) and the national scheme's records. Each write is one `writeTransaction`: an error rolls the step back.
 */
export class InsuranceService {
  private readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.ledger = new Ledger(clock);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ——— the rule table ———

  async rules(): Promise<{ items: RuleView[] }> {
    return { items: (await listRules(executorFor(this.db))).map(ruleView) };
  }

  async rule(actor: Actor, id: number): Promise<RuleView & { history: Array<{ action: string; before: unknown; after: unknown; actorId: number | null; at: string }> }> {
    mayManage(actor);
    const db = executorFor(this.db);
    const r = await findRule(db, id);
    if (!r) throw notFound('insurance.rule_not_found');
    const history = (await ruleHistory(db, id)).map((h) => ({
      action: h.action,
      before: h.before ? parseStoredJson(h.before, { table: 'insurance_rule_history', column: 'before', id }) : null,
      after: parseStoredJson(h.after, { table: 'insurance_rule_history', column: 'after', id }),
      actorId: h.actor_id,
      at: shanghaiIso(new Date(h.at)),
    }));
    return { ...ruleView(r), history };
  }

  private ruleRow(input: RuleInput) {
    return { version: input.version, from_year: input.fromYear, rate_cap_bp: input.rateCap, percents: JSON.stringify(input.percents), yearly_cap_fen: input.yearlyCap, note: input.note ?? null };
  }

  private async uniqueRule<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('duplicate', 'insurance.rule_taken', {}, 'fromYear');
      throw err;
    }
  }

  async addRule(actor: Actor, input: RuleInput): Promise<RuleView> {
    mayManage(actor);
    return this.uniqueRule(() =>
      writeTransaction(this.db, async (trx) => {
        const now = this.now();
        const row = { ...this.ruleRow(input), demo: false, created_at: now, updated_at: now };
        const id = await insertRule(trx, row);
        await insertRuleHistory(trx, { rule_id: id, action: 'create', before: null, after: JSON.stringify(ruleView({ id, ...row })), actor_id: actor.id, at: now });
        await recordAudit(trx, this.clock, { actor, action: 'insurance.rule_add', entity: 'insurance_rule', entityId: id, after: { version: input.version, fromYear: input.fromYear } });
        return ruleView({ id, ...row });
      }),
    );
  }

  /** An edit applies to claims submitted from now on; a submitted claim keeps the rule it was computed under. */
  async updateRule(actor: Actor, id: number, input: RuleInput): Promise<RuleView> {
    mayManage(actor);
    return this.uniqueRule(() =>
      writeTransaction(this.db, async (trx) => {
        const before = await findRule(trx, id);
        if (!before) throw notFound('insurance.rule_not_found');
        const now = this.now();
        const patch = { ...this.ruleRow(input), updated_at: now };
        await updateRule(trx, id, patch);
        const after = { ...before, ...patch };
        await insertRuleHistory(trx, { rule_id: id, action: 'update', before: JSON.stringify(ruleView(before)), after: JSON.stringify(ruleView(after)), actor_id: actor.id, at: now });
        await recordAudit(trx, this.clock, { actor, action: 'insurance.rule_update', entity: 'insurance_rule', entityId: id, before: { version: before.version }, after: { version: input.version } });
        return ruleView(after);
      }),
    );
  }

  // ——— claims ———

  /** The vendor's own certificate by number (422 on `certNo` otherwise). */
  private async ownCert(db: Executor, actor: Actor, certNo: string): Promise<{ cert: CertRow; vendor: { id: number; name: string; credit_code: string } }> {
    if (actor.role !== 'vendor' || actor.vendorId === null) throw new AppError('forbidden', 'errors.wrong_role');
    const vendor = (await db('vendors').where({ id: actor.vendorId }).first('id', 'name', 'credit_code', 'status')) as { id: number; name: string; credit_code: string; status: string } | undefined;
    if (!vendor || vendor.status !== 'approved') throw new AppError('forbidden', 'insurance.vendor_not_approved');
    const cert = await findCertByNo(db, certNo);
    if (!cert) throw invalidField('certNo', 'insurance.cert_unknown', { certNo });
    if (cert.credit_code !== vendor.credit_code) throw invalidField('certNo', 'insurance.cert_not_own', { certNo });
    return { cert, vendor };
  }

  private claimColumns(input: ClaimInput, cert: CertRow) {
    return {
      cert_id: cert.id,
      cert_no: cert.cert_no,
      policy_no: input.policyNo,
      insurer: input.insurer,
      insured_value_fen: input.insuredValue,
      premium_fen: input.premium,
      policy_start: input.policyStart,
      policy_end: input.policyEnd,
      year: Number(input.policyStart.slice(0, 4)),
      policy_year: input.policyYear,
      unit_ordinal: input.unitOrdinal,
      purchaser_name: input.purchaserName,
      contract_no: input.contractNo,
      national_subsidy: input.nationalSubsidy,
    };
  }

  /** The rule's answer for a claim as it stands now: the version in force, what the vendor used this year, duplicates. */
  private async compute(db: Executor, c: Pick<ClaimRow, 'id' | 'vendor_id' | 'insured_value_fen' | 'premium_fen' | 'policy_start' | 'policy_year' | 'unit_ordinal' | 'national_subsidy' | 'policy_no'>, cert: CertRow, vendorCreditCode: string): Promise<{ computation: Computation; rule: RuleVersion | null }> {
    const year = Number(c.policy_start.slice(0, 4));
    const rule = ruleFor((await listRules(db)).map(ruleVersionOf), year);
    const id = c.id > 0 ? c.id : null;
    const computation = computeCompensation(
      rule,
      { insuredValueFen: num(c.insured_value_fen), premiumFen: num(c.premium_fen), policyStart: c.policy_start, policyYear: c.policy_year, unitOrdinal: c.unit_ordinal, nationalSubsidy: !!c.national_subsidy },
      { own: cert.credit_code === vendorCreditCode, level: cert.level as Level, year: cert.year, validUntil: cert.valid_until, status: cert.status },
      { usedThisYearFen: await usedInYear(db, c.vendor_id, year, id), claimedBefore: await activeKeyTaken(db, policyKey(c.policy_no, c.policy_year), id) },
    );
    return { computation, rule };
  }

  /** The computation for a claim not yet saved (the form's preview): nothing is written. */
  async preview(actor: Actor, input: ClaimInput): Promise<ComputedView> {
    const db = executorFor(this.db);
    const { cert, vendor } = await this.ownCert(db, actor, input.certNo);
    const cols = this.claimColumns(input, cert);
    const { computation } = await this.compute(db, { id: 0, vendor_id: vendor.id, ...cols }, cert, vendor.credit_code);
    return computedView(computation);
  }

  /** A draft: 201 with the computed compensation and the rule version (API.md). */
  createClaim(actor: Actor, input: ClaimInput, opts?: { demo?: boolean }): Promise<ClaimView>;
  createClaim(actor: Actor, input: ClaimInput, opts: { demo?: boolean } & Unanswered): Promise<{ id: number }>;
  async createClaim(actor: Actor, input: ClaimInput, opts: { demo?: boolean; answer?: false } = {}): Promise<{ id: number }> {
    return writeTransaction(this.db, async (trx) => {
      const { cert, vendor } = await this.ownCert(trx, actor, input.certNo);
      const now = this.now();
      const row: Omit<ClaimRow, 'id'> = {
        claim_no: null,
        vendor_id: vendor.id,
        ...this.claimColumns(input, cert),
        status: 'draft',
        active_key: null,
        rule_version: null,
        rule_snapshot: null,
        counted_premium_fen: null,
        percent: null,
        uncut_fen: null,
        compensation_fen: null,
        admin_opinion: null,
        finance_opinion: null,
        rejected_by: null,
        submitted_at: null,
        approved_at: null,
        payout_due_at: null,
        paid_at: null,
        paid_by: null,
        transfer_id: null,
        created_by: actor.id,
        demo: opts.demo ?? false,
        created_at: now,
        updated_at: now,
      };
      const id = await insertClaim(trx, row);
      const claimNo = `ZJBX-${shanghaiDay(this.clock.now()).slice(0, 4)}-${String(id).padStart(6, '0')}`;
      await updateClaim(trx, id, null, { claim_no: claimNo });
      await insertClaimHistory(trx, { claim_id: id, action: 'create', from_status: null, to_status: 'draft', actor_id: actor.id, note: null, at: now });
      await recordAudit(trx, this.clock, { actor, action: 'insurance.create', entity: 'insurance_claim', entityId: id, after: { status: 'draft', claimNo, policyNo: input.policyNo, policyYear: input.policyYear } });
      return opts.answer === false ? { id } : this.view(trx, id);
    });
  }

  async getClaim(actor: Actor, id: number): Promise<ClaimView> {
    const db = executorFor(this.db);
    const c = await findClaim(db, id);
    if (!c) throw notFound('insurance.not_found');
    mayClaim(actor, 'claim.read', c);
    return this.view(db, id, c);
  }

  /** The vendor's own claims; the department's and finance's queues (any vendor), by status. */
  async listClaims(actor: Actor, q: ClaimQuery): Promise<Page<ClaimView>> {
    const db = executorFor(this.db);
    if (!['vendor', 'admin', 'finance'].includes(actor.role)) throw new AppError('forbidden', 'errors.wrong_role');
    // A draft is the vendor's own business until it is submitted.
    const desk = q.status ? {} : { statuses: ['submitted', 'joint_review', 'approved', 'paid', 'rejected'] as const };
    const filter = { status: q.status, year: q.year, ...(actor.role === 'vendor' ? { vendorId: actor.vendorId ?? -1 } : desk) };
    const { rows, total } = await listClaims(db, filter, q.pageSize, (q.page - 1) * q.pageSize);
    const items: ClaimView[] = [];
    for (const r of rows) items.push(await this.view(db, r.id, r, { history: false }));
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  /** The registrar's runner for the three desks' tables (transitions.ts). */
  run(desk: Desk, step: string, actor: Actor, id: number, input: unknown): Promise<ClaimView> {
    const key = `${desk}.${step}`;
    const steps: Record<string, () => Promise<ClaimView>> = {
      'vendor.submit': () => this.submit(actor, id),
      'vendor.correct': () => this.correct(actor, id, input as ClaimInput),
      'admin.review': () => this.firstReview(actor, id, input as ReviewInput),
      'finance.review': () => this.jointReview(actor, id, input as ReviewInput),
      'finance.disburse': () => this.disburse(actor, id),
    };
    const take = steps[key];
    if (!take) throw new Error(`insurance: no runner for step ${key}`);
    return take();
  }

  /**
   * → submitted: the rule's refusals first (422 naming the field; the same policy-year claimed twice or the yearly
   * cap used up: 409), then the computation is kept with the rule version it was made under.
   */
  submit(actor: Actor, id: number): Promise<ClaimView>;
  submit(actor: Actor, id: number, opts: Unanswered): Promise<void>;
  submit(actor: Actor, id: number, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'claim.own', async (trx, c) => {
      nextStatus('vendor', 'submit', c.status);
      await lockVendor(trx, c.vendor_id); // the yearly cap: one vendor's submissions one at a time
      const cert = await this.certOf(trx, c);
      const { computation, rule } = await this.compute(trx, c, cert, c.vendor_credit_code);
      const refusal = computation.refusals[0];
      if (refusal) throw refusalError(refusal);
      await this.step(trx, actor, c, 'vendor', 'submit', {
        submitted_at: this.now(),
        active_key: policyKey(c.policy_no, c.policy_year),
        rule_version: computation.ruleVersion,
        rule_snapshot: JSON.stringify(rule),
        counted_premium_fen: computation.countedPremiumFen,
        percent: computation.percent,
        uncut_fen: computation.uncutFen,
        compensation_fen: computation.compensationFen,
        admin_opinion: null,
        finance_opinion: null,
        rejected_by: null,
      });
    }, opts);
  }

  /** The vendor corrects a draft or a rejected claim (→ draft, to be submitted again). */
  correct(actor: Actor, id: number, input: ClaimInput): Promise<ClaimView> {
    return this.command(actor, id, 'claim.own', async (trx, c) => {
      nextStatus('vendor', 'correct', c.status);
      const { cert } = await this.ownCert(trx, actor, input.certNo);
      await this.step(trx, actor, c, 'vendor', 'correct', { ...this.claimColumns(input, cert), active_key: null, rule_version: null, rule_snapshot: null, counted_premium_fen: null, percent: null, uncut_fen: null, compensation_fen: null });
    });
  }

  /** 初审 (经信): passed → 联审; refused → rejected, with the opinion as the reason. */
  firstReview(actor: Actor, id: number, input: ReviewInput): Promise<ClaimView>;
  firstReview(actor: Actor, id: number, input: ReviewInput, opts: Unanswered): Promise<void>;
  firstReview(actor: Actor, id: number, input: ReviewInput, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'claim.first_review', async (trx, c) => {
      const patch: Partial<ClaimRow> = input.passed ? { admin_opinion: input.opinion } : { admin_opinion: input.opinion, rejected_by: 'admin', active_key: null };
      await this.step(trx, actor, c, 'admin', 'review', patch, input.opinion, input.passed ? undefined : 'rejected');
    }, opts);
  }

  /**
   * 联审 (财政): passed → approved, due for payout within 30 days, and the treasury funds it in the subsidy fund;
   * refused → rejected, with the opinion as the reason.
   */
  jointReview(actor: Actor, id: number, input: ReviewInput): Promise<ClaimView>;
  jointReview(actor: Actor, id: number, input: ReviewInput, opts: Unanswered): Promise<void>;
  jointReview(actor: Actor, id: number, input: ReviewInput, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'claim.joint_review', async (trx, c) => {
      if (!input.passed) {
        await this.step(trx, actor, c, 'finance', 'review', { finance_opinion: input.opinion, rejected_by: 'finance', active_key: null }, input.opinion, 'rejected');
        return;
      }
      const now = this.clock.now();
      await this.step(trx, actor, c, 'finance', 'review', { finance_opinion: input.opinion, approved_at: now.toISOString(), payout_due_at: daysAfter(now, PAYOUT_DAYS).toISOString() }, input.opinion);
      const fen = num(c.compensation_fen);
      if (fen > 0) await this.ledger.transfer(trx, { from: TREASURY, to: SUBSIDY_FUND, amountFen: fen, kind: 'fund_subsidy', idempotencyKey: `insurance:${c.id}:fund`, actorId: actor.id });
    }, opts);
  }

  /**
   * The payout: subsidy fund → vendor through the ledger. Idempotent by the claim (API.md): asked again for a claim
   * already paid, it moves nothing and answers the paid claim as the first call did. Not a trade.
   */
  disburse(actor: Actor, id: number): Promise<ClaimView>;
  disburse(actor: Actor, id: number, opts: Unanswered): Promise<void>;
  disburse(actor: Actor, id: number, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'claim.disburse', async (trx, c) => {
      if (c.status === 'paid') return;
      await this.step(trx, actor, c, 'finance', 'disburse', { paid_at: this.now(), paid_by: actor.id }, yuan(c.compensation_fen));
      const fen = num(c.compensation_fen);
      if (fen > 0) {
        const t = await this.ledger.transfer(trx, { from: SUBSIDY_FUND, to: vendorAccount(c.vendor_id), amountFen: fen, kind: 'pay_subsidy', idempotencyKey: `insurance:${c.id}:pay`, actorId: actor.id });
        await updateClaim(trx, c.id, 'paid', { transfer_id: t.id });
      }
    }, opts);
  }

  /** Finance's desk: claims waiting for 联审, and approved claims due for payout (soonest first, overdue marked). */
  async financeDesk(): Promise<{ jointReview: ClaimView[]; payoutsDue: ClaimView[]; overdue: number }> {
    const db = executorFor(this.db);
    const joint = await listClaims(db, { status: 'joint_review' }, 100, 0, 'new');
    const due = await listClaims(db, { status: 'approved' }, 100, 0, 'due');
    const jointReview: ClaimView[] = [];
    const payoutsDue: ClaimView[] = [];
    for (const r of [...joint.rows].reverse()) jointReview.push(await this.view(db, r.id, r, { history: false }));
    for (const r of due.rows) payoutsDue.push(await this.view(db, r.id, r, { history: false }));
    return { jointReview, payoutsDue, overdue: payoutsDue.filter((c) => c.overdue).length };
  }

  /** Finance's record of what it has paid: the claims paid, latest payment first, and how many in all. */
  async recentlyPaid(actor: Actor, limit = 20): Promise<{ items: ClaimView[]; total: number }> {
    if (actor.role !== 'finance' && actor.role !== 'admin') throw new AppError('forbidden', 'errors.wrong_role');
    const db = executorFor(this.db);
    const { rows, total } = await listClaims(db, { status: 'paid' }, limit, 0, 'paid');
    const items: ClaimView[] = [];
    for (const r of rows) items.push(await this.view(db, r.id, r, { history: false }));
    return { items, total };
  }

  /** Paid claims of a year (the year the policies start) and the national scheme's records of that year. */
  async yearTotals(year: number): Promise<{ year: number; projects: number; insuredValue: string; compensation: string; national: { projects: number; insuredValue: string; compensation: string } }> {
    const db = executorFor(this.db);
    const t = await paidTotals(db, year);
    const national = await listNational(db, year);
    return {
      year,
      projects: t.projects,
      insuredValue: yuan(t.insuredFen),
      compensation: yuan(t.compensationFen),
      national: {
        projects: national.length,
        insuredValue: yuan(national.reduce((s, n) => s + num(n.insured_value_fen), 0)),
        compensation: yuan(national.reduce((s, n) => s + num(n.subsidy_fen), 0)),
      },
    };
  }

  /**
   * The statistics of paid claims (API.md `GET /api/v1/admin/insurance-stats`): the year's totals with their change on
   * the year before, the national scheme's figures apart, and rows by level, field, city or year. The department and
   * finance read them.
   */
  async stats(actor: Actor, q: { year: number; groupBy: StatsGroup }): Promise<InsuranceStats> {
    if (actor.role !== 'admin' && actor.role !== 'finance') throw new AppError('forbidden', 'errors.wrong_role');
    const db = executorFor(this.db);
    const rows = await paidGroups(db, q.groupBy, q.groupBy === 'year' ? null : [q.year - 1, q.year]);
    const { national } = await this.yearTotals(q.year);
    return buildStats({ year: q.year, groupBy: q.groupBy, rows, national });
  }

  // ——— the national scheme (kept apart from the province's claims) ———

  async nationalRecords(actor: Actor, year?: number) {
    mayManage(actor);
    const rows = await listNational(executorFor(this.db), year);
    const items = rows.map((n) => ({
      id: n.id,
      year: n.year,
      projectName: n.project_name,
      enterpriseName: n.enterprise_name,
      units: n.units,
      insuredValue: yuan(n.insured_value_fen),
      subsidy: yuan(n.subsidy_fen),
      note: n.note,
      createdAt: shanghaiIso(new Date(n.created_at)),
    }));
    const years = [...new Set(rows.map((n) => n.year))].map((y) => {
      const of = rows.filter((n) => n.year === y);
      return { year: y, projects: of.length, units: of.reduce((s, n) => s + n.units, 0), insuredValue: yuan(of.reduce((s, n) => s + num(n.insured_value_fen), 0)), subsidy: yuan(of.reduce((s, n) => s + num(n.subsidy_fen), 0)) };
    });
    return { items, years };
  }

  async addNationalRecord(actor: Actor, input: NationalInput, opts: { demo?: boolean } = {}) {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const row = { year: input.year, project_name: input.projectName, enterprise_name: input.enterpriseName, units: input.units, insured_value_fen: input.insuredValue, subsidy_fen: input.subsidy, note: input.note ?? null, created_by: actor.id, demo: opts.demo ?? false, created_at: this.now() };
      const id = await insertNational(trx, row);
      await recordAudit(trx, this.clock, { actor, action: 'insurance.national_add', entity: 'national_insurance', entityId: id, after: { year: input.year, projectName: input.projectName, subsidy: yuan(input.subsidy) } });
      return { id, year: row.year, projectName: row.project_name, enterpriseName: row.enterprise_name, units: row.units, insuredValue: yuan(row.insured_value_fen), subsidy: yuan(row.subsidy_fen), note: row.note };
    });
  }

  // ——— the steps' common parts ———

  private async certOf(db: Executor, c: ClaimRow): Promise<CertRow> {
    const cert = (await db('certifications').where({ id: c.cert_id }).first()) as CertRow | undefined;
    if (!cert) throw invalidField('certNo', 'insurance.cert_unknown', { certNo: c.cert_no });
    return cert;
  }

  private command(actor: Actor, id: number, act: ClaimAct, work: (trx: Executor, c: ClaimDetailRow) => Promise<void>): Promise<ClaimView>;
  private command(actor: Actor, id: number, act: ClaimAct, work: (trx: Executor, c: ClaimDetailRow) => Promise<void>, opts?: Unanswered): Promise<ClaimView | undefined>;
  private command(actor: Actor, id: number, act: ClaimAct, work: (trx: Executor, c: ClaimDetailRow) => Promise<void>, opts?: Unanswered): Promise<ClaimView | undefined> {
    return writeTransaction(this.db, async (trx) => {
      const c = await findClaim(trx, id, { lock: true });
      if (!c) throw notFound('insurance.not_found');
      mayClaim(actor, act, c);
      await work(trx, c);
      return opts?.answer === false ? undefined : this.view(trx, id);
    });
  }

  /** One step of a desk's table: the conditional update, its history row, its audit record. */
  private async step(trx: Executor, actor: Actor, c: ClaimDetailRow, desk: Desk, step: string, patch: Partial<ClaimRow>, note: string | null = null, to?: ClaimStatus): Promise<void> {
    const from = c.status;
    const next = nextStatus(desk, step, from, to);
    const at = this.now();
    try {
      if (!(await updateClaim(trx, c.id, from, { ...patch, status: next, updated_at: at }))) throw invalidState('insurance.changed_meanwhile');
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('duplicate', 'insurance.claimed_twice', { policyYear: c.policy_year }, 'policyNo');
      throw err;
    }
    Object.assign(c, patch, { status: next, updated_at: at });
    const action = desk === 'vendor' ? step : `${desk}_${step}`;
    await insertClaimHistory(trx, { claim_id: c.id, action, from_status: from, to_status: next, actor_id: actor.id, note, at });
    await recordAudit(trx, this.clock, { actor, action: `insurance.${action}`, entity: 'insurance_claim', entityId: c.id, before: { status: from }, after: { claimNo: c.claim_no, status: next } });
  }

  private async view(db: Executor, id: number, row?: ClaimDetailRow, opts: { history?: boolean } = {}): Promise<ClaimView> {
    const c = row ?? (await findClaim(db, id));
    if (!c) throw notFound('insurance.not_found');
    let computed: ComputedView;
    if (c.status === 'draft' || c.status === 'rejected') {
      const cert = await this.certOf(db, c);
      computed = computedView((await this.compute(db, c, cert, c.vendor_credit_code)).computation);
    } else {
      const uncut = num(c.uncut_fen);
      const comp = num(c.compensation_fen);
      const snapshot = c.rule_snapshot ? (parseStoredJson(c.rule_snapshot, { table: 'insurance_claims', column: 'rule_snapshot', id: c.id }) as RuleVersion | null) : null;
      const cap = snapshot?.yearlyCapFen ?? null;
      computed = {
        countedPremium: yuan(c.counted_premium_fen),
        percent: c.percent ?? 0,
        compensation: yuan(comp),
        ruleVersion: c.rule_version,
        rateCap: yuan(snapshot ? roundedShare(num(c.insured_value_fen), snapshot.rateCapBp, 10_000) : 0),
        uncut: yuan(uncut),
        cut: comp < uncut && cap !== null ? { cap: yuan(cap), usedThisYear: yuan(cap - comp), left: yuan(comp) } : null,
        eligible: true,
        refusals: [],
      };
    }
    const now = this.clock.now().getTime();
    const history = opts.history === false ? [] : (await claimHistory(db, c.id)).map((h) => ({ action: h.action, from: h.from_status, to: h.to_status, note: h.note, at: shanghaiIso(new Date(h.at)) }));
    return {
      id: c.id,
      claimNo: c.claim_no ?? '',
      status: c.status,
      vendor: { id: c.vendor_id, name: c.vendor_name },
      certNo: c.cert_no,
      certLevel: c.cert_level,
      certProductName: c.cert_product_name,
      certValidUntil: c.cert_valid_until,
      certStatus: c.cert_status,
      policyNo: c.policy_no,
      insurer: c.insurer,
      insuredValue: yuan(c.insured_value_fen),
      premium: yuan(c.premium_fen),
      policyStart: c.policy_start,
      policyEnd: c.policy_end,
      year: c.year,
      policyYear: c.policy_year,
      unitOrdinal: c.unit_ordinal,
      purchaserName: c.purchaser_name,
      contractNo: c.contract_no,
      nationalSubsidy: !!c.national_subsidy,
      computed,
      adminOpinion: c.admin_opinion,
      financeOpinion: c.finance_opinion,
      rejection: c.status === 'rejected' ? { by: c.rejected_by ?? 'admin', opinion: c.rejected_by === 'finance' ? c.finance_opinion : c.admin_opinion } : null,
      submittedAt: c.submitted_at ? shanghaiIso(new Date(c.submitted_at)) : null,
      approvedAt: c.approved_at ? shanghaiIso(new Date(c.approved_at)) : null,
      payoutDueAt: c.payout_due_at ? shanghaiIsoSeconds(new Date(c.payout_due_at)) : null,
      overdue: c.status === 'approved' && c.payout_due_at !== null && now > new Date(c.payout_due_at).getTime(),
      paidAt: c.paid_at ? shanghaiIso(new Date(c.paid_at)) : null,
      paidLate: c.paid_at !== null && c.payout_due_at !== null && new Date(c.paid_at).getTime() > new Date(c.payout_due_at).getTime(),
      transferId: c.transfer_id,
      createdAt: shanghaiIso(new Date(c.created_at)),
      history,
    };
  }
}

