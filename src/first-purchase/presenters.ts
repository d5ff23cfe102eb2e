import { isCurrent } from '../certification';
import { Money } from '../money';
import { apiTime, apiTimeOrNull, shanghaiDay, shanghaiIso } from '../time';
import { addWorkdays, shanghaiIsoSeconds } from '../workdays';
import { agencyOf, caseNo, contractDue, expertsOf, negotiatorsOf, purchaserContactOf, type ContactDetails, type Expert, type NegotiatorContent, type NoticeOutcome, type StoredNegotiation } from './notices';
import type { CaseDetailRow, HistoryRow, NoticeListRow, NoticeRow, ObjectionRow, ObjectionStatus, PublicNoticeRow } from './repo';
import type { CaseStatus } from './transitions';

/** JSON views (view models for pages too): money as strings, times ISO 8601 with +08:00, no database rows. */

const money = (fen: number | null): string | null => (fen === null || fen === undefined ? null : Money.ofFen(fen).toString());

export interface NegotiationView {
  date: string;
  place: string;
  /** The negotiators' names (单一来源采购人员). */
  staff: string[];
  /** Each negotiator's confirmation of the record, with any dissent (art. 42). */
  negotiators: NegotiatorContent[];
  supplierRepresentative: string | null;
  costNote: string;
  comparablePrices: string;
  /** Patents and proprietary technology (art. 42(3)); '' on records from before it was required. */
  patents: string;
  agreedTerms: string;
  /** Art. 42(1): the notice's outcome; null on records from before it was kept. */
  noticeOutcome: NoticeOutcome | null;
}

