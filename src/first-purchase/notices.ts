import { parseStoredArray } from '../errors';
import { Money } from '../money';
import { shanghaiDay, shanghaiIso } from '../time';
import type { FinanceDepartment } from '../settings';
import { addDays, addWorkdays, shanghaiIsoSeconds, type NoticePeriod } from '../workdays';
import type { CaseDetailRow } from './repo';
import type { NoticeType } from './schema';
import { caseNo } from '../numbers';

/**
 * What each public notice says. The content is a snapshot taken at publication (a notice is never edited), holding
 * every item the law requires; money is the API's string form, times ISO 8601 with +08:00.
 *
 * 公示 (single_source) — MoF Order No. 74 art. 38: purchaser, project name and content, description of the goods to
 * be bought, the reason for single source, the proposed supplier's name and address, the professionals' uniqueness
 * opinion with their names, work units and titles, the notice period, and contacts.
 * 成交结果 (result) — Implementing Regulations art. 43: purchaser, project name and number, supplier's name and address,
 * amount, the main goods (name, model, quantity, unit price), the experts; published within 2 working days.
 * 合同 (contract) — Implementing Regulations art. 50: the contract (number, parties, subject, amount, signing date),
 * published within 2 working days of signing.
 * 终止 (termination) — MoF Order No. 74 art. 43: the project, why it ended (the cause and its legal basis), and that
 * the purchase will be carried out again (重新开展采购活动) — by another method when an objection showed the single
 * source unjustified.
 */

export interface Expert {
  name: string;
  unit: string;
  title: string;
}

export interface PartyContent {
  name: string;
  contact: string;
  address: string;
}

/** A party the notices name as a contact (art. 38): name, address, contact person, phone. */
export interface ContactDetails {
  name: string;
  address: string;
  contactPerson: string;
  phone: string;
}

/** The contacts of every notice: the purchaser's, any 代理机构's and (on the 公示) the finance department's. */
export interface NoticeContacts {
  /** The case's contact as typed (kept from the first version of the notices). */
  purchaser: string;
  purchaserContact: ContactDetails;
  agency: ContactDetails | null;
}

/** A negotiator (单一来源采购人员) and their signature on the record (art. 42). */
export interface NegotiatorContent {
  name: string;
  confirmed: boolean;
  dissent: string | null;
}

/** The negotiation record as stored (art. 42); records written before the law's items lack the later keys. */
export interface StoredNegotiation {
  date: string;
  place: string;
  staff: Array<string | NegotiatorContent>;
  supplierRepresentative?: string | null;
  costNote: string;
  comparablePrices: string;
  patents?: string;
  agreedTerms: string;
  /** Art. 42(1): what the 公示 brought (objections received, how they were dealt with). */
  noticeOutcome?: NoticeOutcome;
}

export interface NoticeOutcome {
  objections: number;
  upheld: number;
  dismissed: number;
  setAside: number;
  /** One sentence for the record and the pages. */
  text: string;
}

export interface SupplierContent {
  name: string;
  address: string;
  creditCode: string;
  contact: string;
}

export interface GoodsContent {
  productId: number;
  name: string;
  model: string;
  description: string;
  quantity: number;
  unit: string;
  kind: string;
  field: string;
  certificate: { certNo: string; level: string; year: number; validUntil: string; indicators: string[] };
}

export interface SingleSourceContent {
  caseNo: string;
  purchaser: PartyContent;
  project: { name: string; content: string; budget: string };
  goods: GoodsContent;
  reason: string;
  supplier: SupplierContent;
  experts: Expert[];
  expertOpinion: string;
  period: { publishedAt: string; startsOn: string; endsOn: string; endsAt: string; workingDays: number };
  objections: { howTo: string; reviewBy: string };
  contacts: NoticeContacts & { purchaserUnit: string; financeDepartment: ContactDetails };
}

export interface ResultContent {
  caseNo: string;
  purchaser: PartyContent;
  project: { name: string };
  supplier: SupplierContent;
  amount: string;
  goods: { name: string; model: string; quantity: number; unit: string; unitPrice: string };
  /** The uniqueness experts of the 公示 (kept from the first version; not the procurement staff). */
  experts: Expert[];
  /** 单一来源采购人员名单: the negotiators who signed the record. */
  procurementStaff: string[];
  negotiation: { date: string; place: string };
  determinedOn: string;
  publishBy: string;
  contacts: NoticeContacts;
}

