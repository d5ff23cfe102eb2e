import assert from 'node:assert/strict';
import Decimal from 'decimal.js';
import { FakeClock } from '../../src/clock';
import { CITIES, FIELDS, KINDS, LEVELS, PURCHASER_TYPES } from '../../src/domain';
import { translator } from '../../src/i18n';
import { shiftYears } from '../../src/stats/period';
import { GROUP_BY_PARAMS, StatsQuerySchema, type GroupByParam, type StatsQuery } from '../../src/stats/schema';
import { StatsService } from '../../src/stats/service';
import { parseInput } from '../../src/web/validate';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makePurchaser, makeVendor } from '../helpers/factories';
import { dayOf, makeTrade, random, type TradeSpec } from '../helpers/stats-trades';

const t = translator('zh-CN');

type Expected = Map<string, { count: number; amountFen: number }>;

/** The expected grouping, computed here from what the test itself settled — not from any table. */
function expected(specs: TradeSpec[], q: StatsQuery): Expected {
  const f = q.filters;
  const out: Expected = new Map();
  for (const s of specs) {
    const day = dayOf(s);
    if (f.from && day < f.from) continue;
    if (f.to && day > f.to) continue;
    if (f.channel && s.channel !== f.channel) continue;
    if (f.field && s.field !== f.field) continue;
    if (f.level && s.level !== f.level) continue;
    if (f.kind && s.kind !== f.kind) continue;
    if (f.purchaserCity && s.purchaser.city !== f.purchaserCity) continue;
    if (f.vendorCity && s.vendor.city !== f.vendorCity) continue;
    if (f.purchaserType && s.purchaser.type !== f.purchaserType) continue;
    const key = {
      year: day.slice(0, 4),
      month: day.slice(0, 7),
      channel: s.channel,
      field: s.field,
      level: s.level ?? 'none',
      kind: s.kind,
      purchaser_city: s.purchaser.city,
      vendor_city: s.vendor.city,
      purchaser_type: s.purchaser.type,
      vendor: String(s.vendor.id),
      purchaser: String(s.purchaser.id),
    }[q.groupBy];
    const sign = s.refund ? -1 : 1;
    const e = out.get(key) ?? { count: 0, amountFen: 0 };
    e.count += sign;
    e.amountFen += sign * s.amountFen;
    out.set(key, e);
  }
  for (const [k, v] of out) if (v.count === 0 && v.amountFen === 0) out.delete(k);
  return out;
}

const fen = (amount: string) => new Decimal(amount).times(100).toNumber();
const q = (params: Record<string, string>): StatsQuery => parseInput(StatsQuerySchema, params);

function assertMatches(result: Awaited<ReturnType<StatsService['stats']>>, want: Expected, label: string): void {
  const got = new Map(result.rows.map((r) => [r.key, { count: r.count, amountFen: fen(r.amount) }]));
  assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()), label);
  const total = [...want.values()].reduce((s, v) => ({ count: s.count + v.count, amountFen: s.amountFen + v.amountFen }), { count: 0, amountFen: 0 });
  assert.equal(result.total.count, total.count, `${label}: total count`);
  assert.equal(fen(result.total.amount), total.amountFen, `${label}: total amount`);
  assert.match(result.total.amount, /^-?\d+\.\d{2}$/);
}

