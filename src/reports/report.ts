import Decimal from 'decimal.js';
import { AppError, invalidField } from '../errors';
import { Money } from '../money';
import type { Services } from '../services';

/**
 * Year-on-year change in percent with one decimal as a string ("58.9"), null where last year had nothing (src/stats):
 * the shape `GET /api/v1/admin/insurance-stats` answers the same figures in.
 */
export interface Yoy {
  projects: string | null;
  compensation: string | null;
}

/** GET /api/v1/reports/:year — every figure of the report's first-unit paragraph (API.md "The 2020 report page"). */
export interface YearReport {
  year: number;
  certifications: {
    equipment: { total: number; international: number; domestic: number; provincial: number };
    byKind: { equipment: number; material: number; software: number };
  };
  indicatorList: { entries: number; certifiedByList: number };
  awards: { amount: string };
  insurance: { projects: number; insuredValue: string; compensation: string; yoy: Yoy };
  nationalInsurance: { projects: number; insuredValue: string; compensation: string };
  boutique: { count: number; amount: string };
  firstPurchase: { count: number; amount: string };
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

/** The `:year` of the path: four digits in the range the statistics shift by a year; else 404 naming `year`. */
export function yearParam(raw: string | undefined): number {
  const year = raw && /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) throw new AppError('not_found', 'reports.year_not_found', { year: String(raw ?? '').slice(0, 20) }, 'year');
  return year;
}

/** The same rule as the statistics' year-on-year: half up to one decimal, '0.0' for no change, null after nothing. */
export function percentChange(current: Decimal.Value, previous: Decimal.Value): string | null {
  const prev = new Decimal(previous);
  if (prev.isZero()) return null;
  const d = new Decimal(current).minus(prev).times(100).dividedBy(prev.abs()).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return d.isZero() ? '0.0' : d.toFixed(1);
}

const yuan = (fen: number) => Money.ofFen(fen).toString();

/** What the report reads: the owning modules' services (trades, registry, list and awards, insurance). */
export type ReportSources = Pick<Services, 'stats' | 'recognition' | 'insurance'>;

/**
 * A year's report, each figure read from the module that owns it: certificates from the registry and the trades
 * (boutique, first purchase) from the statistics, the list and the awards from recognition, the compensation and the
 * national scheme from insurance (its `yearTotals`). Nothing is added across channels or schemes.
 */
export async function yearReport(src: ReportSources, year: number): Promise<YearReport> {
  const filters = { from: `${year}-01-01`, to: `${year}-12-31` };
  const [certs, channels, recognition, insurance, previous] = await Promise.all([
    src.stats.certifications(filters),
    src.stats.grouped(filters, 'channel'),
    src.recognition.yearFigures(year),
    src.insurance.yearTotals(year),
    src.insurance.yearTotals(year - 1),
  ]);
  const kindCount = (kind: string) => certs?.byKind.find((k) => k.kind === kind)?.issued ?? 0;
  const equipment = certs?.byKind.find((k) => k.kind === 'equipment');
  const channel = (key: string) => {
    const agg = channels.aggs.find((a) => a.key === key);
    return { count: agg?.count ?? 0, amount: yuan(agg?.amountFen ?? 0) };
  };
  const yoy: Yoy = { projects: percentChange(insurance.projects, previous.projects), compensation: percentChange(insurance.compensation, previous.compensation) };
  return {
    year,
    certifications: {
      equipment: { total: equipment?.issued ?? 0, international: equipment?.international ?? 0, domestic: equipment?.domestic ?? 0, provincial: equipment?.provincial ?? 0 },
      byKind: { equipment: kindCount('equipment'), material: kindCount('material'), software: kindCount('software') },
    },
    indicatorList: { entries: recognition.listEntries, certifiedByList: recognition.certifiedByList },
    awards: { amount: yuan(recognition.awardsFen) },
    insurance: {
      projects: insurance.projects,
      insuredValue: insurance.insuredValue,
      compensation: insurance.compensation,
      yoy,
    },
    nationalInsurance: { ...insurance.national },
    boutique: channel('boutique'),
    firstPurchase: channel('first_purchase'),
  };
}

/** The province's paid compensation of the five years up to `year` (for the page's trend chart), oldest first. */
export async function insuranceTrend(src: Pick<ReportSources, 'insurance'>, year: number, span = 5): Promise<Array<{ year: number; compensation: string }>> {
  const years = Array.from({ length: span }, (_, i) => year - span + 1 + i).filter((y) => y >= MIN_YEAR);
  const totals = await Promise.all(years.map((y) => src.insurance.yearTotals(y)));
  return totals.map((tot) => ({ year: tot.year, compensation: tot.compensation }));
}

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `?format=`: nothing (the JSON, or the page), `json`, `csv` or `xlsx`; anything else is a 422 naming `format`. */
export function formatParam(raw: unknown): ReportFormat | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw === 'string' && (REPORT_FORMATS as readonly string[]).includes(raw)) return raw as ReportFormat;
  throw invalidField('format', 'reports.format_invalid', { formats: REPORT_FORMATS.join(', ') });
}
