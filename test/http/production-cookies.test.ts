import assert from 'node:assert/strict';
import { csrfOf, sessionCookie } from '../helpers/session';
import { testApp } from '../helpers/app';
import { useMigratedDb } from '../helpers/db';
import { makeUser } from '../helpers/factories';

describe('production behind a TLS-terminating proxy', () => {
  const ctx = useMigratedDb();

  it('sets the session cookie with Secure (never a 500 because Koa saw plain HTTP), and logs in', async () => {
    const user = await makeUser(ctx.db, { role: 'admin' });
    const { http } = testApp(ctx.db, { config: { env: 'production', fakeClock: false, logLevel: 'silent', sessionSecret: 'p'.repeat(48) } });
    const page = await http.get('/login');
    assert.equal(page.status, 200);
    const setCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('fum_sid='));
    assert.ok(setCookie, 'the login form starts a session for its CSRF secret');
    assert.match(setCookie, /; secure/i);
    assert.match(setCookie, /; httponly/i);
    assert.match(setCookie, /; samesite=lax/i);
    const login = await http
      .post('/login')
      .set('Cookie', `fum_sid=${sessionCookie(page)}`)
      .type('form')
      .send({ username: user.username, password: 'demo-password', _csrf: csrfOf(page.text) });
    assert.equal(login.status, 302);
    assert.match(([] as string[]).concat(login.headers['set-cookie'] ?? []).join('\n'), /fum_sid=[^;]+;.*secure/i);
    assert.match(String(page.headers['strict-transport-security']), /max-age=31536000/);
  });
});
