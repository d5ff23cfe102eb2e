import { z } from 'zod';
import { NewPassword, passwordNotUsername } from '../auth';
import { PRODUCT_KINDS, cityName, fieldName } from '../domain';
import { creditCodeInput, flag, optionalText, positiveMoney, requiredText, wholeNumber } from '../schema';

/**
 * Input schemas of the vendor portal. Each serves both the page form (every value a string) and the JSON route
 * (numbers and booleans may arrive typed); the shared primitives are in src/schema.ts.
 */

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
  /** Only `boutique` without a certificate (a first-unit kind comes with one); with a certificate, the certificate's kind. */
  kind: z.enum(PRODUCT_KINDS, { message: 'validation.one_of' }).optional(),
};

/**
 * A new listing: either against a certificate (the certificate gives kind, level and field) or a boutique item
 * (浙江制造精品), whose field is the one it names (else the vendor's own: listings.ts) and whose kind is `boutique`: a
 * vendor cannot give an uncertified item a first-unit kind.
 */
export const ListingInput = z.object(listingShape).superRefine((v, ctx) => {
  if (!v.certNo && !v.boutique) ctx.addIssue({ code: 'custom', path: ['certNo'], message: 'validation.cert_or_boutique' });
});
export type ListingInput = z.output<typeof ListingInput>;

/**
 * The listing page's form: its boutique box says the claim needs the evidence below it (须填写下方的认证依据), so
 * there a claim without it is refused, naming the evidence. API.md's JSON route (`{certNo?, boutique?, …}`) takes a
 * claim without one; the reviewer then sees none given.
 */
const evidenceForClaim = (v: { boutique?: boolean; boutiqueEvidence?: string }, ctx: z.RefinementCtx) => {
  if (v.boutique && !v.boutiqueEvidence) ctx.addIssue({ code: 'custom', path: ['boutiqueEvidence'], message: 'validation.required' });
};

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

export const ListingForm = ListingInput.superRefine(evidenceForClaim);
export const ListingPatchForm = ListingPatch.superRefine(evidenceForClaim);

export const ListingQuery = z.object({
  status: z.enum(['pending_review', 'approved', 'rejected', 'delisted'], { message: 'validation.one_of' }).optional(),
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
});
