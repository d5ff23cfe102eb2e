import Decimal from 'decimal.js';
import { AppError } from './errors';

/**
 * Chinese yuan with two decimals. Stored as integer 分 (fen); decimal.js only at the edges, never a float.
 * Input grammar (API.md): "1234", "1234.5", "1234.50" — no sign, no exponent, at most two decimals. (A page form's
 * "1,880,000" loses its separators in the web kit's body guard before it gets here; JSON keeps this grammar.)
 */
const INPUT = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/**
 * The one money range. Every amount anyone can enter, every balance and every total the platform writes lies within
 * ±MONEY_MAX_FEN (9,999,999,999,999.99 yuan, 15 digits of fen): the input grammar above allows exactly up to it, the
 * ledger refuses a transfer that would take a balance past it, and order totals are checked before they are written.
 * Since 2 × MONEY_MAX_FEN < 2^53, adding two values in range never loses a fen in a JavaScript number.
 */
export const MONEY_MAX_FEN = 999_999_999_999_999;
export const MONEY_MAX = '9999999999999.99';

/** A user's amount outside the grammar or a computed one outside the range: a 422 (the caller may name the field). */
export class MoneyError extends AppError {
  constructor(detail: string, field?: string) {
    super('validation_failed', field ? 'validation.money_range' : 'validation.money_out_of_range', { max: MONEY_MAX, ...(field ? { field } : {}) }, field);
    this.message = `${this.message} (${detail})`;
  }
}

export const inMoneyRange = (fen: number | Decimal): boolean =>
  typeof fen === 'number' ? Number.isSafeInteger(fen) && Math.abs(fen) <= MONEY_MAX_FEN : fen.isInteger() && fen.abs().lte(MONEY_MAX_FEN);

export class Money {
  private constructor(readonly fen: number) {}

  static ofFen(fen: number | bigint | string): Money {
    const n = typeof fen === 'number' ? fen : Number(fen);
    if (!inMoneyRange(n)) throw new MoneyError(`not a whole number of fen within the range: ${String(fen)}`);
    return new Money(n);
  }

  /** Parses a user's yuan string; throws MoneyError on anything outside the grammar. */
  static parse(input: unknown): Money {
    if (typeof input !== 'string' || !INPUT.test(input)) throw new MoneyError('invalid money');
    return new Money(new Decimal(input).times(100).toNumber());
  }

  /** The JSON string form back ("-1180000.00" too), as the API and the stored records write it. */
  static fromString(input: string): Money {
    if (!/^-?\d{1,16}(\.\d{1,2})?$/.test(input)) throw new MoneyError(`not an amount: ${input.slice(0, 40)}`);
    const fen = new Decimal(input).times(100);
    if (!inMoneyRange(fen)) throw new MoneyError(`out of range: ${input}`);
    return new Money(fen.toNumber());
  }

  static isValidInput(input: unknown): input is string {
    return typeof input === 'string' && INPUT.test(input);
  }

  static zero(): Money {
    return new Money(0);
  }

  plus(other: Money): Money {
    return Money.ofFen(this.fen + other.fen);
  }

  minus(other: Money): Money {
    return Money.ofFen(this.fen - other.fen);
  }

  times(quantity: number): Money {
    if (!Number.isInteger(quantity)) throw new MoneyError('quantity must be whole');
    const fen = new Decimal(this.fen).times(quantity);
    if (!inMoneyRange(fen)) throw new MoneyError(`${this.fen} × ${quantity} is out of range`);
    return new Money(fen.toNumber());
  }

  compare(other: Money): -1 | 0 | 1 {
    return this.fen < other.fen ? -1 : this.fen > other.fen ? 1 : 0;
  }

  isNegative(): boolean {
    return this.fen < 0;
  }

  toDecimal(): Decimal {
    return new Decimal(this.fen).dividedBy(100);
  }

  /**
   * The yuan as a JSON/spreadsheet number (OCDS `amount`, an XLSX money cell), where the format asks for a number:
   * made from the integer fen through decimal.js, never by float arithmetic; 2 × MONEY_MAX < 2^53, so it is exact to
   * the fen as a double can hold it.
   */
  toYuanNumber(): number {
    return this.toDecimal().toNumber();
  }

  /** "1180000.00" — the JSON form. */
  toString(): string {
    return this.toDecimal().toFixed(2);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** "¥1,180,000.00" */
export function formatYuan(money: Money): string {
  const sign = money.isNegative() ? '-' : '';
  const [whole, frac] = money.toDecimal().abs().toFixed(2).split('.');
  return `${sign}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

export interface LargeUnits {
  /** The larger and the smaller scale's unit ('亿元' and '万元'; ' billion yuan' and ' million yuan'), and below both. */
  yi: string;
  wan: string;
  yuan: string;
  /** The two scales: 1e8 and 1e4 in Chinese (亿, 万), 1e9 and 1e6 in English (billion, million). */
  scales?: [number, number];
}

/**
 * The large-unit form a person reads totals in — ONE rule, the 2020 report's own style, for every amount:
 *
 *   the unit by magnitude: 亿元 from 1亿, 万元 from 1万, else 元 (English: billion / million yuan, else yuan);
 *   the number in that unit rounded half-up to two decimals, trailing zeros dropped (and the point with them);
 *   no thousands separators in 亿/万 (the report writes 1120万元, 5565.5万元), grouped in thousands in plain 元.
 *
 * So 1.18亿元, 1120万元, 1466.96万元, 9,800元, 0元 — and 118 million yuan, 11.2 million yuan, 350,000 yuan, 0 yuan.
 * The exact figure is always shown beside it with formatYuan (¥11,200,000.00).
 */
export function formatLarge(money: Money, units: LargeUnits = { yi: '亿元', wan: '万元', yuan: '元' }): string {
  const [big, mid] = units.scales ?? [1e8, 1e4];
  const yuan = money.toDecimal();
  const abs = yuan.abs();
  const trim = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2).replace(/\.?0+$/, '');
  const sign = yuan.isNegative() ? '-' : '';
  if (abs.gte(big)) return `${sign}${trim(abs.dividedBy(big))}${units.yi}`;
  if (abs.gte(mid)) return `${sign}${trim(abs.dividedBy(mid))}${units.wan}`;
  const [whole, frac] = trim(abs).split('.');
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ? `.${frac}` : ''}${units.yuan}`;
}
