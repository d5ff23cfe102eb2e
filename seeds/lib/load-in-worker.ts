import { isSharedAddress } from '../../src/db/address';
import { startWorkerFile } from '../../src/worker-file';

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

/** What the worker tells: the schema is up to date; then whether it loaded anything, or why it failed. */
export type DemoMessage = { migrated: true } | { loaded: boolean } | { error: string };

export interface DemoLoad {
  /** The schema is up to date (the worker runs the migrations first): the server may use the database. */
  migrated: Promise<void>;
  /** The demo data is in (or was already): whether this worker loaded it. */
  loaded: Promise<boolean>;
}

/**
 * Migrates the database at `databaseUrl` and loads the demo data into it if it is empty, in a worker thread. Started
 * first thing on a first start: the worker loads its modules and migrates while the server's thread loads its own.
 */
export function loadDemoDataInWorker(databaseUrl: string, logLevel: string): DemoLoad {
  const job: DemoJob = { demoLoader: true, databaseUrl, logLevel };
  // The worker's own file (demo-worker.ts).
  const worker = startWorkerFile(__filename, 'demo-worker', job);
  let migrated = false;
  let answer: DemoMessage | undefined;
  let markMigrated!: () => void;
  let failMigration!: (err: Error) => void;
  const migration = new Promise<void>((resolve, reject) => {
    markMigrated = resolve;
    failMigration = reject;
  });
  const loaded = new Promise<boolean>((resolve, reject) => {
    const fail = (err: Error) => {
      if (!migrated) failMigration(err);
      reject(err);
    };
    worker.on('message', (m: DemoMessage) => {
      if ('migrated' in m) {
        migrated = true;
        markMigrated();
      } else answer = m;
    });
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (answer && 'loaded' in answer && migrated) resolve(answer.loaded);
      else fail(new Error(answer && 'error' in answer ? answer.error : `the demo data loader stopped (exit code ${code})`));
    });
  });
  // Both are awaited by the server; neither is an unhandled rejection while it waits for the other.
  migration.catch(() => undefined);
  loaded.catch(() => undefined);
  return { migrated: migration, loaded };
}

/** Whether the database at `databaseUrl` can be reached from another thread (not an in-memory SQLite). */
export const loadableInWorker = isSharedAddress;
