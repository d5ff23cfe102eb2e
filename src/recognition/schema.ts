import { z } from 'zod';
import { FIELDS, KINDS, LEVELS, fieldName } from '../domain';
import { flag, halfWidth, moneyInput, optionalText, requiredText, wholeNumber, withFieldLabels } from '../schema';

/**
 * The inputs of the certification lifecycle (认定): one schema per input, shared by the JSON routes and the page
 * forms. Messages are catalogue keys; a 422 names the field (`indicators.2.threshold`).
 */

export const APPLICATION_STATUSES = ['draft', 'submitted', 'expert_review', 'recommended', 'in_round', 'certified', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const COMPARATORS = ['>=', '<=', '='] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** A field of the domain (its Chinese name or Latin code) → the stored Chinese name. */
export const fieldInput = z
  .string({ message: 'validation.required' })
  .trim()
  .min(1, 'validation.required')
  .refine((v) => fieldName(v) !== null, { message: 'validation.one_of' })
  .transform((v) => fieldName(v) as string);

/** A number as the indicators carry it: a JSON number or a decimal string, finite, at most 6 decimals. */
export const decimalInput = z
  .union([z.number(), z.string()], { message: 'validation.invalid' })
  .transform((v) => (typeof v === 'number' ? String(v) : halfWidth(v).trim()))
  .refine((v) => /^-?\d{1,12}(\.\d{1,6})?$/.test(v), { message: 'validation.invalid' })
  .transform(Number)
  .pipe(z.number().finite('validation.invalid'));

export const Indicator = z.object({
  name: requiredText(100),
  comparator: z.enum(COMPARATORS, { message: 'validation.one_of' }),
  threshold: decimalInput,
  unit: z.string({ message: 'validation.invalid_type' }).trim().max(20, 'validation.too_long').default(''),
});
export type Indicator = z.output<typeof Indicator>;

const uniqueNames = (items: Array<{ name: string }>) => new Set(items.map((i) => i.name)).size === items.length;

/** `POST /api/v1/admin/indicator-list` (and the edit, `PATCH …/:id`): one entry of the 清单. */
export const ListEntryInput = withFieldLabels(
  z.object({
    year: wholeNumber(2000, 2100),
    field: fieldInput,
    product: requiredText(200),
    indicators: z
      .array(Indicator, { message: 'validation.invalid_type' })
      .min(1, 'validation.required')
      .max(30, 'validation.too_many')
      .refine(uniqueNames, { message: 'recognition.indicator_names_repeat' }),
  }),
  { product: 'recognition.product' },
);
export type ListEntryInput = z.output<typeof ListEntryInput>;

export const ListQuery = z.object({
  year: wholeNumber(2000, 2100).optional(),
  field: fieldInput.optional(),
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
});
export type ListQuery = z.output<typeof ListQuery>;

/** `POST /api/v1/admin/experts`: a member of the expert pool (专家库). */
const EXPERT_LABELS = { unit: 'recognition.expert_f_unit', title: 'recognition.expert_f_title' };

export const ExpertInput = withFieldLabels(
  z.object({
    name: requiredText(50),
    unit: requiredText(200),
    title: requiredText(50),
    fields: z
      .array(fieldInput, { message: 'validation.invalid_type' })
      .min(1, 'validation.required')
      .max(FIELDS.length, 'validation.too_many')
      .transform((v) => [...new Set(v)]),
    userId: wholeNumber(1, 999_999_999).nullable().optional(),
  }),
  EXPERT_LABELS,
);
export type ExpertInput = z.output<typeof ExpertInput>;

export const IndicatorValue = z.object({ name: requiredText(100), value: decimalInput });
export type IndicatorValue = z.output<typeof IndicatorValue>;

/** `POST /api/v1/vendor/applications`: a draft application of the vendor's own enterprise. */
export const ApplicationInput = z.object({
  productName: requiredText(200),
  model: requiredText(100),
  kind: z.enum(KINDS, { message: 'validation.one_of' }),
  field: fieldInput,
  // Left unchosen on the form (its first option is empty): required, not "one of".
  levelClaimed: z.enum(LEVELS, { error: (iss) => (iss.input === undefined || iss.input === '' ? 'validation.required' : 'validation.one_of') }),
  listEntryId: wholeNumber(1, 999_999_999).nullable().optional(),
  indicators: z
    .array(IndicatorValue, { message: 'validation.invalid_type' })
    .max(30, 'validation.too_many')
    .refine(uniqueNames, { message: 'recognition.indicator_names_repeat' })
    .default([]),
  description: requiredText(5000),
});
export type ApplicationInput = z.output<typeof ApplicationInput>;

/** 形式审查: passed or not, with the opinion (required when refused). */
export const ScreenInput = z
  .object({ passed: flag, opinion: optionalText(2000) })
  .refine((v) => v.passed || !!v.opinion, { message: 'validation.required', path: ['opinion'] });
export type ScreenInput = z.output<typeof ScreenInput>;

/** The draw: how many experts (3–7). */
export const DrawInput = z.object({ count: wholeNumber(3, 7) });
export type DrawInput = z.output<typeof DrawInput>;

const blank = (v: unknown) => (v === '' ? undefined : v);

/** An expert's review, or the declaration of a conflict of interest (then nothing else is needed). */
export const ReviewInput = withFieldLabels(
  z
    .object({
      conflict: z.preprocess(blank, flag.optional()).transform((v) => v === true),
      score: z.preprocess(blank, wholeNumber(0, 100).optional()),
      recommendLevel: z.preprocess(blank, z.enum(LEVELS, { message: 'validation.one_of' }).optional()),
      opinion: optionalText(2000),
    })
    .superRefine((v, ctx) => {
      if (v.conflict) return;
      if (v.score === undefined) ctx.addIssue({ code: 'custom', path: ['score'], message: 'validation.required' });
      if (v.recommendLevel === undefined) ctx.addIssue({ code: 'custom', path: ['recommendLevel'], message: 'validation.required' });
      if (!v.opinion) ctx.addIssue({ code: 'custom', path: ['opinion'], message: 'validation.required' });
    }),
  { score: 'recognition.score', recommendLevel: 'recognition.recommend_level', opinion: 'recognition.opinion' },
);
export type ReviewInput = z.output<typeof ReviewInput>;

/** `POST /api/v1/admin/certification-rounds`. */
export const RoundInput = z.object({
  year: wholeNumber(2000, 2100),
  applicationIds: z
    .array(wholeNumber(1, 999_999_999), { message: 'validation.invalid_type' })
    .min(1, 'validation.required')
    .max(500, 'validation.too_many')
    .refine((v) => new Set(v).size === v.length, { message: 'validation.invalid' }),
});
export type RoundInput = z.output<typeof RoundInput>;

export const ObjectionInput = z.object({
  name: requiredText(100),
  organization: requiredText(200),
  contact: requiredText(200),
  content: requiredText(5000),
  applicationId: wholeNumber(1, 999_999_999).nullable().optional(),
});
export type ObjectionInput = z.output<typeof ObjectionInput>;

/** The ruling; an upheld objection that named no application names the one it takes out of the round. */
export const ResolveInput = z.object({ upheld: flag, opinion: requiredText(2000), applicationId: wholeNumber(1, 999_999_999).nullable().optional() });
export type ResolveInput = z.output<typeof ResolveInput>;

/** Award amounts by level (yuan strings; a setting). */
export const AwardSettingsInput = z.object({ international: moneyInput, domestic: moneyInput, provincial: moneyInput });
export type AwardSettingsInput = z.output<typeof AwardSettingsInput>;

export const PageQuery = z.object({
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  status: z.enum(APPLICATION_STATUSES, { message: 'validation.one_of' }).optional(),
  lang: z.string().optional(),
});
export type PageQuery = z.output<typeof PageQuery>;

/** The finance department's awards page: those due (the default) or those paid. */
export const AwardsPageQuery = z.object({
  page: wholeNumber(1, 100000).optional().default(1),
  status: z.enum(['due', 'paid'], { message: 'validation.one_of' }).optional().default('due'),
  lang: z.string().optional(),
});

/** An expert's list of reviews: paged as every list (API.md conventions). */
export const ReviewsQuery = PageQuery.omit({ status: true });

/** The multipart fields beside the file of an attachment (`file` itself is checked by its bytes: attachments.ts). */
export const AttachmentInput = z.object({
  kind: z.enum(['test_report', 'user_report', 'ip', 'other'], { message: 'validation.one_of' }),
});
export type AttachmentInput = z.output<typeof AttachmentInput>;

/** `PATCH /api/v1/admin/experts/:id`: any of name, unit, title, fields (at least one). */
export const ExpertEditInput = withFieldLabels(
  ExpertInput.pick({ name: true, unit: true, title: true, fields: true })
    .partial()
    .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'validation.required', path: ['name'] }),
  EXPERT_LABELS,
);
export type ExpertEditInput = z.output<typeof ExpertEditInput>;

/** `GET /api/v1/admin/certification-stats` and its page: one year (registry year, the rounds' year), or every year. */
export const StatsQuery = z.object({ year: wholeNumber(2000, 2100).optional(), lang: z.string().optional() });
export type StatsQuery = z.output<typeof StatsQuery>;

/**
 * The expert pool's page form: the expert's login is named by its username (optional) instead of the JSON's `userId`;
 * fields are the ticked boxes.
 */
export const ExpertForm = withFieldLabels(
  ExpertInput.omit({ userId: true }).extend({
    username: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string({ message: 'validation.invalid_type' }).trim().max(50, 'validation.too_long').optional()),
  }),
  EXPERT_LABELS,
);
export type ExpertForm = z.output<typeof ExpertForm>;

/** `POST /api/v1/admin/experts/:id/active` and the pool page's button: in the pool (drawn) or out of it. */
export const ExpertActiveInput = z.object({ active: flag });
export type ExpertActiveInput = z.output<typeof ExpertActiveInput>;
