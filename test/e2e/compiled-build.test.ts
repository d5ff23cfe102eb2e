import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { migrateLatest } from '../../src/db';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { listeningProcess } from '../helpers/server';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run build: the compiled server runs with plain node', function () {
  this.timeout(240_000);
  // `npm test` has built the project once for all its passes (TEST_BUILD, scripts/test-all.ts); run alone, this
  // file builds its own copy and removes it afterwards.
  const shared = process.env.TEST_BUILD ? path.resolve(ROOT, process.env.TEST_BUILD) : null;
  const outDir = shared ?? path.join(ROOT, `dist-test-${process.pid}`);
  let database: TestDatabase;

  before(async () => {
    if (!shared) {
      const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--outDir', outDir, '--sourceMap', 'false'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    }
    database = await freshDatabase();
  });

  after(async () => {
    if (!shared) rmSync(outDir, { recursive: true, force: true });
    await database?.drop();
  });

  /** Starts the compiled server on `databaseUrl`; resolves with its URL and a stop function. */
  async function serve(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
    return listeningProcess([path.join(outDir, 'src', 'server.js')], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DEMO_DATA: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development' });
  }

  it('migrates, serves a translated page and a JSON error from dist/', async () => {
    const { url, stop } = await serve(database.url);
    try {
      const home = await fetch(`${url}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /<title>首页 · 首台（套）· 浙江制造精品馆<\/title>/);
      const bad = await fetch(`${url}/api/v1/products?level=foo`);
      assert.equal(bad.status, 422);
      assert.deepEqual(await bad.json(), { error: { code: 'validation_failed', message: '认定级别：不是可选的值', field: 'level' } });
    } finally {
      await stop();
    }
  });

  it('serves a database the sources migrated (npm start), and the sources serve it again afterwards', async () => {
    const other = await freshDatabase();
    try {
      await migrateLatest(other.db); // through tsx, as `npm start` leaves a database: the names on record end in .ts
      const { url, stop } = await serve(other.url);
      try {
        assert.equal((await fetch(`${url}/healthz`)).status, 200);
      } finally {
        await stop();
      }
      const names = (await other.db('knex_migrations').pluck('name')) as string[];
      assert.ok(names.length > 20 && names.every((n) => n.endsWith('.js')), names.join(', '));
      await migrateLatest(other.db);
      assert.ok(((await other.db('knex_migrations').pluck('name')) as string[]).every((n) => n.endsWith('.ts')));
    } finally {
      await other.drop();
    }
  });
});
