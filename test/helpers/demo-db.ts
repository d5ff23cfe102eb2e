import assert from 'node:assert/strict';
import pino from 'pino';
import { FakeClock } from '../../src/clock';
import { DEMO_TODAY, loadDemoDataIfEmpty } from '../../seeds/demo';
import { DEMO_LOAD_TIMEOUT, ENGINE, copyOf, migratedDb, templateOf, type Template, type TestDatabase } from './db';

/** The instant the demo data is loaded at in tests: the demo's today, 10:00 in Shanghai, the clock frozen. */
export const DEMO_LOADED_AT = `${DEMO_TODAY}T02:00:00.000Z`;

export const demoClock = (): FakeClock => {
  const clock = new FakeClock();
  clock.set(new Date(DEMO_LOADED_AT), { freeze: true });
  return clock;
};

/*
 * Loading the whole demo data through the services takes from some seconds (SQLite) to most of a minute
 * (PostgreSQL), and many suites only read it. So a test process loads it once — with loadDemoDataIfEmpty, exactly as
 * `npm start` does, at DEMO_LOADED_AT — into a template no test touches, and every suite that asks gets a copy
 * (test/helpers/db.ts `templateOf`). Suites about the loader itself (test/integration/seeds.test.ts) still load into
 * an empty database of their own.
 */
let template: Promise<Template> | undefined;

/** A database holding the demo data as loaded at DEMO_LOADED_AT, the caller's own to change and drop. */
export async function demoDatabase(): Promise<TestDatabase> {
  template ??= templateOf(async () => {
    const t = await migratedDb();
    try {
      const started = Date.now();
      assert.equal(await loadDemoDataIfEmpty(t.db, demoClock(), pino({ level: 'silent' })), true, 'the demo data loads into an empty database');
      // Printed, not asserted: a shared CI machine's speed varies (bench/ and docs/benchmarks.md measure it).
      process.stdout.write(`      (the demo data loaded in ${Date.now() - started} ms on ${ENGINE}, once for this run)\n`);
    } catch (err) {
      await t.drop();
      throw err;
    }
    return t;
  });
  return copyOf(await template);
}

/** Before/after hooks giving the enclosing `describe` its own copy of the demo data: `const ctx = useDemoDb(); … ctx.db`. */
export function useDemoDb(): { db: TestDatabase['db']; url: string } {
  const holder = {} as { db: TestDatabase['db']; url: string; t?: TestDatabase };
  before(async function () {
    this.timeout(DEMO_LOAD_TIMEOUT);
    holder.t = await demoDatabase();
    holder.db = holder.t.db;
    holder.url = holder.t.url;
  });
  after(async () => {
    await holder.t?.drop();
  });
  return holder;
}

