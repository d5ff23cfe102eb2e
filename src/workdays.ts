import { getDayDetail as cdDayDetail, getSolarDateFromLunar, getSolarTerms, isWorkday as cdIsWorkday } from 'chinese-days';
import { shanghaiDay, shanghaiMidnight } from './time';

/**
 * The Chinese working-day calendar (国务院办公厅 annual holiday arrangements, maintained in `chinese-days`):
 * Monday–Friday are working days unless a statutory holiday falls on them; a weekend day is a working day when it
 * is an adjusted make-up workday (调休补班). Days are calendar days in Asia/Shanghai, written 'YYYY-MM-DD'.
 *
 * A year the library has no published arrangement for yet (the State Council publishes each year's late in the year
 * before) gets a provisional one that can only lengthen a period counted in working days, never shorten it: the
 * statutory holidays with the spans customarily granted around them are rest days, and no weekend is a make-up
 * workday (see `provisionalRestDays`; `isArranged` tells which kind a year has).
 */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(day: Day): [number, number, number] {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * chinese-days reads dates through the process's local time zone; handing it a local-midnight Date of the calendar
 * day makes the answer independent of the server's TZ setting.
 */
function localDate(day: Day): Date {
  const [y, m, d] = parts(day);
  return new Date(y, m - 1, d);
}

const arranged = new Map<number, boolean>();
const provisional = new Map<number, Set<Day>>();

const weekdayOf = (day: Day): number => {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
};

/**
 * The rest days assumed for a year without a published arrangement (全国年节及纪念日放假办法, 2024 revision, with
 * the spans the annual arrangements customarily grant): 元旦 1 January; 春节 from two days before the lunar new
 * year to its 8th day; 清明 (the solar term's day); 劳动节 1–5 May; 端午 (5th day of the 5th lunar month); 中秋
 * (15th day of the 8th); 国庆 1–8 October. A one-day holiday on a Tuesday or Thursday is assumed bridged to the
 * weekend (Monday or Friday off), and one on a weekend is assumed given back on the Monday. Every assumption adds
 * rest days, so a notice period counted with it is at least as long as the one the real arrangement will give.
 */
export function provisionalRestDays(year: number): Set<Day> {
  const cached = provisional.get(year);
  if (cached) return cached;
  const days = new Set<Day>();
  const span = (from: Day, n: number) => {
    for (let i = 0; i < n; i++) days.add(addDays(from, i));
  };
  const oneDay = (day: Day) => {
    days.add(day);
    const w = weekdayOf(day);
    if (w === 2) days.add(addDays(day, -1));
    if (w === 4) days.add(addDays(day, 1));
    if (w === 6) days.add(addDays(day, 2));
    if (w === 0) days.add(addDays(day, 1));
  };
  const lunar = (monthDay: string): Day => getSolarDateFromLunar(`${year}-${monthDay}`).date;
  oneDay(`${year}-01-01`);
  span(addDays(lunar('01-01'), -2), 10);
  const qingming = getSolarTerms(`${year}-04-01`, `${year}-04-10`).find((t) => t.term === 'pure_brightness');
  oneDay(qingming ? qingming.date : `${year}-04-05`);
  span(`${year}-05-01`, 5);
  oneDay(lunar('05-05'));
  oneDay(lunar('08-15'));
  span(`${year}-10-01`, 8);
  provisional.set(year, days);
  return days;
}

export function isWorkday(day: Day): boolean {
  const year = parts(day)[0];
  if (isArranged(year)) return cdIsWorkday(localDate(day));
  const w = weekdayOf(day);
  return w !== 0 && w !== 6 && !provisionalRestDays(year).has(day);
}

/** A statutory holiday or a weekend that is not a make-up workday. */
export const isRestDay = (day: Day): boolean => !isWorkday(day);

/** A weekend day that is worked to make up for a holiday (调休补班), e.g. 2026-09-20 and 2026-10-10. */
export function isMakeUpWorkday(day: Day): boolean {
  const weekday = weekdayOf(day);
  return (weekday === 0 || weekday === 6) && isWorkday(day);
}

/** The holiday's name ('National Day,国庆节,3') or the weekday's, as the library gives it. */
export function dayName(day: Day): string {
  return cdDayDetail(localDate(day)).name;
}

/** Plain calendar arithmetic on 'YYYY-MM-DD'. */
export function addDays(day: Day, n: number): Day {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * The n-th working day after `day` (not counting `day` itself), n ≥ 1; with n = 0, `day` when it is a working day,
 * else the next one. Negative n counts backwards.
 */
export function addWorkdays(day: Day, n: number): Day {
  if (!Number.isInteger(n)) throw new Error(`not a whole number of working days: ${n}`);
  if (n === 0) return isWorkday(day) ? day : addWorkdays(day, 1);
  const step = n > 0 ? 1 : -1;
  let left = Math.abs(n);
  let current = day;
  // A whole year without a working day cannot happen; the bound only guards against a corrupt calendar.
  for (let guard = 0; left > 0; guard++) {
    if (guard > 3660) throw new Error('working-day calendar exhausted');
    current = addDays(current, step);
    if (isWorkday(current)) left--;
  }
  return current;
}

/** The first working day strictly after `day`. */
export const nextWorkday = (day: Day): Day => addWorkdays(day, 1);

/** Working days in (from, to]: after `from`, up to and including `to`. */
export function workdaysBetween(from: Day, to: Day): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkday(d)) n++;
  return n;
}

