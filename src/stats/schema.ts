import { z } from 'zod';
import { ALL, FILTERS, dimensionOf, type DimFilters, type DimParam, type GroupDim } from './dimensions';

export { CHANNELS, type Channel, type GroupDim } from './dimensions';

/**
 * What a row of the grouped table is keyed by: a dimension's `param` (dimensions.ts), or `city` — the purchaser's
 * city unless `cityOf=vendor` (`purchaserCity` / `vendorCity` name one explicitly).
 */
export type GroupByParam = DimParam | 'city';
export const GROUP_BY_PARAMS: readonly GroupByParam[] = ALL.flatMap((d): GroupByParam[] => (d.param === 'purchaserCity' ? ['city', 'purchaserCity'] : [d.param as DimParam]));

export const EXPORT_FORMATS = ['csv', 'xlsx', 'ocds'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Filters on the trade facts, already normalised to stored values; dates are Asia/Shanghai days, inclusive. */
export type StatsFilters = { from?: string; to?: string } & DimFilters;

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

const enumOf = <T extends readonly string[]>(values: T) => z.enum(values as unknown as [T[number], ...T[number][]], { message: 'validation.one_of' });

/** The query's keys in order (issues are reported in this order): the range, each dimension's filter, the rest. */
const shape: Record<string, z.ZodType> = {
  from: day,
  to: day,
  ...Object.fromEntries(FILTERS.map((d) => [d.filterParam ?? d.param, (d.filter as z.ZodType).optional()])),
  cityOf: enumOf(['purchaser', 'vendor'] as const).optional(),
  groupBy: enumOf(GROUP_BY_PARAMS).optional(),
  lang: z.string().optional(),
};

type Raw = Record<string, string | undefined> & { cityOf?: 'purchaser' | 'vendor'; groupBy?: GroupByParam };

function checkRaw(v: Raw, issues: z.RefinementCtx): void {
  if (v.from && v.to && v.to < v.from) issues.addIssue({ code: 'custom', message: 'validation.date_range', path: ['to'] });
  if (v.cityOf === 'vendor' && v.city && v.vendorCity && v.city !== v.vendorCity) {
    issues.addIssue({ code: 'custom', message: 'validation.city_conflict', path: ['vendorCity'] });
  }
}

export const DEFAULT_GROUP_BY: GroupByParam = 'channel';

function normalise(v: Raw): StatsQuery {
  const cityOf = v.cityOf ?? 'purchaser';
  const groupByParam = v.groupBy ?? DEFAULT_GROUP_BY;
  const groupBy: GroupDim = groupByParam === 'city' ? (cityOf === 'vendor' ? 'vendor_city' : 'purchaser_city') : (dimensionOf(groupByParam).dim as GroupDim);
  const filters: Record<string, string | undefined> = { from: v.from, to: v.to };
  for (const d of FILTERS) filters[d.param] = v[d.filterParam ?? d.param];
  // `city` is the vendor's city when `cityOf=vendor` (an explicit `vendorCity` wins; they may not disagree).
  if (cityOf === 'vendor') {
    filters.purchaserCity = undefined;
    filters.vendorCity = v.vendorCity ?? v.city;
  }
  for (const k of Object.keys(filters)) if (filters[k] === undefined) delete filters[k];
  return { filters: filters as StatsFilters, groupBy, groupByParam, cityOf };
}

/**
 * The statistics filters, one schema for the admin page, the JSON route and the exports (query-string values are
 * strings). `city` is the purchaser's city unless `cityOf=vendor`; `vendorCity` always the vendor's.
 */
export const StatsQuerySchema = z
  .object(shape)
  .superRefine((v, issues) => checkRaw(v as Raw, issues))
  .transform((v) => normalise(v as Raw));

export const ExportQuerySchema = z
  .object({ ...shape, format: z.enum(EXPORT_FORMATS, { message: 'validation.one_of' }) })
  .superRefine((v, issues) => checkRaw(v as Raw, issues))
  .transform((v) => ({ ...normalise(v as Raw), format: v.format as ExportFormat }));
export type ExportQuery = z.output<typeof ExportQuerySchema>;

/** The public summary: optionally one year for the by-field table. */
export const SummaryQuerySchema = z.object({
  year: z
    .string()
    .regex(/^-?\d{1,12}$/, 'validation.integer')
    .regex(/^(19|2\d)\d{2}$/, 'validation.year_range')
    .transform(Number)
    .optional(),
  lang: z.string().optional(),
});
export type SummaryQuery = z.output<typeof SummaryQuerySchema>;
