import assert from 'node:assert/strict';
import { AppError } from '../../src/errors';
import { LOCALES, hasKey, translator } from '../../src/i18n';
import { ALL, CUBE_SLICES, EXPORT_COLUMNS, FILTERS, FORM_FILTERS, dimension, type DimParam, type GroupDim } from '../../src/stats/dimensions';
import { DETAIL_COLUMNS, SheetCells, detailHeaders } from '../../src/stats/exports/cells';
import type { SheetRow } from '../../src/stats/repo';
import { cubeSlice } from '../../src/stats/repo';
import { ExportQuerySchema, GROUP_BY_PARAMS, StatsQuerySchema } from '../../src/stats/schema';
import { adminStatsModel } from '../../src/stats/presenters';
import { parseInput } from '../../src/web/validate';

/** A value each filterable dimension accepts: the first its form offers, else one the vocabulary has. */
const SAMPLE: Record<string, string> = { vendorCity: '宁波', purchaserType: 'hospital' };
const sampleOf = (param: string): string => SAMPLE[param] ?? (ALL.find((d) => d.param === param)?.form?.values()[0] as string);

function refusal(query: Record<string, string>): { field?: string; key: string } {
  try {
    parseInput(StatsQuerySchema, query);
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return { field: err.field, key: err.messageKey };
  }
  assert.fail(`accepted ${JSON.stringify(query)}`);
}