export interface ContractContent {
  caseNo: string;
  contractNo: string;
  contractName: string;
  purchaser: PartyContent;
  supplier: SupplierContent;
  project: { name: string };
  goods: { name: string; model: string; quantity: number; unit: string };
  amount: string;
  signedOn: string;
  publishBy: string;
  /** The day it was published, and whether that was after `publishBy` (published late, not refused). */
  publishedOn: string;
  late: boolean;
  /** The contract's main terms. */
  mainTerms: string;
  /** The 成交通知书's day, and the 30 days within which the contract was due. */
  awardedOn: string | null;
  signBy: string | null;
  /** Signed after `signBy` (art. 46: within 30 days): the contract stands, recorded and marked late, not refused. */
  signedLate: boolean;
  contacts: NoticeContacts;
}

/**
 * Why a case ended: art. 43 (1) conditions changed (a revoked certificate is one such change), (2) irregularities,
 * (3) a price above the budget; the supplier declining to sign; withdrawal; an upheld objection (arts. 39–40).
 */
export const TERMINATION_CAUSES = ['conditions_changed', 'certificate_revoked', 'irregularity', 'over_budget', 'not_approved', 'supplier_declined', 'withdrawn', 'objection_upheld'] as const;
export type TerminationCause = (typeof TERMINATION_CAUSES)[number];

const ORDER_74 = '《政府采购非招标采购方式管理办法》（财政部令第74号）';

/** The legal basis a termination notice names for its cause. */
export const LEGAL_BASIS: Record<TerminationCause, string> = {
  conditions_changed: `${ORDER_74}第四十三条第（一）项：因情况变化，不再符合规定的单一来源采购方式适用情形`,
  certificate_revoked: `${ORDER_74}第四十三条第（一）项：因情况变化（拟定供应商产品的首台（套）认定被撤销），不再符合规定的单一来源采购方式适用情形`,
  irregularity: `${ORDER_74}第四十三条第（二）项：出现影响采购公正的违法、违规行为`,
  over_budget: `${ORDER_74}第四十三条第（三）项：报价超过采购预算`,
  not_approved: '《中华人民共和国政府采购法》第二十七条：采用单一来源采购方式未获财政部门批准',
  supplier_declined: '成交供应商拒绝签订政府采购合同',
  withdrawn: '采购人撤回本项目单一来源采购',
  objection_upheld: `${ORDER_74}第三十九条、第四十条：公示期间的异议经补充论证成立，供应商不具有唯一性`,
};

/** What happens next: the purchase is carried out again; by another method when single source proved unjustified. */
export const NEXT_STEP: Record<TerminationCause, string> = {
  conditions_changed: '本项目单一来源采购活动终止，采购人将依法重新开展采购活动。',
  certificate_revoked: '本项目单一来源采购活动终止，采购人将依法重新开展采购活动。',
  irregularity: '本项目单一来源采购活动终止，采购人将依法重新开展采购活动。',
  over_budget: '本项目单一来源采购活动终止，采购人将依法重新开展采购活动。',
  not_approved: '本项目单一来源采购活动终止，采购人将依法采用其他采购方式重新开展采购活动。',
  supplier_declined: '本项目单一来源采购活动终止，采购人将依法重新开展采购活动。',
  withdrawn: '本项目单一来源采购活动终止；如仍有采购需求，采购人将依法重新开展采购活动。',
  objection_upheld: '本项目单一来源采购活动终止，采购人将依法采用其他采购方式重新开展采购活动。',
};

export interface TerminationContent {
  caseNo: string;
  purchaser: PartyContent;
  project: { name: string; budget: string };
  goods: { name: string; model: string };
  supplier: { name: string };
  cause: TerminationCause;
  /** The article (or fact) the termination rests on. */
  legalBasis: string;
  explanation: string;
  /** The negotiated price, when it was above the budget. */
  amount: string | null;
  terminatedOn: string;
  nextStep: string;
  contacts: NoticeContacts;
}

export interface NoticeDraft {
  type: NoticeType;
  title: string;
  content: SingleSourceContent | ResultContent | ContractContent | TerminationContent;
  periodEndsAt: string | null;
}

/** The project number shown on every notice: 'ZJSS-2026-00012'. */
export { caseNo };

const money = (fen: number | null): string => Money.ofFen(fen ?? 0).toString();

