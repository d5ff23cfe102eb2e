import { z } from 'zod';
import { dateInput, flag, moneyInput, optionalText, positiveMoney, requiredText, wholeNumber } from '../schema';

/**
 * The inputs of insurance compensation (保险补偿): one schema per input, shared by the JSON routes and the page forms.
 * Messages are catalogue keys; a 422 names the field.
 */

export const CLAIM_STATUSES = ['draft', 'submitted', 'joint_review', 'approved', 'paid', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** An unticked checkbox sends nothing: not received. */
const notReceived = z.preprocess((v) => (v === undefined || v === '' ? false : v), flag);

/**
 * `POST /api/v1/vendor/insurance-claims` (and the correction of a draft or rejected claim). The policy year and the
 * unit ordinal are taken as any whole number from 1 so that a draft shows why more than 3 cannot be claimed; the
 * submission refuses them (API.md).
 */
export const ClaimInput = z
  .object({
    certNo: requiredText(64),
    policyNo: requiredText(64),
    insurer: requiredText(200),
    insuredValue: positiveMoney,
    premium: positiveMoney,
    policyStart: dateInput,
    policyEnd: dateInput,
    policyYear: wholeNumber(1, 99),
    unitOrdinal: wholeNumber(1, 99),
    purchaserName: requiredText(200),
    contractNo: requiredText(64),
    nationalSubsidy: notReceived,
  })
  .refine((v) => v.policyEnd > v.policyStart, { message: 'insurance.end_before_start', path: ['policyEnd'] });
export type ClaimInput = z.output<typeof ClaimInput>;

export const CLAIM_FIELDS = ['certNo', 'policyNo', 'insurer', 'insuredValue', 'premium', 'policyStart', 'policyEnd', 'policyYear', 'unitOrdinal', 'purchaserName', 'contractNo', 'nationalSubsidy'] as const;

/** 初审 (admin) and 联审 (finance): passed or not, always with an opinion. */
export const ReviewInput = z.object({ passed: flag, opinion: requiredText(2000) });
export type ReviewInput = z.output<typeof ReviewInput>;

const percent = wholeNumber(0, 100);
const byYear = z.tuple([percent, percent, percent], { message: 'validation.invalid_type' });

/** A rate as a percent of the insured value with at most two decimals ("2", "2.5", "3.00") → basis points. */
const rateInput = z
  .union([z.string().trim(), z.number()], { message: 'validation.invalid' })
  .transform((v) => String(v))
  .refine((v) => /^\d{1,2}(\.\d{1,2})?$/.test(v), { message: 'insurance.rate_format' })
  .transform((v) => Math.round(Number(v) * 100))
  .refine((bp) => bp > 0 && bp <= 10_000, { message: 'validation.too_big' });

/** A version of the rule table (new or edited). An empty yearly cap means none. */
export const RuleInput = z.object({
  version: z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(20, 'validation.too_long').regex(/^[A-Za-z0-9._-]+$/, 'insurance.version_format'),
  fromYear: wholeNumber(2000, 2100),
  rateCap: rateInput,
  percents: z.object({ international: byYear, domestic: byYear, provincial: byYear }, { message: 'validation.invalid_type' }),
  yearlyCap: z.preprocess((v) => (v === '' ? null : v), moneyInput.nullable().optional()).transform((v) => v ?? null),
  note: optionalText(500),
});
export type RuleInput = z.output<typeof RuleInput>;

/** A record of the national scheme (国家首台套保险补偿), entered by the department. */
export const NationalInput = z.object({
  year: wholeNumber(2000, 2100),
  projectName: requiredText(200),
  enterpriseName: requiredText(200),
  units: z.preprocess((v) => (v === '' || v === undefined ? 1 : v), wholeNumber(1, 1000)),
  insuredValue: positiveMoney,
  subsidy: positiveMoney,
  note: optionalText(500),
});
export type NationalInput = z.output<typeof NationalInput>;

export const ClaimQuery = z.object({
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  status: z.enum(CLAIM_STATUSES, { message: 'validation.one_of' }).optional(),
  year: wholeNumber(2000, 2100).optional(),
  lang: z.string().optional(),
});
export type ClaimQuery = z.output<typeof ClaimQuery>;

export const NationalQuery = z.object({ year: wholeNumber(2000, 2100).optional(), lang: z.string().optional() });
export type NationalQuery = z.output<typeof NationalQuery>;

/** What the insurance statistics group by (`GET /api/v1/admin/insurance-stats`, `/admin/insurance-stats`). */
export const STATS_GROUPS = ['level', 'field', 'city', 'year'] as const;

/**
 * The statistics' query: a year (the year a policy starts; the current year when left out) and a grouping (the
 * certificate's level by default). A bad value is a 422 naming `year` or `groupBy`.
 */
export const InsuranceStatsQuery = z.object({
  year: wholeNumber(2000, 2100).optional(),
  groupBy: z.enum(STATS_GROUPS, { message: 'validation.one_of' }).optional().default('level'),
  lang: z.string().optional(),
});
export type InsuranceStatsQuery = z.output<typeof InsuranceStatsQuery>;
