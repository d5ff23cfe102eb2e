import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { FakeClock } from '../../src/clock';
import { DEMO_TODAY, loadDemoDataIfEmpty } from '../../seeds/demo';
import type { Db } from '../../src/db';
import { DEMO_LOAD_TIMEOUT, ENGINE, copyOf, migratedDb, sharedTemplateOf, type Template, type TestDatabase } from './db';

/** The instant the demo data is loaded at in tests: the demo's today, 10:00 in Shanghai, the clock frozen. */
export const DEMO_LOADED_AT = `${DEMO_TODAY}T02:00:00.000Z`;

export const demoClock = (): FakeClock => {
  const clock = new FakeClock();
  clock.set(new Date(DEMO_LOADED_AT), { freeze: true });
  return clock;
};

/*
 * Loading the whole demo data through the services takes from some seconds (SQLite) to most of a minute
 * (PostgreSQL), and many suites only read it. So a test process — or, under `npm test`, one of the processes running
 * an engine's files — loads it once, with loadDemoDataIfEmpty exactly as `npm start` does, at DEMO_LOADED_AT, into a
 * template no test touches, and every suite that asks gets a copy (test/helpers/db.ts `sharedTemplateOf`). The first start of `npm start` on an empty database (test/e2e/first-start.test.ts)
 * still loads into one of its own, and is compared with the template (`demoDigest`).
 */
let template: Promise<Template> | undefined;

/** A database holding the demo data as loaded at DEMO_LOADED_AT, the caller's own to change and drop. */
export async function demoDatabase(): Promise<TestDatabase> {
  template ??= sharedTemplateOf(
    'demo',
    async () => {
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
    },
    DEMO_LOAD_TIMEOUT,
  );
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

/**
 * A digest of the demo rows the fixed seed determines, whatever the clock of the load: the parties, certificates and
 * products, and the 2020 certification round (users carry salted hashes and a load-time stamp, so not those). Two
 * loads that agree on it wrote the same demo data.
 */
export async function demoDigest(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['purchasers', 'vendors', 'certifications', 'products']) {
    const rows: Array<Record<string, unknown>> = await db(t).select('*').orderBy('id');
    const norm = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v])));
    out[t] = createHash('sha256').update(JSON.stringify(norm)).digest('hex');
  }
  // The 2020 certification round, whose applications walk their steps side by side (seeds/demo-recognition.ts): who
  // was drawn for which application, their scores and the outcomes — not the rows' ids, whose order the interleaving sets.
  const reviews = await db('cert_reviews as r')
    .join('cert_applications as a', 'a.id', 'r.application_id')
    .orderBy([{ column: 'a.application_no' }, { column: 'r.expert_id' }])
    .select('a.application_no', 'a.status', 'a.mean_score_x100', 'a.recommended_level', 'r.expert_id', 'r.score', 'r.recommend_level', 'r.reviewed_at');
  assert.ok(reviews.length >= 3 * 216, `${reviews.length} reviews`);
  out.reviews = createHash('sha256').update(JSON.stringify(reviews.map((r) => Object.values(r).map(String)))).digest('hex');
  return out;
}
