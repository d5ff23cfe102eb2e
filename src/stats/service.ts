import Decimal from 'decimal.js';
import type { Db, Executor } from '../db';
import type { Translator } from '../i18n';
import { Money } from '../money';
import { dimension, isTime, labelKey } from './dimensions';
import { monthOf, monthsBetween, readPlan, shiftKey, shiftYears, splitYears, wholeYears } from './period';
import { KINDS, type Kind } from '../domain';
import { aggregateCube, aggregateCubeYears, aggregateRollup, aggregateTrades, certificationCounts, cubeSlice, hasDemoData, namesOf, type Agg } from './repo';
import type { Channel, GroupByParam, GroupDim, StatsFilters, StatsQuery, SummaryQuery } from './schema';

/** Year-on-year change in percent with one decimal ("12.5", "-3.0"); null where last year had nothing. */
export interface Yoy {
  count: string | null;
  amount: string | null;
}

export interface StatsRow {
  key: string;
  label: string;
  count: number;
  amount: string;
  yoy: Yoy | null;
}

export interface TopRow {
  id: number;
  name: string;
  count: number;
  amount: string;
}

/** Certificates issued by level: how many, of which international, domestic and provincial. */
export interface LevelCounts {
  issued: number;
  international: number;
  domestic: number;
  provincial: number;
}

/**
 * The registry's figures for whole calendar years. The headline counts one kind: the `kind` filter's, else 首台（套）
 * 装备 (`equipment`) — the report's "216 new certificates, 2 international and 30 domestic" are equipment ones; the
 * kinds are also counted apart (`byKind`, those the filter admits). An uncertified boutique item has no certificate,
 * so `kind=boutique` counts none.
 */
export interface CertificationFigures extends LevelCounts {
  fromYear: number;
  toYear: number;
  kind: Kind | 'boutique';
  byKind: Array<{ kind: Kind } & LevelCounts>;
}

export interface StatsResult {
  rows: StatsRow[];
  total: { count: number; amount: string; yoy?: Yoy | null };
  groupBy: GroupByParam;
  cityOf: 'purchaser' | 'vendor';
  filters: StatsFilters;
  top: { vendors: TopRow[]; purchasers: TopRow[] };
  certifications: CertificationFigures | null;
  /** Which stores answered: 'cube' / 'rollup' for whole months, 'trades' for partial months ('cube+trades'…). */
  source: string;
}

export function percentChange(current: number, previous: number): string | null {
  if (previous === 0) return null;
  const d = new Decimal(current).minus(previous).times(100).dividedBy(Math.abs(previous)).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return d.isZero() ? '0.0' : d.toFixed(1);
}

export function yoyOf(current: Agg, previous: Agg | undefined): Yoy | null {
  if (!previous) return null;
  const count = percentChange(current.count, previous.count);
  const amount = percentChange(current.amountFen, previous.amountFen);
  return count === null && amount === null ? null : { count, amount };
}

const money = (fen: number) => Money.ofFen(fen).toString();

function sortRows(group: GroupDim, aggs: Agg[]): Agg[] {
  return isTime(group) ? [...aggs].sort(byKey) : byAmount(aggs);
}

const byKey = (a: Agg, b: Agg) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const byAmount = (aggs: Agg[]) => [...aggs].sort((a, b) => b.amountFen - a.amountFen || b.count - a.count || byKey(a, b));

interface Part {
  source: 'cube' | 'rollup' | 'trades';
  run: (limit?: number) => Promise<Agg[]>;
}

export const sumAggs = (aggs: Agg[]): Agg => ({
  key: '',
  count: aggs.reduce((s, a) => s + a.count, 0),
  amountFen: aggs.reduce((s, a) => s + a.amountFen, 0),
});

/**
 * Statistics of the trades: counts and amounts grouped by one dimension, with year-on-year change, derived only
 * from the ledger's trade facts. Whole months come from the monthly aggregates (the cube when at most one dimension
 * is involved, else the rollup); the partial months at the ends of a range from the trade facts themselves, so the
 * cost depends on the range asked for, not on the length of history.
 */
export class StatsService {
  constructor(private readonly db: Db | Executor) {}