/** 23:59:59.999 Asia/Shanghai of the day: the last instant that still belongs to it. */
export function endOfDay(day: Day): Date {
  return new Date(shanghaiMidnight(addDays(day, 1)).getTime() - 1);
}

export interface NoticePeriod {
  /** Publication day (Asia/Shanghai). */
  publishedDay: Day;
  /** The first full working day of the period: the next working day after publication. */
  firstDay: Day;
  /** The last full working day of the period. */
  lastDay: Day;
  /** 23:59:59.999+08:00 of the last day; the period is open while now ≤ endsAt. */
  endsAt: Date;
  workingDays: number;
}

/**
 * A notice period of `workingDays` full working days (MoF Order No. 74 art. 38: at least 5): the day of publication
 * is never counted, because it is not a full day; the period runs from the next working day and ends at the end
 * (23:59:59+08:00) of its `workingDays`-th working day. Rest days inside it (weekends, holidays) do not count;
 * make-up workdays do.
 *
 * Example: published Tuesday 2026-09-29 → 9-30 (1), National Day 10-01…10-07 rest, 10-08 (2), 10-09 (3),
 * Saturday 10-10 make-up workday (4), Sunday 10-11 rest, Monday 10-12 (5): ends 2026-10-12T23:59:59+08:00.
 */
export function noticePeriod(publishedAt: Date, workingDays = 5): NoticePeriod {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new Error(`bad notice period: ${workingDays}`);
  const publishedDay = shanghaiDay(publishedAt);
  const firstDay = nextWorkday(publishedDay);
  const lastDay = addWorkdays(publishedDay, workingDays);
  return { publishedDay, firstDay, lastDay, endsAt: endOfDay(lastDay), workingDays };
}

/** A deadline of n working days after an event (e.g. a notice due within 2 working days): the end of that day. */
export function workdayDeadline(at: Date, n: number): Date {
  return endOfDay(addWorkdays(shanghaiDay(at), n));
}

/** Does the library carry the State Council's arrangement for this year (otherwise a provisional one is used)? */
export function isArranged(year: number): boolean {
  let known = arranged.get(year);
  if (known === undefined) {
    // Every arranged year has at least one named holiday on 1 January (元旦).
    known = /,/.test(dayName(`${year}-01-01`));
    arranged.set(year, known);
  }
  return known;
}

/** ISO 8601 with +08:00 at whole seconds, as published in a notice ('2026-10-12T23:59:59+08:00'). */
export function shanghaiIsoSeconds(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19) + '+08:00';
}
