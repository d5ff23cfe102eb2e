import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { creditCode } from '../helpers/factories';
import { listeningProcess } from '../helpers/server';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILDS = path.join(ROOT, '.run');

/** `npm start` (scripts/start.mjs): builds the sources with esbuild into .run/<hash>/ and serves from there. */
describe('npm start: the server from its esbuild build', function () {
  this.timeout(180_000);
  const databases: TestDatabase[] = [];

  after(async () => {
    for (const d of databases) await d.drop();
  });

  /** Runs `node scripts/start.mjs` on a fresh database of the engine under test; resolves with its URL and a stop. */
  async function start(): Promise<{ url: string; stop: () => Promise<void> }> {
    const database = await freshDatabase();
    databases.push(database);
    return listeningProcess(['scripts/start.mjs'], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, DEMO_DATA: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development', NODE_OPTIONS: '' });
  }

  it('two starts at once both serve, from one complete build that a third start reuses', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    try {
      for (const s of [a, b]) {
        assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
        const bad = await fetch(`${s.url}/api/v1/products?level=foo`);
        assert.equal(bad.status, 422);
        assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'level');
      }
    } finally {
      await a.stop();
      await b.stop();
    }
    const builds = () => readdirSync(BUILDS).filter((d) => /^[0-9a-f]{16}$/.test(d));
    const before = builds();
    assert.ok(before.length >= 1 && before.length <= 3, before.join(', '));
    assert.deepEqual(
      readdirSync(BUILDS).filter((d) => d.includes('.tmp-')),
      [],
      'no half-written build left behind',
    );
    const newest = before
      .map((d) => ({ d, stamp: readFileSync(path.join(BUILDS, d, '.complete'), 'utf8') }))
      .sort((x, y) => (x.stamp < y.stamp ? 1 : -1))[0]!;
    assert.ok(existsSync(path.join(BUILDS, newest.d, 'src', 'server.js')) && existsSync(path.join(BUILDS, newest.d, 'migrations')));
    const c = await start();
    try {
      assert.equal((await fetch(`${c.url}/healthz`)).status, 200);
    } finally {
      await c.stop();
    }
    assert.equal(readFileSync(path.join(BUILDS, newest.d, '.complete'), 'utf8'), newest.stamp, 'the build was reused, not made again');
  });

  it('reads the files beside the sources it needs: a new password is checked against the common list (a vendor registers)', async () => {
    // Found by a page audit: the build holds JavaScript only, and the list was read beside the module — every new
    // password (registration, a password change) was a 500 under `npm start`.
    const s = await start();
    try {
      const register = async (password: string) => {
        const form = await fetch(`${s.url}/vendor/register`);
        const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
        const body = new URLSearchParams({ _csrf: csrf, enterpriseName: '杭州启动检查装备有限公司', creditCode: creditCode(), city: '杭州', contact: '王经理 0571-88880000', username: `startcheck${password.length}`, password });
        return fetch(`${s.url}/vendor/register`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
      };
      const common = await register('password123');
      assert.equal(common.status, 422, 'a common password is refused, naming the field');
      assert.match(await common.text(), /常见|common/);
      const good = await register('Qz7!long-unique-pass');
      assert.equal(good.status, 200, await good.text());
    } finally {
      await s.stop();
    }
  });
});
