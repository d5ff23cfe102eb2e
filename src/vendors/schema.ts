import { z } from 'zod';
import { NewPassword, passwordNotUsername } from '../auth/password-rules';
import { isValidCreditCode } from '../credit-code';
import { KINDS, cityName, fieldName } from '../domain';
import { Money } from '../money';

/**
 * Input schemas of the vendor portal. Each serves both the page form (every value a string) and the JSON route
 * (numbers and booleans may arrive typed), so the small helpers below accept both spellings.
 */

/** Money per API.md: a string "1234", "1234.5" or "1234.50" → integer fen. A JSON number is refused. */
export const moneyInput = z
  .string({ message: 'validation.money' })
  .refine((v) => Money.isValidInput(v), { message: 'validation.money' })
  .transform((v) => Money.parse(v).fen);

/** A price, a budget, an agreed amount: money as above, and more than zero. */
export const positiveMoney = moneyInput.refine((fen) => fen > 0, { message: 'validation.positive' });

/** A whole number in a range, given as a JSON number or a form string of digits. */
export const wholeNumber = (min: number, max: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d{1,12}$/, 'validation.integer').transform(Number)], { message: 'validation.integer' })
    .pipe(z.number({ message: 'validation.integer' }).int('validation.integer').min(min, 'validation.too_small').max(max, 'validation.too_big'));

/** A checkbox or a JSON boolean. An unticked checkbox sends nothing. */
export const flag = z
  .union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0', ''], { message: 'validation.invalid' })], { message: 'validation.invalid' })
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

/** Optional text: '' (an empty form field) means absent. */
export const optionalText = (max: number) =>
  z
    .string({ message: 'validation.invalid_type' })
    .trim()
    .max(max, 'validation.too_long')
    .optional()
    .transform((v) => (v ? v : undefined));

export const requiredText = (max: number) => z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.too_long');

export const creditCodeInput = z
  .string({ message: 'validation.required' })
  .trim()
  .min(1, 'validation.required')
  .transform((v) => v.toUpperCase())
  .refine((v) => isValidCreditCode(v), { message: 'validation.credit_code' });

export const fieldInput = z
  .string({ message: 'validation.one_of' })
  .trim()
  .refine((v) => v === '' || fieldName(v) !== null, { message: 'validation.one_of' })
  .transform((v) => (v ? (fieldName(v) ?? undefined) : undefined));

export const cityInput = z
  .string({ message: 'validation.required' })
  .trim()
  .min(1, 'validation.required')
  .refine((v) => cityName(v) !== null, { message: 'validation.one_of' })
  .transform((v) => cityName(v) as string);

export const usernameInput = z
  .string({ message: 'validation.required' })
  .trim()
  .min(1, 'validation.required')
  .min(3, 'validation.too_short')
  .max(64, 'validation.too_long')
  .regex(/^[A-Za-z0-9_.-]+$/, 'validation.username_chars');

/** 供应商入驻: the enterprise, and the account that will act for it. */
export const VendorRegistration = z
  .object({
    enterpriseName: requiredText(200),
    creditCode: creditCodeInput,
    city: cityInput,
    address: optionalText(300),
    contact: requiredText(200),
    username: usernameInput,
    password: NewPassword,
    displayName: optionalText(100),
  })
  .superRefine(passwordNotUsername);
export type VendorRegistration = z.output<typeof VendorRegistration>;

const listingShape = {
  certNo: optionalText(64),
  boutique: flag.optional(),
  boutiqueEvidence: optionalText(500),
  title: requiredText(200),
  model: requiredText(100),
  description: z.string({ message: 'validation.invalid_type' }).trim().max(5000, 'validation.too_long').optional().default(''),
  price: positiveMoney,
  unit: requiredText(20),
  stock: wholeNumber(0, 1_000_000_000),
  field: fieldInput.optional(),
  kind: z.enum(KINDS, { message: 'validation.one_of' }).optional(),
};

/**
 * A new listing: either against a certificate (the certificate gives kind, level and field) or a boutique item
 * (浙江制造精品), which then names its field.
 */
export const ListingInput = z.object(listingShape).superRefine((v, ctx) => {
  if (!v.certNo && !v.boutique) ctx.addIssue({ code: 'custom', path: ['certNo'], message: 'validation.cert_or_boutique' });
  if (!v.certNo && !v.field) ctx.addIssue({ code: 'custom', path: ['field'], message: 'validation.required' });
});
export type ListingInput = z.output<typeof ListingInput>;

/** A change to a listing: any subset; `certNo: ""` (or null) drops the certificate. */
export const ListingPatch = z
  .object({
    ...listingShape,
    certNo: z.union([z.null(), z.string({ message: 'validation.invalid_type' }).trim().max(64, 'validation.too_long')]).optional(),
    title: listingShape.title.optional(),
    model: listingShape.model.optional(),
    description: z.string({ message: 'validation.invalid_type' }).trim().max(5000, 'validation.too_long').optional(),
    price: positiveMoney.optional(),
    unit: listingShape.unit.optional(),
    stock: wholeNumber(0, 1_000_000_000).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'validation.nothing_to_change', path: ['body'] });
export type ListingPatch = z.output<typeof ListingPatch>;

export const ReasonInput = z.object({ reason: requiredText(500) });
export type ReasonInput = z.output<typeof ReasonInput>;

export const ListingQuery = z.object({
  status: z.enum(['pending_review', 'approved', 'rejected', 'delisted'], { message: 'validation.one_of' }).optional(),
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
});
