import { z } from 'zod';
import { positiveMoney } from '../schema';

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

const id = z.union([z.number().int().positive().max(2_000_000_000), z.string().regex(/^[1-9]\d{0,8}$/).transform(Number)], { message: 'validation.integer' });

const positiveInt = (max: number) =>
  z.union([z.number().int(), z.string().regex(/^\d{1,9}$/, 'validation.integer').transform(Number)], { message: 'validation.integer' }).pipe(
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

export const CreateCase = z.object({
  productId: id,
  projectName: text(200),
  projectContent: optionalText(5000).transform((v) => v ?? ''),
  budget: money,
  quantity: positiveInt(100000).optional().transform((v) => v ?? 1),
  reason: text(5000),
  experts: z.array(Expert, { error: typed }).min(1, 'validation.required').max(20, 'validation.too_big'),
  expertOpinion: optionalText(5000).transform((v) => v ?? ''),
  contact: text(200),
});
export type CreateCase = z.output<typeof CreateCase>;

export const ObjectionInput = z.object({
  name: text(100),
  organization: optionalText(200).transform((v) => v ?? ''),
  contact: text(200),
  content: text(5000),
});
export type ObjectionInput = z.output<typeof ObjectionInput>;

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { message: 'validation.invalid_type' });

export const ResolveObjection = z.object({
  upheld: bool,
  opinion: text(2000),
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

export const NegotiationRecord = z.object({
  date: day,
  place: text(200),
  staff: z.array(text(50), { error: typed }).min(1, 'validation.required').max(30, 'validation.too_big'),
  costNote: text(5000),
  comparablePrices: optionalText(5000).transform((v) => v ?? ''),
  agreedTerms: optionalText(5000).transform((v) => v ?? ''),
});

export const Negotiate = z.object({
  amount: money,
  record: NegotiationRecord,
});
export type Negotiate = z.output<typeof Negotiate>;

export const Contract = z.object({
  contractNo: z
    .string({ message: 'validation.required' })
    .trim()
    .min(1, 'validation.required')
    .max(64, 'validation.too_long')
    .regex(/^[\p{L}\p{N}\-_/()（）〔〕[\].#]+$/u, 'validation.invalid'),
  signedAt: dayOrInstant,
});
export type Contract = z.output<typeof Contract>;

export const Accept = z.object({
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
export const TERMINATE_CAUSES = ['conditions_changed', 'irregularity', 'supplier_declined', 'withdrawn'] as const;
export type TerminateCauseInput = (typeof TERMINATE_CAUSES)[number];

export const TerminateCase = z.object({
  cause: z.enum(TERMINATE_CAUSES, { message: 'validation.one_of' }),
  explanation: text(1000),
});
export type TerminateCase = z.output<typeof TerminateCase>;

const pageParam = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'validation.integer')
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
  if (record && typeof record === 'object' && typeof record.staff === 'string') {
    out.record = {
      ...record,
      staff: record.staff
        .split(/[\n\r,，、;；]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
  }
  for (const k of ['quantity', 'projectContent', 'expertOpinion', 'organization', 'note', 'duplicateOf', 'remark', 'opinion', 'approvalNo']) if (out[k] === '') delete out[k];
  return out;
}
