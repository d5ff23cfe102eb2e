import Decimal from 'decimal.js';
import { CITIES } from '../domain';
import { largeUnits, type Translator } from '../i18n';
import { Money, formatLarge, formatYuan } from '../money';
import { barChart, cityMap, shareChart, type ChartPoint } from './charts';
import type { Agg } from './repo';
import { FORM_FILTERS, dimension, labelKey, type GroupDim } from './dimensions';
import { EXPORT_FORMATS, GROUP_BY_PARAMS, type StatsQuery } from './schema';
import type { Channel } from './schema';
import type { ChannelSummary, Dashboard, PublicSummary, Yoy } from './service';

/** View models for the statistics pages: display strings computed here, so the templates only place them. */

const countText = (n: number) => n.toLocaleString('en-US');
const money = (fen: number) => Money.ofFen(fen);

/** Whole fen of a JSON money string, which may be negative where refunds outweigh settlements. */
export function fenOf(amount: string): number {
  return Money.fromString(amount).fen;
}

export function yoyText(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${v.startsWith('-') ? '−' + v.slice(1) : v === '0.0' ? v : '+' + v}%`;
}

export function largeText(fen: number, t: Translator): string {
  return formatLarge(money(fen), largeUnits(t));
}

/** A short label for an amount axis (fen): "2000万", "1.5亿" — the axis' description names the unit. */
export function axisTick(fen: number, t: Translator): string {
  const yuan = new Decimal(Math.round(fen)).dividedBy(100);
  const trim = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString();
  // The language's scales: 亿 and 万 in Chinese, billions and millions in English (common.large_scales).
  const [big, mid] = largeUnits(t).scales;
  if (yuan.abs().gte(big)) return t('stats.tick_yi', { n: trim(yuan.dividedBy(big)) });
  if (yuan.abs().gte(mid)) return t('stats.tick_wan', { n: trim(yuan.dividedBy(mid)) });
  return trim(yuan);
}

/** Each part's share of the positive total, in percent with one decimal. */
export function shares(aggs: Agg[]): string[] {
  const total = aggs.reduce((s, a) => s + Math.max(0, a.amountFen), 0);
  return aggs.map((a) => (total > 0 ? new Decimal(Math.max(0, a.amountFen)).times(100).dividedBy(total).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1) : '0.0'));
}

const option = (value: string, label: string, current: string | undefined) => ({ value, label, selected: value === current });

type Raw = Record<string, unknown>;
const str = (raw: Raw, k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');

/** A dimension's label for a stored key, for the charts (the grouped table's labels come from the service). */
const labelOf = (group: GroupDim, t: Translator) => {
  const d = dimension(group);
  return (k: string) => t(labelKey(d, k));
};

/**
 * The filter form: the raw values to show again, and a select per dimension with a form (dimensions.ts) —
 * `options.<name>` for the view, and the same selects in order as `filterSelects` (name, label, options), for a view
 * that draws them in a loop and so needs no change for a new dimension.
 */
function filterForm(raw: Raw, t: Translator) {
  const names = ['from', 'to', ...FORM_FILTERS.map((d) => d.filterParam ?? d.param), 'cityOf', 'groupBy'];
  const form = Object.fromEntries(names.map((k) => [k, str(raw, k)])) as Record<string, string>;
  const filterSelects = FORM_FILTERS.map((d) => {
    const name = d.filterParam ?? d.param;
    const options = (d.form?.values() ?? []).map((v) => option(v, t(labelKey(d, v)), form[name]));
    return { name, key: d.form?.options as string, label: t(`stats.group_${name}`), blank: t('common.all'), options };
  });
  return {
    form,
    options: {
      ...Object.fromEntries(filterSelects.map((s) => [s.key, s.options])),
      cityOf: ['purchaser', 'vendor'].map((c) => option(c, t(`stats.city_of_${c}`), form.cityOf || 'purchaser')),
      groupBy: GROUP_BY_PARAMS.map((g) => option(g, t(`stats.group_${g}`), form.groupBy || 'channel')),
    },
    filterSelects: filterSelects.map(({ name, label, blank, options }) => ({ name, label, blank, options })),
  };
}

function tableRows(aggs: Agg[], label: (k: string) => string, t: Translator) {
  return aggs.map((a) => ({ label: label(a.key), count: countText(a.count), amount: formatYuan(money(a.amountFen)), wanYi: largeText(a.amountFen, t) }));
}

function sharePoints(aggs: Agg[], label: (k: string) => string, t: Translator) {
  const pct = shares(aggs);
  return aggs.map((a, i) => ({ label: label(a.key), value: a.amountFen, display: formatYuan(money(a.amountFen)), percent: pct[i], wanYi: largeText(a.amountFen, t), count: countText(a.count) }));
}

export function adminStatsModel(opts: { t: Translator; raw: Raw; query: StatsQuery | null; error: string | null; data: Dashboard | null; thisYear: number }) {
  const { t, raw, query, data } = opts;
  const current = Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === 'string' && k !== 'lang')) as Record<string, string>;
  const model: Record<string, unknown> = {
    title: t('stats.admin_title'),
    error: opts.error,
    ...filterForm(raw, t),
    presets: [
      { label: t('stats.preset_2020'), query: { from: '2020-01-01', to: '2020-12-31', groupBy: 'channel' }, id: 'preset-2020' },
      { label: t('stats.preset_last_year', { year: opts.thisYear - 1 }), query: { from: `${opts.thisYear - 1}-01-01`, to: `${opts.thisYear - 1}-12-31`, groupBy: 'month' }, id: 'preset-last-year' },
      { label: t('stats.preset_this_year', { year: opts.thisYear }), query: { from: `${opts.thisYear}-01-01`, to: `${opts.thisYear}-12-31`, groupBy: 'month' }, id: 'preset-this-year' },
    ],
    current,
    exports: EXPORT_FORMATS.map((f) => ({ format: f, label: t(`stats.export_${f}`), query: { ...current, format: f } })),
    hasData: false,
  };
  if (!query || !data) return model;
  const r = data.result;
  const cityLabel = labelOf(data.cityDim, t);
  const fieldLabel = labelOf('field', t);
  const levelLabel = labelOf('level', t);
  const seriesPoints = (pick: (a: Agg) => number, show: (a: Agg) => string): ChartPoint[] => data.series.aggs.map((a) => ({ label: a.key, value: pick(a), display: show(a) }));
  const unit = t(`stats.unit_${data.series.unit}`);
  const fieldParts = sharePoints(data.fields, fieldLabel, t);
  const levelParts = sharePoints(data.levels, levelLabel, t);
  const cityParts = sharePoints(data.cities, cityLabel, t);
  const cityOf = t(`stats.city_of_${query.cityOf}`);
  const yoyCells = (y: Yoy | null | undefined) => ({ yoyCount: yoyText(y?.count), yoyAmount: yoyText(y?.amount) });
  return {
    ...model,
    hasData: true,
    demo: data.demo,
    rangeText: t('stats.range', { from: r.filters.from ?? t('stats.range_open'), to: r.filters.to ?? t('stats.range_open') }),
    source: r.source,
    table: {
      groupLabel: t(`stats.group_${r.groupBy}`),
      rows: r.rows.map((row) => {
        return { key: row.key, label: row.label, count: countText(row.count), amount: row.amount, wanYi: largeText(fenOf(row.amount), t), ...yoyCells(row.yoy) };
      }),
      total: { count: countText(r.total.count), amount: r.total.amount, wanYi: largeText(fenOf(r.total.amount), t), ...yoyCells(r.total.yoy) },
      empty: r.rows.length === 0,
    },
    top: {
      vendors: r.top.vendors.map((v, i) => ({ rank: i + 1, name: v.name, count: countText(v.count), amount: v.amount })),
      purchasers: r.top.purchasers.map((p, i) => ({ rank: i + 1, name: p.name, count: countText(p.count), amount: p.amount })),
    },
    certifications: r.certifications && {
      ...r.certifications,
      years: r.certifications.fromYear === r.certifications.toYear ? String(r.certifications.fromYear) : `${r.certifications.fromYear}—${r.certifications.toYear}`,
      kindLabel: t(`kinds.${r.certifications.kind}`),
      none: r.certifications.kind === 'boutique',
      byKind: r.certifications.byKind.map((k) => ({ ...k, label: t(`kinds.${k.kind}`) })),
    },
    charts: {
      unitLabel: unit,
      seriesRows: tableRows(data.series.aggs, (k) => k, t),
      countChart: barChart(
        'chart-count',
        t('stats.chart_count_title', { unit }),
        t('stats.chart_count_desc', { unit, range: t('stats.range', { from: r.filters.from ?? t('stats.range_open'), to: r.filters.to ?? t('stats.range_open') }) }),
        seriesPoints((a) => a.count, (a) => countText(a.count)),
        (v) => countText(Math.round(v)),
      ),
      amountChart: barChart(
        'chart-amount',
        t('stats.chart_amount_title', { unit }),
        t('stats.chart_amount_desc', { unit }),
        seriesPoints((a) => a.amountFen, (a) => formatYuan(money(a.amountFen))),
        (v) => axisTick(v, t),
      ),
      fieldChart: shareChart('chart-field', t('stats.chart_field_title'), t('stats.chart_field_desc'), fieldParts),
      fieldRows: fieldParts,
      levelChart: shareChart('chart-level', t('stats.chart_level_title'), t('stats.chart_level_desc'), levelParts),
      levelRows: levelParts,
      cityMap: cityMap(
        'chart-city',
        t('stats.chart_city_title', { cityOf }),
        t('stats.chart_city_desc', { cityOf }),
        CITIES.map((c) => ({ key: c.name, name: cityLabel(c.name) })),
        data.cities.map((a) => ({ key: a.key, label: cityLabel(a.key), value: a.amountFen, display: formatYuan(money(a.amountFen)) })),
        (n) => t('stats.rank', { n }),
      ),
      cityRows: cityParts.map((c, i) => ({ ...c, rank: i + 1 })),
      cityOfLabel: cityOf,
    },
  };
}

export function publicSummaryModel(t: Translator, summary: PublicSummary, years: number[]) {
  const fen = fenOf;
  const channelModel = (channel: Channel) => {
    const c = summary.channels[channel];
    const byYear = new Map(c.years.map((y) => [y.year, y]));
    return {
      key: channel,
      label: t(`stats.channel_${channel}`),
      total: { count: countText(c.total.count), amount: c.total.amount, wanYi: largeText(fen(c.total.amount), t) },
      byYear,
      fieldRows: c.fields.map((f) => ({ label: f.label, count: countText(f.count), amount: f.amount, wanYi: largeText(fen(f.amount), t), share: f.share ?? '0.0' })),
      fieldChart: shareChart(
        `chart-public-field-${channel}`,
        t('stats.chart_field_channel_title', { channel: t(`stats.channel_${channel}`) }),
        t('stats.chart_field_desc'),
        c.fields.map((f) => ({ label: f.label, value: fen(f.amount), display: formatYuan(money(fen(f.amount))), percent: f.share ?? '0.0' })),
      ),
    };
  };
  const boutique = channelModel('boutique');
  const first = channelModel('first_purchase');
  const cell = (y: ChannelSummary['years'][number] | undefined) => ({
    count: countText(y?.count ?? 0),
    amount: y?.amount ?? '0.00',
    wanYi: largeText(fen(y?.amount ?? '0.00'), t),
    yoyAmount: yoyText(y?.yoy?.amount),
  });
  const yearRows = summary.years.map((y) => ({
    year: y.year,
    through: y.through ? t('stats.through', { day: y.through }) : null,
    boutique: cell(boutique.byYear.get(y.year)),
    first: cell(first.byYear.get(y.year)),
  }));
  const partial = summary.years.find((y) => y.through);
  return {
    title: t('stats.public_title'),
    demo: summary.demo,
    yearRows,
    partialNote: partial ? t('stats.partial_year_note', { year: partial.year, day: partial.through as string }) : null,
    channels: [boutique, first].map(({ byYear: _b, ...rest }) => rest),
    years: years.map((y) => ({ value: String(y), label: String(y), selected: y === summary.year })),
    selectedYear: summary.year,
    yearChart: barChart(
      'chart-years',
      t('stats.chart_years_title'),
      t('stats.chart_years_desc'),
      summary.years.map((y) => {
        const a = fen(boutique.byYear.get(y.year)?.amount ?? '0.00');
        return { label: String(y.year), value: a, display: formatYuan(money(a)) };
      }),
      (v) => axisTick(v, t),
    ),
  };
}
