import type { Executor } from '../db';
import { CITIES, FIELDS, KINDS, LEVELS } from '../domain';
import type { Translator } from '../i18n';
import { Money } from '../money';
import { APPLICATION_STATUSES } from './schema';
import { applicationCounts, awardSums, certificateCounts, certifiedByTrack, listEntryCounts } from './stats-repo';

/**
 * The statistics of the certification lifecycle (issue 15 item 8): applications by status and year; the registry's
 * certificates by year, kind, level, field and city (the report's headline: 首台（套）装备 with its level split, as
 * `GET /api/v1/admin/stats` and `/reports/:year` count it); the indicator list and what its standard track certified;
 * the awards due and paid. Everything is counted from the records by stats-repo.ts.
 */

/** One row of a breakdown: the stored key, its label in the reader's language, how many. */
export interface CountRow {
  key: string;
  label: string;
  count: number;
}

export interface MoneyFigure {
  count: number;
  amount: string;
}

export interface CertificationStats {
  /** The year asked for, or null for every year on record. */
  year: number | null;
  /** The years with any record (certificates, applications, list entries, awards), oldest first. */
  years: number[];
  applications: {
    total: number;
    byStatus: CountRow[];
    byYear: Array<{ year: number; total: number; certified: number; rejected: number; open: number }>;
  };
  certifications: {
    total: number;
    /** The report's headline: 首台（套）装备 certificates with their level split. */
    equipment: { total: number; international: number; domestic: number; provincial: number };
    byYear: CountRow[];
    byKind: CountRow[];
    byLevel: CountRow[];
    byField: CountRow[];
    byCity: CountRow[];
  };
  /** 清单引导、标准认定: the list's entries and the applications certified by a list entry (the standard track). */
  indicatorList: { entries: number; certifiedByList: number; certifiedFree: number };
  awards: MoneyFigure & { due: MoneyFigure; paid: MoneyFigure; byLevel: Array<CountRow & { amount: string }> };
}

const yuan = (fen: number): string => Money.ofFen(fen).toString();
const sum = <T>(rows: T[], pick: (r: T) => number): number => rows.reduce((s, r) => s + pick(r), 0);

/** Rows by key: fixed vocabularies keep their order (zeros included); open ones by count, then key. */
function tally<T>(rows: T[], key: (r: T) => string, count: (r: T) => number, label: (k: string) => string, order?: readonly string[]): CountRow[] {
  const m = new Map<string, number>((order ?? []).map((k) => [k, 0]));
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + count(r));
  const out = [...m.entries()].map(([k, c]) => ({ key: k, label: label(k), count: c }));
  return order ? out : out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const FIELD_NAMES = new Set<string>(FIELDS.map((f) => f.name));
const CITY_NAMES = new Set<string>(CITIES.map((c) => c.name));
const OPEN_STATUSES = new Set(['draft', 'submitted', 'expert_review', 'recommended', 'in_round']);

/** The figures for one year (registry year, the rounds' year, the year an application was opened) or for all years. */
export async function certificationStats(db: Executor, t: Translator, year?: number): Promise<CertificationStats> {
  const [apps, certs, entries, tracks, awards] = await Promise.all([applicationCounts(db, year), certificateCounts(db, year), listEntryCounts(db, year), certifiedByTrack(db, year), awardSums(db, year)]);
  const equipment = certs.filter((c) => c.kind === 'equipment');
  const level = (l: string) => sum(equipment.filter((c) => c.level === l), (c) => c.n);
  const appYears = [...new Set(apps.map((a) => a.year))].sort((a, b) => a - b);
  const awardFigure = (rows: typeof awards): MoneyFigure => ({ count: sum(rows, (r) => r.n), amount: yuan(sum(rows, (r) => r.fen)) });
  const years = [...new Set([...apps.map((a) => a.year), ...certs.map((c) => c.year), ...entries.map((e) => e.year), ...awards.map((w) => w.year)])].sort((a, b) => a - b);
  return {
    year: year ?? null,
    years,
    applications: {
      total: sum(apps, (a) => a.n),
      byStatus: tally(apps, (a) => a.status, (a) => a.n, (k) => t(`recognition.status_${k}`), APPLICATION_STATUSES),
      byYear: appYears.map((y) => {
        const of = apps.filter((a) => a.year === y);
        return {
          year: y,
          total: sum(of, (a) => a.n),
          certified: sum(of.filter((a) => a.status === 'certified'), (a) => a.n),
          rejected: sum(of.filter((a) => a.status === 'rejected'), (a) => a.n),
          open: sum(of.filter((a) => OPEN_STATUSES.has(a.status)), (a) => a.n),
        };
      }),
    },
    certifications: {
      total: sum(certs, (c) => c.n),
      equipment: { total: sum(equipment, (c) => c.n), international: level('international'), domestic: level('domestic'), provincial: level('provincial') },
      byYear: tally(certs, (c) => String(c.year), (c) => c.n, (k) => k).sort((a, b) => Number(a.key) - Number(b.key)),
      byKind: tally(certs, (c) => c.kind, (c) => c.n, (k) => t(`kinds.${k}`), KINDS),
      byLevel: tally(certs, (c) => c.level, (c) => c.n, (k) => t(`levels.${k}`), LEVELS),
      byField: tally(certs, (c) => c.field, (c) => c.n, (k) => (FIELD_NAMES.has(k) ? t(`fieldnames.${k}`) : k)),
      byCity: tally(certs, (c) => c.city || 'none', (c) => c.n, (k) => (k === 'none' ? t('recognition.stats_city_none') : CITY_NAMES.has(k) ? t(`cities.${k}`) : k)),
    },
    indicatorList: {
      entries: sum(entries, (e) => e.n),
      certifiedByList: sum(tracks.filter((r) => r.track === 'standard'), (r) => r.n),
      certifiedFree: sum(tracks.filter((r) => r.track === 'free'), (r) => r.n),
    },
    awards: {
      ...awardFigure(awards),
      due: awardFigure(awards.filter((w) => w.status === 'due')),
      paid: awardFigure(awards.filter((w) => w.status === 'paid')),
      byLevel: LEVELS.map((l) => {
        const of = awards.filter((w) => w.level === l);
        return { key: l, label: t(`levels.${l}`), count: sum(of, (w) => w.n), amount: yuan(sum(of, (w) => w.fen)) };
      }),
    },
  };
}

/** A year's figures for the report page (src/reports): the same counts as the statistics, for one year. */
export async function yearFiguresOf(db: Executor, year: number): Promise<{ year: number; listEntries: number; certifiedByList: number; awardsFen: number }> {
  const [entries, tracks, awards] = await Promise.all([listEntryCounts(db, year), certifiedByTrack(db, year), awardSums(db, year)]);
  return { year, listEntries: sum(entries, (e) => e.n), certifiedByList: sum(tracks.filter((r) => r.track === 'standard'), (r) => r.n), awardsFen: sum(awards, (w) => w.fen) };
}
