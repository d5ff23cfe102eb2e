import { z } from 'zod';
import { KINDS, LEVELS, PURCHASER_TYPES, cityName, fieldName, type Kind, type Level } from '../domain';

export const CHANNELS = ['boutique', 'first_purchase'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a row of the grouped table is keyed by. `city` means the purchaser's city unless `cityOf=vendor`;
 * `purchaserCity` / `vendorCity` name one explicitly.
 */
export const GROUP_BY_PARAMS = ['year', 'month', 'channel', 'field', 'level', 'kind', 'city', 'purchaserCity', 'vendorCity', 'purchaserType', 'vendor', 'purchaser'] as const;
export type GroupByParam = (typeof GROUP_BY_PARAMS)[number];

/** The dimension a query groups by, as the storage names it. */
export type GroupDim = 'year' | 'month' | 'channel' | 'field' | 'level' | 'kind' | 'purchaser_city' | 'vendor_city' | 'purchaser_type' | 'vendor' | 'purchaser';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'ocds'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Filters on the trade facts, already normalised to stored values; dates are Asia/Shanghai days, inclusive. */
export interface StatsFilters {
  from?: string;
  to?: string;
  channel?: Channel;
  field?: string;
  level?: Level;
  kind?: Kind;
  purchaserCity?: string;
  vendorCity?: string;
  purchaserType?: string;
}

export interface StatsQuery {
  filters: StatsFilters;
  groupBy: GroupDim;
  /** The parameter as the caller spelled it, echoed in the answer. */
  groupByParam: GroupByParam;
  cityOf: 'purchaser' | 'vendor';
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day 'YYYY-MM-DD' between 1900 and 2999 (so a year can always be shifted back). */
export function isDay(v: string): boolean {
  const m = DAY.exec(v);
  if (!m || Number(m[1]) < 1900 || Number(m[1]) > 2999) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

const day = z.string().refine(isDay, { message: 'validation.date' }).optional();

const named = (lookup: (v: string) => string | null) =>
  z
    .string()
    .refine((v) => lookup(v) !== null, { message: 'validation.one_of' })
    .transform((v) => lookup(v) as string)
    .optional();

const shape = {
  from: day,
  to: day,
  channel: z.enum(CHANNELS, { message: 'validation.one_of' }).optional(),
  field: named(fieldName),
  level: z.enum(LEVELS, { message: 'validation.one_of' }).optional(),
  kind: z.enum(KINDS, { message: 'validation.one_of' }).optional(),
  city: named(cityName),
  vendorCity: named(cityName),
  purchaserType: z.enum(PURCHASER_TYPES, { message: 'validation.one_of' }).optional(),
  cityOf: z.enum(['purchaser', 'vendor'], { message: 'validation.one_of' }).optional(),
  groupBy: z.enum(GROUP_BY_PARAMS, { message: 'validation.one_of' }).optional(),
  lang: z.string().optional(),
};

type Raw = z.output<z.ZodObject<typeof shape>>;

function checkRaw(v: Raw, issues: z.RefinementCtx): void {
  if (v.from && v.to && v.to < v.from) issues.addIssue({ code: 'custom', message: 'validation.date_range', path: ['to'] });
  if (v.cityOf === 'vendor' && v.city && v.vendorCity && v.city !== v.vendorCity) {
    issues.addIssue({ code: 'custom', message: 'validation.city_conflict', path: ['vendorCity'] });
  }
}

const GROUP_DIM: Record<Exclude<GroupByParam, 'city'>, GroupDim> = {
  year: 'year',
  month: 'month',
  channel: 'channel',
  field: 'field',
  level: 'level',
  kind: 'kind',
  purchaserCity: 'purchaser_city',
  vendorCity: 'vendor_city',
  purchaserType: 'purchaser_type',
  vendor: 'vendor',
  purchaser: 'purchaser',
};

export const DEFAULT_GROUP_BY: GroupByParam = 'channel';

function normalise(v: Raw): StatsQuery {
  const cityOf = v.cityOf ?? 'purchaser';
  const groupByParam = v.groupBy ?? DEFAULT_GROUP_BY;
  const groupBy = groupByParam === 'city' ? (cityOf === 'vendor' ? 'vendor_city' : 'purchaser_city') : GROUP_DIM[groupByParam];
  const filters: StatsFilters = {
    from: v.from,
    to: v.to,
    channel: v.channel,
    field: v.field,
    level: v.level,
    kind: v.kind,
    purchaserCity: cityOf === 'purchaser' ? v.city : undefined,
    vendorCity: v.vendorCity ?? (cityOf === 'vendor' ? v.city : undefined),
    purchaserType: v.purchaserType,
  };
  for (const k of Object.keys(filters) as Array<keyof StatsFilters>) if (filters[k] === undefined) delete filters[k];
  return { filters, groupBy, groupByParam, cityOf };
}

/**
 * The statistics filters, one schema for the admin page, the JSON route and the exports (query-string values are
 * strings). `city` is the purchaser's city unless `cityOf=vendor`; `vendorCity` always the vendor's.
 */
export const StatsQuerySchema = z.object(shape).superRefine(checkRaw).transform(normalise);

export const ExportQuerySchema = z
  .object({ ...shape, format: z.enum(EXPORT_FORMATS, { message: 'validation.one_of' }) })
  .superRefine(checkRaw)
  .transform((v) => ({ ...normalise(v), format: v.format }));
export type ExportQuery = z.output<typeof ExportQuerySchema>;

/** The public summary: optionally one year for the by-field table. */
export const SummaryQuerySchema = z.object({
  year: z
    .string()
    .regex(/^(19|2\d)\d{2}$/, 'validation.integer')
    .transform(Number)
    .optional(),
  lang: z.string().optional(),
});
export type SummaryQuery = z.output<typeof SummaryQuerySchema>;
