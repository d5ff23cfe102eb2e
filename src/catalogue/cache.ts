import { LRUCache } from 'lru-cache';
import { versionCounter, type Executor, type VersionCounter } from '../db';

/** Rough memory of a cached value: buffers by length, UTF-16 strings, objects by their JSON size. */
function sizeOf(value: unknown): number {
  if (Buffer.isBuffer(value)) return value.length;
  const declared = (value as { approxBytes?: unknown } | null)?.approxBytes;
  if (typeof declared === 'number') return declared;
  if (typeof value === 'string') return value.length * 2;
  try {
    return (JSON.stringify(value)?.length ?? 0) * 2 + 64;
  } catch {
    return 1024;
  }
}

/** How many keys asked once an admitting cache remembers before it starts again (a few MB of keys at most). */
const SEEN_MAX = 20_000;

/**
 * Reads of the public catalogue, cached under the catalogue version (migration 20261127001000_catalogue_perf: a
 * counter that every committed write to products, certifications or vendors bumps, from any process).
 *
 * Correctness: a request first reads the version, then looks up or computes its value. A value computed after reading
 * version v is at least as new as the data at v, so serving it to any later request that reads v is never stale; a
 * write commits v+1 and nothing computed under v is served again. Reads-your-writes holds because a request only
 * uses a version read that *started* after the request arrived (it may share that read with other such requests, so
 * that a busy server reads the version once per round trip, not once per request).
 *
 * Memory: least recently used entries go first once the cached values pass `maxBytes` (approximate). The values
 * being computed wait beside the kept ones until their size is known; the kept ones are in the lru-cache library's
 * LRU (constant time per use and per eviction: an LRU made of a Map, moving each key to the end on use, had every
 * eviction walk the deleted slots at the Map's start: a tenth of a server's time under distinct searches, measured).
 */
export class CatalogueCache {
  private version = -1;
  /** The values known, by key; their sizes add up to at most `maxBytes`. */
  private readonly kept: LRUCache<string, Promise<unknown>>;
  /** The values still being computed (their size unknown yet). */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly counter: VersionCounter;
  private readonly sizeOf: (value: unknown) => number;

  /**
   * With `admitOnSecondAsk`, getIf keeps a value only when its key is asked for the second time at one version (the
   * keys asked once are remembered, at most SEEN_MAX of them): for whole answers, so that a stream of URLs each asked
   * once — distinct searches — does not fill the budget with answers nobody asks for again.
   */
  private readonly seen: Set<string> | null;

  constructor(
    db: Executor,
    maxBytes = 64 * 1024 * 1024,
    options: { admitOnSecondAsk?: boolean; sizeOf?: (value: unknown) => number } = {},
  ) {
    this.seen = options.admitOnSecondAsk ? new Set() : null;
    this.sizeOf = options.sizeOf ?? sizeOf;
    this.kept = new LRUCache<string, Promise<unknown>>({ maxSize: maxBytes });
    // Shared by every cache of the same database (versionCounter): one read of the version serves them all.
    this.counter = versionCounter(db, 'catalogue_state');
  }

  /**
   * The current catalogue version, read by a query that starts after this call; concurrent callers share reads
   * (db/versioned-cache.ts `VersionCounter`), so a busy server reads it about once per event-loop turn.
   */
  currentVersion(): Promise<number> {
    return this.counter.current();
  }

  /** Moves to `version`, dropping everything cached under an older one. False if `version` is already outdated. */
  private at(version: number): boolean {
    if (version < this.version) return false;
    if (version > this.version) {
      this.version = version;
      this.kept.clear();
      this.pending.clear();
      this.seen?.clear();
    }
    return true;
  }

  private hit(key: string): Promise<unknown> | undefined {
    return this.kept.get(key) ?? this.pending.get(key);
  }

  private store(key: string, value: Promise<unknown>, version: number): Promise<unknown> {
    this.pending.set(key, value);
    value.then(
      (v) => {
        if (this.pending.get(key) !== value) return;
        this.pending.delete(key);
        if (this.version !== version) return;
        // lru-cache takes whole positive sizes only (it throws otherwise, here an unhandled rejection).
        const bytes = this.sizeOf(v);
        const size = Number.isFinite(bytes) ? Math.max(1, Math.ceil(bytes)) : 1024;
        // One larger than the whole budget is not kept (lru-cache refuses it).
        this.kept.set(key, value, { size });
      },
      () => {
        if (this.pending.get(key) === value) this.pending.delete(key);
      },
    );
    return value;
  }

  /**
   * The value for `key` at the current version: from the cache, or computed once (concurrent callers at the same
   * version share the computation). A failed computation is not kept.
   */
  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    if (!this.at(version)) return compute(); // an older read finishing late: serve, do not cache
    const hit = this.hit(key);
    if (hit) return hit as Promise<T>;
    return this.store(key, compute(), version) as Promise<T>;
  }

  /**
   * The values of several keys at the current version, in their order: those cached, and the rest loaded together by
   * one call of `load` (given the missing keys, it answers a value or undefined for each). Concurrent callers share a
   * load already under way for a key, as with `get`; an undefined answer is kept too (a key known to have no value).
   */
  async getMany<T>(keys: string[], load: (missing: string[]) => Promise<Map<string, T>>): Promise<Array<T | undefined>> {
    const version = await this.currentVersion();
    if (!this.at(version)) {
      const all = await load(keys); // an older read finishing late: serve, do not cache
      return keys.map((k) => all.get(k));
    }
    const values: Array<Promise<unknown>> = [];
    const missing: Array<[index: number, key: string]> = [];
    keys.forEach((key, i) => {
      const hit = this.hit(key);
      if (hit) values[i] = hit;
      else missing.push([i, key]);
    });
    if (missing.length > 0) {
      const loaded = load(missing.map(([, key]) => key));
      for (const [i, key] of missing) {
        // A key asked twice in one call is loaded once.
        values[i] = this.hit(key) ?? this.store(key, loaded.then((m) => m.get(key)), version);
      }
    }
    return (await Promise.all(values)) as Array<T | undefined>;
  }

  /**
   * Like `get`, but a miss is computed by each caller on its own and kept only when `keep(value)` says so — for
   * values that may turn out to be personal (a rendered page that printed a session's CSRF token). `read` may pass a
   * `currentVersion()` the caller asked for after its request arrived, to share it with the reads the request made
   * meanwhile.
   */
  async getIf<T>(key: string, compute: () => Promise<T>, keep: (value: T) => boolean, read?: Promise<number>): Promise<T> {
    const version = await (read ?? this.currentVersion());
    if (version === this.version) {
      const hit = this.hit(key);
      if (hit) return hit as Promise<T>;
    }
    const value = await compute();
    if (keep(value) && this.at(version) && !this.kept.has(key) && !this.pending.has(key) && this.admit(key)) this.store(key, Promise.resolve(value), version);
    return value;
  }

  /** Whether getIf may keep a value for `key` now (see `seen`). */
  private admit(key: string): boolean {
    if (!this.seen || this.seen.delete(key)) return true;
    if (this.seen.size >= SEEN_MAX) this.seen.clear();
    this.seen.add(key);
    return false;
  }

  /** How many values are cached, and their approximate size (for tests and diagnostics). */
  get size(): number {
    return this.kept.size + this.pending.size;
  }

  get approximateBytes(): number {
    return this.kept.calculatedSize;
  }
}
