import { AsyncLocalStorage } from 'node:async_hooks';
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
  private readonly sql: string;

  constructor(
    private readonly db: Executor,
    table: string,
  ) {
    if (!/^\w+$/.test(table)) throw new Error(`bad counter table ${table}`);
    this.sql = `SELECT version FROM ${table} WHERE id = 1`;
  }

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
    // SQLite: on the read connection, so that the check does not wait for the write transaction in progress.
    const result = await readerOf(this.db).raw(this.sql);
    const rows: Array<{ version: number | string }> = Array.isArray(result) ? result : result.rows;
    return Number(rows[0]?.version ?? 0);
  }
}

/** One counter per database handle and table, so that every user of it in a process shares its reads. */
const COUNTERS = new WeakMap<object, Map<string, VersionCounter>>();

export function versionCounter(db: Executor, table: string): VersionCounter {
  let byTable = COUNTERS.get(db);
  if (!byTable) COUNTERS.set(db, (byTable = new Map()));
  let counter = byTable.get(table);
  if (!counter) byTable.set(table, (counter = new VersionCounter(db, table)));
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
