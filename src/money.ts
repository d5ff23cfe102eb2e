import Decimal from 'decimal.js';

/**
 * Chinese yuan with two decimals. Stored as integer 分 (fen); decimal.js only at the edges, never a float.
 * Input grammar (API.md): "1234", "1234.5", "1234.50" — no sign, no exponent, at most two decimals.
 */
const INPUT = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

export class MoneyError extends Error {}

export class Money {
  private constructor(readonly fen: number) {}

  static ofFen(fen: number | bigint | string): Money {
    const n = typeof fen === 'number' ? fen : Number(fen);
    if (!Number.isSafeInteger(n)) throw new MoneyError(`not a whole number of fen: ${String(fen)}`);
    return new Money(n);
  }

  /** Parses a user's yuan string; throws MoneyError on anything outside the grammar. */
  static parse(input: unknown): Money {
    if (typeof input !== 'string' || !INPUT.test(input)) throw new MoneyError('invalid money');
    return new Money(new Decimal(input).times(100).toNumber());
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
    return Money.ofFen(new Decimal(this.fen).times(quantity).toNumber());
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

/**
 * The Chinese large-unit form a person reads totals in: 1.18亿元, 1120万元, 5,000.00元.
 * `locale` 'en' gives "118 million yuan"-style text is deliberately not attempted: 万/亿 stay, with the unit translated.
 */
export function formatLarge(money: Money, units: { yi: string; wan: string; yuan: string } = { yi: '亿元', wan: '万元', yuan: '元' }): string {
  const yuan = money.toDecimal();
  const abs = yuan.abs();
  const trim = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2).replace(/\.?0+$/, '');
  const sign = yuan.isNegative() ? '-' : '';
  if (abs.gte(1e8)) return `${sign}${trim(abs.dividedBy(1e8))}${units.yi}`;
  if (abs.gte(1e4)) return `${sign}${trim(abs.dividedBy(1e4))}${units.wan}`;
  return `${sign}${formatYuan(Money.ofFen(Math.abs(money.fen))).slice(1)}${units.yuan}`;
}
