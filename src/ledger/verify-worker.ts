import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createDb, readerOf } from '../db';
import { walkTransfers, type WalkJob, type WalkMessage } from './verify-walk';

/*
 * A ledger verify's worker thread (started by `walkInWorker`, src/ledger/verify-walk.ts): opens the database the job
 * names with its own connection, walks the transfers up to the job's cut, answers, and closes the connection. A file
 * of its own, so that starting it loads only what the walk needs.
 */

async function run(job: WalkJob): Promise<void> {
  const db = createDb(job.databaseUrl);
  const tell = (m: WalkMessage) => parentPort?.postMessage(m);
  try {
    // SQLite: a read-only connection (query_only), as the server's own verify uses.
    tell({ walk: await walkTransfers(readerOf(db), job.upto, false) });
  } catch (err) {
    tell({ error: (err as Error).message ?? String(err) });
  } finally {
    await db.destroy();
  }
}

if (!isMainThread && (workerData as WalkJob | undefined)?.ledgerWalk) void run(workerData as WalkJob);
