import Decimal from 'decimal.js';
import { largeUnits, type Translator } from '../i18n';
import { formatLarge, formatYuan, Money } from '../money';
import type { YearReport } from './report';

/**
 * The report page's charts: horizontal bars drawn by views/reports/year.hbs as SVG on the server (no script). Each is
 * an image with a title and a description that reads every value, and a table of the same figures beside it. These are
 * view models of plain numbers and strings — Handlebars escapes every text. Pixel arithmetic uses floats (geometry,
 * never money): every amount shown is a preformatted string.
 */

export interface BarRow {
  label: string;
  /** The value as a person reads it ("184", "¥55,655,000.00"). */
  display: string;
  /** The report's own words for money (5565.5万元), else ''. */
  words: string;
  y: number;
  textY: number;
  w: number;
  valueX: number;
}

export interface ReportChart {
  id: string;
  title: string;
  /** The text alternative: every bar's label and value, in one sentence. */
  desc: string;
  /** The header of the value column of the chart's table. */
  valueHead: string;
  width: number;
  height: number;
  labelX: number;
  barX: number;
  rows: BarRow[];
  empty: boolean;
}

export interface ChartInput {
  label: string;
  /** The quantity drawn: a count, or yuan (decimal.js turns the API's string into a number only for the geometry). */
  value: number;
  display: string;
  words?: string;
}

const WIDTH = 640;
const BAR_X = 208;
const BAR_MAX = 300;
const ROW_H = 30;
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Horizontal bars, one per input, scaled to the largest; a chart with nothing above zero draws no bars and says so. */
export function barChart(id: string, title: string, valueHead: string, points: ChartInput[], t: Translator): ReportChart {
  const max = Math.max(0, ...points.map((p) => p.value));
  const rows = points.map((p, i) => {
    const w = max > 0 ? r1((Math.max(0, p.value) / max) * BAR_MAX) : 0;
    return { label: p.label, display: p.display, words: p.words ?? '', y: 8 + i * ROW_H, textY: 8 + i * ROW_H + 16, w, valueX: r1(BAR_X + w + 8) };
  });
  const empty = max <= 0;
  const list = points.map((p) => t('reports.chart_item', { label: p.label, value: p.words ? t('reports.value_with_words', { value: p.display, words: p.words }) : p.display })).join(t('reports.chart_separator'));
  return {
    id,
    title,
    desc: empty ? t('reports.chart_empty_desc', { title }) : t('reports.chart_desc', { title, list }),
    valueHead,
    width: WIDTH,
    height: Math.max(1, points.length) * ROW_H + 12,
    labelX: BAR_X - 8,
    barX: BAR_X,
    rows,
    empty,
  };
}

/** One year's province and national compensation, for the trend chart. */
export interface InsuranceYear {
  year: number;
  compensation: string;
}

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * The page's charts: equipment certified by level, certificates by kind, premium compensation over the last five
 * years (the province's paid claims), the province's and the national scheme's compensation of the year, and the
 * year's trades by channel.
 */
export function reportCharts(t: Translator, r: YearReport, trend: readonly InsuranceYear[]): ReportChart[] {
  const units = largeUnits(t);
  const money = (label: string, yuan: string): ChartInput => {
    const m = Money.fromString(yuan);
    return { label, value: new Decimal(yuan).toNumber(), display: formatYuan(m), words: formatLarge(m, units) };
  };
  const count = (label: string, n: number): ChartInput => ({ label, value: n, display: grouped(n) });
  const e = r.certifications.equipment;
  const k = r.certifications.byKind;
  const countHead = t('reports.chart_col_count');
  const moneyHead = t('reports.chart_col_amount');
  return [
    barChart('chart-levels', t('reports.chart_levels', { year: r.year }), countHead, [count(t('levels.international'), e.international), count(t('levels.domestic'), e.domestic), count(t('levels.provincial'), e.provincial)], t),
    barChart('chart-kinds', t('reports.chart_kinds', { year: r.year }), countHead, [count(t('kinds.equipment'), k.equipment), count(t('kinds.material'), k.material), count(t('kinds.software'), k.software)], t),
    barChart('chart-insurance-trend', t('reports.chart_insurance_trend', { from: trend[0]?.year ?? r.year, to: r.year }), moneyHead, trend.map((y) => money(String(y.year), y.compensation)), t),
    barChart('chart-insurance-schemes', t('reports.chart_insurance_schemes', { year: r.year }), moneyHead, [money(t('reports.chart_province'), r.insurance.compensation), money(t('reports.chart_national'), r.nationalInsurance.compensation)], t),
    barChart('chart-trades', t('reports.chart_trades', { year: r.year }), moneyHead, [money(t('reports.chart_boutique'), r.boutique.amount), money(t('reports.chart_first_purchase'), r.firstPurchase.amount)], t),
  ];
}
