import assert from 'node:assert/strict';
import { stringify } from 'csv-stringify/sync';
import { Views } from '../../src/web/views';
import { barChart, cityMap, niceMax, shareChart } from '../../src/stats/charts';
import { safeCell, yuanNumber, yuanText } from '../../src/stats/exports/cells';
import { csvRecord } from '../../src/stats/exports/csv';
import { releaseOf } from '../../src/stats/exports/ocds';
import { addMonths, readPlan, shiftKey, shiftYears, splitYears, wholeYears } from '../../src/stats/period';
import { cubeSlice } from '../../src/stats/repo';
import { isDay } from '../../src/stats/schema';
import { percentChange } from '../../src/stats/service';
import { axisTick, fenOf, shares, yoyText } from '../../src/stats/presenters';
import { translator } from '../../src/i18n';

describe('statistics: calendar arithmetic', () => {
  it('recognises real days only', () => {
    assert.equal(isDay('2020-02-29'), true);
    assert.equal(isDay('2021-02-29'), false);
    assert.equal(isDay('2020-13-01'), false);
    assert.equal(isDay('2020-1-01'), false);
    assert.equal(isDay('0000-01-01'), false);
  });

  it('shifts a day by years, 29 February to the 28th', () => {
    assert.equal(shiftYears('2020-02-29', -1), '2019-02-28');
    assert.equal(shiftYears('2020-12-31', -1), '2019-12-31');
    assert.equal(shiftKey('2019', 1), '2020');
    assert.equal(shiftKey('2019-12', 1), '2020-12');
    assert.equal(shiftKey('杭州', 1), '杭州');
    assert.equal(addMonths('2019-12', 1), '2020-01');
    assert.equal(addMonths('2020-01', -1), '2019-12');
  });

  it('reads whole months from the aggregates and only the partial ends day by day', () => {
    assert.deepEqual(readPlan('2020-01-01', '2020-12-31'), { months: { from: '2020-01', to: '2020-12' }, days: [] });
    assert.deepEqual(readPlan('2020-01-15', '2020-03-10'), {
      months: { from: '2020-02', to: '2020-02' },
      days: [
        { from: '2020-01-15', to: '2020-01-31' },
        { from: '2020-03-01', to: '2020-03-10' },
      ],
    });
    assert.deepEqual(readPlan('2020-05-03', '2020-05-27'), { months: null, days: [{ from: '2020-05-03', to: '2020-05-27' }] });
    assert.deepEqual(readPlan('2020-02-01', '2020-02-29'), { months: { from: '2020-02', to: '2020-02' }, days: [] });
    assert.deepEqual(readPlan('2020-01-15', '2020-02-10'), {
      months: null,
      days: [
        { from: '2020-01-15', to: '2020-01-31' },
        { from: '2020-02-01', to: '2020-02-10' },
      ],
    });
    assert.deepEqual(readPlan(undefined, undefined), { months: {}, days: [] });
    assert.deepEqual(readPlan(undefined, '2020-06-14'), { months: { to: '2020-05' }, days: [{ from: '2020-06-01', to: '2020-06-14' }] });
  });

  it('splits whole months into whole years and the months around them', () => {
    assert.deepEqual(splitYears({ from: '2019-03', to: '2021-11' }), {
      years: { from: 2020, to: 2020 },
      months: [
        { from: '2019-03', to: '2019-12' },
        { from: '2021-01', to: '2021-11' },
      ],
    });
    assert.deepEqual(splitYears({ from: '2019-03', to: '2020-11' }), { years: null, months: [{ from: '2019-03', to: '2020-11' }] });
    assert.deepEqual(splitYears({}), { years: {}, months: [] });
    assert.deepEqual(splitYears({ to: '2020-06' }), { years: { to: 2019 }, months: [{ from: '2020-01', to: '2020-06' }] });
    assert.deepEqual(wholeYears('2019-01-01', '2020-12-31'), { from: 2019, to: 2020 });
    assert.equal(wholeYears('2019-01-02', '2020-12-31'), null);
  });

  it('uses the one-dimension cube when at most one dimension is involved', () => {
    assert.deepEqual(cubeSlice({ channel: 'boutique' }, 'month'), { dim: 'all' });
    assert.deepEqual(cubeSlice({}, 'vendor'), { dim: 'vendor' });
    assert.deepEqual(cubeSlice({ field: '船舶' }, 'field'), { dim: 'field', value: '船舶' });
    assert.deepEqual(cubeSlice({ field: '船舶' }, 'year'), { dim: 'field', value: '船舶' });
    assert.equal(cubeSlice({ field: '船舶' }, 'purchaser_city'), null);
    assert.equal(cubeSlice({ level: 'domestic', kind: 'software' }, 'month'), null);
  });
});

