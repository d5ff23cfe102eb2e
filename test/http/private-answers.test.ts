import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { downloadName } from '../../src/filenames';
import { bearer, testApp } from '../helpers/app';
import { useMigratedDb } from '../helpers/db';
import { makeUser } from '../helpers/factories';
import { loginAgent } from '../helpers/session';

/** What a penetration test of 2026-12-08 found held too loosely, held. */
describe('answers kept private, feeds that do not echo Host, names that cannot disguise a file', () => {
  const ctx = useMigratedDb();

  it('a signed-in caller’s pages and JSON are private, no-store (Back after signing out showed the order); a visitor’s public pages are not', async () => {
    const user = await makeUser(ctx.db, { role: 'admin' });
    const t = testApp(ctx.db, { worker: false });
    const agent = await loginAgent(t.app, user.username);
    for (const path of ['/admin', '/admin/audit', '/account/password']) {
      const res = await agent.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], 'private, no-store', path);
    }
    const api = await t.http.get('/api/v1/admin/audit').set('Authorization', await bearer(t.http, user.username));
    assert.equal(api.status, 200);
    assert.equal(api.headers['cache-control'], 'private, no-store');
    const visitor = await t.http.get('/products');
    assert.equal(visitor.status, 200);
    assert.equal(visitor.headers['cache-control'], undefined, 'public pages keep their caching');
  });

  it('the feeds’ absolute links come from PUBLIC_URL when set, never from the Host header; without it the answer varies by Host', async () => {
    const set = testApp(ctx.db, { worker: false, config: { publicUrl: 'https://gpc.example.cn' } });
    const atom = await set.http.get('/notices.atom').set('Host', 'evil.example');
    assert.equal(atom.status, 200);
    assert.doesNotMatch(atom.text, /evil\.example/);
    assert.match(atom.text, /href="https:\/\/gpc\.example\.cn\/notices\.atom"/);
    const unset = testApp(ctx.db, { worker: false });
    const echoed = await unset.http.get('/notices.atom').set('Host', 'evil.example');
    assert.match(String(echoed.headers.vary), /host/i);
    assert.equal(loadConfig({ PUBLIC_URL: 'HTTPS://Gpc.Example.cn' }).publicUrl, 'https://gpc.example.cn');
    assert.equal(loadConfig({}).publicUrl, null);
    for (const wrong of ['gpc.example.cn', 'https://gpc.example.cn/market', 'ftp://x', 'https://a b']) {
      assert.throws(() => loadConfig({ PUBLIC_URL: wrong }), /PUBLIC_URL: expected the site's origin/, wrong);
    }
  });

  it('in production the language cookie is Secure, as the session’s is', async () => {
    const { http } = testApp(ctx.db, { config: { env: 'production', fakeClock: false, logLevel: 'silent', sessionSecret: 'p'.repeat(48) } });
    const res = await http.get('/?lang=en');
    const lang = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('lang='));
    assert.ok(lang);
    assert.match(lang, /; secure/i);
  });

  it('an uploaded file’s name loses bidi overrides and other format characters (r‮gnp.exe.pdf read as rfdp.exe.png)', () => {
    assert.equal(downloadName('r\u202Egnp.exe%00;".html', 'x'), 'rgnp.exe00.html');
    assert.equal(downloadName('\u200B\uFEFF\u2066报告\u2069.pdf', 'x'), '报告.pdf');
    assert.equal(downloadName('../../\u202E', 'attachment'), 'attachment');
    assert.equal(downloadName('检测报告 2026（终版）.pdf', 'x'), '检测报告 2026（终版）.pdf', 'ordinary names as given');
  });
});
