import { FakeClock } from '../src/clock';
import { executorFor, inUnitOfWork, refreshPlannerStatistics, type Db, type Executor } from '../src/db';
import { BudgetService } from '../src/ledger/budgets';
import { OrderService } from '../src/orders/service';
import type { OrderAction } from '../src/orders/transitions';
import { toActor, type ActorColumns } from '../src/auth/repo';
import { directPurchaseLimitFen } from '../src/settings';
import type { Actor } from '../src/web/state';
import type { CatalogueIds } from './lib/catalogue';
import { Rng, addDays } from './lib/random';
import { BulkOrders, type BulkStep, type PlacedBatch } from './lib/bulk-orders';
import { buys } from './lists/parties';
import type { FieldName } from '../src/domain';

/*
 * The trading part of the demo data: budgets, and the boutique hall's (精品馆) orders — every one placed, confirmed,
 * delivered, accepted and paid under the orders' rules, with the money moved by the Ledger, each step dated by a
 * frozen FakeClock. Calibrated to the 2020 report (DESIGN §5): exactly 1097 boutique trades settled in 2020 totalling
 * 1.18亿元. The other years are demo data, a plausible series around 2020 (the hall's first full year 2019 below it,
 * steady growth after it, 2026 up to the demo's today), of the same typical trade size (about ¥110,000). The history
 * is written a month's orders at a time (seeds/lib/bulk-orders.ts, the orders' group-commit path for every step), so
 * some 9,500 trades load in seconds; the demo accounts' own orders go through OrderService one call at a time.
 *
 * Each trade's buyer is a unit that plausibly buys that product (seeds/lists/parties.ts `buys`): hospitals buy
 * medical equipment, not CNC machine tools; an education bureau buys teaching equipment, not a CT.
 *
 * This file lives directly in seeds/, where knex expects a `seed` export from every file; its `seed` is a no-op
 * because the demo loader (seeds/demo.ts) calls `seedDemoOrders` inside its own transaction.
 */

const TRADES_SEED = 20_200_118;
/** The demo's present (seeds/lib/catalogue.ts DEMO_TODAY): open orders are dated just before it. */
const TODAY = '2026-11-27';

/**
 * Trades settled per year and the yuan they should total; 2020 is the report's figure, the rest a plausible demo
 * series around it (2026 up to the demo's today, about +4% on the same period of 2025).
 */
export const BOUTIQUE_YEARS: Record<number, { count: number; yuan: number }> = {
  2019: { count: 812, yuan: 86_000_000 },
  2020: { count: 1097, yuan: 118_000_000 },
  2021: { count: 1163, yuan: 126_500_000 },
  2022: { count: 1219, yuan: 133_800_000 },
  2023: { count: 1268, yuan: 140_500_000 },
  2024: { count: 1311, yuan: 146_900_000 },
  2025: { count: 1352, yuan: 152_300_000 },
  2026: { count: 1290, yuan: 145_000_000 },
};
/** DESIGN §5: the 2020 boutique total lies in [¥117,500,000.00, ¥118,499,999.99]. */
export const REPORT_2020_BOUTIQUE = { count: 1097, minFen: 11_750_000_000, maxFen: 11_849_999_999 } as const;

/** Every unit gets this much each year on top of what its year's trades need (the first-purchase step brings its own). */
const BASE_BUDGET_FEN = 300_000_00;
/** The demo purchasers' 2026 budget, to shop with in the running demo. */
const DEMO_2026_BUDGET_FEN = 5_000_000_00;

interface ProductInfo {
  id: number;
  vendorId: number;
  title: string;
  field: FieldName;
  priceFen: number;
  stock: number;
  listedOn: string;
}

interface PlannedTrade {
  purchaserId: number;
  productId: number;
  vendorId: number;
  quantity: number;
  amountFen: number;
  /** When each step happens: place, confirm, deliver, accept, pay. */
  times: string[];
}

export interface DemoOrdersSummary {
  /** Settled boutique trades by year: count and fen. */
  trades: Record<number, { count: number; amountFen: number }>;
  /** The demo accounts' orders left in each state. */
  open: Record<string, number>;
  allocations: number;
}

const STEPS: OrderAction[] = ['confirm', 'deliver', 'accept', 'pay'];
/** The tables (and columns) the history's steps look up as they grow, and the steps between two refreshes of their statistics. */
export const GROWING = {
  outbox_events: ['stream'],
  ledger_transfers: ['idempotency_key', 'order_id'],
  ledger_accounts: ['code'],
  orders: ['status'],
  order_items: ['order_id'],
} as const;
/**
 * Steps between two refreshes (PostgreSQL): about every 25 monthly batches. With the monthly batches and a refresh
 * every 250 steps, the history took 26–33 s on PostgreSQL against 18–19 s with 125 (docs/benchmarks-history.md).
 */
