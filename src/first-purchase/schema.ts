import { z } from 'zod';
import { formText, positiveMoney, withFieldLabels } from '../schema';

/** The states of a single-source case (the steps between them: transitions.ts). */
export const CASE_STATUSES = ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted', 'paid', 'terminated'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * One schema per input, shared by the JSON routes and the page forms (forms arrive as strings; `fromForm` turns a
 * form body into the JSON shape first). Messages are catalogue keys.
 */
const typed = (iss: { input: unknown }) => (iss.input === undefined || iss.input === null ? 'validation.required' : 'validation.invalid_type');
const text = (max: number) => z.string({ error: typed }).trim().min(1, 'validation.required').max(max, 'validation.too_long');
const optionalText = (max: number) => z.string({ error: typed }).trim().max(max, 'validation.too_long').optional();

/** A positive money amount in the API's string grammar → integer fen. */
const money = positiveMoney;

const id = z.union([z.number().int().positive().max(2_000_000_000), formText().regex(/^[1-9]\d{0,8}$/).transform(Number)], { message: 'validation.integer' });

const positiveInt = (max: number) =>
  z.union([z.number().int(), formText().regex(/^\d{1,9}$/, 'validation.integer').transform(Number)], { message: 'validation.integer' }).pipe(
    z.number().int('validation.integer').min(1, 'validation.too_small').max(max, 'validation.too_big'),
  );

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isRealDay = (v: string) => {
  if (!DAY.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};
/** 'YYYY-MM-DD', a real calendar day. */
const day = z.string({ message: 'validation.date' }).refine(isRealDay, { message: 'validation.date' });

/** A day, or an ISO 8601 instant with an offset (kept as the Shanghai day it falls on). */
const dayOrInstant = z
  .string({ message: 'validation.date' })
  .refine((v) => isRealDay(v) || z.iso.datetime({ offset: true }).safeParse(v).success, { message: 'validation.date' });

export const Expert = z.object({
  name: text(50),
  unit: text(200),
  title: text(100),
});

/** A phone number as people write it: digits with +, -, brackets, spaces, 转 (extension). */
const phone = (max: number) => text(max).pipe(z.string().regex(/^[0-9+\-()（）\s转]{5,50}$/, 'first_purchase.phone_invalid'));

/** A party the notices name as a contact (MoF Order No. 74 art. 38): its name, address, contact person and phone. */
export const ContactParty = z.object({
  name: text(200),
  address: text(300),
  contactPerson: text(50),
  phone: phone(50),
});

// Named in messages as the case form labels them (首台（套）产品, not 商品).
export const CreateCase = withFieldLabels(z.object({
  productId: id,
  projectName: text(200),
  // Art. 38: the project's content is one of the 公示's items.
  projectContent: text(5000),
  budget: money,
  quantity: positiveInt(100000).optional().transform((v) => v ?? 1),
  reason: text(5000),
  experts: z.array(Expert, { error: typed }).min(1, 'validation.required').max(20, 'validation.too_big'),
  // Art. 38: the professionals' own opinion on the supplier's uniqueness (never the purchaser's reason).
  expertOpinion: text(5000),
  contact: text(200),
  /** The purchaser's address; left out, the unit's profile address. */
  purchaserAddress: optionalText(300).transform((v) => v || null),
  /** The purchaser's contact person and phone; left out, read from `contact` ("张老师 0571-87666666"). */
  contactPerson: optionalText(50).transform((v) => v || null),
  contactPhone: optionalText(50)
    .transform((v) => v || null)
    .refine((v) => v === null || /^[0-9+\-()（）\s转]{5,50}$/.test(v), 'first_purchase.phone_invalid'),
  /** The procurement agency (代理机构) the purchaser entrusted, if any. */
  agency: ContactParty.optional().transform((v) => v ?? null),
}), { productId: 'first_purchase.product_label' });
export type CreateCase = z.output<typeof CreateCase>;

export const ObjectionInput = withFieldLabels(
  z.object({
    name: text(100),
    organization: optionalText(200).transform((v) => v ?? ''),
    contact: text(200),
    content: text(5000),
  }),
  { content: 'notices.objection_content' },
);
export type ObjectionInput = z.output<typeof ObjectionInput>;

const bool = z.union([z.boolean(), formText().pipe(z.enum(['true', 'false'])).transform((v) => v === 'true')], { message: 'validation.invalid_type' });

/**
 * The ruling on an objection (arts. 39–40) and the reply sent to the objector; left out, the reply is the opinion
 * (API.md fixes `{upheld, opinion}`).
 */
export const ResolveObjection = z.object({
  upheld: bool,
  opinion: text(2000),
  reply: optionalText(2000).transform((v) => v || null),
});
export type ResolveObjection = z.output<typeof ResolveObjection>;

/**
 * The department sets an objection aside in one action, without a ruling on its merits: `spam` (abuse, nothing to
 * review) or `duplicate` (optionally naming the objection of the same case it repeats). It stays on record.
 */
export const OBJECTION_DISPOSITIONS = ['spam', 'duplicate'] as const;
export type ObjectionDisposition = (typeof OBJECTION_DISPOSITIONS)[number];

export const MarkObjection = z.object({
  disposition: z.enum(OBJECTION_DISPOSITIONS, { message: 'validation.one_of' }),
  duplicateOf: id.optional(),
  remark: optionalText(500).transform((v) => v || null),
});
export type MarkObjection = z.output<typeof MarkObjection>;

/**
 * One of the 单一来源采购人员 and their signature on the record (art. 42): every one confirms it; one who disagrees
 * signs with their dissent, which is kept. A bare name (the shape API.md first fixed) is a negotiator who confirmed.
 */
export const Negotiator = z.union([
  text(50).transform((name) => ({ name, confirmed: true, dissent: null as string | null })),
  z.object({
    name: text(50),
    confirmed: bool.refine((v) => v, 'first_purchase.negotiator_unconfirmed'),
    dissent: optionalText(2000).transform((v) => v || null),
  }),
], { error: typed });
export type Negotiator = z.output<typeof Negotiator>;

/**
 * The negotiation record (MoF Order No. 74 art. 42): (2) date, place and the negotiators; (3) the supplier's cost,
 * comparable contract prices and the patents / proprietary technology; (4) the main contract terms and the price.
 * (1), the notice's outcome, the service writes from the objections on record. API.md fixes the record as `{date,
 * place, staff, costNote}`, so a host that sends only those is answered as the contract says; the other items of art.
 * 42 are kept when given (the page's form asks for every one of them) and shown as not recorded ("—") when not.
 */
export const NegotiationRecord = z.object({
  date: day,
  place: text(200),
  staff: z.array(Negotiator, { error: typed }).min(1, 'validation.required').max(30, 'validation.too_big'),
  /** The supplier's representative at the negotiation: not one of the 采购人员. */
  supplierRepresentative: optionalText(50).transform((v) => v || null),
  costNote: text(5000),
  comparablePrices: optionalText(5000).transform((v) => v ?? ''),
  patents: optionalText(5000).transform((v) => v ?? ''),
  agreedTerms: optionalText(5000).transform((v) => v ?? ''),
});

export const Negotiate = z.object({
  amount: money,
  record: NegotiationRecord,
});
export type Negotiate = z.output<typeof Negotiate>;

export const Contract = z.object({
  /** The contract's main terms for its notice; left out, the terms agreed in the negotiation record. */
  mainTerms: optionalText(5000).transform((v) => v || null),
  contractNo: z
    .string({ message: 'validation.required' })
    .trim()
    .min(1, 'validation.required')
    .max(64, 'validation.too_long')
    .regex(/^[\p{L}\p{N}\-_/()（）〔〕[\].#]+$/u, 'validation.invalid'),
  signedAt: dayOrInstant,
});
export type Contract = z.output<typeof Contract>;

/**
 * 验收 of a first purchase: the acceptance team (names, one each), its report and a note. API.md's `accept` takes no
 * body, so all three may be left out (the page's form asks for the team and the report); what is given is kept.
 */
export const Accept = z.object({
  team: z.array(text(100), { error: typed }).max(30, 'validation.too_big').optional().transform((v) => v ?? []),
  report: optionalText(5000).transform((v) => v ?? ''),
  note: optionalText(1000).transform((v) => v ?? ''),
});
export type Accept = z.output<typeof Accept>;

export const Terminate = z.object({
  reason: text(1000),
});
export type Terminate = z.output<typeof Terminate>;

/** The finance department's approval of the single-source method: its opinion and approval number, both optional. */
export const Approve = z.object({
  opinion: optionalText(2000).transform((v) => v || null),
  approvalNo: optionalText(64).transform((v) => v || null),
});
export type Approve = z.output<typeof Approve>;

/**
 * Why a case is ended by its purchaser or the finance department (MoF Order No. 74 art. 43): (1) the conditions of
 * single source no longer hold, (2) irregularities affecting the fairness of the procurement; the supplier declines
 * to sign; or the purchaser withdraws. (3) a price above the budget ends it at the negotiation by itself.
 */
export const TERMINATE_CAUSES = ['conditions_changed', 'irregularity', 'not_approved', 'supplier_declined', 'withdrawn'] as const;
export type TerminateCauseInput = (typeof TERMINATE_CAUSES)[number];

/**
 * The causes that fit a party at a stage, which its page offers: the finance department art. 43 (1) and (2) and,
 * before it has approved, its refusal of the single-source method (不予批准, the only cause the service also refuses
 * to anyone else — API.md leaves its four causes open to both parties); the purchaser art. 43 (1) and (2), its
 * withdrawal, and the supplier declining to sign between the award and the contract.
 */
export function terminationCausesFor(role: string, status: string): TerminateCauseInput[] {
  if (role === 'finance') return status === 'notice' ? ['conditions_changed', 'irregularity', 'not_approved'] : ['conditions_changed', 'irregularity'];
  if (role === 'purchaser') return status === 'awarded' ? ['conditions_changed', 'irregularity', 'supplier_declined', 'withdrawn'] : ['conditions_changed', 'irregularity', 'withdrawn'];
  return [];
}

export const TerminateCase = z.object({
  cause: z.enum(TERMINATE_CAUSES, { message: 'validation.one_of' }),
  explanation: text(1000),
});
export type TerminateCase = z.output<typeof TerminateCase>;

const pageParam = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^-?\d{1,12}$/, 'validation.integer')
    .transform(Number)
    .pipe(z.number().int().min(1, 'validation.too_small').max(max, 'validation.too_big'))
    .optional()
    .transform((v) => v ?? dflt);

export const CaseListQuery = z.object({
  status: z.enum(CASE_STATUSES, { message: 'validation.one_of' }).optional(),
  page: pageParam(100000, 1),
  pageSize: pageParam(100, 20),
  lang: z.string().optional(),
});
export type CaseListQuery = z.output<typeof CaseListQuery>;

export const NOTICE_TYPES = ['single_source', 'result', 'contract', 'termination'] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

export const NoticeListQuery = z.object({
  type: z.enum(NOTICE_TYPES, { message: 'validation.one_of' }).optional(),
  page: pageParam(100000, 1),
  pageSize: pageParam(100, 20),
  lang: z.string().optional(),
});
export type NoticeListQuery = z.output<typeof NoticeListQuery>;

/**
 * A page form → the JSON shape: expert rows left completely empty are dropped; staff come one per line or
 * separated by commas (、，,).
 */
export function fromForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (out.experts && typeof out.experts === 'object') {
    const rows = Array.isArray(out.experts) ? out.experts : Object.values(out.experts as Record<string, unknown>);
    out.experts = rows.filter((r) => r && typeof r === 'object' && Object.values(r as Record<string, unknown>).some((v) => typeof v === 'string' && v.trim() !== ''));
  }
  const record = out.record as Record<string, unknown> | undefined;
  if (record && typeof record === 'object' && typeof record.staff === 'string') out.record = { ...record, staff: staffLines(record.staff) };
  if (typeof out.team === 'string') out.team = splitNames(out.team);
  if (out.agency && typeof out.agency === 'object' && Object.values(out.agency as Record<string, unknown>).every((v) => typeof v !== 'string' || v.trim() === '')) delete out.agency;
  for (const k of ['quantity', 'organization', 'note', 'duplicateOf', 'remark', 'opinion', 'approvalNo', 'reply', 'purchaserAddress', 'contactPerson', 'contactPhone', 'mainTerms']) if (out[k] === '') delete out[k];
  return out;
}

const splitNames = (v: string): string[] =>
  v
    .split(/[\n\r,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The record's negotiators as a page form lists them: one per line, "姓名" for one who confirmed, "姓名：不同意见"
 * for one who signed with a dissent; lines without a dissent may also be separated by commas (、，,).
 */
function staffLines(v: string): Array<{ name: string; confirmed: boolean; dissent?: string }> {
  return v
    .split(/[\n\r]+/)
    .flatMap((line) => {
      const m = /^([^:：]+)[:：](.*)$/.exec(line.trim());
      if (m) return [{ name: m[1].trim(), confirmed: true, dissent: m[2].trim() }];
      return splitNames(line).map((name) => ({ name, confirmed: true }));
    })
    .filter((s) => s.name !== '');
}
