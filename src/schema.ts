import { z } from 'zod';
import { isValidCreditCode } from './credit-code';
import { Money } from './money';

/**
 * The zod primitives that several modules' input schemas are built from. Each serves both the page form (every
 * value a string) and the JSON route (numbers and booleans arrive typed): a form's spelling is taken from a form
 * only (`formText`). Messages are catalogue keys.
 */

/**
 * Whether a JSON body is being parsed (web/validate.ts `validate`, around its synchronous parse): there a number or a
 * yes/no is a JSON number or boolean, as API.md writes every one, and a form's spelling of it ("1", "true", "on") is
 * a value of the wrong type, a 422 naming the field. Pages and query strings, where every value is text, keep the
 * form spellings.
 */
let typedBody = false;

/** Runs a synchronous parse of a JSON body with the form spellings of numbers and yes/no refused. */
export function parsingTypedBody<T>(parse: () => T): T {
  const outer = typedBody;
  typedBody = true;
  try {
    return parse();
  } finally {
    typedBody = outer;
  }
}

/** A form's text spelling of a number or a yes/no: accepted from a form, refused in a JSON body (`parsingTypedBody`). */
export const formText = () => z.string().refine(() => !typedBody, { message: 'validation.invalid_type' });

/**
 * Full-width forms typed with a Chinese input method (０–９, ．, －, ＋, the ideographic space) as their ASCII
 * selves: "１２３４．５０" is the amount 1234.50, "０５７１－８８８８８８８８" a phone number. Only for values read as
 * numbers, amounts, days and phone numbers — free text keeps what was typed.
 */
export const halfWidth = (v: string): string => v.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');

/** A minus sign before the digits: an amount below zero, told as such rather than as a wrong format. */
const NEGATIVE = /^\s*-\s*\d/;

/**
 * Money per API.md: a string "1234", "1234.5" or "1234.50" → integer fen. A JSON number is refused, and so are
 * full-width digits in a JSON body (a page's form takes them, `halfWidth`). Nothing given
 * (a field left empty) is "required" (web/validate.ts); "-5" is told it may not be below zero (`negative`: the
 * message for it), anything else not an amount the format.
 */
const money = (negative: string) =>
  z
    .string({ message: 'validation.money' })
    // A form's full-width digits are typed by a person's input method; a JSON body's amount is API.md's ASCII or a 422.
    .transform((v) => (typedBody ? v : halfWidth(v)))
    .refine((v) => !NEGATIVE.test(v), { message: negative, abort: true })
    // An amount written right but past the one money range is told so, not that its format is wrong.
    .refine((v) => !/^[1-9]\d{13,}(\.\d{1,2})?$/.test(v.trim()), { message: 'validation.money_range', abort: true })
    .refine((v) => Money.isValidInput(v), { message: 'validation.money', abort: true })
    .transform((v) => Money.parse(v).fen);

/** An amount of zero or more. */
export const moneyInput = money('validation.not_negative');

/** A price, a budget, an agreed amount: money as above, and more than zero. */
export const positiveMoney = money('validation.positive').refine((fen) => fen > 0, { message: 'validation.positive' });

/** A whole number in a range, given as a JSON number or a form string of digits. */
export const wholeNumber = (min: number, max: number) =>
  z
    .union([z.number(), formText().transform((v) => halfWidth(v).trim()).pipe(z.string().regex(/^-?\d{1,12}$/, 'validation.integer').transform(Number))], { message: 'validation.integer' })
    .pipe(z.number({ message: 'validation.integer' }).int('validation.integer').min(min, 'validation.too_small').max(max, 'validation.too_big'));

/** A list's paging (API.md conventions): `page` from 1, `pageSize` 1–100, 20 by default. */
export const PagingQuery = z.object({
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
});

/** A checkbox or a JSON boolean. An unticked checkbox sends nothing. */
export const flag = z
  .union([z.boolean(), formText().pipe(z.enum(['on', 'true', '1', 'false', '0', ''], { message: 'validation.invalid' }))], { message: 'validation.invalid' })
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

const isCalendarDate = (v: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** 'YYYY-MM-DD', a real calendar day. */
export const dateInput = z
  .string({ message: 'validation.date' })
  .transform((v) => halfWidth(v).trim())
  .refine(isCalendarDate, { message: 'validation.date' });

/** A phone number as typed, its full-width digits and dashes made ASCII (the format is the order paperwork's rule). */
export const phoneText = (max: number) => z.string({ message: 'validation.required' }).transform((v) => halfWidth(v).trim()).pipe(z.string().min(1, 'validation.required').max(max, 'validation.too_long'));

/** Query strings: an empty value (a filter form's "all") means no filter. */
export function dropEmpty(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

/** Why an admin refuses or withdraws something (a vendor, a listing, a certificate). */
export const ReasonInput = z.object({ reason: requiredText(500) });
export type ReasonInput = z.output<typeof ReasonInput>;

/**
 * A schema's own labels for fields whose shared label (`fields.<name>`) would mislead in its form: an expert's `unit` is
 * their work unit and `title` their professional title, not a unit of measure and a product's name. Field → i18n key;
 * an error naming such a field carries the key as `fieldLabel` (web/validate.ts `labelled`), which the error message
 * prints (web/errors.ts).
 */
const FIELD_LABELS = new WeakMap<object, Readonly<Record<string, string>>>();

export function withFieldLabels<S extends z.ZodType>(schema: S, labels: Readonly<Record<string, string>>): S {
  FIELD_LABELS.set(schema, labels);
  return schema;
}

export const fieldLabelsOf = (schema: z.ZodType): Readonly<Record<string, string>> | undefined => FIELD_LABELS.get(schema);