  /** The queries that together answer one grouping: each part covers a disjoint piece of the range. */
  private parts(filters: StatsFilters, group: GroupDim): Part[] {
    const plan = readPlan(filters.from, filters.to);
    const parts: Part[] = [];
    if (plan.months) {
      const slice = cubeSlice(filters, group);
      if (slice) {
        const split = group === 'month' ? { years: null, months: [plan.months] } : splitYears(plan.months);
        const years = split.years;
        if (years) parts.push({ source: 'cube', run: (limit) => aggregateCubeYears(this.db, slice, group as Exclude<GroupDim, 'month'>, filters.channel, years, limit) });
        for (const m of split.months) parts.push({ source: 'cube', run: (limit) => aggregateCube(this.db, slice, group, filters.channel, m, limit) });
      } else {
        const months = plan.months;
        parts.push({ source: 'rollup', run: () => aggregateRollup(this.db, filters, group, months) });
      }
    }
    for (const span of plan.days) parts.push({ source: 'trades', run: () => aggregateTrades(this.db, filters, group, span) });
    return parts;
  }

  async grouped(filters: StatsFilters, group: GroupDim): Promise<{ aggs: Agg[]; source: string }> {
    const parts = this.parts(filters, group);
    const merged = new Map<string, Agg>();
    // The aggregates keep a missing value (a boutique item's level) as ''; the answer names it.
    const missing = dimension(group).missing?.key;
    for (const part of await Promise.all(parts.map((p) => p.run()))) {
      for (const a of part) {
        const key = missing !== undefined && a.key === '' ? missing : a.key;
        const m = merged.get(key);
        if (m) {
          m.count += a.count;
          m.amountFen += a.amountFen;
        } else merged.set(key, { key, count: a.count, amountFen: a.amountFen });
      }
    }
    // A group whose trades were all refunded nets to nothing and is left out.
    const aggs = [...merged.values()].filter((a) => a.count !== 0 || a.amountFen !== 0);
    return { aggs: sortRows(group, aggs), source: [...new Set(parts.map((p) => p.source))].join('+') || 'none' };
  }

  /** The ten biggest vendors or purchasers by amount: in SQL when one aggregate answers, else from the full grouping. */
  private async topAggs(filters: StatsFilters, dim: 'vendor' | 'purchaser'): Promise<Agg[]> {
    const parts = this.parts(filters, dim);
    const aggs = parts.length === 1 && parts[0].source === 'cube' ? await parts[0].run(10) : (await this.grouped(filters, dim)).aggs;
    return byAmount(aggs).slice(0, 10);
  }

  /**
   * The same grouping one year earlier, keyed as this year's rows are (so '2019-03' answers '2020-03'). With `today`,
   * a period that is not over yet is compared with the same period of the year before: a range reaching past today
   * is cut at today before it is shifted back, and the current year's (and month's) row of a time grouping is
   * compared with last year's up to the same day — 1 January to 27 November against 1 January to 27 November.
   */
  private async lastYear(filters: StatsFilters, group: GroupDim, today?: string): Promise<Map<string, Agg> | null> {
    if (!isTime(group) && !filters.from && !filters.to) return null;
    const prevFilters = { ...filters };
    // A range with no end runs to today (the rows of a time grouping are matched period by period below instead).
    const openEnded = !filters.to && !isTime(group);
    const to = today && (openEnded || (filters.to && filters.to > today)) ? today : filters.to;
    if (filters.from) prevFilters.from = shiftYears(filters.from, -1);
    if (to) prevFilters.to = shiftYears(to, -1);
    const { aggs } = await this.grouped(prevFilters, group);
    const prev = new Map(aggs.map((a) => [shiftKey(a.key, 1), a]));
    if (today && isTime(group) && !to && (!filters.from || filters.from <= today)) {
      // Open-ended: the current period's row against the same days a year earlier.
      const key = group === 'year' ? today.slice(0, 4) : today.slice(0, 7);
      const start = group === 'year' ? `${key}-01-01` : `${key}-01`;
      const from = filters.from && filters.from > start ? filters.from : start;
      const same = await this.grouped({ ...filters, from: shiftYears(from, -1), to: shiftYears(today, -1) }, group);
      const agg = same.aggs.find((a) => shiftKey(a.key, 1) === key);
      if (agg) prev.set(key, agg);
      else prev.delete(key);
    }
    return prev;
  }

