import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD } from '../../seeds/demo';
import { createDb } from '../../src/db';
import { DEMO_LOAD_TIMEOUT, ENGINE, PG_ADMIN_URL, freshDatabase, type TestDatabase } from '../helpers/db';
import { demoDatabase, demoDigest } from '../helpers/demo-db';
import { startServer, type RunningServer } from '../helpers/server';

/**
 * `npm start` on an empty database, never migrated: the migrations and the demo data run in a worker thread
 * (seeds/lib/load-in-worker.ts) before the server listens, and what it loaded is served at once — the catalogue, the
 * demo accounts. Every other suite that needs the demo data copies a database loaded once per test run
 * (test/helpers/demo-db.ts); this one takes the path a new user's first start takes.
 */
describe(`first start on an empty database loads the demo data (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  let server: RunningServer;
  let fresh: TestDatabase;

  before(async () => {
    // A database never migrated, as a new user's: the loader's worker migrates it first.
    fresh = await freshDatabase();
    await fresh.db.destroy();
    server = await startServer({ databaseUrl: fresh.url, demoData: true, env: { LOG_LEVEL: 'info', FAKE_CLOCK: '1' }, startTimeoutMs: DEMO_LOAD_TIMEOUT / 2 });
  });

  after(async () => {
    await server?.stop();
    await fresh?.drop().catch(() => undefined);
  });

  it('loads the demo data in the demo loader worker before listening, once', async () => {
    const lines = () =>
      server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; name?: string });
    const said = () => lines().some((l) => l.msg === 'demo data loaded' && l.name === undefined);
    // The server's log is written asynchronously (pino): its line may reach the pipe just after "Listening on".
    for (let waited = 0; !said() && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const written = lines().filter((l) => l.msg === 'demo catalogue written');
    assert.equal(written.length, 1);
    assert.equal(written[0]!.name, 'demo-loader', 'written by the worker thread');
    assert.ok(said(), 'the server says so itself');
  });

  it('serves the loaded catalogue and lets the demo accounts in', async () => {
    const products = (await (await fetch(`${server.url}/api/v1/products?pageSize=1`)).json()) as { total: number };
    assert.ok(products.total > 1000, `${products.total} products`);
    for (const username of ['admin', 'finance', 'purchaser', 'vendor', 'expert1']) {
      const res = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      assert.equal(res.status, 200, `${username}: ${await res.text()}`);
    }
  });

  it('wrote exactly what the loader writes anywhere else, at another clock: the same rows as the run’s demo template', async () => {
    // The template is loaded in-process by loadDemoDataIfEmpty at the demo's frozen clock (test/helpers/demo-db.ts);
    // this server's worker thread loaded at the system's clock (seeds/lib/demo-worker.ts), as `knex seed:run` does.
    const db = createDb(fresh.url);
    const template = await demoDatabase();
    try {
      assert.deepEqual(await demoDigest(db), await demoDigest(template.db));
    } finally {
      await db.destroy();
      await template.drop();
    }
  });
});

describe(`first start on a database that cannot be opened (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);

  it('a database that cannot be opened: the server does not listen, and says why', async () => {
    // SQLite: a path under a plain file (no directory can be made there); PostgreSQL: a database that does not exist.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fum-test-'));
    try {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, '');
      const url = ENGINE === 'sqlite' ? `sqlite:${file}/demo.sqlite3` : PG_ADMIN_URL.replace(/\/[^/]*$/, '/no_such_database_of_the_test');
      await assert.rejects(startServer({ databaseUrl: url, demoData: true, startTimeoutMs: 60_000 }), (err: Error) => {
        assert.match(err.message, /exited \(1\) before listening/);
        assert.match(err.message, /failed to start/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
