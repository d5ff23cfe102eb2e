import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

const ambient = new AsyncLocalStorage<Knex.Transaction>();

/**
 * A unit of work larger than one use case: every service call made inside `work` joins `trx` — its writes become
 * part of it (no transaction of their own, no retry: the outer transaction is the unit, and a failure rolls it back as
 * a whole) and its reads see what it has written. The demo loader writes the whole demo this way, through the same
 * services as the app; services are built once, on the database, and never on a transaction.
 */
export function withUnitOfWork<T>(trx: Knex.Transaction, work: () => Promise<T>): Promise<T> {
  return ambient.run(trx, work);
}

/** The transaction of the unit of work the caller is in, if any. */
export function inUnitOfWork(): Knex.Transaction | undefined {
  return ambient.getStore();
}

/** What a service reads with: the unit of work's transaction when there is one, else the database. */
export function executorFor(db: Knex): Knex | Knex.Transaction {
  return ambient.getStore() ?? db;
}