/** The case's experts as stored (a JSON array written at creation); anything else is a corrupt row. */
export const expertsOf = (c: Pick<CaseDetailRow, 'id' | 'experts'>): Expert[] =>
  parseStoredArray(c.experts, { table: 'fp_cases', column: 'experts', id: c.id }) as Expert[];

const purchaserOf = (c: CaseDetailRow): PartyContent => ({ name: c.purchaser_name, contact: c.contact, address: c.purchaser_address });

/** The case's agency (代理机构) as stored (JSON), or null. */
export const agencyOf = (c: Pick<CaseDetailRow, 'id' | 'agency'>): ContactDetails | null => {
  if (!c.agency) return null;
  return JSON.parse(c.agency) as ContactDetails;
};

export const purchaserContactOf = (c: CaseDetailRow): ContactDetails => ({ name: c.purchaser_name, address: c.purchaser_address, contactPerson: c.contact_person, phone: c.contact_phone });

const contactsOf = (c: CaseDetailRow): NoticeContacts => ({ purchaser: c.contact, purchaserContact: purchaserContactOf(c), agency: agencyOf(c) });

/** The negotiators of a stored record, whatever its version (a bare name is one who confirmed). */
export const negotiatorsOf = (r: Pick<StoredNegotiation, 'staff'>): NegotiatorContent[] =>
  r.staff.map((s) => (typeof s === 'string' ? { name: s, confirmed: true, dissent: null } : { name: s.name, confirmed: s.confirmed, dissent: s.dissent ?? null }));

/** The contract is signed within 30 days of the 成交通知书 (GP Law art. 46). */
export const CONTRACT_DAYS = 30;
export const contractDue = (awardedOn: string): string => addDays(awardedOn, CONTRACT_DAYS);

const supplierOf = (c: CaseDetailRow): SupplierContent => ({
  name: c.vendor_name,
  address: c.vendor_address,
  creditCode: c.vendor_credit_code,
  contact: c.vendor_contact,
});

const title = (c: CaseDetailRow, suffix: string) => `${c.purchaser_name}${c.project_name}${suffix}`;

export function singleSourceNotice(c: CaseDetailRow, period: NoticePeriod, publishedAt: Date, objectionPath: string, finance: FinanceDepartment): NoticeDraft {
  const content: SingleSourceContent = {
    caseNo: caseNo(c),
    purchaser: purchaserOf(c),
    project: { name: c.project_name, content: c.project_content, budget: money(c.budget_fen) },
    goods: {
      productId: c.product_id,
      name: c.product_title,
      model: c.product_model,
      description: c.product_description,
      quantity: c.quantity,
      unit: c.product_unit,
      kind: c.cert_kind,
      field: c.cert_field,
      certificate: {
        certNo: c.cert_no,
        level: c.cert_level,
        year: c.cert_year,
        validUntil: c.cert_valid_until,
        indicators: parseStoredArray(c.cert_indicators, { table: 'certifications', column: 'indicators', id: c.cert_id }) as string[],
      },
    },
    reason: c.reason,
    supplier: supplierOf(c),
    experts: expertsOf(c),
    // The experts' own opinion, required at creation; never the purchaser's reason (art. 38).
    expertOpinion: c.expert_opinion,
    period: {
      publishedAt: shanghaiIso(publishedAt),
      startsOn: period.firstDay,
      endsOn: period.lastDay,
      endsAt: shanghaiIsoSeconds(period.endsAt),
      workingDays: period.workingDays,
    },
    // Objections are reviewed (补充论证) within 5 working days after the period.
    objections: { howTo: objectionPath, reviewBy: addWorkdays(period.lastDay, 5) },
    contacts: { ...contactsOf(c), purchaserUnit: c.purchaser_contact, financeDepartment: { ...finance } },
  };
  return { type: 'single_source', title: title(c, '单一来源采购公示'), content, periodEndsAt: period.endsAt.toISOString() };
}

