/**
 * The rules of certification (认定, DESIGN §8) that need no database: the deadlines and amounts, the indicator test of
 * the standard track, whom a draw may choose and how, the panel's verdict, an application's number. RecognitionService
 * applies them, and so does the demo loader's batch (seeds/lib/bulk-recognition.ts).
 */
import { LEVELS, type Level } from '../domain';
import { invalidField } from '../errors';
import type { ExpertRow, ListEntryRow } from './repo';
import type { IndicatorValue } from './schema';
import { expertView, listEntryView } from './views';

/** DESIGN §8: the 拟认定名单 is publicly noticed at least 5 working days. */
export const ROUND_NOTICE_WORKING_DAYS = 5;

/** A certificate from a round is valid 3 years from the decision (推广应用指导目录). */
export const VALIDITY_YEARS = 3;

/** Finance pays an award within 30 days of the round's finalization. */
export const AWARD_DAYS = 30;

/** Mean score at or above which the panel recommends (issue 15). */
export const PASS_MEAN = 70;

/** The award amounts by level (yuan) until the department sets its own: 2×460万 + 30×100万 + 184×20万 = 7,600万 (2020). */
export const DEFAULT_AWARDS_FEN: Record<Level, number> = { international: 4_600_000_00, domestic: 1_000_000_00, provincial: 200_000_00 };

/** Who publishes the 拟认定名单 (the provincial department of economy and information technology). */
export const DEPARTMENT = '浙江省经济和信息化厅';

/** A comparator as people read it: ≥, ≤, = (the list stores >=, <=, =). */
export const comparatorSign = (c: string): string => (c === '>=' ? '≥' : c === '<=' ? '≤' : c);

/** An indicator's requirement as people read it: `≤ 0.005mm`. */
export const requirementText = (i: { comparator: string; threshold: string | number; unit: string }): string => `${comparatorSign(i.comparator)} ${i.threshold}${i.unit}`;

export const normalized = (v: string): string => v.replace(/[\s（）()]/g, '').toLowerCase();

/** Does `value` meet `threshold` by `comparator`? Compared as decimals (no float surprises for 0.1 + 0.2). */
export function meets(value: number, comparator: string, threshold: number): boolean {
  const v = Math.round(value * 1e6);
  const t = Math.round(threshold * 1e6);
  if (comparator === '>=') return v >= t;
  if (comparator === '<=') return v <= t;
  return v === t;
}

/** The experts' majority level; a tie goes to the lower level (the cautious reading). */
export function majorityLevel(levels: string[]): Level {
  let best: Level = 'provincial';
  let bestN = -1;
  for (const level of [...LEVELS].reverse()) {
    const n = levels.filter((l) => l === level).length;
    if (n > bestN) {
      best = level;
      bestN = n;
    }
  }
  return best;
}

/** `count` of `items` at random (a partial Fisher–Yates shuffle with the given source of integers). */
export function drawFrom<T>(items: readonly T[], count: number, int: (n: number) => number): T[] {
  const pool = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + int(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** An application's human number: ZJRD-<year filed>-<id, six digits>. */
export const applicationNumber = (year: string, id: number): string => `ZJRD-${year}-${String(id).padStart(6, '0')}`;

/**
 * The standard track's test (submit): every indicator of the list entry present among the application's values and
 * meeting its threshold; else the 422 naming the first that does not.
 */
export function checkIndicators(entry: ListEntryRow, values: IndicatorValue[]): void {
  for (const ind of listEntryView(entry).indicators) {
    const i = values.findIndex((v) => normalized(v.name) === normalized(ind.name));
    const params = { name: ind.name, comparator: ind.comparator, threshold: String(ind.threshold), unit: ind.unit };
    if (i < 0) throw invalidField('indicators', 'recognition.indicator_missing', params);
    if (!meets(values[i]!.value, ind.comparator, ind.threshold)) throw invalidField(`indicators.${i}.value`, 'recognition.indicator_below', { ...params, value: String(values[i]!.value) });
  }
}

/** Whom a draw may choose for an application: active experts of its field, never of the applicant's unit, not on it yet. */
export function drawPool<E extends ExpertRow>(active: readonly E[], a: { field: string; vendor_name: string }, taken: ReadonlySet<number>): E[] {
  return active.filter((e) => expertView(e).fields.includes(a.field) && normalized(e.unit) !== normalized(a.vendor_name) && !taken.has(e.id));
}

/** The panel's verdict from its scores: recommended at the experts' majority level when the mean is ≥ PASS_MEAN. */
export function panelVerdict(scored: ReadonlyArray<{ score: number | null; recommend_level: string | null }>): { meanX100: number; pass: boolean; level: Level } {
  const sum = scored.reduce((s, r) => s + (r.score ?? 0), 0);
  return {
    meanX100: Math.round((sum * 100) / scored.length),
    pass: sum * 100 >= PASS_MEAN * 100 * scored.length,
    level: majorityLevel(scored.map((r) => r.recommend_level ?? '')),
  };
}