export interface CaseSummary {
  id: number;
  caseNo: string;
  status: CaseStatus;
  projectName: string;
  budget: string;
  amount: string | null;
  product: { id: number; title: string; model: string };
  purchaser: { id: number; name: string };
  vendor: { id: number; name: string };
  noticeEndsAt: string | null;
  openObjections: number;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryView {
  action: string;
  from: string | null;
  to: string;
  /** The status after the step (same as `to`). */
  status: string;
  actor: { id: number; username: string; displayName: string; role: string } | null;
  note: string | null;
  at: string;
}

export interface ObjectionView {
  id: number;
  name: string;
  organization: string;
  contact?: string;
  content: string;
  status: ObjectionStatus;
  opinion: string | null;
  resolvedAt: string | null;
  /** For a duplicate: the objection it repeats, when named. */
  duplicateOf: number | null;
  /** When the copy went to the finance department (DESIGN §9). */
  copiedToFinanceAt: string | null;
  /** The reply sent to the objector with the ruling (arts. 39–40), and when. */
  reply: string | null;
  repliedAt: string | null;
  createdAt: string;
}

export interface NoticeSummary {
  id: number;
  caseId: number;
  type: string;
  title: string;
  publishedAt: string;
  periodEndsAt: string | null;
}

export interface CaseView extends CaseSummary {
  projectContent: string;
  quantity: number;
  reason: string;
  experts: Expert[];
  expertOpinion: string;
  contact: string;
  /** The purchaser's and any agency's contacts as the notices publish them (art. 38). */
  contacts: { purchaser: ContactDetails; agency: ContactDetails | null };
  /** `certificateCurrent`: the product's certificate is valid today (a case may be submitted only then). */
  product: CaseSummary['product'] & { certNo: string; level: string; field: string; kind: string; unit: string; listPrice: string; certificateCurrent: boolean };
  purchaser: CaseSummary['purchaser'] & { city: string; type: string };
  vendor: CaseSummary['vendor'] & { city: string; address: string };
  noticeStartsAt: string | null;
  noticeOpen: boolean;
  /** Objections are reviewed within 5 working days after the period. */
  reviewBy: string | null;
  negotiation: NegotiationView | null;
  contractNo: string | null;
  signedAt: string | null;
  acceptanceNote: string | null;
  /** 验收: the team and its report. */
  acceptance: { team: string[]; report: string; note: string | null; acceptedAt: string | null } | null;
  /** The 成交通知书's day, the 30 days within which the contract is signed, and whether that has passed unsigned. */
  awardedOn: string | null;
  contractDueAt: string | null;
  contractOverdue: boolean;
  /** The contract was signed after `contractDueAt` (art. 46: within 30 days of the 成交通知书): kept, and marked. */
  signedLate: boolean;
  terminationReason: string | null;
  /** Why the case ended (art. 43 (1)–(3), withdrawal, the supplier declined, an upheld objection, a revoked certificate). */
  terminationCause: string | null;
  /** The finance department's approval (财政部门审批). */
  approval: { opinion: string | null; approvalNo: string | null; approvedAt: string; approvedBy: number | null } | null;
  /** 合同备案: due within 7 working days of signing (a Shanghai day), and when it was filed. */
  filingDueAt: string | null;
  filedAt: string | null;
  /** Not filed and past its due day. */
  filingOverdue: boolean;
  /** Filed, but after its deadline: kept on record as late (DESIGN §9's 7 working days), not refused. */
  filedLate: boolean;
  history: HistoryView[];
  objections: ObjectionView[];
  notices: NoticeSummary[];
}

/** 合同备案 is due within 7 working days of the signing (DESIGN §9). */
export const FILING_WORKING_DAYS = 7;
export const filingDue = (signedOn: string): string => addWorkdays(signedOn.slice(0, 10), FILING_WORKING_DAYS);

/** Objections are reviewed (补充论证) within 5 working days after the notice period. */
export const REVIEW_WORKING_DAYS = 5;
export const reviewDue = (noticeEndsAt: string): string => addWorkdays(shanghaiIso(new Date(noticeEndsAt)).slice(0, 10), REVIEW_WORKING_DAYS);

export function caseSummary(c: CaseDetailRow, openObjections: number): CaseSummary {
  return {
    id: c.id,
    caseNo: caseNo(c),
    status: c.status,
    projectName: c.project_name,
    budget: money(c.budget_fen) as string,
    amount: money(c.amount_fen),
    product: { id: c.product_id, title: c.product_title, model: c.product_model },
    purchaser: { id: c.purchaser_id, name: c.purchaser_name },
    vendor: { id: c.vendor_id, name: c.vendor_name },
    noticeEndsAt: c.notice_ends_at ? shanghaiIsoSeconds(new Date(c.notice_ends_at)) : null,
    openObjections,
    createdAt: apiTime(c.created_at),
    updatedAt: apiTime(c.updated_at),
  };
}

export function historyView(h: HistoryRow): HistoryView {
  return {
    action: h.action,
    from: h.from_status,
    to: h.to_status,
    status: h.to_status,
    actor: h.actor_id ? { id: h.actor_id, username: h.actor_username ?? '', displayName: h.actor_display_name ?? '', role: h.actor_role ?? '' } : null,
    note: h.note,
    at: apiTime(h.at),
  };
}

export function objectionView(o: ObjectionRow, withContact: boolean): ObjectionView {
  return {
    id: o.id,
    name: o.name,
    organization: o.organization,
    ...(withContact ? { contact: o.contact } : {}),
    content: o.content,
    status: o.status,
    opinion: o.opinion,
    resolvedAt: apiTimeOrNull(o.resolved_at),
    duplicateOf: o.duplicate_of ?? null,
    copiedToFinanceAt: apiTimeOrNull(o.copied_to_finance_at ?? null),
    reply: o.reply ?? null,
    repliedAt: apiTimeOrNull(o.replied_at ?? null),
    createdAt: apiTime(o.created_at),
  };
}

export function noticeSummary(n: NoticeRow): NoticeSummary {
  return {
    id: n.id,
    caseId: n.case_id,
    type: n.type,
    title: n.title,
    publishedAt: apiTime(n.published_at),
    periodEndsAt: n.period_ends_at ? shanghaiIsoSeconds(new Date(n.period_ends_at)) : null,
  };
}

/** A notice as the public list and page show it: a case's (caseId) or a certification round's (roundId). */
export interface PublicNoticeSummary extends Omit<NoticeSummary, 'caseId'> {
  caseId: number | null;
  roundId: number | null;
}

export function publicNoticeSummary(n: PublicNoticeRow): PublicNoticeSummary {
  return {
    id: n.id,
    caseId: n.case_id,
    roundId: n.round_id,
    type: n.type,
    title: n.title,
    publishedAt: apiTime(n.published_at),
    periodEndsAt: n.period_ends_at ? shanghaiIsoSeconds(new Date(n.period_ends_at)) : null,
  };
}

/** A list item; a certification round's notice has no project or purchaser (its publisher is in its content). */
export function noticeListItem(n: NoticeListRow): PublicNoticeSummary & { caseNo?: string; projectName?: string; purchaserName?: string } {
  const item: PublicNoticeSummary & { caseNo?: string; projectName?: string; purchaserName?: string } = publicNoticeSummary(n);
  if (n.case_id !== null && n.case_created_at) item.caseNo = caseNo({ id: n.case_id, created_at: n.case_created_at });
  if (n.project_name !== null) item.projectName = n.project_name;
  if (n.purchaser_name !== null) item.purchaserName = n.purchaser_name;
  return item;
}

function negotiationView(raw: string | null): NegotiationView | null {
  if (!raw) return null;
  const r = JSON.parse(raw) as StoredNegotiation;
  const negotiators = negotiatorsOf(r);
  return {
    date: r.date,
    place: r.place,
    staff: negotiators.map((n) => n.name),
    negotiators,
    supplierRepresentative: r.supplierRepresentative ?? null,
    costNote: r.costNote,
    comparablePrices: r.comparablePrices ?? '',
    patents: r.patents ?? '',
    agreedTerms: r.agreedTerms ?? '',
    noticeOutcome: r.noticeOutcome ?? null,
  };
}

const teamOf = (raw: string | null): string[] => (raw ? (JSON.parse(raw) as string[]) : []);

export function caseView(
  c: CaseDetailRow,
  parts: { history: HistoryRow[]; objections: ObjectionRow[]; notices: NoticeRow[]; now: Date; objectorContacts: boolean },
): CaseView {
  const open = parts.objections.filter((o) => o.status === 'open').length;
  const endsAt = c.notice_ends_at ? new Date(c.notice_ends_at) : null;
  const filingDueAt = c.signed_at ? filingDue(c.signed_at) : null;
  const awardedOn = c.awarded_at ? shanghaiDay(new Date(c.awarded_at)) : null;
  const contractDueAt = awardedOn ? contractDue(awardedOn) : null;
  return {
    ...caseSummary(c, open),
    projectContent: c.project_content,
    quantity: c.quantity,
    reason: c.reason,
    experts: expertsOf(c),
    expertOpinion: c.expert_opinion,
    contact: c.contact,
    contacts: { purchaser: purchaserContactOf(c), agency: agencyOf(c) },
    product: { id: c.product_id, title: c.product_title, model: c.product_model, certNo: c.cert_no,
      level: c.cert_level,
      field: c.cert_field,
      kind: c.cert_kind,
      unit: c.product_unit,
      // The price the vendor lists it at in the catalogue: the budget is weighed against it (never the case's amount).
      listPrice: money(Number(c.product_price_fen)) as string,
      certificateCurrent: c.cert_status !== null && isCurrent({ status: c.cert_status, valid_until: c.cert_valid_until }, shanghaiDay(parts.now)),
    },
    purchaser: { id: c.purchaser_id, name: c.purchaser_name, city: c.purchaser_city, type: c.purchaser_type },
    vendor: { id: c.vendor_id, name: c.vendor_name, city: c.vendor_city, address: c.vendor_address },
    noticeStartsAt: apiTimeOrNull(c.notice_starts_at),
    noticeOpen: c.status === 'notice' && endsAt !== null && parts.now.getTime() <= endsAt.getTime(),
    reviewBy: c.notice_ends_at ? reviewDue(c.notice_ends_at) : null,
    negotiation: negotiationView(c.negotiation),
    contractNo: c.contract_no,
    signedAt: c.signed_at,
    acceptanceNote: c.acceptance_note,
    acceptance: c.accepted_at ? { team: teamOf(c.acceptance_team), report: c.acceptance_report ?? '', note: c.acceptance_note, acceptedAt: apiTimeOrNull(c.accepted_at) } : null,
    awardedOn,
    contractDueAt,
    contractOverdue: contractDueAt !== null && c.status === 'awarded' && shanghaiDay(parts.now) > contractDueAt,
    signedLate: contractDueAt !== null && c.signed_at !== null && c.signed_at.slice(0, 10) > contractDueAt,
    terminationReason: c.termination_reason,
    terminationCause: c.termination_cause ?? null,
    approval: c.approved_at ? { opinion: c.approval_opinion, approvalNo: c.approval_no, approvedAt: apiTime(c.approved_at), approvedBy: c.approved_by } : null,
    filingDueAt,
    filedAt: apiTimeOrNull(c.filed_at ?? null),
    filingOverdue: filingDueAt !== null && !c.filed_at && c.status !== 'terminated' && shanghaiDay(parts.now) > filingDueAt,
    filedLate: filingDueAt !== null && !!c.filed_at && shanghaiDay(new Date(c.filed_at)) > filingDueAt,
    history: parts.history.map(historyView),
    objections: parts.objections.map((o) => objectionView(o, parts.objectorContacts)),
    notices: parts.notices.map(noticeSummary),
  };
}