export function resultNotice(c: CaseDetailRow, amountFen: number, record: Pick<StoredNegotiation, 'date' | 'place' | 'staff'>, determinedAt: Date): NoticeDraft {
  const content: ResultContent = {
    caseNo: caseNo(c),
    purchaser: purchaserOf(c),
    project: { name: c.project_name },
    supplier: supplierOf(c),
    amount: money(amountFen),
    goods: {
      name: c.product_title,
      model: c.product_model,
      quantity: c.quantity,
      unit: c.product_unit,
      // Whole fen, rounded down; the total is what binds.
      unitPrice: money(Math.floor(amountFen / c.quantity)),
    },
    experts: expertsOf(c),
    procurementStaff: negotiatorsOf(record).map((n) => n.name),
    negotiation: { date: record.date, place: record.place },
    determinedOn: shanghaiDay(determinedAt),
    publishBy: addWorkdays(shanghaiDay(determinedAt), 2),
    contacts: contactsOf(c),
  };
  return { type: 'result', title: title(c, '单一来源采购成交结果公告'), content, periodEndsAt: null };
}

export function contractNotice(c: CaseDetailRow, contractNo: string, signedOn: string, mainTerms: string, publishedAt: Date): NoticeDraft {
  const publishBy = addWorkdays(signedOn, 2);
  const publishedOn = shanghaiDay(publishedAt);
  const awardedOn = c.awarded_at ? shanghaiDay(new Date(c.awarded_at)) : null;
  const signBy = awardedOn ? contractDue(awardedOn) : null;
  const content: ContractContent = {
    caseNo: caseNo(c),
    contractNo,
    contractName: `${c.project_name}采购合同`,
    purchaser: purchaserOf(c),
    supplier: supplierOf(c),
    project: { name: c.project_name },
    goods: { name: c.product_title, model: c.product_model, quantity: c.quantity, unit: c.product_unit },
    amount: money(c.amount_fen),
    signedOn,
    publishBy,
    publishedOn,
    late: publishedOn > publishBy,
    mainTerms,
    awardedOn,
    signBy,
    signedLate: signBy !== null && signedOn > signBy,
    contacts: contactsOf(c),
  };
  return { type: 'contract', title: title(c, '合同公告'), content, periodEndsAt: null };
}

export function terminationNotice(c: CaseDetailRow, cause: TerminationCause, explanation: string, at: Date, amountFen?: number): NoticeDraft {
  const content: TerminationContent = {
    caseNo: caseNo(c),
    purchaser: purchaserOf(c),
    project: { name: c.project_name, budget: money(c.budget_fen) },
    goods: { name: c.product_title, model: c.product_model },
    supplier: { name: c.vendor_name },
    cause,
    legalBasis: LEGAL_BASIS[cause],
    explanation,
    amount: amountFen !== undefined ? money(amountFen) : null,
    terminatedOn: shanghaiDay(at),
    nextStep: NEXT_STEP[cause],
    contacts: contactsOf(c),
  };
  return { type: 'termination', title: title(c, '单一来源采购终止公告'), content, periodEndsAt: null };
}

/** 成交通知书: the award letter the purchaser sends the supplier (GP Law art. 46), as the page prints it. */
export interface AwardLetter {
  caseId: number;
  caseNo: string;
  letterNo: string;
  title: string;
  issuedOn: string;
  /** The contract is to be signed by this day (30 days after the letter). */
  signBy: string;
  supplier: SupplierContent;
  purchaser: ContactDetails;
  agency: ContactDetails | null;
  project: { name: string };
  goods: { name: string; model: string; quantity: number; unit: string; unitPrice: string };
  amount: string;
  agreedTerms: string;
  procurementStaff: string[];
  negotiation: { date: string; place: string };
}

export function awardLetter(c: CaseDetailRow): AwardLetter {
  const record = JSON.parse(c.negotiation as string) as StoredNegotiation;
  const amountFen = c.amount_fen as number;
  const issuedOn = shanghaiDay(new Date(c.awarded_at as string));
  const no = caseNo(c);
  return {
    caseId: c.id,
    caseNo: no,
    letterNo: `${no}-CJTZ`,
    title: '成交通知书',
    issuedOn,
    signBy: contractDue(issuedOn),
    supplier: supplierOf(c),
    purchaser: purchaserContactOf(c),
    agency: agencyOf(c),
    project: { name: c.project_name },
    goods: { name: c.product_title, model: c.product_model, quantity: c.quantity, unit: c.product_unit, unitPrice: money(Math.floor(amountFen / c.quantity)) },
    amount: money(amountFen),
    agreedTerms: record.agreedTerms,
    procurementStaff: negotiatorsOf(record).map((n) => n.name),
    negotiation: { date: record.date, place: record.place },
  };
}
