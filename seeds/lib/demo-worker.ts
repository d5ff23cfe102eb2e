import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { SystemClock } from '../../src/clock';
import { createDb, migrateLatest } from '../../src/db';
import { loadDemoDataIfEmpty } from '../demo';
import type { DemoJob, DemoMessage } from './load-in-worker';

/*
 * The demo loader's worker thread (started by seeds/lib/load-in-worker.ts): migrates the database the job names, says
 * so, then loads the demo data into it with its own connection, and answers whether it loaded anything. A file of its
 * own, so that the server's thread, which only starts the worker, does not load the seeds' modules.
 */

async function run(job: DemoJob): Promise<void> {
  const db = createDb(job.databaseUrl);
  const tell = (m: DemoMessage) => parentPort?.postMessage(m);
  try {
    await migrateLatest(db);
    tell({ migrated: true });
    const loaded = await loadDemoDataIfEmpty(db, new SystemClock(), pino({ level: job.logLevel, name: 'demo-loader' }));
    tell({ loaded });
  } catch (err) {
    tell({ error: (err as Error).message ?? String(err) });
  } finally {
    await db.destroy();
  }
}

if (!isMainThread && (workerData as DemoJob | undefined)?.demoLoader) void run(workerData as DemoJob);
