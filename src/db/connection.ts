import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type sqlite3 from 'sqlite3';
import { CODE_EXT, CODE_ROOT } from '../paths';
import { cacheStatements } from './sqlite-statements';
import { isSharedAddress } from './address';

// bigint and numeric arrive from pg as strings; every such value here is a whole number of fen or a count,
// far below 2^53, so a plain integer is exact.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number(v));

export type Db = Knex;
export type Trx = Knex.Transaction;
export type Executor = Knex | Knex.Transaction;


export function isPostgres(db: Executor): boolean {
  return db.client.config.client === 'pg';
}

/**
 * Refreshes PostgreSQL's planner statistics in the middle of a bulk load (the demo loader's one transaction): tables
 * that were empty when the load began have none, and autovacuum cannot see rows not yet committed, so the planner
 * keeps scanning whole tables it takes for tiny (the outbox's per-stream numbers, the ledger's chain head) and the
 * load slows down as they grow. ANALYZE inside the transaction samples its own new rows — what PostgreSQL's "Populating
 * a Database" advises after a bulk load, done as it goes. SQLite's planner needs no statistics to use an index: a no-op.
 */
export async function refreshPlannerStatistics(db: Executor, columns: Readonly<Record<string, readonly string[]>>): Promise<void> {
  if (!isPostgres(db)) return;
  // Only the columns the lookups filter on: sampling the wide ones (JSON bodies, hashes) would cost more than it saves.
  const tables = Object.entries(columns);
  if (!tables.length) return;
  const targets = tables.map(([, cols]) => `?? (${cols.map(() => '??').join(', ')})`).join(', ');
  await db.raw(`ANALYZE ${targets}`, tables.flatMap(([t, cols]) => [t, ...cols]));
}

/** True once `db.destroy()` has begun: a connection asked for now would never come (it waits for its timeout). */
export function isClosing(db: Executor): boolean {
  const pool = db.client.pool as { destroyed?: boolean } | undefined;
  return !pool || pool.destroyed === true;
}

/**
 * knex's own messages, one line each on stderr. A failed connection is not printed here: the error reaches the caller
 * (the server prints it as its one 'failed to start' line), and knex would add the driver's stack trace.
 */
const knexLog = {
  warn(message: unknown) {
    const line = String(message).split('\n')[0];
    if (!line.startsWith('Acquire connection error')) process.stderr.write(`knex: ${line}\n`);
  },
  error(message: unknown) {
    process.stderr.write(`knex: ${String(message).split('\n')[0]}\n`);
  },
  deprecate(method: string, alternative: string) {
    process.stderr.write(`knex: ${method} is deprecated, use ${alternative}\n`);
  },
  debug() {},
};

type SqliteConn = { run: (sql: string, cb: (err: Error | null) => void) => void };

