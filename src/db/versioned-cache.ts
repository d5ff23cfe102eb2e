import { AsyncLocalStorage } from 'node:async_hooks';
import { batchedReads } from './batched-reads';
import { readerOf, type Executor } from './connection';

/** The reads of counters made in the current scope (`withVersionScope`), by counter. */
const scopes = new AsyncLocalStorage<Map<VersionCounter, Promise<number>>>();

/**
 * Runs `work` in a scope that reads each version counter at most once: the first caller of `current()` in it starts a
 * read (one that starts after the scope began, as the caches require) and every later caller in the scope is given
 * that same read. For a request that does not write (a GET): every cache it asks then answers at one version, and it
 * waits for one read of a counter instead of one per cache it asks — under load, each wait is a trip to a read
 * connection behind other statements, and a search page asks its caches five or six times one after another. Not for a
 * request that writes: a cache asked after its own write must see a version read after that write.
 */
export function withVersionScope<T>(work: () => Promise<T>): Promise<T> {
  return scopes.run(new Map(), work);
}

/**
 * A database counter that writers bump (by trigger, in the writing transaction), read so that many concurrent
 * requests share one read: a caller gets a value read by a query that *started after its call*, and a busy server
 * reads it about once per event-loop turn rather than once per request (the scheme of the catalogue cache,
 * src/catalogue/cache.ts).
 */
export class VersionCounter {
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(
    private readonly table: string,
    /** Reads counters by table, those of one turn together (`countersOf`). */
    private readonly reads: (tables: readonly string[]) => Promise<Array<number | undefined>>,
  ) {}

  /**
   * The counter, read by a query that starts after this call (shared with the other callers waiting for it) — or, in
   * a version scope, after the scope began (the scope's one read of it).
   */
  current(): Promise<number> {
    const scope = scopes.getStore();
    if (!scope) return this.next();
    let read = scope.get(this);
    if (!read) scope.set(this, (read = this.next()));
    return read;
  }

  /** A read that starts after this call, shared with the other callers waiting for one. */
  private next(): Promise<number> {
    if (this.queued) return this.queued;
    const after = this.running ?? Promise.resolve(0);
    const queued: Promise<number> = new Promise((resolve, reject) => {
      const begin = () => {
        if (this.queued === queued) this.queued = null;
        const p = this.read();
        this.running = p;
        const done = () => {
          if (this.running === p) this.running = null;
        };
        p.then(done, done);
        p.then(resolve, reject);
      };
      after.then(
        () => setImmediate(begin),
        () => setImmediate(begin),
      );
    });
    this.queued = queued;
    return queued;
  }

  private async read(): Promise<number> {
    const [version] = await this.reads([this.table]);
    return version ?? 0;
  }
}

interface Counters {
  byTable: Map<string, VersionCounter>;
  reads: (tables: readonly string[]) => Promise<Array<number | undefined>>;
}

/** One counter per database handle and table, so that every user of it in a process shares its reads. */
const COUNTERS = new WeakMap<object, Counters>();

/**
 * The counters of a database handle, and how they are read: the counters asked for in one turn of the event loop in
 * one statement (db/batched-reads.ts) — a signed-in page asks for the authority version and the catalogue's at once,
 * and each statement costs the server's thread more in knex than in SQLite.
 */
function countersOf(db: Executor): Counters {
  let counters = COUNTERS.get(db);
  if (!counters) {
    const reads = batchedReads(async (tables: readonly string[]) => {
      const unique = [...new Set(tables)];
      // SQLite: on the read connection, so that the check does not wait for the write transaction in progress.
      const sql = `SELECT ${unique.map((t, i) => `(SELECT version FROM ${t} WHERE id = 1) AS v${i}`).join(', ')}`;
      const result = await readerOf(db).raw(sql);
      const rows: Array<Record<string, number | string | null>> = Array.isArray(result) ? result : result.rows;
      return new Map(unique.map((t, i) => [t, Number(rows[0]?.[`v${i}`] ?? 0)]));
    });
    COUNTERS.set(db, (counters = { byTable: new Map(), reads }));
  }
  return counters;
}

export function versionCounter(db: Executor, table: string): VersionCounter {
  if (!/^\w+$/.test(table)) throw new Error(`bad counter table ${table}`);
  const counters = countersOf(db);
  let counter = counters.byTable.get(table);
  if (!counter) counters.byTable.set(table, (counter = new VersionCounter(table, counters.reads)));
  return counter;
}

/**
 * Values read from the database, kept in this process under a version counter: everything kept is dropped as soon as
 * a request reads a newer version, so a value is never served after a committed change under it (from any process) —
 * to a request that arrived after that commit.
 *
 * Correctness as in the catalogue cache: a request reads version v (a read that started after it arrived), then
 * looks up or loads its value; a value loaded after reading v is at least as new as the data at v, so serving it to
 * any later reader of v is never stale, and nothing loaded under v is served once v+1 has been read. A load that
 * finishes after the cache moved on is returned to its caller but not kept.
 *
 * Only what `load` returns as a value (not undefined) is kept; at most `maxEntries`, least recently used first out.
 */
export class VersionedCache<T> {
  private version = -1;
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly counter: VersionCounter,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The value for `key`, kept or loaded. `version` may pass a read of this cache's counter that the caller already
   * holds — one that started after the request it serves arrived — instead of waiting for a new one.
   */
  async get(key: string, load: () => Promise<T | undefined>, version?: Promise<number>): Promise<T | undefined> {
    return this.at(await (version ?? this.counter.current()), key, load);
  }

  /** A read of the counter that starts after this call (shared; see VersionCounter.current). */
  readVersion(): Promise<number> {
    return this.counter.current();
  }

  private async at(version: number, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (version > this.version) {
      this.version = version;
      this.entries.clear();
    }
    if (version === this.version) {
      const hit = this.entries.get(key);
      if (hit !== undefined) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit;
      }
    }
    const value = await load();
    if (value !== undefined && version === this.version) {
      this.entries.set(key, value);
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  /** Forgets one key now (this process's own change; the counter tells the others). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
