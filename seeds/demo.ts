import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import { SystemClock, type Clock } from '../src/clock';
import { concurrently, isUniqueViolation, refreshPlannerStatistics, withUnitOfWork, type Db } from '../src/db';
import { GROWING, seedDemoOrders } from './demo-orders';
import { seedDemoFirstPurchases } from './demo-first-purchases';
import { seedDemoRecognition } from './demo-recognition';
import { seedDemoInsurance } from './demo-insurance';
import { seedCatalogue, type CatalogueIds } from './lib/catalogue';

/*
 * The deterministic demo data (DESIGN §5, §7), calibrated to the 2020 Zhejiang high-end equipment manufacturing
 * report. Everything is drawn from a fixed seed and every row is marked `demo`.
 *
 * This is also the knex seed file (`npx knex seed:run`): knex runs every file directly in seeds/ that has a
 * `seed` export, so the helpers live in seeds/lib/ and seeds/lists/, never beside this file.
 */

export { seedCatalogue, planCatalogue, DEMO_PASSWORD, DEMO_SEED, DEMO_TODAY, DEMO_USERNAMES, REPORT_2020 } from './lib/catalogue';
export type { CatalogueIds, DemoUsername } from './lib/catalogue';

async function isEmpty(db: Knex | Knex.Transaction): Promise<boolean> {
  const row = await db('users').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0) === 0;
}

/** Loads the demo data when the database holds no users yet. Returns whether it loaded anything. */
export async function loadDemoDataIfEmpty(db: Db, clock: Clock, log: Logger): Promise<boolean> {
  if (!(await isEmpty(db))) return false;
  const started = Date.now();
  log.info({ at: clock.now().toISOString() }, 'loading demo data');
  let ids: CatalogueIds | null;
  // Each part's time, in the log line below, so a slow first start says where its time went.
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      phases[name] = Date.now() - t0;
    }
  };
  try {
    ids = await db.transaction(async (trx) => {
      if (!(await isEmpty(trx))) return null; // another process got there first
      const catalogue = await phase('catalogue', () => seedCatalogue(trx, clock));
      // Every phase below starts with the planner told how big the tables have grown (PostgreSQL; a no-op on SQLite).
      await refreshPlannerStatistics(trx, GROWING);
      // Boutique hall (精品馆): yearly budgets, 1097 trades in 2020 (1.18亿元), trades 2019–2026, open orders.
      // The parts after it start as soon as it has made the operator accounts they look up, and run beside it: they
      // touch other rows but for the two hash chains, whose appends take turns (src/db/hash-chain.ts inChainOrder).
      // On SQLite the two share the transaction's one connection, and while one waits for SQLite the other's
      // JavaScript runs; on PostgreSQL they run one after the other (src/db/concurrently.ts).
      let ready!: () => void;
      const operators = new Promise<void>((resolve) => (ready = resolve));
      const orders = phase('orders', () => withUnitOfWork(trx, () => seedDemoOrders(db, catalogue, { ready })));
      orders.catch(() => undefined); // awaited below
      const rest = async () => {
        await Promise.race([operators, orders]);
        // Government first purchases (政府首购): the report's 4 cases of 2020 (1120万元), other years, and cases in
        // every state for the demo accounts, with a 公示 open for objections as of the loader's clock.
        await refreshPlannerStatistics(trx, GROWING);
        await phase('firstPurchases', () => withUnitOfWork(trx, () => seedDemoFirstPurchases(db, catalogue, clock.now())));
        // The certification lifecycle (认定): the expert pool with logins expert1…expertN and the 2020 indicator list.
        await refreshPlannerStatistics(trx, GROWING);
        await phase('recognition', () => withUnitOfWork(trx, () => seedDemoRecognition(db, catalogue, clock.now())));
        // Insurance compensation (保险补偿): 2019 and 2020's claims through the rule and both reviews, paid from the
        // subsidy fund; open claims on the desks; the national scheme's 2020 records.
        await refreshPlannerStatistics(trx, GROWING);
        await phase('insurance', () => withUnitOfWork(trx, () => seedDemoInsurance(db, catalogue, clock.now())));
      };
      await concurrently(trx, () => orders, rest);
      return catalogue;
    });
  } catch (err) {
    // Two processes started on the same empty database: the one that committed first loaded it.
    if (isUniqueViolation(err) && !(await isEmpty(db))) return false;
    throw err;
  }
  if (!ids) return false;
  log.info({ ms: Date.now() - started, phases, vendors: ids.vendors.length, products: ids.products.length }, 'demo catalogue written');
  return true;
}

/** knex seed entry point: a no-op on a database that already has users. */
export async function seed(knex: Knex): Promise<void> {
  const log = pino({ level: process.env.LOG_LEVEL || 'info' });
  await loadDemoDataIfEmpty(knex, new SystemClock(), log);
}
