import type { Knex } from 'knex';
import { pendingCommitHook } from './commit-hook';
import { isRetryable } from './connection';
import { inUnitOfWork } from './unit-of-work';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A write use case as one transaction, retried when the database says another writer got in the way: a
 * serialization failure or deadlock on PostgreSQL, SQLITE_BUSY when another process holds SQLite's write lock.
 * The work must be safe to run again from the start (it is: nothing outside the transaction is touched).
 * Inside a unit of work (unit-of-work.ts: the demo loader's one transaction) the work joins it — no savepoint, no
 * retry: the outer transaction is the unit, and a failure must roll it back as a whole.
 * A request's commit hook (an Idempotency-Key record, see commit-hook.ts) runs at the end of the work, inside it.
 */
export async function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, attempts = 8): Promise<T> {
  const outer = inUnitOfWork();
  if (outer) return work(outer);
  const hook = pendingCommitHook();
  const unit = hook
    ? async (trx: Knex.Transaction): Promise<T> => {
        const result = await work(trx);
        await hook.beforeCommit(trx, result);
        return result;
      }
    : work;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.transaction(unit);
      if (hook) hook.committed = true;
      return result;
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      // Jittered backoff, so two retrying writers do not collide again in step.
      await sleep(Math.floor(Math.random() * 10 * attempt) + attempt * 5);
    }
  }
}
