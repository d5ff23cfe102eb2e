import type request from 'supertest';
import type { Db } from '../../src/db';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SystemClock } from '../../src/clock';
import { BudgetService } from '../../src/ledger/budgets';
import { OrderService } from '../../src/orders/service';
import type { OrderAction } from '../../src/orders/transitions';
import type { Actor } from '../../src/web/state';
import { makeProduct, makePurchaser, makeUser, makeVendor } from './factories';
import { entryArgs } from './server';

type Http = ReturnType<typeof request>;

/** Two purchasing units, two vendors (each with a user), an admin, and a few products: the cast of the trading tests. */
export async function tradingCast(db: Db) {
  const unitA = await makePurchaser(db, { name: '杭州市测试医院', city: '杭州', type: 'hospital' });
  const unitB = await makePurchaser(db, { name: '宁波市测试学校', city: '宁波', type: 'school' });
  const vendorA = await makeVendor(db, { name: '测试精品甲有限公司', city: '温州' });
  const vendorB = await makeVendor(db, { name: '测试精品乙有限公司', city: '台州' });
  const users = {
    buyerA: await makeUser(db, { role: 'purchaser', purchaser_id: unitA.id }),
    buyerA2: await makeUser(db, { role: 'purchaser', purchaser_id: unitA.id }),
    buyerB: await makeUser(db, { role: 'purchaser', purchaser_id: unitB.id }),
    sellerA: await makeUser(db, { role: 'vendor', vendor_id: vendorA.id }),
    sellerB: await makeUser(db, { role: 'vendor', vendor_id: vendorB.id }),
    admin: await makeUser(db, { role: 'admin' }),
  };
  return { unitA, unitB, vendorA, vendorB, users };
}

export type Cast = Awaited<ReturnType<typeof tradingCast>>;

/** Bearer headers for every user of the cast. */
export async function tokens(http: Http, cast: Cast, login: (http: Http, username: string) => Promise<string>) {
  const out = {} as Record<keyof Cast['users'], string>;
  for (const [k, u] of Object.entries(cast.users)) out[k as keyof Cast['users']] = await login(http, u.username);
  return out;
}

/** Walks every value of a JSON body and returns the paths of the numbers found under money-like keys. */
export function moneyFloats(body: unknown, path = '$'): string[] {
  const MONEY_KEYS = /^(total|amount|price|unitPrice|allocated|reserved|available|spent|balance)$/;
  if (Array.isArray(body)) return body.flatMap((v, i) => moneyFloats(v, `${path}[${i}]`));
  if (body && typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    // A list page's `total` is a count, not money.
    const paged = 'pageSize' in obj;
    return Object.entries(obj).flatMap(([k, v]) =>
      MONEY_KEYS.test(k) && !(paged && k === 'total') && typeof v !== 'string' && v !== null ? [`${path}.${k}`] : moneyFloats(v, `${path}.${k}`),
    );
  }
  return [];
}

export { makeProduct };

/** The Actor a service sees for a factory user. */
export function actorFor(u: { id: number; username: string; role: string }, ids: { purchaserId?: number; vendorId?: number }): Actor {
  return { id: u.id, username: u.username, role: u.role as Actor['role'], displayName: u.username, purchaserId: ids.purchaserId ?? null, vendorId: ids.vendorId ?? null };
}

/**
 * The trading cast with 10,000,000 yuan of budget for each unit, and its four traders as the services see them: the
 * set-up of the group-commit tests.
 */
export async function fundedTradingCast(db: Db) {
  const cast = await tradingCast(db);
  const buyerA = actorFor(cast.users.buyerA, { purchaserId: cast.unitA.id });
  const buyerB = actorFor(cast.users.buyerB, { purchaserId: cast.unitB.id });
  const sellerA = actorFor(cast.users.sellerA, { vendorId: cast.vendorA.id });
  const sellerB = actorFor(cast.users.sellerB, { vendorId: cast.vendorB.id });
  const admin = actorFor(cast.users.admin, {});
  const budgets = new BudgetService(db, new SystemClock());
  await budgets.allocate(admin, { purchaserId: cast.unitA.id, amountFen: 10_000_000_00 });
  await budgets.allocate(admin, { purchaserId: cast.unitB.id, amountFen: 10_000_000_00 });
  return { cast, buyerA, buyerB, sellerA, sellerB };
}

