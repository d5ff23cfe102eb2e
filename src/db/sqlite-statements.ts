import type sqlite3 from 'sqlite3';

type Callback = (this: unknown, err: Error | null, result?: unknown) => void;
type Method = 'all' | 'run';

/**
 * Prepared statements kept per SQLite connection, by SQL text.
 *
 * The sqlite3 driver's `Database#all` / `#run` prepare a new statement for every call and finalize it afterwards —
 * three trips to its worker thread and a fresh parse and plan each time, which for our joins and for inserts into
 * tables with triggers (the trade fact's rollups) costs more than running them. knex calls only these two methods
 * (`_query` in its sqlite3 dialect), so the connection's own `all` and `run` are replaced by versions that reuse a
 * cached `Statement`: one trip, no re-parse. SQLite re-prepares a cached statement by itself after a schema change.
 *
 * Safe reuse: `all` steps to the end (the statement is done and holds no lock afterwards); `run` steps once, which
 * ends a statement that returns no rows — one with RETURNING would stay active, so such SQL is never cached for
 * `run`. A statement that failed is finalized and forgotten. The callback gets a snapshot of `lastID`/`changes`, since
 * the cached statement object is shared by later calls.
 */
export function cacheStatements(conn: sqlite3.Database, max = 500): void {
  const cache = new Map<string, sqlite3.Statement>();
  const original: Record<Method, (...args: unknown[]) => unknown> = {
    all: conn.all.bind(conn) as (...args: unknown[]) => unknown,
    run: conn.run.bind(conn) as (...args: unknown[]) => unknown,
  };

  const statement = (sql: string, onError: (err: Error) => void): sqlite3.Statement => {
    let stmt = cache.get(sql);
    if (stmt) {
      // Most recently used last, so the first key is the one to evict.
      cache.delete(sql);
      cache.set(sql, stmt);
      return stmt;
    }
    stmt = conn.prepare(sql, (err: Error | null) => {
      if (err) onError(err);
    });
    cache.set(sql, stmt);
    if (cache.size > max) {
      const [oldest, old] = cache.entries().next().value as [string, sqlite3.Statement];
      cache.delete(oldest);
      old.finalize();
    }
    return stmt;
  };

  /** Drops a failed statement (once: a failed prepare may report to both callbacks). */
  const forget = (sql: string, stmt: sqlite3.Statement) => {
    if (cache.get(sql) !== stmt) return;
    cache.delete(sql);
    stmt.finalize();
  };

  const wrap = (method: Method) =>
    function (sql: string, ...rest: unknown[]): sqlite3.Database {
      const callback = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as Callback) : undefined;
      if (!callback || rest.length > 1 || (method === 'run' && /\breturning\b/i.test(sql))) {
        return original[method](sql, ...rest, ...(callback ? [callback] : [])) as sqlite3.Database;
      }
      const params = (rest[0] ?? []) as unknown[];
      let answered = false;
      const answer = (err: Error | null, result: unknown, context: { lastID?: number; changes?: number }) => {
        if (answered) return;
        answered = true;
        callback.call({ lastID: context.lastID, changes: context.changes }, err, result);
      };
      const stmt = statement(sql, (err) => {
        forget(sql, stmt);
        answer(err, undefined, {});
      });
      stmt[method](params, function (this: { lastID?: number; changes?: number }, err: Error | null, result?: unknown) {
        if (err) forget(sql, stmt);
        answer(err, result, this ?? {});
      });
      return conn;
    };

  Object.assign(conn, { all: wrap('all'), run: wrap('run') });
}
