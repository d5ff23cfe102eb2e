import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { SystemClock } from '../../src/clock';
import { createDb } from '../../src/db';
import { loadDemoDataIfEmpty } from '../demo';

/*
 * First start loads the demo data (seeds/demo.ts) in a worker thread with its own database connection, not in the
 * server's own thread: loading some 10,000 orders through the services grows the heap by well over 100 MB, and a
 * process keeps much of what its heap once took; a worker's memory goes when the worker ends. The server waits for
 * it before it listens, so nothing changes for anyone but the server's resident memory. A database only this process
 * can see (SQLite `:memory:`) is loaded in-process instead.
 */

interface Job {
  demoLoader: true;
  databaseUrl: string;
  logLevel: string;
}

/** Loads the demo data into an empty database at `databaseUrl` in a worker thread; whether it loaded anything. */
export function loadDemoDataInWorker(databaseUrl: string, logLevel: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const job: Job = { demoLoader: true, databaseUrl, logLevel };
    // Run from TypeScript (tsx), the worker registers tsx's loader before it loads this file; compiled, it is plain JS.
    const worker = __filename.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: job })
      : new Worker(__filename, { workerData: job });
    let answer: { loaded: boolean } | { error: string } | undefined;
    worker.once('message', (m: { loaded: boolean } | { error: string }) => (answer = m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (answer && 'loaded' in answer) resolve(answer.loaded);
      else reject(new Error(answer && 'error' in answer ? answer.error : `the demo data loader stopped (exit code ${code})`));
    });
  });
}

/** Whether the database at `databaseUrl` can be reached from another thread (not an in-memory SQLite). */
export const loadableInWorker = (databaseUrl: string): boolean => !/^sqlite:(:memory:|file:)/.test(databaseUrl);

async function run(job: Job): Promise<void> {
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

if (!isMainThread && (workerData as Job | undefined)?.demoLoader) void run(workerData as Job);
