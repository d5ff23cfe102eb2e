import path from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * First start loads the demo data (seeds/demo.ts) in a worker thread with its own database connection, not in the
 * server's own thread: loading some 10,000 orders through the services grows the heap by well over 100 MB, and a
 * process keeps much of what its heap once took; a worker's memory goes when the worker ends. The server waits for
 * it before it listens, so nothing changes for anyone but the server's resident memory. A database only this process
 * can see (SQLite `:memory:`) is loaded in-process instead.
 */

export interface DemoJob {
  demoLoader: true;
  databaseUrl: string;
  logLevel: string;
}

/** Loads the demo data into an empty database at `databaseUrl` in a worker thread; whether it loaded anything. */
export function loadDemoDataInWorker(databaseUrl: string, logLevel: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const job: DemoJob = { demoLoader: true, databaseUrl, logLevel };
    // The worker's own file (demo-worker.ts). Run from TypeScript (tsx), the worker registers tsx's loader before it
    // loads that file; compiled, it is plain JS.
    const ts = __filename.endsWith('.ts');
    const entry = path.join(__dirname, `demo-worker${ts ? '.ts' : '.js'}`);
    const worker = ts ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: job }) : new Worker(entry, { workerData: job });
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
