/** Calendar arithmetic on 'YYYY-MM-DD' days and 'YYYY-MM' months (plain dates: no time zone involved). */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export const monthOf = (day: string): string => day.slice(0, 7);

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export const firstDay = (month: string): string => `${month}-01`;
export const lastDay = (month: string): string => `${month}-${pad(daysInMonth(month))}`;
export const isFirstDay = (day: string): boolean => day.endsWith('-01');
export const isLastDay = (day: string): boolean => day === lastDay(monthOf(day));

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${pad(Math.floor(i / 12), 4)}-${pad((i % 12) + 1)}`;
}

/** The same day `n` years later (earlier for negative n); 29 February becomes the 28th in a common year. */
export function shiftYears(day: string, n: number): string {
  const y = Number(day.slice(0, 4)) + n;
  const month = `${pad(y, 4)}-${day.slice(5, 7)}`;
  const d = Math.min(Number(day.slice(8, 10)), daysInMonth(month));
  return `${month}-${pad(d)}`;
}

/** A stored group key moved `n` years on: '2019' → '2020', '2019-03' → '2020-03'. */
export function shiftKey(key: string, n: number): string {
  if (/^\d{4}$/.test(key)) return String(Number(key) + n);
  if (/^\d{4}-\d{2}$/.test(key)) return addMonths(key, 12 * n);
  return key;
}

export interface MonthSpan {
  from?: string;
  to?: string;
}

export interface DaySpan {
  from: string;
  to: string;
}

/**
 * How to read an inclusive day range: the whole months inside it from the monthly aggregates, and the partial
 * months at either end (at most two, so at most two months of facts) day by day. An open end is unbounded.
 */
export interface ReadPlan {
  months: MonthSpan | null;
  days: DaySpan[];
}

export function readPlan(from?: string, to?: string): ReadPlan {
  if (from && to && monthOf(from) === monthOf(to)) {
    return isFirstDay(from) && isLastDay(to) ? { months: { from: monthOf(from), to: monthOf(to) }, days: [] } : { months: null, days: [{ from, to }] };
  }
  const days: DaySpan[] = [];
  let mFrom = from ? monthOf(from) : undefined;
  let mTo = to ? monthOf(to) : undefined;
  if (from && !isFirstDay(from)) {
    days.push({ from, to: lastDay(monthOf(from)) });
    mFrom = addMonths(monthOf(from), 1);
  }
  if (to && !isLastDay(to)) {
    days.push({ from: firstDay(monthOf(to)), to });
    mTo = addMonths(monthOf(to), -1);
  }
  const months = mFrom && mTo && mFrom > mTo ? null : { ...(mFrom ? { from: mFrom } : {}), ...(mTo ? { to: mTo } : {}) };
  return { months, days };
}

export interface YearSpan {
  from?: number;
  to?: number;
}

/**
 * A span of whole months as the whole calendar years inside it plus the months left over at either end, so the
 * yearly aggregates answer most of a long range. `years` is null when no whole year fits.
 */
export function splitYears(span: MonthSpan): { years: YearSpan | null; months: MonthSpan[] } {
  const y = (m: string) => Number(m.slice(0, 4));
  const from = span.from === undefined ? undefined : span.from.endsWith('-01') ? y(span.from) : y(span.from) + 1;
  const to = span.to === undefined ? undefined : span.to.endsWith('-12') ? y(span.to) : y(span.to) - 1;
  if (from !== undefined && to !== undefined && from > to) return { years: null, months: [span] };
  const months: MonthSpan[] = [];
  if (span.from !== undefined && !span.from.endsWith('-01')) months.push({ from: span.from, to: `${span.from.slice(0, 4)}-12` });
  if (span.to !== undefined && !span.to.endsWith('-12')) months.push({ from: `${span.to.slice(0, 4)}-01`, to: span.to });
  return { years: { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, months };
}

/** Every month from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** Whether the range is whole calendar years (1 January to 31 December). */
export function wholeYears(from?: string, to?: string): { from: number; to: number } | null {
  if (!from || !to || !from.endsWith('-01-01') || !to.endsWith('-12-31')) return null;
  return { from: Number(from.slice(0, 4)), to: Number(to.slice(0, 4)) };
}
