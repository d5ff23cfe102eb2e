/**
 * `npm run search:relevance` — precision@5 of the catalogue search on the relevance set
 * (test/fixtures/search-relevance.json, scripts/search-relevance-set.ts) over the demo data.
 *
 * Loads the demo data, as `npm start` does on an empty database, into a temporary SQLite file (about a minute), or
 * uses `--db <sqlite file>` holding it already; prints each query's precision@5 and its first results, then the
 * mean. Exit status 0 when the mean is at least 0.9, 1 below it, 2 on bad arguments.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { CatalogueService } from '../src/catalogue';
import { FakeClock } from '../src/clock';
import { createDb, migrateLatest } from '../src/db';
import { DEMO_TODAY, loadDemoDataIfEmpty } from '../seeds/demo';
import { measureRelevance } from './search-relevance-set';

const REQUIRED = 0.9;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { db: { type: 'string' }, quiet: { type: 'boolean', default: false } } }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const dir = args.db ? null : mkdtempSync(path.join(os.tmpdir(), 'search-relevance-'));
  const file = args.db ?? path.join(dir as string, 'demo.sqlite3');
  const db = createDb(`sqlite:${file}`);
  try {
    await migrateLatest(db);
    const clock = new FakeClock();
    clock.set(new Date(`${DEMO_TODAY}T02:00:00.000Z`), { freeze: true });
    if (await loadDemoDataIfEmpty(db, clock, pino({ level: 'silent' }))) console.error(`demo data loaded into ${file}`);
    const { mean, results } = await measureRelevance(db, new CatalogueService(db, clock));
    for (const r of results) {
      const line = `${r.precision.toFixed(2)}  ${r.q}  (${r.relevant} relevant)`;
      console.log(args.quiet ? line : `${line}\n      ${r.top.map((t) => `${t.relevant ? '✓' : '✗'} ${t.title}`).join(' · ') || '(no results)'}`);
    }
    console.log(`precision@5 ${mean.toFixed(3)} over ${results.length} queries (required ≥ ${REQUIRED})`);
    return mean >= REQUIRED ? 0 : 1;
  } finally {
    await db.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