/**
 * The funded trading cast, made once before a file's tests (mocha's `before`): read its fields inside the tests.
 */
export function useFundedTradingCast(ctx: { db: Db }): Awaited<ReturnType<typeof fundedTradingCast>> {
  const held = {} as Awaited<ReturnType<typeof fundedTradingCast>>;
  before(async () => {
    Object.assign(held, await fundedTradingCast(ctx.db));
  });
  return held;
}

/** Budget for unit A, and `n` orders of unit A from vendor A walked to `accepted` through the services (ready to pay). */
export async function acceptedOrders(db: Db, cast: Cast, n: number, priceFen = 1_000_00): Promise<number[]> {
  const clock = new SystemClock();
  const product = await makeProduct(db, cast.vendorA, { title: '待付款测试商品', price_fen: priceFen, stock: n + 10 });
  const admin = actorFor(cast.users.admin, {});
  const buyer = actorFor(cast.users.buyerA, { purchaserId: cast.unitA.id });
  const seller = actorFor(cast.users.sellerA, { vendorId: cast.vendorA.id });
  await new BudgetService(db, clock).allocate(admin, { purchaserId: cast.unitA.id, amountFen: priceFen * n });
  const orders = new OrderService(db, clock);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await orders.place(buyer, [{ productId: product.id, quantity: 1 }]);
    await orders.act(seller, id, 'confirm');
    await orders.act(seller, id, 'deliver');
    await orders.act(buyer, id, 'accept');
    ids.push(id);
  }
  return ids;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** `npm run ledger:verify` against a database: its exit code and what it printed. */
export function runLedgerVerify(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl };
    delete env.TEST_DB;
    const child = spawn(process.execPath, entryArgs('scripts/ledger-verify.ts'), { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}


export interface TradingSide {
  buyer: Actor;
  seller: Actor;
  productId: number;
}

/**
 * A buyer/seller pair with a product and a budget, from existing users: for the access matrix, which needs orders
 * of its own purchaser and vendor and of another pair.
 */
export async function tradingSide(db: Db, buyerUsername: string, sellerUsername: string): Promise<TradingSide> {
  const [b, s] = await Promise.all([db('users').where({ username: buyerUsername }).first(), db('users').where({ username: sellerUsername }).first()]);
  const vendor = await db('vendors').where({ id: s.vendor_id }).first();
  const product = await makeProduct(db, vendor, { title: `矩阵订单商品 ${s.vendor_id}`, price_fen: 100_00, stock: 100_000 });
  const admin = await db('users').where({ role: 'admin' }).first();
  await new BudgetService(db, new SystemClock()).allocate(actorFor(admin, {}), { purchaserId: b.purchaser_id, amountFen: 100_000_000_00 });
  return {
    buyer: actorFor(b, { purchaserId: b.purchaser_id }),
    seller: actorFor(s, { vendorId: s.vendor_id }),
    productId: product.id,
  };
}

const PATH_TO: Record<string, OrderAction[]> = {
  placed: [],
  confirmed: ['confirm'],
  delivered: ['confirm', 'deliver'],
  accepted: ['confirm', 'deliver', 'accept'],
  paid: ['confirm', 'deliver', 'accept', 'pay'],
  cancelled: ['cancel'],
  refunded: ['confirm', 'deliver', 'accept', 'pay', 'refund'],
};

/** A fresh order of that side, walked through the services to `status`. */
export async function orderInState(db: Db, side: TradingSide, status: keyof typeof PATH_TO): Promise<number> {
  const orders = new OrderService(db, new SystemClock());
  const { id } = await orders.place(side.buyer, [{ productId: side.productId, quantity: 1 }]);
  for (const step of PATH_TO[status]) await orders.act(['confirm', 'deliver', 'refund'].includes(step) ? side.seller : side.buyer, id, step);
  return id;
}

/** The checkout page's delivery and invoice fields (issue 18 item 1), for a delivery `day` on or after the test's today. */
export const checkoutForm = (day: string): Record<string, string> => ({
  deliveryAddress: '浙江省杭州市测试路1号',
  contactPerson: '测试联系人',
  contactPhone: '0571-88880000',
  deliveryDate: day,
  invoiceTitle: '测试采购单位',
});