describe('statistics: numbers', () => {
  it('year-on-year in percent with one decimal, null where last year had nothing', () => {
    assert.equal(percentChange(3, 2), '50.0');
    assert.equal(percentChange(500, 300), '66.7');
    assert.equal(percentChange(1, 3), '-66.7');
    assert.equal(percentChange(2, 2), '0.0');
    assert.equal(percentChange(5, 0), null);
    assert.equal(percentChange(-1, -2), '50.0');
    assert.equal(yoyText('12.5'), '+12.5%');
    assert.equal(yoyText('-3.0'), '−3.0%');
    assert.equal(yoyText('0.0'), '0.0%');
    assert.equal(yoyText(null), '—');
  });

  it('amounts from whole fen, exactly', () => {
    assert.equal(yuanText(118_000_690_00), '118000690.00');
    assert.equal(yuanText(-5), '-0.05');
    assert.equal(yuanText(0), '0.00');
    assert.equal(yuanText(Number.MAX_SAFE_INTEGER), '90071992547409.91');
    assert.equal(yuanNumber(1_120_000_000), 11200000);
    assert.equal(yuanNumber(1), 0.01);
    assert.equal(fenOf('-100.00'), -10000);
    assert.equal(fenOf('11200000.00'), 1_120_000_000);
    assert.deepEqual(
      shares([
        { key: 'a', count: 1, amountFen: 200 },
        { key: 'b', count: 1, amountFen: 100 },
        { key: 'c', count: -1, amountFen: -50 },
      ]),
      ['66.7', '33.3', '0.0'],
    );
  });
});

describe('statistics: CSV', () => {
  it('neutralises every formula start, the fullwidth ones too, and nothing else', () => {
    for (const s of ['=1+2', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '＝1', '＋1', '－1', '＠x']) assert.equal(safeCell(s), `'${s}`);
    for (const s of ['1+2', '数控机床', '', "'=x", ' =x']) assert.equal(safeCell(s), s);
  });

  it('writes exactly what csv-stringify writes, RFC 4180 quoting included', () => {
    const samples = [
      ['a', 'b', '1.00'],
      ['逗号,在内', '引号"在内', '换行\n在内', '回车\r在内', 'CRLF\r\n在内', ''],
      ['"', ',', '\n'],
      ['普通', '文本', '-100.00'],
    ];
    for (const fields of samples) {
      assert.equal(csvRecord(fields), stringify([fields], { record_delimiter: '\r\n', quoted_match: ['\r', '\n'] }));
    }
    assert.equal(csvRecord(['x\ny', 'z']), '"x\ny",z\r\n');
  });
});

