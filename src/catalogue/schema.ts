import { z } from 'zod';
import { BADGES, LEVELS, PRODUCT_KINDS, cityName, fieldName } from '../domain';
import { Money } from '../money';
import { formText, withFieldLabels } from '../schema';

const money = (name: string) =>
  z
    .string()
    .refine((v) => Money.isValidInput(v), { message: 'validation.money' })
    .transform((v) => Money.parse(v).fen)
    .describe(name);

const intParam = (min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^-?\d{1,12}$/, 'validation.integer')
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

/** A word or phrase of the synonym table: something a query can contain (at least one letter or digit). */
const searchWord = (max: number) =>
  z
    .string({ message: 'validation.required' })
    .trim()
    .min(1, 'validation.required')
    .max(max, 'validation.too_long')
    .refine((v) => /[\p{L}\p{N}]/u.test(v), { message: 'catalogue.synonym_no_word' });

/**
 * A row of the synonym table, one schema for the admin page and the JSON route: `synonyms` is a JSON array of words,
 * or (a form's text area) one string of them separated by commas, 、 or new lines.
 */
export const SynonymInput = withFieldLabels(
  z
    .object({
      term: searchWord(40),
      synonyms: z
        .union([z.array(z.string({ message: 'validation.invalid_type' })), z.string()], { message: 'validation.invalid_type' })
        .transform((v) => (Array.isArray(v) ? v : v.split(/[,，、;；\n]/)).map((s) => s.trim()).filter(Boolean))
        .pipe(z.array(searchWord(40)).min(1, 'validation.required').max(20, 'validation.too_many')),
      twoWay: z
        .union([z.boolean(), formText().pipe(z.enum(['on', 'true', '1', 'false', '0', ''], { message: 'validation.invalid' }))], { message: 'validation.invalid' })
        .optional()
        .transform((v) => v === undefined || v === true || v === 'on' || v === 'true' || v === '1'),
    })
    .strict(),
  { term: 'catalogue.synonym_term', synonyms: 'catalogue.synonym_synonyms' },
);
export type SynonymInput = z.output<typeof SynonymInput>;