const STATISTICS_EVERY = 125;

/** An instant on a day, between 09:00 and 16:59 Shanghai time. */
const at = (day: string, rng: Rng) => `${day}T${String(1 + rng.int(0, 7)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}.000Z`;

/** Step dates after a placement: confirmed the next day, delivered within a week, accepted and paid days after. */
function lifeOf(day: string, rng: Rng): string[] {
  const days = [day];
  for (const [lo, hi] of [[1, 2], [2, 5], [1, 3], [1, 4]]) days.push(addDays(days[days.length - 1], rng.int(lo, hi)));
  return days.map((d) => at(d, rng));
}

/**
 * The placement day of each four weeks of a year's trading (the units' monthly payment plans, 用款计划; a weekday of its
 * own, so the batches look lived in): one batch a month keeps first start within its seconds (DESIGN §7, issue 14;
 * fortnightly batches took 20–30% longer, docs/benchmarks-history.md).
 */
function placementDays(rng: Rng, first: string, last: string): string[] {
  const days: string[] = [];
  for (let monday = first; monday <= last; monday = addDays(monday, 28)) {
    const day = addDays(monday, rng.int(0, 3));
    if (day <= last) days.push(day);
  }
  return days;
}

/**
 * Draws one year's trades: `count` trades whose amounts add up close to `targetFen`, the last one chosen to land as
 * near as the price list allows. Only products listed before the order day, and only from the stock `stock` says
 * may be sold, are bought. No trade is above the direct-purchase limit (`limitFen`, DESIGN §9): each draw is capped
 * by it, and each leaves no more to the trades after it than they can take under the limit, so the year still adds up.
 */
function planYear(rng: Rng, year: number, count: number, targetFen: number, products: ProductInfo[], buyersOf: (p: ProductInfo) => number[], stock: Map<number, number>, limitFen: number): PlannedTrade[] {
  const first = `${year}-01-06`;
  const last = year === 2026 ? addDays(TODAY, -20) : `${year}-12-12`;
  // Orders are placed in monthly batches (seeds/lib/bulk-orders.ts): each trade falls in one of the year's months.
  const weeks = placementDays(rng, first, last);
  const days = Array.from({ length: count }, () => rng.pick(weeks)).sort();
  const trades: PlannedTrade[] = [];
  // What one trade may take at most: under the limit, with room to spare for the closing trades' rounding.
  const capFen = Math.floor(limitFen * 0.95);
  let remaining = targetFen;
  days.forEach((day, i) => {
    const left = count - i;
    const open = products.filter((p) => p.listedOn <= day && (stock.get(p.id) ?? 0) > 0 && p.priceFen <= limitFen);
    const most = (p: ProductInfo) => Math.min(stock.get(p.id) ?? 0, Math.floor(limitFen / p.priceFen));
    let product: ProductInfo;
    let quantity: number;
    if (left === 1) {
      // The closing trade: the product and quantity that bring the year's total nearest to its target.
      let best = { p: open[0], q: 1, miss: Number.MAX_SAFE_INTEGER };
      for (const p of open) {
        const q = Math.max(1, Math.min(most(p), Math.round(remaining / p.priceFen)));
        const miss = Math.abs(remaining - p.priceFen * q);
        if (miss < best.miss) best = { p, q, miss };
      }
      product = best.p;
      quantity = best.q;
    } else {
      // At least what keeps the rest within reach of the trades still to come, each under the cap.
      const floor = remaining - (left - 1) * capFen * 0.8;
      const want = Math.min(capFen, Math.max(floor, 1, Math.round((remaining / left) * (0.4 + rng.next() * 1.2))));
      const affordable = open.filter((p) => p.priceFen <= want);
      product = affordable.length ? rng.pick(affordable) : open.reduce((a, b) => (a.priceFen <= b.priceFen ? a : b));
      const cap = floor > 0 ? Math.floor(capFen / product.priceFen) : 20;
      quantity = Math.max(1, Math.min(stock.get(product.id) ?? 1, cap, Math.floor(limitFen / product.priceFen), Math.round(want / product.priceFen)));
    }
    stock.set(product.id, (stock.get(product.id) ?? 0) - quantity);
    const amountFen = product.priceFen * quantity;
    remaining -= amountFen;
    trades.push({ purchaserId: rng.pick(buyersOf(product)), productId: product.id, vendorId: product.vendorId, quantity, amountFen, times: [] });
  });
  // One life per month: the orders placed together take each step together.
  const lives = new Map(weeks.map((d) => [d, lifeOf(d, rng)]));
  trades.forEach((t, i) => (t.times = lives.get(days[i])!));
  return trades;
}