describe('statistics: OCDS release', () => {
  const row = {
    id: 7,
    day: '2020-09-01',
    at: '2020-09-01T02:00:00.000Z',
    channel: 'first_purchase' as const,
    countDelta: 1,
    amountFen: 280_000_000,
    purchaserId: 3,
    purchaserName: '某医院',
    purchaserCode: '12330000000000000X',
    purchaserCity: '杭州',
    purchaserType: 'hospital',
    vendorId: 4,
    vendorName: '某公司',
    vendorCode: '91330000000000000X',
    vendorCity: '宁波',
    vendorAddress: '',
    orderId: null,
    caseId: 9,
    productId: 5,
    productTitle: '64排CT',
    certNo: 'ZJ-1',
    level: 'domestic',
    field: '高端医疗装备',
    kind: 'equipment',
    projectName: null,
    contractNo: null,
    signedAt: null,
  };

  it('a first purchase is direct / 单一来源（政府首购）; a refund reverses the money', () => {
    const r = releaseOf(row) as Record<string, never>;
    assert.equal(r.ocid, 'ocds-zjsttx-fp-9');
    assert.equal(r.tender['procurementMethod'], 'direct');
    assert.equal(r.tender['procurementMethodDetails'], '单一来源（政府首购）');
    const refund = releaseOf({ ...row, id: 8, countDelta: -1, amountFen: -280_000_000 }) as Record<string, never>;
    assert.equal(refund.ocid, r.ocid);
    const tx = (refund.contracts[0] as { implementation: { transactions: Array<{ value: { amount: number }; payer: { id: string } }> } }).implementation.transactions[0];
    assert.equal(tx.value.amount, 2800000);
    assert.equal(tx.payer.id, 'vendor-4');
  });
});

describe('statistics: charts are data, drawn by escaping partials', () => {
  const views = new Views();
  const globals = { locale: 'zh-CN' as const, base: '', csrfToken: '', actor: null, path: '/', query: {}, nav: {} };

  it('a round axis maximum', () => {
    assert.equal(niceMax(0), 1);
    assert.equal(niceMax(7), 10);
    assert.equal(niceMax(1200), 2000);
    assert.equal(niceMax(4500), 5000);
  });

  it('escapes every label: a name cannot become markup inside the SVG', () => {
    const evil = '</text><script>alert(1)</script><text>';
    const bars = barChart('c', `标题${evil}`, evil, [{ label: evil, value: 5, display: evil }], (v) => String(v));
    const share = shareChart('s', evil, evil, [{ label: evil, value: 5, display: evil, percent: '100.0' }]);
    const map = cityMap('m', evil, evil, [{ key: '杭州', name: evil }], [{ key: '杭州', label: evil, value: 5, display: evil }], () => evil);
    // Rendered through a template that includes the three partials, as the pages do.
    for (const [partial, model] of [
      ['stats/bar-chart', bars],
      ['stats/share-chart', share],
      ['stats/city-map', map],
    ] as const) {
      const html = (views as unknown as { hb: { partials: Record<string, (ctx: unknown, o: unknown) => string> } }).hb.partials[partial](model, { data: globals });
      assert.ok(!html.includes('<script>'), partial);
      assert.ok(html.includes('&lt;script&gt;'), partial);
      assert.match(html, /<title id="[a-z]+-title">/);
    }
  });

  it('bars never go below the axis and their count follows the data', () => {
    const c = barChart('c', 't', 'd', [
      { label: '2020-01', value: -5, display: '-5' },
      { label: '2020-02', value: 10, display: '10' },
    ], String);
    assert.equal(c.bars.length, 2);
    assert.equal(c.bars[0].h, 0);
    assert.ok(c.bars[1].h > 0 && c.bars[1].y + c.bars[1].h <= c.plot.y + c.plot.h + 0.1);
  });
});

describe('statistics: axis labels', () => {
  it('short 万/亿 ticks in Chinese, M/B in English', () => {
    const t = translator('zh-CN');
    assert.equal(axisTick(0, t), '0');
    assert.equal(axisTick(2_000_000_000, t), '2000万');
    assert.equal(axisTick(15_000_000_000, t), '1.5亿');
    assert.equal(axisTick(123_456, t), '1234.56');
    const en = translator('en');
    assert.equal(axisTick(2_000_000_000, en), '20M');
    assert.equal(axisTick(150_000_000_000, en), '1.5B');
    assert.equal(axisTick(123_456, en), '1234.56');
  });
});
