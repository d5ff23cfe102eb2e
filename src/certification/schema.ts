import { z } from 'zod';
import { KINDS, LEVELS, fieldName } from '../domain';
import { creditCodeInput, dateInput, flag, requiredText, wholeNumber } from '../schema';

/** A certificate number: letters, digits, CJK and the usual separators, no spaces; full-width folded by NFKC. */
export const certNoInput = z
  .string({ message: 'validation.required' })
  .transform((v) => v.normalize('NFKC').trim())
  .pipe(
    z
      .string()
      .min(1, 'validation.required')
      .max(64, 'validation.too_long')
      .regex(/^[A-Za-z0-9\u4e00-\u9fff()\-_/.#]+$/u, 'validation.cert_no'),
  );

const requiredField = z
  .string({ message: 'validation.required' })
  .trim()
  .min(1, 'validation.required')
  .refine((v) => fieldName(v) !== null, { message: 'validation.one_of' })
  .transform((v) => fieldName(v) as string);

/** Key technical indicators: a JSON array of strings, or one string with one indicator per line. */
export const indicatorsInput = z
  .union([z.array(z.string({ message: 'validation.invalid_type' })), z.string()], { message: 'validation.invalid_type' })
  .transform((v) =>
    (Array.isArray(v) ? v : v.split(/\r?\n|；|;/))
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().max(500, 'validation.too_long')).max(50, 'validation.too_many'));

const certShape = {
  productName: requiredText(200),
  enterpriseName: requiredText(200),
  creditCode: creditCodeInput,
  kind: z.enum(KINDS, { message: 'validation.one_of' }),
  level: z.enum(LEVELS, { message: 'validation.one_of' }),
  field: requiredField,
  year: wholeNumber(2000, 2100),
  validUntil: dateInput,
  indicators: indicatorsInput.optional(),
  keySupported: flag.optional(),
};

const yearBeforeEnd = (v: { year?: number; validUntil?: string }) => v.year === undefined || v.validUntil === undefined || Number(v.validUntil.slice(0, 4)) >= v.year;

/** One certificate of the registry, as the admin enters it (and as each import row is checked). */
export const CertificationInput = z
  .object({ certNo: certNoInput, ...certShape })
  .refine(yearBeforeEnd, { message: 'validation.valid_until_before_year', path: ['validUntil'] });
export type CertificationInput = z.output<typeof CertificationInput>;

/** An edit: any subset; the number identifies the certificate and does not change. */
export const CertificationPatch = z
  .object({
    productName: certShape.productName.optional(),
    enterpriseName: certShape.enterpriseName.optional(),
    creditCode: creditCodeInput.optional(),
    kind: certShape.kind.optional(),
    level: certShape.level.optional(),
    field: requiredField.optional(),
    year: wholeNumber(2000, 2100).optional(),
    validUntil: dateInput.optional(),
    indicators: indicatorsInput.optional(),
    keySupported: flag.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'validation.nothing_to_change', path: ['body'] })
  .refine(yearBeforeEnd, { message: 'validation.valid_until_before_year', path: ['validUntil'] });
export type CertificationPatch = z.output<typeof CertificationPatch>;

export const CertListQuery = z.object({
  q: z.string().trim().max(100, 'validation.too_long').optional(),
  status: z.enum(['valid', 'expired', 'revoked'], { message: 'validation.one_of' }).optional(),
  level: z.enum(LEVELS, { message: 'validation.one_of' }).optional(),
  kind: z.enum(KINDS, { message: 'validation.one_of' }).optional(),
  year: wholeNumber(2000, 2100).optional(),
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
});
export type CertListQuery = z.output<typeof CertListQuery>;
