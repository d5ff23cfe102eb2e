import { Money } from '../../money';
import type { Translator } from '../../i18n';
import { EXPORT_COLUMNS, type Dimension } from '../dimensions';
import type { DimensionValues, SheetRow } from '../repo';

/**
 * A spreadsheet evaluates a text cell that starts with one of these as a formula (CSV injection). The fullwidth
 * forms are included because some spreadsheet locales fold them to ASCII.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Neutralises a text cell for CSV: a leading formula character gets an apostrophe in front (OWASP). */
export function safeCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Yuan from whole fen, exactly (Money#toYuanNumber). */
export const yuanNumber = (fen: number): number => Money.ofFen(fen).toYuanNumber();
/** The number of yuan a JSON money string ("1180000.00", "-5.00") states (Money#toYuanNumber). */
export const yuanOfString = (amount: string): number => Money.fromString(amount).toYuanNumber();

/** "-1234.05" from -123405 fen: integer division and remainder of a safe integer are exact. */
export function yuanText(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The spreadsheet's columns, from the dimension table (dimensions.ts); the amount is last. */
export const DETAIL_COLUMNS: readonly string[] = EXPORT_COLUMNS.map((c) => c.name);

export const detailHeaders = (t: Translator): string[] => DETAIL_COLUMNS.map((c) => t(`stats.col_${c}`));

/**
 * A trade's cells in DETAIL_COLUMNS order, translated; the amount (last) as whole fen for the writer to format.
 * Translations are looked up once per distinct value of an export, not once per cell.
 */
export class SheetCells {
  private readonly memo = new Map<string, Map<string, string>>();

  constructor(private readonly t: Translator) {}

  /** The translation of `prefix + value`, from a per-vocabulary cache (no key string is built on a hit). */
  label(prefix: string, value: string): string {
    let m = this.memo.get(prefix);
    if (!m) this.memo.set(prefix, (m = new Map()));
    let v = m.get(value);
    if (v === undefined) m.set(value, (v = this.t(prefix + value)));
    return v;
  }

  cells(r: SheetRow): { text: string[]; amountFen: number } {
    return { text: this.texts(r), amountFen: r.amountFen };
  }

  /** The text cells alone (DETAIL_COLUMNS without the amount). */
  texts(r: SheetRow): string[] {
    const out = new Array<string>(TEXT_CELLS.length);
    for (let i = 0; i < TEXT_CELLS.length; i++) out[i] = TEXT_CELLS[i](r, this);
    return out;
  }
}

type Cell = (r: SheetRow, cells: SheetCells) => string;

/** The cells of the columns that are not dimensions. */
const FIXED_CELLS: Record<string, Cell> = {
  date: (r) => r.day,
  type: (r, c) => c.label('stats.type_', r.countDelta < 0 ? 'refund' : 'settlement'),
  // An order by its number (ZJJP-2026-000123); a trade whose order row is gone keeps the trade's own id.
  reference: (r) => (r.caseId ? `FP-${r.caseId}` : (r.orderNo ?? `T-${r.id}`)),
  purchaser: (r) => r.purchaserName,
  vendor: (r) => r.vendorName,
  product: (r) => r.productTitle,
  cert_no: (r) => r.certNo ?? '',
};

/** A dimension's cell: its value's label (the value itself where it has none by key), nothing where the trade has none. */
function dimensionCell(d: Dimension): Cell {
  const param = d.param as keyof DimensionValues;
  const prefix = typeof d.label === 'object' && 'prefix' in d.label ? d.label.prefix : null;
  return (r, c) => {
    const v = r[param];
    if (v === null || v === undefined) return '';
    return prefix === null ? v : c.label(prefix, v);
  };
}

/** Each text column's cell, in DETAIL_COLUMNS order. */
const TEXT_CELLS: readonly Cell[] = EXPORT_COLUMNS.filter((col) => col.name !== 'amount').map((col) => (col.dimension ? dimensionCell(col.dimension) : FIXED_CELLS[col.name]));