  /** The grouped table; `today` (Asia/Shanghai) makes the year-on-year change of an unfinished period like for like. */
  async stats(query: StatsQuery, t: Translator, opts: { today?: string } = {}): Promise<StatsResult> {
    const { filters, groupBy } = query;
    const [current, prev, vendors, purchasers, certifications] = await Promise.all([
      this.grouped(filters, groupBy),
      this.lastYear(filters, groupBy, opts.today),
      groupBy === 'vendor' ? null : this.topAggs(filters, 'vendor'),
      groupBy === 'purchaser' ? null : this.topAggs(filters, 'purchaser'),
      this.certifications(filters),
    ]);
    const labels = await this.labeller(groupBy, current.aggs, t);
    const rows = current.aggs.map((a) => ({
      key: a.key,
      label: labels(a.key),
      count: a.count,
      amount: money(a.amountFen),
      yoy: prev ? yoyOf(a, prev.get(a.key)) : null,
    }));
    const total = sumAggs(current.aggs);
    const prevTotal = prev && (filters.from || filters.to) ? sumAggs([...prev.values()]) : null;
    return {
      rows,
      total: { count: total.count, amount: money(total.amountFen), yoy: prevTotal && (prevTotal.count || prevTotal.amountFen) ? yoyOf(total, prevTotal) : null },
      groupBy: query.groupByParam,
      cityOf: query.cityOf,
      filters,
      top: {
        vendors: await this.top('vendors', vendors ?? current.aggs),
        purchasers: await this.top('purchasers', purchasers ?? current.aggs),
      },
      certifications,
      source: current.source,
    };
  }

  private async top(table: 'vendors' | 'purchasers', aggs: Agg[]): Promise<TopRow[]> {
    const best = byAmount(aggs).slice(0, 10);
    const names = await namesOf(this.db, table, best.map((a) => Number(a.key)));
    return best.map((a) => ({ id: Number(a.key), name: names.get(Number(a.key)) ?? `#${a.key}`, count: a.count, amount: money(a.amountFen) }));
  }

  /** The registry's figures for a range of whole calendar years (the report states them per year), honouring `kind`. */
  async certifications(filters: StatsFilters): Promise<CertificationFigures | null> {
    const years = wholeYears(filters.from, filters.to);
    if (!years) return null;
    const kind = filters.kind ?? 'equipment';
    const kinds = filters.kind ? KINDS.filter((k) => k === filters.kind) : [...KINDS];
    const counts = kinds.length ? await certificationCounts(this.db, years.from, years.to, filters.kind) : [];
    const levels = (k: string): LevelCounts => {
      const n = (level: string) => counts.filter((c) => c.kind === k && c.level === level).reduce((s, c) => s + c.n, 0);
      const [international, domestic, provincial] = [n('international'), n('domestic'), n('provincial')];
      return { issued: counts.filter((c) => c.kind === k).reduce((s, c) => s + c.n, 0), international, domestic, provincial };
    };
    return { fromYear: years.from, toYear: years.to, kind, ...levels(kind), byKind: kinds.map((k) => ({ kind: k, ...levels(k) })) };
  }

  /** A human label for each key of a grouping (dimensions.ts): translated vocabularies, unit names for ids. */
  async labeller(group: GroupDim, aggs: Agg[], t: Translator): Promise<(key: string) => string> {
    const d = dimension(group);
    if (d.label === 'raw') return (k) => k;
    if ('names' in d.label) {
      const names = await namesOf(this.db, d.label.names, aggs.map((a) => Number(a.key)));
      return (k) => names.get(Number(k)) ?? `#${k}`;
    }
    return (k) => t(labelKey(d, k));
  }

