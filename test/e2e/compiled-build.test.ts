import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freshDatabase, type TestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run build: the compiled server runs with plain node', function () {
  this.timeout(240_000);
  const outDir = path.join(ROOT, `dist-test-${process.pid}`);
  let database: TestDatabase;

  before(async () => {
    const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--outDir', outDir, '--sourceMap', 'false'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    database = await freshDatabase();
  });

  after(async () => {
    rmSync(outDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('migrates, serves a translated page and a JSON error from dist/', async () => {
    const child = spawn(process.execPath, [path.join(outDir, 'src', 'server.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, DEMO_DATA: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /Listening on (http:\/\/localhost:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const home = await fetch(`${url}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /<title>首页 · 首台（套）· 浙江制造精品馆<\/title>/);
      const bad = await fetch(`${url}/api/v1/products?level=foo`);
      assert.equal(bad.status, 422);
      assert.deepEqual(await bad.json(), { error: { code: 'validation_failed', message: '认定级别：不是可选的值', field: 'level' } });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