describe('statistics: the dimension table drives the schema, the repo and the exports', () => {
  it('accepts every dimension as groupBy, grouping by its stored name and echoing the parameter', () => {
    for (const d of ALL) {
      const q = parseInput(StatsQuerySchema, { groupBy: d.param });
      assert.equal(q.groupBy, d.dim, d.param);
      assert.equal(q.groupByParam, d.param);
      assert.ok(GROUP_BY_PARAMS.includes(d.param as DimParam), d.param);
    }
    // `city` is the one alias: the purchaser's city, or the vendor's with cityOf=vendor.
    assert.deepEqual(GROUP_BY_PARAMS, ['year', 'month', 'channel', 'field', 'level', 'kind', 'city', 'purchaserCity', 'vendorCity', 'purchaserType', 'vendor', 'purchaser']);
    assert.equal(parseInput(StatsQuerySchema, { groupBy: 'city' }).groupBy, 'purchaser_city');
    assert.equal(parseInput(StatsQuerySchema, { groupBy: 'city', cityOf: 'vendor' }).groupBy, 'vendor_city');
  });

  it('accepts every filter under its query parameter and answers it under the dimension, in the table order', () => {
    const query = Object.fromEntries(FILTERS.map((d) => [d.filterParam ?? d.param, sampleOf(d.param)]));
    const q = parseInput(StatsQuerySchema, { from: '2020-01-01', to: '2020-12-31', ...query });
    assert.deepEqual(Object.keys(q.filters), ['from', 'to', ...FILTERS.map((d) => d.param)]);
    assert.deepEqual(q.filters, {
      from: '2020-01-01',
      to: '2020-12-31',
      channel: 'boutique',
      field: sampleOf('field'),
      level: 'international',
      kind: 'equipment',
      purchaserCity: sampleOf('purchaserCity'),
      vendorCity: '宁波',
      purchaserType: 'hospital',
    });
    // The export's schema is the same one plus the format.
    const e = parseInput(ExportQuerySchema, { ...query, format: 'csv' });
    const { from: _from, to: _to, ...dims } = q.filters;
    assert.deepEqual(e.filters, dims);
    assert.equal(e.format, 'csv');
  });

  it('refuses a value outside a filter\'s vocabulary under the parameter the caller sent', () => {
    for (const d of FILTERS) {
      const param = d.filterParam ?? d.param;
      assert.deepEqual(refusal({ [param]: 'no-such-value' }), { field: param, key: 'validation.one_of' }, param);
    }
    assert.deepEqual(refusal({ groupBy: 'colour' }), { field: 'groupBy', key: 'validation.one_of' });
    assert.deepEqual(refusal({ city: '杭州', vendorCity: '宁波', cityOf: 'vendor' }), { field: 'vendorCity', key: 'validation.city_conflict' });
  });

  it('gives every dimension with a slice its own cube slice, and sends combinations to the rollup', () => {
    for (const d of CUBE_SLICES) assert.deepEqual(cubeSlice({}, d.dim as GroupDim), { dim: d.dim }, d.dim);
    for (const dim of ['year', 'month', 'channel'] as const) assert.deepEqual(cubeSlice({ channel: 'boutique' }, dim), { dim: 'all' });
    assert.deepEqual(cubeSlice({ purchaserType: 'school' }, 'month'), { dim: 'purchaser_type', value: 'school' });
    assert.equal(cubeSlice({ purchaserType: 'school' }, 'vendor'), null);
  });

  it('has a label in both catalogues for every grouping, filter and value the form offers', () => {
    for (const locale of LOCALES) {
      for (const g of GROUP_BY_PARAMS) assert.ok(hasKey(locale, `stats.group_${g}`), `${locale} stats.group_${g}`);
      for (const d of FORM_FILTERS) {
        const prefix = (d.label as { prefix: string }).prefix;
        for (const v of d.form?.values() ?? []) assert.ok(hasKey(locale, prefix + v), `${locale} ${prefix}${v}`);
      }
      for (const c of DETAIL_COLUMNS) assert.ok(hasKey(locale, `stats.col_${c}`), `${locale} stats.col_${c}`);
    }
    assert.equal(dimension('level').missing?.label, 'stats.level_none');
    assert.equal(translator('en')('stats.level_none'), 'No certification (boutique)');
  });

  it('puts every exported dimension among the spreadsheet columns, each where the table says', () => {
    assert.deepEqual(DETAIL_COLUMNS, ['date', 'channel', 'type', 'reference', 'purchaser', 'purchaser_city', 'vendor', 'vendor_city', 'product', 'cert_no', 'level', 'field', 'kind', 'amount']);
    for (const d of ALL.filter((x) => x.export)) assert.ok(EXPORT_COLUMNS.some((c) => c.dimension === d && c.name === d.dim), d.param);
    assert.deepEqual(detailHeaders(translator('en')), ['Date', 'Channel', 'Type', 'Order / case', 'Purchasing unit', "Purchaser's city", 'Vendor', "Vendor's city", 'Product', 'Certificate number', 'Certification level', 'Field', 'Kind', 'Amount (yuan)']);
  });

  it('fills each dimension\'s cell with its value\'s label, nothing where the trade has none', () => {
    const row: SheetRow = {
      id: 7,
      day: '2020-03-05',
      channel: 'first_purchase',
      countDelta: -1,
      amountFen: -120000,
      purchaserName: '杭州市第一人民医院',
      purchaserCity: '杭州',
      vendorName: '宁波某某装备有限公司',
      vendorCity: '宁波',
      orderId: null,
      caseId: 12,
      productTitle: '医用直线加速器',
      certNo: null,
      level: null,
      field: sampleOf('field'),
      kind: 'software',
    };
    const en = translator('en');
    const cells = new SheetCells(en);
    assert.deepEqual(cells.texts(row), [
      '2020-03-05',
      en('stats.channel_first_purchase'),
      en('stats.type_refund'),
      'FP-12',
      '杭州市第一人民医院',
      en('cities.杭州'),
      '宁波某某装备有限公司',
      en('cities.宁波'),
      '医用直线加速器',
      '',
      '',
      en(`fieldnames.${sampleOf('field')}`),
      en('kinds.software'),
    ]);
    assert.equal(cells.cells({ ...row, level: 'domestic' }).text[10], en('levels.domestic'));
  });

  it('offers a select on the admin page for every dimension with a form, with its values labelled', () => {
    const t = translator('en');
    const model = adminStatsModel({ t, raw: { level: 'domestic' }, query: null, error: null, data: null, thisYear: 2026 }) as unknown as {
      form: Record<string, string>;
      options: Record<string, Array<{ value: string; label: string; selected: boolean }>>;
      filterSelects: Array<{ name: string; label: string; options: Array<{ value: string; selected: boolean }> }>;
    };
    assert.deepEqual(Object.keys(model.form), ['from', 'to', 'channel', 'field', 'level', 'kind', 'city', 'cityOf', 'groupBy']);
    assert.deepEqual(Object.keys(model.options), ['channels', 'fields', 'levels', 'kinds', 'cities', 'cityOf', 'groupBy']);
    assert.deepEqual(
      model.options.levels.map((o) => [o.value, o.label, o.selected]),
      [
        ['international', t('levels.international'), false],
        ['domestic', t('levels.domestic'), true],
        ['provincial', t('levels.provincial'), false],
      ],
    );
    // The selects in order, labelled as the form's own labels are (fields.channel is stats.group_channel…).
    for (const name of ['channel', 'field', 'level', 'kind', 'city']) assert.equal(t(`stats.group_${name}`), t(`fields.${name}`));
    assert.deepEqual(
      model.filterSelects.map((s) => [s.name, s.label]),
      FORM_FILTERS.map((d) => [d.filterParam ?? d.param, t(`stats.group_${d.filterParam ?? d.param}`)]),
    );
  });
});