/** A new SQLite connection's set-up: its pragmas one after another, then the prepared-statement cache. */
const sqliteSetup =
  (pragmas: readonly string[]) =>
  (conn: SqliteConn, done: (err: Error | null, conn: unknown) => void): void => {
    const next = (i: number): void => {
      if (i === pragmas.length) {
        cacheStatements(conn as unknown as sqlite3.Database);
        return done(null, conn);
      }
      conn.run(pragmas[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
    };
    next(0);
  };

export function knexConfig(databaseUrl: string): Knex.Config {
  const migrations = {
    directory: path.join(CODE_ROOT, 'migrations'),
    loadExtensions: [CODE_EXT],
    tableName: 'knex_migrations',
  };
  // `npx knex seed:run`: seeds/demo.ts, a no-op on a database that already has users.
  const seeds = { directory: path.join(CODE_ROOT, 'seeds'), loadExtensions: [CODE_EXT] };
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return {
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      log: knexLog,
      migrations,
      seeds,
      // One connection: SQLite has one writer, and a single connection turns concurrent write transactions into a
      // queue instead of SQLITE_BUSY errors. WAL keeps readers of other processes (CLI tools) unblocked.
      pool: {
        min: 1,
        max: 1,
        afterCreate: sqliteSetup(['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL', 'PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 10000']),
      },
    };
  }
  return {
    client: 'pg',
    connection: databaseUrl,
    log: knexLog,
    pool: { min: 0, max: 10 },
    migrations,
    seeds,
  };
}

/** The read connections of SQLite databases (see `readerOf`), by the database handle they serve. */
const READERS = new WeakMap<object, () => Db>();
/** The address each database handle was opened with (see `sharedAddressOf`). */
const ADDRESSES = new WeakMap<object, string>();

export function createDb(databaseUrl: string): Db {
  const db = knexFactory(knexConfig(databaseUrl));
  ADDRESSES.set(db, databaseUrl);
  const filename = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : null;
  if (filename && isSharedAddress(databaseUrl)) {
    // SQLite: one connection writes (pool max 1, above); plain reads need not queue behind its transactions. WAL lets
    // other connections read the last committed state while a write transaction runs, so reads that are not part of a
    // transaction may use these (query_only: they cannot write by mistake). Opened on first use, closed with `db`.
    let reader: Db | null = null;
    const make = (): Db => {
      const config = knexConfig(databaseUrl);
      reader = knexFactory({
        ...config,
        pool: {
          min: 0,
          max: 2,
          afterCreate: sqliteSetup(['PRAGMA query_only = ON', 'PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 10000']),
        },
      });
      return reader;
    };
    // knex's destroy() ends in its client's: closing the database closes its read connections first.
    const client = db.client as { destroy: (callback?: unknown) => Promise<void> };
    const destroy = client.destroy.bind(client);
    client.destroy = async (callback?: unknown) => {
      const r = reader as Db | null;
      reader = null;
      if (r) await r.destroy();
      return destroy(callback);
    };
    READERS.set(db, () => reader ?? make());
  }
  return db;
}

/**
 * Where a plain read (one not part of a transaction) may go: on SQLite, a read connection beside the one writer, so
 * that it does not wait for the write transaction in progress (it sees every transaction committed before it starts);
 * on PostgreSQL, or for a transaction, the handle itself.
 */
export function readerOf(db: Executor): Executor {
  const reader = READERS.get(db);
  return reader && !isClosing(db) ? reader() : db;
}

/**
 * The address another thread can open the same database with (its own connection): the one `db` was opened with,
 * unless only this connection can see that database (SQLite in memory) or `db` is a transaction (its uncommitted
 * writes are its own) or was not opened by `createDb`. Undefined then.
 */
export function sharedAddressOf(db: Executor): string | undefined {
  const address = ADDRESSES.get(db);
  return address !== undefined && isSharedAddress(address) ? address : undefined;
}

/**
 * Applies the migrations not yet applied. knex records each by its file name, which ends in `.ts` when the code runs
 * through tsx (`npm start`) and `.js` when it runs compiled (`npm run build`): a database migrated by one and served
 * by the other would look as if its migrations were missing ("the migration directory is corrupt"). So the names on
 * record first take the extension of the code that is running — one statement, a no-op when they already have it.
 */
export async function migrateLatest(db: Db): Promise<void> {
  if (await db.schema.hasTable('knex_migrations')) {
    const other = CODE_EXT === '.ts' ? '.js' : '.ts';
    await db('knex_migrations')
      .where('name', 'like', `%${other}`)
      .update({ name: db.raw(`substr(name, 1, length(name) - 3) || ?`, [CODE_EXT]) });
  }
  await db.migrate.latest();
}

/** Unique-constraint violation, by driver code, never by message text. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || (e?.code === 'SQLITE_CONSTRAINT' && e?.errno === 19 && /UNIQUE/.test(e.message ?? ''));
}

/** Serialization failure or deadlock on PostgreSQL: the transaction may be retried. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}
