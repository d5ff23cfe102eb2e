import Decimal from 'decimal.js';
import { LEVELS } from '../domain';
import type { Translator } from '../i18n';
import { Money } from '../money';
import type { PaidGroupRow, StatsGroup } from './repo';

/**
 * Insurance statistics (issue 16 item 5; API.md `GET /api/v1/admin/insurance-stats`): the paid claims of a year (the
 * year a policy starts) by the certificate's level or field, the claimant's city, or by year, each with its change on
 * the year before. Pure: the service hands in the repo's rows (whole 分), this computes the answer.
 */

/** `{projects, compensation}` in percent, one decimal, half up, as strings; null where last year had nothing. */
export interface StatsYoy {
  projects: string | null;
  compensation: string | null;
}

export interface StatsFigures {
  projects: number;
  insuredValue: string;
  compensation: string;
}

export interface StatsRow extends StatsFigures {
  key: string;
  /** This row's part of the year's compensation, percent with one decimal; null when the year paid nothing (and by year). */
  share: string | null;
  previous: StatsFigures;
  yoy: StatsYoy;
}

export interface InsuranceStats extends StatsFigures {
  year: number;
  yoy: StatsYoy;
  previous: StatsFigures & { year: number };
  national: StatsFigures;
  groupBy: StatsGroup;
  rows: StatsRow[];
}

/** The statistics' year-on-year rule (src/stats, the report): half up to one decimal, '0.0' for no change, null after nothing. */
export function percentChange(current: Decimal.Value, previous: Decimal.Value): string | null {
  const prev = new Decimal(previous);
  if (prev.isZero()) return null;
  const d = new Decimal(current).minus(prev).times(100).dividedBy(prev.abs()).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return d.isZero() ? '0.0' : d.toFixed(1);
}

/** A part of a whole in percent, one decimal, half up; null when the whole is nothing. */
export function sharePercent(part: number, whole: number): string | null {
  if (whole === 0) return null;
  return new Decimal(part).times(100).dividedBy(whole).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);
}

const yuan = (fen: number) => Money.ofFen(fen).toString();
const ZERO: PaidGroupRow = { key: '', projects: 0, insuredFen: 0, compensationFen: 0 };
const figures = (r: PaidGroupRow): StatsFigures => ({ projects: r.projects, insuredValue: yuan(r.insuredFen), compensation: yuan(r.compensationFen) });
const yoyOf = (cur: PaidGroupRow, prev: PaidGroupRow): StatsYoy => ({ projects: percentChange(cur.projects, prev.projects), compensation: percentChange(cur.compensationFen, prev.compensationFen) });

function sum(rows: readonly PaidGroupRow[]): PaidGroupRow {
  return rows.reduce((a, r) => ({ key: '', projects: a.projects + r.projects, insuredFen: a.insuredFen + r.insuredFen, compensationFen: a.compensationFen + r.compensationFen }), ZERO);
}

/**
 * The answer from the grouped rows of `year` and `year − 1` (for `groupBy: 'year'`, every year up to `year`) and the
 * national scheme's figures. Levels are always all three (a level without claims is a row of zeros); fields and
 * cities are those with paid claims this year or last, by compensation, largest first; years ascend.
 */
export function buildStats(input: { year: number; groupBy: StatsGroup; rows: ReadonlyArray<PaidGroupRow & { year: number }>; national: StatsFigures }): InsuranceStats {
  const { year, groupBy } = input;
  const of = (y: number) => input.rows.filter((r) => r.year === y);
  const current = sum(of(year));
  const previous = sum(of(year - 1));
  let rows: StatsRow[];
  if (groupBy === 'year') {
    const totals = new Map<number, PaidGroupRow>();
    for (const r of input.rows) if (r.year <= year) totals.set(r.year, sum([totals.get(r.year) ?? ZERO, r]));
    rows = [...totals.keys()]
      .sort((a, b) => a - b)
      .map((y) => {
        const cur = totals.get(y)!;
        const prev = totals.get(y - 1) ?? ZERO;
        return { key: String(y), ...figures(cur), share: null, previous: figures(prev), yoy: yoyOf(cur, prev) };
      });
  } else {
    const thisYear = new Map(of(year).map((r) => [r.key, r]));
    const lastYear = new Map(of(year - 1).map((r) => [r.key, r]));
    const keys = groupBy === 'level' ? [...LEVELS] : [...new Set([...thisYear.keys(), ...lastYear.keys()])];
    rows = keys.map((key) => {
      const cur = thisYear.get(key) ?? { ...ZERO, key };
      const prev = lastYear.get(key) ?? { ...ZERO, key };
      return { key, ...figures(cur), share: sharePercent(cur.compensationFen, current.compensationFen), previous: figures(prev), yoy: yoyOf(cur, prev) };
    });
    if (groupBy !== 'level') {
      const fen = (r: StatsRow) => thisYear.get(r.key)?.compensationFen ?? 0;
      const prevFen = (r: StatsRow) => lastYear.get(r.key)?.compensationFen ?? 0;
      rows.sort((a, b) => fen(b) - fen(a) || prevFen(b) - prevFen(a) || a.key.localeCompare(b.key, 'zh-CN'));
    }
  }
  return {
    year,
    ...figures(current),
    yoy: yoyOf(current, previous),
    previous: { year: year - 1, ...figures(previous) },
    national: input.national,
    groupBy,
    rows,
  };
}

/** How a row's key reads: a level, a field or a city by its catalogue name, a year as itself. */
export function groupLabel(t: Translator, groupBy: StatsGroup, key: string): string {
  if (groupBy === 'level') return t(`levels.${key}`);
  if (groupBy === 'field') return t(`fieldnames.${key}`);
  if (groupBy === 'city') return t(`cities.${key}`);
  return key;
}

/** The answer with each row's label in the caller's language (the JSON route and the page). */
export function labelledStats(t: Translator, s: InsuranceStats): InsuranceStats & { rows: Array<StatsRow & { label: string }> } {
  return { ...s, rows: s.rows.map((r) => ({ ...r, label: groupLabel(t, s.groupBy, r.key) })) };
}
