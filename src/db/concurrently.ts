import { isPostgres, type Executor } from './connection';

type Thunks<T extends readonly unknown[]> = { [K in keyof T]: () => Promise<T[K]> };

/** A thunk's promise, also when it throws before returning one. */
function start<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Statements of one transaction that do not depend on each other. On SQLite they are sent side by side: the driver
 * runs them one after another on the transaction's one connection, which then never waits for the JavaScript between
 * one statement's answer and the next one's call (a payment batch's transaction was mostly such waits). `concurrently`
 * waits for every one of them, even after one has failed (a statement still queued when the caller rolls back would
 * otherwise run after the ROLLBACK, outside the transaction), then throws the first failure in the order given.
 *
 * On PostgreSQL they run one after another in the order given: its client sends one query at a time anyway, and the
 * order keeps the transaction's locks (the audit chain's, the ledger's) taken in the same order by every transaction.
 */
export async function concurrently<T extends readonly unknown[]>(trx: Executor, ...work: Thunks<T>): Promise<T> {
  if (isPostgres(trx)) {
    const out: unknown[] = [];
    for (const w of work) out.push(await w());
    return out as unknown as T;
  }
  const settled = await Promise.allSettled(work.map(start));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
