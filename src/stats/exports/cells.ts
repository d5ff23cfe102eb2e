import Decimal from 'decimal.js';
import type { Translator } from '../../i18n';
import type { DetailRow } from '../repo';

/**
 * A spreadsheet evaluates a text cell that starts with one of these as a formula (CSV injection). The fullwidth
 * forms are included because some spreadsheet locales fold them to ASCII.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Neutralises a text cell for CSV: a leading formula character gets an apostrophe in front (OWASP). */
export function safeCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Yuan from whole fen, exactly: the decimal is built from the integer, never by float arithmetic. */
export const yuanNumber = (fen: number): number => new Decimal(fen).dividedBy(100).toNumber();
/** The number of yuan a JSON money string ("1180000.00", "-5.00") states, via decimal.js. */
export const yuanOfString = (amount: string): number => new Decimal(amount).toNumber();
export const yuanText = (fen: number): string => new Decimal(fen).dividedBy(100).toFixed(2);

export const DETAIL_COLUMNS = [
  'date',
  'channel',
  'type',
  'reference',
  'purchaser',
  'purchaser_city',
  'vendor',
  'vendor_city',
  'product',
  'cert_no',
  'level',
  'field',
  'kind',
  'amount',
] as const;

export const detailHeaders = (t: Translator): string[] => DETAIL_COLUMNS.map((c) => t(`stats.col_${c}`));

/** A trade's cells in DETAIL_COLUMNS order, translated; the amount (last) as whole fen for the writer to format. */
export function detailCells(r: DetailRow, t: Translator): { text: string[]; amountFen: number } {
  const reference = r.caseId ? `FP-${r.caseId}` : r.orderId ? `ORD-${r.orderId}` : `T-${r.id}`;
  return {
    text: [
      r.day,
      t(`stats.channel_${r.channel}`),
      t(r.countDelta < 0 ? 'stats.type_refund' : 'stats.type_settlement'),
      reference,
      r.purchaserName,
      t(`cities.${r.purchaserCity}`),
      r.vendorName,
      t(`cities.${r.vendorCity}`),
      r.productTitle,
      r.certNo ?? '',
      r.level ? t(`levels.${r.level}`) : '',
      t(`fieldnames.${r.field}`),
      t(`kinds.${r.kind}`),
    ],
    amountFen: r.amountFen,
  };
}
