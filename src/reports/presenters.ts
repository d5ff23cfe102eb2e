import { largeUnits, type Translator } from '../i18n';
import { formatLarge, formatYuan, Money } from '../money';
import { reportCharts, type InsuranceYear } from './charts';
import type { YearReport } from './report';

/** One figure of the report: its JSON path, its label, its value as the API states it, and how a person reads it. */
export interface FigureRow {
  key: string;
  label: string;
  /** The API's value: a count, money in yuan with two decimals, or a percent with one decimal. */
  value: string;
  /** The exact form shown in the table (1,097; ¥2,494,000,000.00; 58.9%). */
  exact: string;
  /** Money in the report's own words (24.94亿元), else ''. */
  words: string;
}

export type Kind = 'count' | 'money' | 'percent';

/** The figures in the order the paragraph states them; `kind` says how each is written. */
const FIGURES: ReadonlyArray<{ key: string; kind: Kind; read: (r: YearReport) => number | string | null }> = [
  { key: 'certifications.equipment.total', kind: 'count', read: (r) => r.certifications.equipment.total },
  { key: 'certifications.equipment.international', kind: 'count', read: (r) => r.certifications.equipment.international },
  { key: 'certifications.equipment.domestic', kind: 'count', read: (r) => r.certifications.equipment.domestic },
  { key: 'certifications.equipment.provincial', kind: 'count', read: (r) => r.certifications.equipment.provincial },
  { key: 'certifications.byKind.equipment', kind: 'count', read: (r) => r.certifications.byKind.equipment },
  { key: 'certifications.byKind.material', kind: 'count', read: (r) => r.certifications.byKind.material },
  { key: 'certifications.byKind.software', kind: 'count', read: (r) => r.certifications.byKind.software },
  { key: 'indicatorList.entries', kind: 'count', read: (r) => r.indicatorList.entries },
  { key: 'indicatorList.certifiedByList', kind: 'count', read: (r) => r.indicatorList.certifiedByList },
  { key: 'awards.amount', kind: 'money', read: (r) => r.awards.amount },
  { key: 'insurance.projects', kind: 'count', read: (r) => r.insurance.projects },
  { key: 'insurance.insuredValue', kind: 'money', read: (r) => r.insurance.insuredValue },
  { key: 'insurance.compensation', kind: 'money', read: (r) => r.insurance.compensation },
  { key: 'insurance.yoy.projects', kind: 'percent', read: (r) => r.insurance.yoy.projects },
  { key: 'insurance.yoy.compensation', kind: 'percent', read: (r) => r.insurance.yoy.compensation },
  { key: 'nationalInsurance.projects', kind: 'count', read: (r) => r.nationalInsurance.projects },
  { key: 'nationalInsurance.insuredValue', kind: 'money', read: (r) => r.nationalInsurance.insuredValue },
  { key: 'nationalInsurance.compensation', kind: 'money', read: (r) => r.nationalInsurance.compensation },
  { key: 'boutique.count', kind: 'count', read: (r) => r.boutique.count },
  { key: 'boutique.amount', kind: 'money', read: (r) => r.boutique.amount },
  { key: 'firstPurchase.count', kind: 'count', read: (r) => r.firstPurchase.count },
  { key: 'firstPurchase.amount', kind: 'money', read: (r) => r.firstPurchase.amount },
];

/** How a figure is written: a count, money in yuan or a percent. */
export const figureKind = (key: string): Kind => FIGURES.find((f) => f.key === key)?.kind ?? 'count';

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const labelKey = (key: string) => `reports.fig_${key.replace(/\./g, '_')}`;

export function figureRows(t: Translator, r: YearReport): FigureRow[] {
  const units = largeUnits(t);
  return FIGURES.map(({ key, kind, read }) => {
    const v = read(r);
    const label = t(labelKey(key));
    if (v === null) return { key, label, value: '', exact: '—', words: '' };
    if (kind === 'count') return { key, label, value: String(v), exact: grouped(Number(v)), words: '' };
    if (kind === 'percent') return { key, label, value: String(v), exact: `${Number(v) > 0 ? '+' : ''}${String(v)}%`, words: '' };
    const m = Money.fromString(String(v));
    return { key, label, value: String(v), exact: formatYuan(m), words: formatLarge(m, units) };
  });
}

/** The paragraph, sentence by sentence, in the report's own wording (zh-CN) or its English rendering. */
export function sentences(t: Translator, r: YearReport): string[] {
  const units = largeUnits(t);
  const large = (yuan: string) => formatLarge(Money.fromString(yuan), units);
  const e = r.certifications.equipment;
  const k = r.certifications.byKind;
  const yoy = r.insurance.yoy.compensation;
  const yoyText =
    yoy === null ? '' : Number(yoy) > 0 ? t('reports.yoy_up', { pct: yoy }) : Number(yoy) < 0 ? t('reports.yoy_down', { pct: yoy.replace(/^-/, '') }) : t('reports.yoy_flat');
  return [
    t('reports.sentence_certifications', { year: r.year, total: e.total, international: e.international, domestic: e.domestic, provincial: e.provincial }),
    t('reports.sentence_kinds', { material: k.material, software: k.software }),
    t('reports.sentence_list', { entries: r.indicatorList.entries, certified: r.indicatorList.certifiedByList, awards: large(r.awards.amount) }),
    t('reports.sentence_insurance', { projects: r.insurance.projects, insured: large(r.insurance.insuredValue), compensation: large(r.insurance.compensation), yoy: yoyText }),
    t('reports.sentence_national', { projects: r.nationalInsurance.projects, insured: large(r.nationalInsurance.insuredValue), compensation: large(r.nationalInsurance.compensation) }),
    t('reports.sentence_trades', { boutiqueCount: grouped(r.boutique.count), boutiqueAmount: large(r.boutique.amount), firstCount: r.firstPurchase.count, firstAmount: large(r.firstPurchase.amount) }),
  ];
}

/** A spreadsheet evaluates a text cell starting with one of these as a formula: an apostrophe goes in front (OWASP). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
export const safeCell = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);
const csvField = (text: string): string => {
  const s = safeCell(text);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The CSV download: UTF-8 with a BOM, RFC 4180 (CRLF), every text cell neutralised like the statistics' exports.
 * Numbers are written as the API states them; a percent keeps its sign only where negative (a leading '+' would read
 * as a formula).
 */
export function reportCsv(t: Translator, r: YearReport): string {
  const lines = [[t('reports.col_key'), t('reports.col_figure'), t('reports.col_value'), t('reports.col_unit')]];
  for (const row of figureRows(t, r)) {
    lines.push([row.key, row.label, row.value, t(`reports.unit_${figureKind(row.key)}`)]);
  }
  return `\uFEFF${lines.map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function reportPageModel(t: Translator, r: YearReport, base: { year: number; trend: readonly InsuranceYear[] }) {
  return {
    title: t('reports.title', { year: base.year }),
    year: r.year,
    previousYear: r.year - 1,
    nextYear: r.year + 1,
    sentences: sentences(t, r),
    rows: figureRows(t, r),
    charts: reportCharts(t, r, base.trend),
  };
}
