import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

/**
 * A write to make in the same transaction as a request's effect, just before it commits: the request's
 * Idempotency-Key record stores its response this way, so the effect and the stored answer commit together or not at
 * all. Set for the duration of a request by `withCommitHook`; `writeTransaction` calls it in the first (outermost)
 * write transaction the request runs, with that transaction's result.
 */
export interface CommitHook {
  beforeCommit(trx: Knex.Transaction, result: unknown): Promise<void>;
  /** Set once a transaction that ran the hook has committed. */
  committed: boolean;
}

const storage = new AsyncLocalStorage<CommitHook>();

export function withCommitHook<T>(hook: CommitHook, fn: () => Promise<T>): Promise<T> {
  return storage.run(hook, fn);
}

/** The hook still to run in this async context, if any. */
export function pendingCommitHook(): CommitHook | undefined {
  const hook = storage.getStore();
  return hook && !hook.committed ? hook : undefined;
}
