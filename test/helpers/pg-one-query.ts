/**
 * PostgreSQL's client runs one query at a time. A query handed to a client that still has another waiting means two
 * statements were sent side by side on one connection — a `Promise.all` over one transaction — which pg queues today
 * and warns that pg@9 will refuse. (Statements of one transaction that do not depend on each other go through
 * src/db/concurrently.ts, which runs them one after another on PostgreSQL.) On the PostgreSQL pass every such query
 * is recorded, and the test it happened in fails after it, naming the statements. Servers the tests spawn are not
 * watched; the same services run in this process in the integration and HTTP tests. Loaded by .mocharc.json.
 */
interface PgClient {
  _queryQueue?: unknown[];
  pipeline?: boolean;
}

const offences: string[] = [];

const textOf = (q: unknown): string => String(typeof q === 'string' ? q : ((q as { text?: unknown } | null)?.text ?? q)).slice(0, 200);

if (process.env.TEST_DB === 'postgres') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Client = require('pg/lib/client.js') as { prototype: { query: (this: PgClient, ...args: unknown[]) => unknown } };
  const query = Client.prototype.query;
  Client.prototype.query = function (this: PgClient, ...args: unknown[]): unknown {
    if ((this._queryQueue?.length ?? 0) > 0 && !this.pipeline) offences.push(textOf(args[0]));
    return query.apply(this, args);
  };
}

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    if (offences.length === 0) return;
    const sent = offences.splice(0);
    throw new Error(`${this.currentTest?.fullTitle() ?? 'a test'}: ${sent.length} statement(s) sent to a PostgreSQL client still busy with another (one connection, side by side; use concurrently):\n${[...new Set(sent)].slice(0, 5).join('\n')}`);
  },
};