interface Actors {
  admin: Actor;
  purchaser: (unitId: number) => Actor;
  vendor: (vendorId: number) => Actor;
}

/**
 * Operators for the historical trades: the demo accounts act for their own unit and enterprise; every other unit and
 * vendor gets a disabled account (it cannot log in) so that each step names who took it.
 */
async function actorsFor(db: Executor, ids: CatalogueIds, purchasers: number[], vendors: number[]): Promise<Actors> {
  const users: ActorColumns[] = await db('users').select(
    'id',
    'username',
    'role',
    'purchaser_id',
    'vendor_id',
    'display_name',
  );
  const byUnit = new Map(users.filter((u) => u.role === 'purchaser' && u.purchaser_id !== null).map((u) => [Number(u.purchaser_id), u]));
  const byVendor = new Map(users.filter((u) => u.role === 'vendor' && u.vendor_id !== null).map((u) => [Number(u.vendor_id), u]));
  const names = new Map<string, string>();
  for (const r of await db('purchasers').whereIn('id', purchasers).select('id', 'name')) names.set(`p${r.id}`, r.name);
  for (const r of await db('vendors').whereIn('id', vendors).select('id', 'name')) names.set(`v${r.id}`, r.name);
  const now = `${TODAY}T00:00:00.000Z`;
  const missing = [
    ...purchasers.filter((p) => !byUnit.has(p)).map((p) => ({ username: `demo-ops-p${p}`, role: 'purchaser', purchaser_id: p, vendor_id: null, display_name: `${names.get(`p${p}`)} 经办人` })),
    ...vendors.filter((v) => !byVendor.has(v)).map((v) => ({ username: `demo-ops-v${v}`, role: 'vendor', purchaser_id: null, vendor_id: v, display_name: `${names.get(`v${v}`)} 经办人` })),
  ].map((u) => ({ ...u, password_hash: '!', status: 'disabled', created_at: now }));
  for (let i = 0; i < missing.length; i += 100) await db('users').insert(missing.slice(i, i + 100));
  for (const u of await db('users').where('username', 'like', 'demo-ops-%').select('id', 'username', 'role', 'purchaser_id', 'vendor_id', 'display_name')) {
    if (u.role === 'purchaser') byUnit.set(Number(u.purchaser_id), u);
    else byVendor.set(Number(u.vendor_id), u);
  }
  const admin = users.find((u) => Number(u.id) === ids.users.admin);
  if (!admin) throw new Error('the demo admin account is missing');
  return {
    admin: toActor(admin),
    purchaser: (unitId) => toActor(byUnit.get(unitId)!),
    vendor: (vendorId) => toActor(byVendor.get(vendorId)!),
  };
}

/**
 * Writes budgets and boutique orders through BudgetService and OrderService, inside the loader's one transaction
 * (called inside the loader's unit of work, `withUnitOfWork`: every service call joins its transaction). `ready` is
 * called once the units' and enterprises' operator accounts exist — what the other parts of the demo look up — so
 * that the loader may start them beside this one (seeds/demo.ts).
 */