  /**
   * Everything the statistics page shows for one query: the grouped table, and the series its charts draw —
   * by month (by year when the range spans more than three years), by field, by level and by city.
   */
  async dashboard(query: StatsQuery, t: Translator, opts: { today?: string } = {}): Promise<Dashboard> {
    const { filters } = query;
    const cityDim: GroupDim = query.cityOf === 'vendor' ? 'vendor_city' : 'purchaser_city';
    const [result, months, fields, levels, cities, demo] = await Promise.all([
      this.stats(query, t, opts),
      this.grouped(filters, 'month'),
      this.grouped(filters, 'field'),
      this.grouped(filters, 'level'),
      this.grouped(filters, cityDim),
      hasDemoData(this.db),
    ]);
    const first = filters.from ? monthOf(filters.from) : months.aggs[0]?.key;
    const last = filters.to ? monthOf(filters.to) : months.aggs[months.aggs.length - 1]?.key;
    let series: { unit: 'month' | 'year'; aggs: Agg[] } = { unit: 'month', aggs: [] };
    if (first && last && first <= last) {
      const span = monthsBetween(first, last);
      if (span.length <= 36) {
        const byMonth = new Map(months.aggs.map((a) => [a.key, a]));
        series = { unit: 'month', aggs: span.map((m) => byMonth.get(m) ?? { key: m, count: 0, amountFen: 0 }) };
      } else {
        const { aggs } = await this.grouped(filters, 'year');
        series = { unit: 'year', aggs };
      }
    }
    return { result, series, fields: fields.aggs, levels: levels.aggs, cities: cities.aggs, cityDim, demo };
  }

  /**
   * The public summary, the two channels apart as the report states them (精品馆 trades; 政府首购): by year with
   * year-on-year change, and by field for all years or one. Nothing per purchasing unit or vendor, and no figure that
   * adds the channels together. With `today`, the current year is marked unfinished (`through`) and compared with the
   * same period of the year before.
   */
  async summary(query: SummaryQuery, t: Translator, opts: { today?: string } = {}): Promise<PublicSummary> {
    const yearFilters: StatsFilters = query.year ? { from: `${query.year}-01-01`, to: `${query.year}-12-31` } : {};
    const channelSummary = async (channel: Channel): Promise<ChannelSummary> => {
      const [years, prev, fields] = await Promise.all([
        this.grouped({ channel }, 'year'),
        this.lastYear({ channel }, 'year', opts.today),
        this.grouped({ ...yearFilters, channel }, 'field'),
      ]);
      const fieldTotal = sumAggs(fields.aggs);
      const total = sumAggs(years.aggs);
      return {
        years: years.aggs.map((a) => ({ year: Number(a.key), count: a.count, amount: money(a.amountFen), yoy: prev ? yoyOf(a, prev.get(a.key)) : null })),
        fields: fields.aggs.map((a) => ({
          key: a.key,
          label: t(labelKey(dimension('field'), a.key)),
          count: a.count,
          amount: money(a.amountFen),
          share: fieldTotal.amountFen > 0 ? new Decimal(a.amountFen).times(100).dividedBy(fieldTotal.amountFen).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1) : null,
        })),
        total: { count: total.count, amount: money(total.amountFen) },
      };
    };
    const [boutique, firstPurchase, demo] = await Promise.all([channelSummary('boutique'), channelSummary('first_purchase'), hasDemoData(this.db)]);
    const years = [...new Set([...boutique.years, ...firstPurchase.years].map((y) => y.year))].sort((a, b) => a - b);
    const currentYear = opts.today ? Number(opts.today.slice(0, 4)) : null;
    return {
      years: years.map((year) => ({ year, through: year === currentYear && !opts.today!.endsWith('-12-31') ? opts.today! : null })),
      year: query.year ?? null,
      channels: { boutique, first_purchase: firstPurchase },
      demo,
    };
  }
}

export interface Dashboard {
  result: StatsResult;
  series: { unit: 'month' | 'year'; aggs: Agg[] };
  fields: Agg[];
  levels: Agg[];
  cities: Agg[];
  cityDim: GroupDim;
  /** The figures are the demo data's: the page says so. */
  demo: boolean;
}

/** One channel in the public summary: its years (with year-on-year change), its fields and its all-time total. */
export interface ChannelSummary {
  years: Array<{ year: number; count: number; amount: string; yoy: Yoy | null }>;
  fields: Array<{ key: string; label: string; count: number; amount: string; share: string | null }>;
  total: { count: number; amount: string };
}

export interface PublicSummary {
  /** The years with trades; `through` is the last day counted of a year not over yet (its yoy is like for like). */
  years: Array<{ year: number; through: string | null }>;
  year: number | null;
  channels: Record<Channel, ChannelSummary>;
  /** The figures are the demo data's (generated, calibrated to the 2020 report), not real trades. */
  demo: boolean;
}