describe(`statistics over the ledger's trades (${ENGINE})`, function () {
  this.timeout(300000);
  const ctx = useMigratedDb();
  const specs: TradeSpec[] = [];
  let service: StatsService;

  before(async function () {
    this.timeout(300000);
    const db = ctx.db;
    const clock = new FakeClock();
    service = new StatsService(db);
    const rnd = random(20201231);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const purchasers = [];
    for (let i = 0; i < 6; i++) purchasers.push(await makePurchaser(db, { city: CITIES[i % CITIES.length].name, type: PURCHASER_TYPES[i % PURCHASER_TYPES.length] }));
    const vendors = [];
    for (let i = 0; i < 5; i++) vendors.push(await makeVendor(db, { city: CITIES[(i * 3 + 1) % CITIES.length].name }));
    // 2019–2021, with times near midnight Shanghai so the day boundary (UTC+8) is exercised.
    for (let i = 0; i < 150; i++) {
      const year = 2019 + Math.floor(rnd() * 3);
      const month = 1 + Math.floor(rnd() * 12);
      const dayN = 1 + Math.floor(rnd() * 28);
      const hourUtc = pick([0, 3, 15, 16, 23]); // 16:00Z is already the next day in Shanghai
      const at = new Date(Date.UTC(year, month - 1, dayN, hourUtc, 30)).toISOString();
      const channel = rnd() < 0.8 ? 'boutique' : 'first_purchase';
      const field = pick(FIELDS).name;
      const p = pick(purchasers);
      const v = pick(vendors);
      const spec: TradeSpec = {
        at,
        channel,
        purchaser: { id: p.id, city: p.city, type: p.type },
        vendor: { id: v.id, city: v.city },
        amountFen: 100 + Math.floor(rnd() * 5_000_000_00),
        field,
        level: channel === 'first_purchase' || rnd() < 0.4 ? pick(LEVELS) : null,
        kind: pick(KINDS),
      };
      specs.push(spec);
    }
    specs.sort((a, b) => (a.at < b.at ? -1 : 1));
    for (const s of specs) await makeTrade(db, clock, s);
    // Refunds of a few trades, a little later (each counts against: −1 and −amount).
    const refunds = specs.filter((_, i) => i % 17 === 5).map((s) => ({ ...s, refund: true, at: new Date(Date.parse(s.at) + 3 * 86400000).toISOString() }));
    for (const r of refunds) await makeTrade(db, clock, r);
    specs.push(...refunds);
  });

  it('made the facts through the ledger: one trade row per settle/refund transfer', async () => {
    const transfers = await ctx.db('ledger_transfers').whereIn('kind', ['settle', 'refund']).count({ n: '*' }).first();
    const trades = await ctx.db('trades').count({ n: '*' }).first();
    assert.equal(Number(trades?.n), specs.length);
    assert.equal(Number(transfers?.n), specs.length);
    assert.ok(specs.some((s) => s.refund));
  });

  it('the monthly and yearly cubes kept by the triggers agree with the trades for every dimension', async () => {
    const facts = await ctx.db('trades').sum({ n: 'count_delta', a: 'amount_fen' }).first();
    for (const dim of ['all', 'field', 'level', 'kind', 'purchaser_city', 'vendor_city', 'purchaser_type', 'vendor', 'purchaser']) {
      for (const table of ['trade_cube', 'trade_cube_year']) {
        const cube = await ctx.db(table).where({ dim }).sum({ n: 'trade_count', a: 'amount_fen' }).first();
        assert.equal(Number(cube?.n), Number(facts?.n), `${table} ${dim}`);
        assert.equal(Number(cube?.a), Number(facts?.a), `${table} ${dim}`);
      }
    }
  });

  const ranges: Array<[string, Record<string, string>]> = [
    ['all time', {}],
    ['whole year 2020', { from: '2020-01-01', to: '2020-12-31' }],
    ['whole months', { from: '2019-03-01', to: '2020-08-31' }],
    ['whole years and the months around them', { from: '2019-03-01', to: '2021-11-30' }],
    ['partial months at both ends', { from: '2019-03-15', to: '2021-02-10' }],
    ['inside one month', { from: '2020-05-03', to: '2020-05-27' }],
    ['open start', { to: '2020-06-14' }],
    ['open end', { from: '2020-06-15' }],
  ];

  for (const [name, range] of ranges) {
    it(`every groupBy matches the independent sums: ${name}`, async () => {
      for (const groupBy of GROUP_BY_PARAMS) {
        const query = q({ ...range, groupBy });
        assertMatches(await service.stats(query, t), expected(specs, query), `${name} / ${groupBy}`);
      }
    });
  }

  it('filters combine (rollup path) and match: channel, field, level, kind, cities, purchaser type', async () => {
    const combos: Array<Record<string, string>> = [
      { channel: 'first_purchase', groupBy: 'level' },
      { field: '智能装备', groupBy: 'month' },
      { field: '数控机床', groupBy: 'field' },
      { level: 'domestic', groupBy: 'city' },
      { level: 'international', kind: 'equipment', groupBy: 'year' },
      { city: '杭州', groupBy: 'vendorCity' },
      { city: CITIES[1].name, cityOf: 'vendor', groupBy: 'city' },
      { vendorCity: CITIES[4].name, purchaserType: 'hospital', groupBy: 'purchaser' },
      { channel: 'boutique', kind: 'software', groupBy: 'vendor', from: '2019-07-07', to: '2021-03-31' },
    ];
    for (const c of combos) {
      const query = q(c);
      const result = await service.stats(query, t);
      assertMatches(result, expected(specs, query), JSON.stringify(c));
    }
  });

  it('reads whole months from the cube or the rollup, and only partial months from the trades', async () => {
    assert.equal((await service.stats(q({ from: '2020-01-01', to: '2020-12-31', groupBy: 'field' }), t)).source, 'cube');
    assert.equal((await service.stats(q({ from: '2020-01-01', to: '2020-12-31', field: '船舶', groupBy: 'city' }), t)).source, 'rollup');
    assert.equal((await service.stats(q({ from: '2020-01-05', to: '2020-12-31', groupBy: 'month' }), t)).source, 'cube+trades');
    assert.equal((await service.stats(q({ from: '2020-01-05', to: '2020-01-06' }), t)).source, 'trades');
  });

  it('year-on-year: every row against the same keys a year earlier, blank where last year had nothing', async () => {
    for (const groupBy of ['month', 'year', 'field', 'channel', 'vendor'] as GroupByParam[]) {
      const query = q({ from: '2020-01-01', to: '2020-12-31', groupBy });
      const prevQuery = q({ from: shiftYears('2020-01-01', -1), to: shiftYears('2020-12-31', -1), groupBy });
      const result = await service.stats(query, t);
      const prev = expected(specs, prevQuery);
      for (const row of result.rows) {
        const prevKey = groupBy === 'month' ? `2019-${row.key.slice(5)}` : groupBy === 'year' ? String(Number(row.key) - 1) : row.key;
        const p = prev.get(prevKey);
        const pct = (cur: number, before: number | undefined) =>
          !before ? null : new Decimal(cur).minus(before).times(100).dividedBy(Math.abs(before)).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1).replace(/^-0\.0$/, '0.0');
        const want = p ? { count: pct(row.count, p.count), amount: pct(fen(row.amount), p.amountFen) } : null;
        assert.deepEqual(row.yoy, want && (want.count !== null || want.amount !== null) ? want : null, `${groupBy} ${row.key}`);
      }
    }
  });

  it('2019 rows have no year-on-year change: nothing was traded in 2018', async () => {
    const result = await service.stats(q({ from: '2019-01-01', to: '2019-12-31', groupBy: 'month' }), t);
    assert.ok(result.rows.length > 0);
    for (const row of result.rows) assert.equal(row.yoy, null, row.key);
    assert.equal(result.total.yoy, null);
  });

  it('top 10 vendors and purchasers by amount, with names', async () => {
    const query = q({ from: '2020-01-01', to: '2020-12-31' });
    const result = await service.stats(query, t);
    const byVendor = [...expected(specs, q({ from: '2020-01-01', to: '2020-12-31', groupBy: 'vendor' }))].sort((a, b) => b[1].amountFen - a[1].amountFen);
    assert.deepEqual(
      result.top.vendors.map((v) => [String(v.id), fen(v.amount)]),
      byVendor.slice(0, 10).map(([k, v]) => [k, v.amountFen]),
    );
    assert.ok(result.top.vendors.every((v) => v.name.includes('测试供应商')));
    assert.ok(result.top.purchasers.length > 0 && result.top.purchasers.length <= 10);
  });

  it('labels keys in the reader language', async () => {
    const en = translator('en');
    const byChannel = await service.stats(q({ groupBy: 'channel' }), en);
    assert.deepEqual(byChannel.rows.map((r) => r.label).sort(), ['Boutique hall', 'Government first purchase']);
    const byLevel = await service.stats(q({ groupBy: 'level' }), t);
    assert.ok(byLevel.rows.some((r) => r.key === 'none' && r.label === '无认定级别（精品）'));
  });
});

