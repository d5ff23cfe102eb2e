import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function start(env: Record<string, string>) {
  return spawnSync(TSX, ['src/server.ts'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30000 });
}

describe('standalone server: a wrong environment value', () => {
  for (const [name, value, expects] of [
    ['PORT', 'abc', /^PORT: expected a port number from 0 to 65535, got 'abc'$/],
    ['DATABASE_URL', 'mysql://root@localhost/x', /^DATABASE_URL: expected 'sqlite:<file>' or 'postgres:\/\/user@host:port\/db'/],
    ['LOG_LEVEL', 'chatty', /^LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got 'chatty'$/],
  ] as const) {
    it(`stops with one line naming ${name}`, () => {
      const r = start({ [name]: value });
      assert.equal(r.status, 1);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], expects);
      assert.equal(r.stdout, '');
    });
  }

  it('refuses demo data and the test clock in production, naming the variable', () => {
    const r = start({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), FAKE_CLOCK: '1', DEMO_DATA: '0' });
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^FAKE_CLOCK: /);
  });
});
