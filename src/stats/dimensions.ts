import { z } from 'zod';
import { CITIES, FIELDS, LEVELS, PRODUCT_KINDS, PURCHASER_TYPES, cityName, fieldName } from '../domain';

/**
 * The statistics dimensions: ONE row each. The query schema (filters and `groupBy`), the repo's filter columns and
 * groupings, the cube slices, the aggregates' triggers (`aggregates.ts`), the labels, the admin page's filter form
 * and the spreadsheet exports' columns all derive from this table. docs/adding-a-statistics-dimension.md says what
 * else a new row needs (its column on the trade facts, a migration, its translations).
 */

export const CHANNELS = ['boutique', 'first_purchase'] as const;
export type Channel = (typeof CHANNELS)[number];

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { message: 'validation.one_of' });

/** A name from a vocabulary with spellings (fields, cities): checked, then stored as the canonical name. */
const named = (lookup: (v: string) => string | null) =>
  z
    .string()
    .refine((v) => lookup(v) !== null, { message: 'validation.one_of' })
    .transform((v) => lookup(v) as string);

/** How a stored value is shown: a catalogue key per value, a unit's name by id, or the value itself (years, months). */
export type DimensionLabel = { prefix: string } | { names: 'vendors' | 'purchasers' } | 'raw';

/** A column of the spreadsheet exports (CSV, XLSX) that is not a dimension: where a dimension's column may follow. */
export type FixedExportColumn = 'date' | 'type' | 'reference' | 'purchaser' | 'vendor' | 'product' | 'cert_no';

export interface Dimension {
  /** Its name in the API: the `groupBy` value, the filter's key in the answer's `filters`. */
  param: string;
  /** Its name in storage: the cube's `dim`, and the grouped dimension the service passes around. */
  dim: string;
  /** Its column on `trades` and `trade_rollup`. */
  column: string;
  /** 'id' columns are integers (the cube keeps them as text); 'text' ones are strings. */
  type: 'text' | 'id';
  /** The trade facts keep a missing value as NULL, the aggregates as ''; `none` is the key a grouping shows for it. */
  missing?: { key: string; label: string };
  /**
   * Its place in the cube: 'time' and 'axis' are columns of every aggregate (year, month; channel); 'slice' has a
   * one-dimension slice of its own (`trade_cube.dim`); false is only in the rollup (combinations of filters).
   */
  cube: 'time' | 'axis' | 'slice' | false;
  /** The filter's schema (a query-string value in, the stored value out); none where it cannot be filtered on. */
  filter?: z.ZodType<string, string>;
  /** The query parameter of the filter, where it differs from `param` (the purchaser's city is `city`). */
  filterParam?: string;
  label: DimensionLabel;
  /** A select on the admin page's filter form: its key in the view's `options`, and the values offered. */
  form?: { options: string; values: () => readonly string[] };
  /** A column of the spreadsheet exports (headed `stats.col_<dim>`): after `after`, else before the amount. */
  export?: { after?: FixedExportColumn };
}

export const DIMENSIONS = [
  { param: 'year', dim: 'year', column: 'year', type: 'text', cube: 'time', label: 'raw' },
  { param: 'month', dim: 'month', column: 'month', type: 'text', cube: 'time', label: 'raw' },
  {
    param: 'channel',
    dim: 'channel',
    column: 'channel',
    type: 'text',
    cube: 'axis',
    filter: oneOf(CHANNELS),
    label: { prefix: 'stats.channel_' },
    form: { options: 'channels', values: () => CHANNELS },
    export: { after: 'date' },
  },
  {
    param: 'field',
    dim: 'field',
    column: 'field',
    type: 'text',
    cube: 'slice',
    filter: named(fieldName),
    label: { prefix: 'fieldnames.' },
    form: { options: 'fields', values: () => FIELDS.map((f) => f.name) },
    export: {},
  },
  {
    param: 'level',
    dim: 'level',
    column: 'level',
    type: 'text',
    missing: { key: 'none', label: 'stats.level_none' },
    cube: 'slice',
    filter: oneOf(LEVELS),
    label: { prefix: 'levels.' },
    form: { options: 'levels', values: () => LEVELS },
    export: { after: 'cert_no' },
  },
  {
    param: 'kind',
    dim: 'kind',
    column: 'kind',
    type: 'text',
    cube: 'slice',
    // The certificate's kind, or `boutique` for an uncertified 浙江制造精品 item (no first-unit kind).
    filter: oneOf(PRODUCT_KINDS),
    label: { prefix: 'kinds.' },
    form: { options: 'kinds', values: () => PRODUCT_KINDS },
    export: {},
  },
  {
    param: 'purchaserCity',
    dim: 'purchaser_city',
    column: 'purchaser_city',
    type: 'text',
    cube: 'slice',
    filter: named(cityName),
    filterParam: 'city',
    label: { prefix: 'cities.' },
    form: { options: 'cities', values: () => CITIES.map((c) => c.name) },
    export: { after: 'purchaser' },
  },
  {
    param: 'vendorCity',
    dim: 'vendor_city',
    column: 'vendor_city',
    type: 'text',
    cube: 'slice',
    filter: named(cityName),
    label: { prefix: 'cities.' },
    export: { after: 'vendor' },
  },
  {
    param: 'purchaserType',
    dim: 'purchaser_type',
    column: 'purchaser_type',
    type: 'text',
    cube: 'slice',
    filter: oneOf(PURCHASER_TYPES),
    label: { prefix: 'stats.ptype_' },
  },
  { param: 'vendor', dim: 'vendor', column: 'vendor_id', type: 'id', cube: 'slice', label: { names: 'vendors' } },
  { param: 'purchaser', dim: 'purchaser', column: 'purchaser_id', type: 'id', cube: 'slice', label: { names: 'purchasers' } },
] as const satisfies readonly Dimension[];

