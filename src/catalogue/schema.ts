import { z } from 'zod';
import { BADGES, LEVELS, PRODUCT_KINDS, cityName, fieldName } from '../domain';
import { Money } from '../money';

const money = (name: string) =>
  z
    .string()
    .refine((v) => Money.isValidInput(v), { message: 'validation.money' })
    .transform((v) => Money.parse(v).fen)
    .describe(name);

const intParam = (min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'validation.integer')
    .transform(Number)
    .pipe(z.number().int().min(min, 'validation.too_small').max(max, 'validation.too_big'))
    .optional()
    .transform((v) => v ?? dflt);

/** Catalogue search, one schema for the page and the JSON route (query-string values are strings). */
export const SearchQuery = z
  .object({
    q: z.string().max(100, 'validation.too_long').optional(),
    kind: z.enum(PRODUCT_KINDS, { message: 'validation.one_of' }).optional(),
    level: z.enum(LEVELS, { message: 'validation.one_of' }).optional(),
    field: z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || fieldName(v) !== null, { message: 'validation.one_of' })
      .transform((v) => (v ? (fieldName(v) ?? undefined) : undefined)),
    city: z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || cityName(v) !== null, { message: 'validation.one_of' })
      .transform((v) => (v ? (cityName(v) ?? undefined) : undefined)),
    badge: z.enum(BADGES, { message: 'validation.one_of' }).optional(),
    priceMin: money('priceMin').optional(),
    priceMax: money('priceMax').optional(),
    sort: z.enum(['relevance', 'price_asc', 'price_desc', 'newest'], { message: 'validation.one_of' }).optional(),
    page: intParam(1, 100000, 1),
    pageSize: intParam(1, 100, 20),
    lang: z.string().optional(),
  })
  .refine((v) => v.priceMin === undefined || v.priceMax === undefined || v.priceMin <= v.priceMax, {
    message: 'validation.price_range',
    path: ['priceMax'],
  });
export type SearchQuery = z.output<typeof SearchQuery>;

export const CertLookupQuery = z.object({
  certNo: z.string().trim().max(64, 'validation.too_long').optional(),
  lang: z.string().optional(),
});
