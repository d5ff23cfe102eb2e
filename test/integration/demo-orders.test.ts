import { DEMO_EXPERTS } from '../../seeds/demo-recognition';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { Ledger } from '../../src/ledger/service';
import { DEMO_TODAY } from '../../seeds/demo';
import { BOUTIQUE_YEARS, REPORT_2020_BOUTIQUE } from '../../seeds/demo-orders';
import { buys } from '../../seeds/lists/parties';
import type { FieldName } from '../../src/domain';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { DEMO_LOADED_AT, useDemoDb } from '../helpers/demo-db';

/**
 * The demo's boutique trades (seeds/demo-orders.ts), loaded the way `npm start` loads them: 2020 reproduces the
 * report's 1097 trades and 1.18亿元, other years exist for year-on-year figures, the demo accounts have orders in
 * every state, and the books verify.
 */
describe(`demo boutique trades (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();


  const boutique = (year: number) =>
    ctx.db('trades').where({ channel: 'boutique', year }).select(ctx.db.raw('COALESCE(SUM(count_delta), 0) as n'), ctx.db.raw('COALESCE(SUM(amount_fen), 0) as fen')).first();

  it('2020: exactly 1097 boutique trades totalling between ¥117,500,000.00 and ¥118,499,999.99 (1.18亿元)', async () => {
    const r = await boutique(2020);
    assert.equal(Number(r.n), REPORT_2020_BOUTIQUE.count);
    assert.ok(Number(r.fen) >= REPORT_2020_BOUTIQUE.minFen && Number(r.fen) <= REPORT_2020_BOUTIQUE.maxFen, `2020 total ${r.fen} fen`);
  });

  it('boutique trades in 2019 and every year 2021–2026, so year-on-year figures exist', async () => {
    for (const year of Object.keys(BOUTIQUE_YEARS).map(Number)) {
      const r = await boutique(year);
      assert.ok(Number(r.n) >= 30, `${year}: ${r.n} trades`);
      assert.ok(Number(r.fen) > 0);
    }
  });

  it('every trade is a real settled order: one settlement transfer of the order’s total, an order in paid or refunded', async () => {
    const orphans = await ctx.db('trades as t')
      .leftJoin('orders as o', 'o.id', 't.order_id')
      .leftJoin('ledger_transfers as l', 'l.id', 't.transfer_id')
      .where('t.channel', 'boutique')
      .andWhere((q) => q.whereNull('o.id').orWhereNotIn('o.status', ['paid', 'refunded']).orWhereNot('l.order_id', ctx.db.ref('o.id')).orWhereRaw('ABS(t.amount_fen) <> o.total_fen'))
      .count({ n: '*' })
      .first();
    assert.equal(Number(orphans?.n), 0);
    const history = await ctx.db('order_history').count({ n: '*' }).first();
    const audit = await ctx.db('audit_log').where('entity', 'order').count({ n: '*' }).first();
    assert.equal(Number(audit?.n), Number(history?.n), 'an audit record for every step');
  });

  it('the demo purchasers have 2026 budget and orders in every state; each demo vendor has orders to confirm', async () => {
    const users = await ctx.db('users').whereIn('username', ['purchaser', 'purchaser2', 'vendor', 'vendor2']).select('username', 'purchaser_id', 'vendor_id');
    for (const u of users.filter((x) => x.purchaser_id)) {
      const alloc2026 = await ctx.db('ledger_transfers as t')
        .join('ledger_accounts as a', 'a.id', 't.credit_account_id')
        .where({ 't.kind': 'allocate', 'a.code': `budget:${u.purchaser_id}` })
        .andWhere('t.created_at', '>=', '2026-01-01')
        .sum({ s: 't.amount_fen' })
        .first();
      assert.ok(Number(alloc2026?.s) >= 1_000_000_00, `${u.username}: 2026 budget`);
      const available = await ctx.db('ledger_accounts').where({ code: `budget:${u.purchaser_id}` }).first();
      assert.ok(Number(available.balance_fen) >= 1_000_000_00, `${u.username}: budget left to shop with`);
      const states = (await ctx.db('orders').where({ purchaser_id: u.purchaser_id }).andWhere('created_at', '>=', '2026-11-01').distinct('status')).map((r) => r.status).sort();
      assert.deepEqual(states, ['accepted', 'cancelled', 'confirmed', 'delivered', 'paid', 'placed', 'refunded'], u.username);
    }
    for (const u of users.filter((x) => x.vendor_id)) {
      const placed = await ctx.db('orders').where({ vendor_id: u.vendor_id, status: 'placed' }).count({ n: '*' }).first();
      assert.ok(Number(placed?.n) >= 2, `${u.username}: orders to confirm`);
    }
  });

  it('a plausible series around 2020 (issue 14 item 15): no year jumps by more than 40% or falls by more than 5%; 2026 like for like', async () => {
    const years = Object.keys(BOUTIQUE_YEARS).map(Number).sort();
    const counts = new Map<number, number>();
    for (const y of years) counts.set(y, Number((await boutique(y)).n));
    for (const y of years.filter((x) => x > years[0] && x < 2026)) {
      const change = counts.get(y)! / counts.get(y - 1)! - 1;
      assert.ok(change > -0.05 && change < 0.4, `${y}: ${counts.get(y - 1)} → ${counts.get(y)}`);
    }
    // 2026 is not over (the demo's today): against 2025 up to the same day.
    const upTo = async (from: string, to: string) =>
      Number((await ctx.db('trades').where({ channel: 'boutique' }).andWhere('day', '>=', from).andWhere('day', '<=', to).sum({ n: 'count_delta' }).first())?.n);
    const last = await upTo('2025-01-01', `2025-${DEMO_TODAY.slice(5)}`);
    const change = counts.get(2026)! / last - 1;
    assert.ok(Math.abs(change) < 0.1, `2026 so far ${counts.get(2026)} against ${last} a year earlier`);
  });

  it('purchasers buy what their work needs (issue 14 item 16): no hospital buys CNC machine tools, no education bureau a CT', async () => {
    const rows: Array<{ name: string; field: FieldName; title: string }> = await ctx.db('trades as t')
      .join('purchasers as p', 'p.id', 't.purchaser_id')
      .join('products as pr', 'pr.id', 't.product_id')
      .where('t.channel', 'boutique')
      .distinct('p.name', 'pr.field', 'pr.title');
    assert.ok(rows.length > 100);
    const odd = rows.filter((r) => !buys(r.name, r.field, r.title));
    assert.deepEqual(odd, []);
    assert.ok(!rows.some((r) => /医院$/.test(r.name) && r.field === '数控机床'), 'a hospital bought a machine tool');
    assert.ok(!rows.some((r) => /教育局$/.test(r.name) && (r.field === '高端医疗装备' || /CT/.test(r.title))), 'an education bureau bought medical equipment');
    // Every kind of unit buys something, and the demo accounts' own orders follow the same rule.
    for (const unit of [/医院$/, /教育局$/, /应急管理局$/, /职业技术学院$/, /疾病预防控制中心$/]) assert.ok(rows.some((r) => unit.test(r.name)), String(unit));
    const own: Array<{ name: string; field: FieldName; title: string }> = await ctx.db('orders as o')
      .join('purchasers as p', 'p.id', 'o.purchaser_id')
      .join('order_items as i', 'i.order_id', 'o.id')
      .join('products as pr', 'pr.id', 'i.product_id')
      .join('users as u', 'u.purchaser_id', 'p.id')
      .whereIn('u.username', ['purchaser', 'purchaser2'])
      .distinct('p.name', 'pr.field', 'pr.title');
    assert.ok(own.length >= 2);
    assert.deepEqual(own.filter((r) => !buys(r.name, r.field, r.title)), []);
  });

  it('budgets never below zero, and ledger:verify passes', async () => {
    const negative = await ctx.db('ledger_accounts').whereNot('type', 'treasury').andWhere('balance_fen', '<', 0).count({ n: '*' }).first();
    assert.equal(Number(negative?.n), 0);
    const report = await new Ledger(new FakeClock()).verify(ctx.db);
    assert.equal(report.ok, true, JSON.stringify(report));
  });

  it('nothing in the demo happened after its present (the loader’s clock)', async () => {
    const present = new Date(DEMO_LOADED_AT).toISOString();
    for (const [table, column] of [
      ['ledger_transfers', 'created_at'],
      ['order_history', 'at'],
      ['fp_history', 'at'],
      ['audit_log', 'at'],
      ['notices', 'published_at'],
      ['orders', 'updated_at'],
    ] as const) {
      const row = await ctx.db(table).max({ last: column }).first();
      assert.ok(String(row?.last) <= present, `${table}.${column}: ${String(row?.last)} is after ${present}`);
    }
  });

  it('historical operators cannot log in (only the demo accounts of DESIGN §7 are active)', async () => {
    const active = (await ctx.db('users').where({ status: 'active' }).select('username')).map((u) => u.username).sort();
    const experts = Array.from({ length: DEMO_EXPERTS }, (_, i) => `expert${i + 1}`);
    assert.deepEqual(active, ['admin', 'finance', 'purchaser', 'purchaser2', 'vendor', 'vendor2', ...experts].sort());
  });
});