export async function seedDemoOrders(root: Db, ids: CatalogueIds, opts: { ready?: () => void } = {}): Promise<DemoOrdersSummary> {
  if (!inUnitOfWork()) throw new Error('seedDemoOrders runs inside the demo loader\'s unit of work (withUnitOfWork)');
  const db = executorFor(root);
  const rng = new Rng(TRADES_SEED);
  const clock = new FakeClock();
  const orders = new OrderService(root, clock);
  const budgets = new BudgetService(root, clock);

  const rows: Array<{ id: number; vendor_id: number; title: string; field: FieldName; price_fen: number; stock: number; created_at: string }> = await db('products')
    .whereIn('id', ids.boutiqueProducts)
    .orderBy('id')
    .select('id', 'vendor_id', 'title', 'field', 'price_fen', 'stock', 'created_at');
  const demoVendorIds = new Set([ids.demoVendors.vendor, ids.demoVendors.vendor2]);
  const products: ProductInfo[] = rows.map((r) => ({ id: Number(r.id), vendorId: Number(r.vendor_id), title: r.title, field: r.field, priceFen: Number(r.price_fen), stock: Number(r.stock), listedOn: String(r.created_at).slice(0, 10) }));
  // Who may buy what (seeds/lists/parties.ts): a product's plausible buyers among the demo's purchasing units.
  const units: Array<{ id: number; name: string }> = await db('purchasers').whereIn('id', ids.purchasers).orderBy('id').select('id', 'name');
  const buyers = new Map(products.map((p) => [p.id, units.filter((u) => buys(u.name, p.field, p.title)).map((u) => Number(u.id))]));
  const buyersOf = (p: ProductInfo) => buyers.get(p.id) ?? [];
  // The demo vendors' listings are kept for the open orders below, so a visitor finds them in stock; a product no
  // unit would buy is not traded.
  const tradable = products.filter((p) => !demoVendorIds.has(p.vendorId) && buyersOf(p).length > 0);
  // What the history may sell of each listing: a quarter of today's stock (at least 3) stays on the shelf.
  const stock = new Map(products.map((p) => [p.id, Math.max(0, p.stock - Math.max(3, Math.ceil(p.stock / 4)))]));

  // The direct-purchase limit the orders service applies (the default, unless the data already holds another).
  const limitFen = await directPurchaseLimitFen(db);
  const planned = new Map<number, PlannedTrade[]>();
  for (const [year, spec] of Object.entries(BOUTIQUE_YEARS)) {
    planned.set(Number(year), planYear(rng, Number(year), spec.count, spec.yuan * 100, tradable, buyersOf, stock, limitFen));
  }
  const total2020 = planned.get(2020)!.reduce((s, t) => s + t.amountFen, 0);
  const above = [...planned.values()].flat().find((t) => t.amountFen > limitFen);
  if (above) throw new Error(`demo trades: a planned order of ${above.amountFen} fen is above the direct-purchase limit`);
  if (total2020 < REPORT_2020_BOUTIQUE.minFen || total2020 > REPORT_2020_BOUTIQUE.maxFen) {
    throw new Error(`demo trades: the 2020 boutique total ${total2020} fen is outside the report's range`);
  }

  const vendorsUsed = [...new Set([...products.map((p) => p.vendorId)])];
  const actors = await actorsFor(db, ids, ids.purchasers, vendorsUsed);
  opts.ready?.();

  // Events in time order: each year's allocations on its first working day, then every order step as dated.
  type Event = { at: string; run: () => Promise<void> };
  const events: Event[] = [];
  let allocations = 0;
  // Each year's allocations happen together (the budget approval at the start of the year): one call for all units.
  const yearly = new Map<string, Array<{ purchaserId: number; amountFen: number; requestKey: string }>>();
  const allocate = (at: string, purchaserId: number, amountFen: number, key: string) => {
    if (!yearly.has(at)) {
      yearly.set(at, []);
      events.push({
        at,
        run: async () => {
          allocations += await budgets.allocateAll(actors.admin, yearly.get(at)!);
        },
      });
    }
    yearly.get(at)!.push({ purchaserId, amountFen, requestKey: key });
  };
  for (const [year, trades] of planned) {
    const need = new Map<number, number>();
    for (const t of trades) need.set(t.purchaserId, (need.get(t.purchaserId) ?? 0) + t.amountFen);
    for (const unit of ids.purchasers) {
      const fen = BASE_BUDGET_FEN + Math.ceil(((need.get(unit) ?? 0) * 1.1) / 1_000_000) * 1_000_000;
      allocate(`${year}-01-04T01:30:00.000Z`, unit, fen, `demo:${year}:${unit}`);
    }
  }
  for (const unit of [ids.demoPurchasers.purchaser, ids.demoPurchasers.purchaser2]) {
    allocate('2026-01-05T01:30:00.000Z', unit, DEMO_2026_BUDGET_FEN, `demo:2026:${unit}:desk`);
  }

  // The history, a month's orders at a time: each batch places its orders together and takes each step together.
  const bulk = new BulkOrders(db, clock, limitFen);
  const settled: DemoOrdersSummary['trades'] = {};
  for (const [year, trades] of planned) {
    settled[year] = { count: 0, amountFen: 0 };
    const weeks = new Map<string[], PlannedTrade[]>();
    for (const t of trades) weeks.set(t.times, [...(weeks.get(t.times) ?? []), t]);
    for (const [times, batch] of weeks) {
      let placed: PlacedBatch | null = null;
      const lines = batch.map((t) => ({ buyer: actors.purchaser(t.purchaserId), seller: actors.vendor(t.vendorId), productId: t.productId, quantity: t.quantity }));
      events.push({ at: times[0], run: async () => void (placed = await bulk.place(times[0], lines)) });
      STEPS.forEach((action, i) => events.push({ at: times[i + 1], run: () => bulk.step(times[i + 1], placed!, action as Exclude<BulkStep, 'place'>) }));
      settled[year].count += batch.length;
      settled[year].amountFen += batch.reduce((s, t) => s + t.amountFen, 0);
    }
  }
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const [i, e] of events.entries()) {
    clock.set(new Date(e.at), { freeze: true });
    await e.run();
    // The tables grow tenfold over the years: PostgreSQL's planner is told so as they do (a no-op on SQLite).
    if (i % STATISTICS_EVERY === STATISTICS_EVERY - 1) await refreshPlannerStatistics(db, GROWING);
  }

  const open = await openOrders(orders, clock, actors, ids, products, rng, limitFen, (unit, p) => (buyers.get(p.id) ?? []).includes(unit));
  return { trades: settled, open, allocations };
}

