import type { Executor } from '../db';

/**
 * Reads of the public catalogue, cached under the catalogue version (migration 20261127001000_catalogue_perf: a
 * counter that every committed write to products, certifications or vendors bumps, from any process).
 *
 * Correctness: a request first reads the version, then looks up or computes its value. A value computed after reading
 * version v is at least as new as the data at v, so serving it to any later request that reads v is never stale; a
 * write commits v+1 and nothing computed under v is served again. Reads-your-writes holds because a request only
 * uses a version read that *started* after the request arrived (it may share that read with other such requests, so
 * that a busy server reads the version once per round trip, not once per request).
 */
export class CatalogueCache {
  private version = -1;
  private readonly entries = new Map<string, Promise<unknown>>();
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(
    private readonly db: Executor,
    private readonly maxEntries = 1000,
  ) {}

  /** The current catalogue version, read by a query that started after this call. */
  currentVersion(): Promise<number> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const after = this.running;
    this.queued = after.then(
      () => this.start(),
      () => this.start(),
    );
    return this.queued;
  }

  private start(): Promise<number> {
    this.queued = null;
    const p = this.readVersion();
    this.running = p;
    const done = () => {
      if (this.running === p) this.running = null;
    };
    p.then(done, done);
    return p;
  }

  private async readVersion(): Promise<number> {
    const row = await this.db('catalogue_state').where({ id: 1 }).first('version');
    return Number(row?.version ?? 0);
  }

  /**
   * The value for `key` at the current version: from the cache, or computed once (concurrent callers at the same
   * version share the computation). A failed computation is not kept.
   */
  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    if (version !== this.version) {
      if (version < this.version) return compute(); // an older read finishing late: serve, do not cache
      this.version = version;
      this.entries.clear();
    }
    const hit = this.entries.get(key);
    if (hit) {
      // Least recently used goes first: re-insert to move the key to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as Promise<T>;
    }
    const value = compute();
    this.entries.set(key, value);
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  /**
   * Like `get`, but a miss is computed by each caller on its own and kept only when `keep(value)` says so — for
   * values that may turn out to be personal (a rendered page that printed a session's CSRF token).
   */
  async getIf<T>(key: string, compute: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
    const version = await this.currentVersion();
    if (version === this.version) {
      const hit = this.entries.get(key);
      if (hit) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit as Promise<T>;
      }
    }
    const value = await compute();
    if (keep(value) && version >= this.version) {
      if (version > this.version) {
        this.version = version;
        this.entries.clear();
      }
      this.entries.set(key, Promise.resolve(value));
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  /** How many values are cached (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }
}