type Row = (typeof DIMENSIONS)[number];

export type DimParam = Row['param'];
/** The dimension a query groups by, as the storage names it. */
export type GroupDim = Row['dim'];
/** A slice of the cube: one dimension, or 'all'. */
export type CubeDim = 'all' | Extract<Row, { cube: 'slice' }>['dim'];
type Filterable = Extract<Row, { filter: z.ZodType }>;
export type FilterParam = Filterable['param'];
/** The dimension filters, already normalised to stored values (the query schema's output). */
export type DimFilters = { [R in Filterable as R['param']]?: z.output<R['filter']> };

/** Every row seen through the wide interface, for code that walks the table. */
export const ALL: readonly Dimension[] = DIMENSIONS;

const byDim = new Map<string, Dimension>(ALL.map((d) => [d.dim, d]));
const byParam = new Map<string, Dimension>(ALL.map((d) => [d.param, d]));

export function dimension(dim: GroupDim): Dimension {
  return byDim.get(dim) as Dimension;
}

export function dimensionOf(param: DimParam): Dimension {
  return byParam.get(param) as Dimension;
}


/** The dimensions one may filter on, in the table's order (which is the order of the answer's `filters`). */
export const FILTERS: readonly Dimension[] = ALL.filter((d) => d.filter);

/** The rows of the admin page's filter form. */
export const FORM_FILTERS: readonly Dimension[] = ALL.filter((d) => d.form);

/** year, month and channel: columns of every aggregate, so any cube slice can group by (or filter on) them. */
export const inEverySlice = (dim: GroupDim): boolean => dimension(dim).cube === 'time' || dimension(dim).cube === 'axis';

/** Time dimensions: their rows are ordered by key (not by amount), and last year's rows are keyed a year on. */
export const isTime = (dim: GroupDim): boolean => dimension(dim).cube === 'time';

/** The cube's slices: every dimension with one, besides 'all'. */
export const CUBE_SLICES: readonly Dimension[] = ALL.filter((d) => d.cube === 'slice');

/** The rollup's dimension columns (besides the time columns), in the order of its unique key. */
export const ROLLUP_COLUMNS: readonly Dimension[] = ALL.filter((d) => d.cube !== 'time');

const FIXED_EXPORT_COLUMNS: readonly FixedExportColumn[] = ['date', 'type', 'reference', 'purchaser', 'vendor', 'product', 'cert_no'];

/** One column of the spreadsheets: a fixed one, or a dimension's (named by its `dim`); the amount is last. */
export interface ExportColumn {
  name: string;
  dimension?: Dimension;
}

/** The spreadsheet's columns: the fixed ones with each exported dimension after its neighbour, the rest and the amount last. */
export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  ...FIXED_EXPORT_COLUMNS.flatMap((fixed) => [{ name: fixed }, ...ALL.filter((d) => d.export?.after === fixed).map((d) => ({ name: d.dim, dimension: d }))]),
  ...ALL.filter((d) => d.export && !d.export.after).map((d) => ({ name: d.dim, dimension: d })),
  { name: 'amount' },
];

/** The catalogue key of a stored value of a dimension labelled by key (the `missing` key has a label of its own). */
export function labelKey(d: Dimension, value: string): string {
  if (d.missing && value === d.missing.key) return d.missing.label;
  return typeof d.label === 'object' && 'prefix' in d.label ? d.label.prefix + value : value;
}
