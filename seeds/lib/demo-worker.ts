import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { SystemClock } from '../../src/clock';
import { createDb } from '../../src/db';
import { loadDemoDataIfEmpty } from '../demo';
import type { DemoJob } from './load-in-worker';

/*
 * The demo loader's worker thread (started by seeds/lib/load-in-worker.ts): loads the demo data into the database
 * the job names, with its own connection, and answers whether it loaded anything. A file of its own, so that the
 * server's thread, which only starts the worker, does not load the seeds' modules.
 */

async function run(job: DemoJob): Promise<void> {
  const db = createDb(job.databaseUrl);
  try {
    const loaded = await loadDemoDataIfEmpty(db, new SystemClock(), pino({ level: job.logLevel, name: 'demo-loader' }));
    parentPort?.postMessage({ loaded });
  } catch (err) {
    parentPort?.postMessage({ error: (err as Error).message ?? String(err) });
  } finally {
    await db.destroy();
  }
}

if (!isMainThread && (workerData as DemoJob | undefined)?.demoLoader) void run(workerData as DemoJob);