describe(`statistics: hand-made year-on-year and refunds (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let service: StatsService;

  before(async () => {
    const db = ctx.db;
    const clock = new FakeClock();
    service = new StatsService(db);
    const p = await makePurchaser(db, { city: '杭州', type: 'hospital' });
    const v = await makeVendor(db, { city: '宁波' });
    const base = { purchaser: { id: p.id, city: p.city, type: p.type }, vendor: { id: v.id, city: v.city }, level: 'domestic', kind: 'equipment' } as const;
    const trade = (at: string, channel: TradeSpec['channel'], field: string, yuan: number, refund = false) =>
      makeTrade(db, clock, { ...base, at, channel, field, amountFen: yuan * 100, refund });
    // 2019: boutique 2 trades ¥300 in 数控机床; no first purchase at all.
    await trade('2019-03-01T02:00:00Z', 'boutique', '数控机床', 100);
    await trade('2019-07-01T02:00:00Z', 'boutique', '数控机床', 200);
    // 2020: boutique 3 trades ¥600 minus a refunded ¥100 one → 2 trades ¥500; first purchase 1 trade ¥1000.
    await trade('2020-03-01T02:00:00Z', 'boutique', '数控机床', 100);
    await trade('2020-04-01T02:00:00Z', 'boutique', '数控机床', 200);
    await trade('2020-05-01T02:00:00Z', 'boutique', '智能装备', 300);
    await trade('2020-06-01T02:00:00Z', 'boutique', '数控机床', 100, true);
    await trade('2020-08-01T02:00:00Z', 'first_purchase', '高端医疗装备', 1000);
  });

  it('channel rows for 2020 with YoY against 2019; first purchase blank (nothing last year)', async () => {
    const result = await service.stats(q({ from: '2020-01-01', to: '2020-12-31', groupBy: 'channel' }), t);
    assert.deepEqual(
      result.rows.map((r) => ({ key: r.key, count: r.count, amount: r.amount, yoy: r.yoy })),
      [
        { key: 'first_purchase', count: 1, amount: '1000.00', yoy: null },
        // 2 trades ¥500 vs 2 trades ¥300: count +0.0 %, amount +66.7 %
        { key: 'boutique', count: 2, amount: '500.00', yoy: { count: '0.0', amount: '66.7' } },
      ],
    );
    assert.deepEqual(result.total, { count: 3, amount: '1500.00', yoy: { count: '50.0', amount: '400.0' } });
  });

  it('a refund counts against its trade: −1 and −amount in its own month', async () => {
    const result = await service.stats(q({ from: '2020-06-01', to: '2020-06-30', groupBy: 'month' }), t);
    assert.deepEqual(
      result.rows.map((r) => [r.key, r.count, r.amount]),
      [['2020-06', -1, '-100.00']],
    );
  });

  it('by field, 2020 vs 2019: 数控机床 (1 net trade, ¥200) −50.0 % / −33.3 %; new fields blank', async () => {
    const result = await service.stats(q({ from: '2020-01-01', to: '2020-12-31', groupBy: 'field' }), t);
    const byKey = Object.fromEntries(result.rows.map((r) => [r.key, r]));
    assert.deepEqual(byKey['数控机床'].yoy, { count: '-50.0', amount: '-33.3' });
    assert.equal(byKey['数控机床'].amount, '200.00');
    assert.equal(byKey['智能装备'].yoy, null);
    assert.equal(byKey['高端医疗装备'].yoy, null);
  });

  it('by year over all time: each year against the one before', async () => {
    const result = await service.stats(q({ groupBy: 'year' }), t);
    assert.deepEqual(
      result.rows.map((r) => [r.key, r.count, r.amount, r.yoy]),
      [
        ['2019', 2, '300.00', null],
        ['2020', 3, '1500.00', { count: '50.0', amount: '400.0' }],
      ],
    );
  });

  it('the public summary: the channels apart by year and by field (issue 14 item 14), no figure adding them, no per-unit data', async () => {
    const s = await service.summary({ year: 2020 }, t);
    assert.deepEqual(s.years, [
      { year: 2019, through: null },
      { year: 2020, through: null },
    ]);
    const { boutique, first_purchase: first } = s.channels;
    assert.deepEqual(boutique.years.map((y) => [y.year, y.count, y.amount, y.yoy]), [
      [2019, 2, '300.00', null],
      [2020, 2, '500.00', { count: '0.0', amount: '66.7' }],
    ]);
    assert.deepEqual(first.years.map((y) => [y.year, y.count, y.amount, y.yoy]), [[2020, 1, '1000.00', null]]);
    assert.deepEqual(boutique.total, { count: 4, amount: '800.00' });
    assert.deepEqual(first.total, { count: 1, amount: '1000.00' });
    assert.deepEqual(
      boutique.fields.map((f) => [f.key, f.amount, f.share]),
      [
        ['智能装备', '300.00', '60.0'],
        ['数控机床', '200.00', '40.0'],
      ],
    );
    assert.deepEqual(first.fields.map((f) => [f.key, f.amount, f.share]), [['高端医疗装备', '1000.00', '100.0']]);
    const text = JSON.stringify(s);
    assert.ok(!text.includes('1800.00') && !text.includes('"total":{"count":5'), 'no total of both channels');
    assert.ok(!text.includes('测试'), 'no unit names in the public summary');
  });

  it('an unfinished year is compared with the same period of the year before (issue 14 item 15)', async () => {
    // "Today" is 2020-04-15: 2020 so far (¥100 + ¥200 boutique) against 2019 up to 15 April (¥100), not all of 2019.
    const s = await service.summary({}, t, { today: '2020-04-15' });
    assert.deepEqual(s.years.find((y) => y.year === 2020), { year: 2020, through: '2020-04-15' });
    // 2020 (2 net trades, ¥500) against 2019 to 15 April (1 trade, ¥100).
    assert.deepEqual(s.channels.boutique.years.find((y) => y.year === 2020)?.yoy, { count: '100.0', amount: '400.0' });
    const byYear = await service.stats(q({ groupBy: 'year', channel: 'boutique', to: '2020-04-15' }), t, { today: '2020-04-15' });
    assert.deepEqual(byYear.rows.map((r) => [r.key, r.count, r.amount, r.yoy]), [
      ['2019', 2, '300.00', null],
      ['2020', 2, '300.00', { count: '100.0', amount: '200.0' }],
    ]);
    // The same range asked for the whole year: cut at today, then shifted back — like for like.
    const year = await service.stats(q({ from: '2020-01-01', to: '2020-12-31', channel: 'boutique', groupBy: 'channel' }), t, { today: '2020-04-15' });
    assert.deepEqual(year.total.yoy, { count: '100.0', amount: '400.0' });
    // Open-ended by year: the current year's row against 2019 up to 15 April.
    const open = await service.stats(q({ groupBy: 'year', channel: 'boutique' }), t, { today: '2020-04-15' });
    assert.deepEqual(open.rows.find((r) => r.key === '2020')?.yoy, { count: '100.0', amount: '400.0' });
    // Without `today` (or for a finished year) the whole previous year as before.
    const whole = await service.stats(q({ groupBy: 'year', channel: 'boutique' }), t);
    assert.deepEqual(whole.rows.find((r) => r.key === '2020')?.yoy, { count: '0.0', amount: '66.7' });
  });

});