/** Where each of the demo accounts' own orders stops: one of every state, for both demo purchasers. */
const OPEN_PATHS: Array<{ state: string; steps: OrderAction[] }> = [
  { state: 'placed', steps: [] },
  { state: 'confirmed', steps: ['confirm'] },
  { state: 'delivered', steps: ['confirm', 'deliver'] },
  { state: 'accepted', steps: ['confirm', 'deliver', 'accept'] },
  { state: 'paid', steps: ['confirm', 'deliver', 'accept', 'pay'] },
  { state: 'cancelled', steps: ['cancel'] },
  { state: 'refunded', steps: ['confirm', 'deliver', 'accept', 'pay', 'refund'] },
];

async function openOrders(
  orders: OrderService,
  clock: FakeClock,
  actors: Actors,
  ids: CatalogueIds,
  products: ProductInfo[],
  rng: Rng,
  limitFen: number,
  mayBuy: (unit: number, p: ProductInfo) => boolean,
): Promise<Record<string, number>> {
  const open: Record<string, number> = {};
  // What a demo account may order directly: a listing priced within the direct-purchase limit, of a kind its unit buys.
  const orderable = (unit: number, vendorId: number) => products.filter((p) => p.vendorId === vendorId && p.priceFen <= limitFen && mayBuy(unit, p));
  const quantityOf = (p: ProductInfo, wanted: number) => Math.max(1, Math.min(wanted, Math.floor(limitFen / p.priceFen)));
  // The hospital (purchaser) buys from the medical vendor (vendor2); the education bureau (purchaser2) buys a desktop
  // CNC machine for its schools' labs from the machine-tool vendor (vendor) — never the other way round.
  const pairs: Array<[number, number]> = [
    [ids.demoPurchasers.purchaser, ids.demoVendors.vendor2],
    [ids.demoPurchasers.purchaser2, ids.demoVendors.vendor],
  ];
  // Seven paths two days apart, the longest five steps long: the last step lands three days before TODAY.
  let day = addDays(TODAY, -20);
  for (const path of OPEN_PATHS) {
    for (const [unit, vendorId] of pairs) {
      const listed = orderable(unit, vendorId);
      if (!listed.length) continue;
      const product = rng.pick(listed);
      const buyer = actors.purchaser(unit);
      const seller = actors.vendor(vendorId);
      clock.set(new Date(at(day, rng)), { freeze: true });
      const { id } = await orders.place(buyer, [{ productId: product.id, quantity: quantityOf(product, rng.int(1, 2)) }]);
      let stepDay = day;
      for (const action of path.steps) {
        stepDay = addDays(stepDay, 1);
        clock.set(new Date(at(stepDay, rng)), { freeze: true });
        const who = action === 'confirm' || action === 'deliver' || action === 'refund' ? seller : buyer;
        await orders.act(who, id, action, action === 'accept' ? { note: '货物与合同约定一致，运行正常，验收合格。' } : {});
      }
      open[path.state] = (open[path.state] ?? 0) + 1;
    }
    day = addDays(day, 2);
  }
  // Each demo vendor also has a fresh order from its demo buyer, placed yesterday.
  for (const [unit, vendorId] of pairs) {
    const listed = orderable(unit, vendorId);
    if (!listed.length) continue;
    clock.set(new Date(at(addDays(TODAY, -1), rng)), { freeze: true });
    await orders.place(actors.purchaser(unit), [{ productId: rng.pick(listed).id, quantity: 1 }]);
    open.placed = (open.placed ?? 0) + 1;
  }
  return open;
}

/** knex runs every file in seeds/: the demo loader (seeds/demo.ts) calls `seedDemoOrders` itself. */
export async function seed(): Promise<void> {}
