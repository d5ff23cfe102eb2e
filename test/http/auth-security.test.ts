import assert from 'node:assert/strict';
import pino from 'pino';
import { useMigratedDb } from '../helpers/db';
import { testApp, type TestApp } from '../helpers/app';
import { makeUser, makeVendor, DEMO_PASSWORD } from '../helpers/factories';
import { csrfOf, sessionCookie } from '../helpers/session';
import { IDLE_MS, ABSOLUTE_MS, PURGE_EVERY_MS, SESSION_COOKIE } from '../../src/web/session';
import { THROTTLE } from '../../src/auth/throttle';

const cookieHeader = (value: string) => `${SESSION_COOKIE}=${value}`;

describe('identity and sessions', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let vendorUser: { username: string };

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const v = await makeVendor(ctx.db);
    vendorUser = await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id });
  });

  /** GET /login (which starts an anonymous session for the form's CSRF secret), then POST it. */
  async function login(username = vendorUser.username, password = DEMO_PASSWORD) {
    const form = await t.http.get('/login');
    const anon = sessionCookie(form);
    assert.ok(anon, 'the login form starts a session for its CSRF token');
    const res = await t.http.post('/login').set('Cookie', cookieHeader(anon)).type('form').send({ username, password, _csrf: csrfOf(form.text) });
    return { anon, res, session: sessionCookie(res) };
  }

  it('cookies: HttpOnly, SameSite=Lax, path-scoped, not Secure outside production; the id is 256 random bits', async () => {
    const { res, session } = await login();
    const set = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`)) as string;
    assert.match(set, /; httponly/i);
    assert.match(set, /; samesite=lax/i);
    assert.match(set, /; path=\//i);
    assert.doesNotMatch(set, /; secure/i);
    assert.match(session as string, /^[A-Za-z0-9_-]{43}$/);
    const stored = await ctx.db('sessions').pluck('id');
    assert.ok(!stored.includes(session), 'the table holds a hash, never the cookie value');
  });

  it('session fixation: the id changes at login and the anonymous id is dead', async () => {
    const { anon, res, session } = await login();
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/vendor');
    assert.ok(session && session !== anon);
    assert.equal((await t.http.get('/vendor').set('Cookie', cookieHeader(session))).status, 200);
    // A fixed (attacker-planted) anonymous id does not carry the login.
    const fixed = await t.http.get('/vendor').set('Cookie', cookieHeader(anon));
    assert.equal(fixed.status, 302);
    assert.match(fixed.headers.location, /^\/login/);
  });

  it('pages opened at once just after login each carry a CSRF token that is accepted, and none of them writes the session', async () => {
    for (const which of [0, 1]) {
      const { session } = await login();
      const version = async () => Number((await ctx.db('auth_state').first('version')).version);
      const before = await version();
      // Two pages with forms, fetched side by side as two tabs would be.
      const pages = await Promise.all([0, 1].map(() => t.http.get('/vendor').set('Cookie', cookieHeader(session as string))));
      assert.equal(await version(), before, 'no session write (each would move the authority version)');
      const out = await t.http.post('/logout').set('Cookie', cookieHeader(session as string)).type('form').send({ _csrf: csrfOf(pages[which].text) });
      assert.equal(out.status, 302, `the token of page ${which + 1} is accepted (${out.status} ${out.text.slice(0, 200)})`);
    }
  });

  it('logout replay: the old cookie is refused afterwards', async () => {
    const { session } = await login();
    const page = await t.http.get('/vendor').set('Cookie', cookieHeader(session as string));
    const out = await t.http.post('/logout').set('Cookie', cookieHeader(session as string)).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(out.status, 302);
    assert.equal(sessionCookie(out), '', 'the cookie is cleared');
    const replay = await t.http.get('/vendor').set('Cookie', cookieHeader(session as string));
    assert.equal(replay.status, 302);
    const api = await t.http.get('/api/v1/vendor/products').set('Cookie', cookieHeader(session as string));
    assert.equal(api.status, 401);
  });

  it('idle timeout: a session unused for longer than the idle window is gone', async () => {
    const { session } = await login();
    t.clock.set(new Date(t.clock.now().getTime() + IDLE_MS - 60_000), { freeze: true });
    assert.equal((await t.http.get('/vendor').set('Cookie', cookieHeader(session as string))).status, 200, 'still alive just inside the window');
    t.clock.set(new Date(t.clock.now().getTime() + IDLE_MS + 60_000), { freeze: true });
    assert.equal((await t.http.get('/vendor').set('Cookie', cookieHeader(session as string))).status, 302);
  });

  it('absolute timeout: even a busy session ends after the absolute lifetime', async () => {
    const { session } = await login();
    const start = t.clock.now().getTime();
    for (let at = start + IDLE_MS * 0.6; at < start + ABSOLUTE_MS; at += IDLE_MS * 0.6) {
      t.clock.set(new Date(at), { freeze: true });
      assert.equal((await t.http.get('/vendor').set('Cookie', cookieHeader(session as string))).status, 200);
    }
    t.clock.set(new Date(start + ABSOLUTE_MS + 1000), { freeze: true });
    assert.equal((await t.http.get('/vendor').set('Cookie', cookieHeader(session as string))).status, 302);
  });

  it('expired sessions do not pile up: creating a session now and then deletes them', async () => {
    // A crawler's anonymous form visits, each a session for the form's CSRF secret…
    for (let i = 0; i < 5; i++) assert.ok(sessionCookie(await t.http.get('/login')));
    const created = Number((await ctx.db('sessions').count({ n: '*' }).first())?.n);
    assert.ok(created >= 5);
    // …are all dead after the idle window; the next session created (after the purge interval) clears them.
    t.clock.set(new Date(t.clock.now().getTime() + Math.max(IDLE_MS, PURGE_EVERY_MS) + 60_000), { freeze: true });
    const fresh = sessionCookie(await t.http.get('/login'));
    assert.ok(fresh);
    const left = await ctx.db('sessions').select('expires_at');
    assert.equal(left.length, 1, 'only the new session is left');
    assert.ok(Date.parse(left[0].expires_at) > t.clock.now().getTime());
    assert.equal((await t.http.post('/login').set('Cookie', cookieHeader(fresh as string)).type('form').send({ username: vendorUser.username, password: DEMO_PASSWORD, _csrf: 'x' })).status, 403, 'and it works as before');
  });

  it('a login form never redirects off-site', async () => {
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/%2F%2Fevil.example']) {
      const form = await t.http.get('/login');
      const res = await t.http
        .post('/login')
        .set('Cookie', cookieHeader(sessionCookie(form) as string))
        .type('form')
        .send({ username: vendorUser.username, password: DEMO_PASSWORD, next, _csrf: csrfOf(form.text) });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/vendor', next);
    }
  });

  describe('CSRF', () => {
    it('a form post without the token, or with a forged one, is refused and changes nothing', async () => {
      const form = await t.http.get('/login');
      const cookie = cookieHeader(sessionCookie(form) as string);
      const none = await t.http.post('/login').set('Cookie', cookie).type('form').send({ username: vendorUser.username, password: DEMO_PASSWORD });
      assert.equal(none.status, 403);
      assert.equal(sessionCookie(none), null, 'no session was issued');
      const forged = await t.http.post('/login').set('Cookie', cookie).type('form').send({ username: vendorUser.username, password: DEMO_PASSWORD, _csrf: 'abc-forged' });
      assert.equal(forged.status, 403);
      // A token from another session does not fit this one.
      const other = await t.http.get('/login');
      const swapped = await t.http.post('/login').set('Cookie', cookie).type('form').send({ username: vendorUser.username, password: DEMO_PASSWORD, _csrf: csrfOf(other.text) });
      assert.equal(swapped.status, 403);
    });

    it('a cookie-authenticated JSON call needs X-CSRF-Token; a bearer call does not', async () => {
      const { session } = await login();
      const cookie = cookieHeader(session as string);
      const body = { boutique: true, field: '智能装备', title: 'CSRF 测试', model: 'X', price: '1', unit: '台', stock: 1 };
      const refused = await t.http.post('/api/v1/vendor/products').set('Cookie', cookie).send(body);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'forbidden');
      const page = await t.http.get('/vendor/products/new').set('Cookie', cookie);
      const ok = await t.http.post('/api/v1/vendor/products').set('Cookie', cookie).set('X-CSRF-Token', csrfOf(page.text)).send(body);
      assert.equal(ok.status, 201);
      const tok = await t.http.post('/api/v1/auth/token').send({ username: vendorUser.username, password: DEMO_PASSWORD });
      const viaBearer = await t.http.post('/api/v1/vendor/products').set('Authorization', `Bearer ${tok.body.token}`).send(body);
      assert.equal(viaBearer.status, 201);
    });
  });

  describe('login throttling', () => {
    it(`${THROTTLE.maxPerAccount} failures lock the account: 429 with Retry-After even for the right password; the window passes`, async () => {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
      const app = testApp(ctx.db, { logger });
      app.clock.set(new Date('2026-04-01T02:00:00Z'), { freeze: true });
      const u = await makeUser(ctx.db, { role: 'admin' });
      for (let i = 0; i < THROTTLE.maxPerAccount; i++) {
        const res = await app.http.post('/api/v1/auth/token').send({ username: u.username, password: `wrong-${i}` });
        assert.equal(res.status, 401);
      }
      const locked = await app.http.post('/api/v1/auth/token').send({ username: u.username, password: DEMO_PASSWORD });
      assert.equal(locked.status, 429);
      assert.equal(locked.body.error.code, 'too_many_attempts');
      assert.equal(Number(locked.headers['retry-after']), THROTTLE.lockMs / 1000);
      const form = await app.http.get('/login');
      const page = await app.http
        .post('/login')
        .set('Cookie', cookieHeader(sessionCookie(form) as string))
        .type('form')
        .send({ username: u.username, password: DEMO_PASSWORD, _csrf: csrfOf(form.text) });
      assert.equal(page.status, 429);
      assert.ok(page.headers['retry-after']);
      assert.ok(lines.some((l) => /login locked after repeated failures/.test(l)), 'the lock is logged');
      app.clock.set(new Date(app.clock.now().getTime() + THROTTLE.lockMs + 1000), { freeze: true });
      const after = await app.http.post('/api/v1/auth/token').send({ username: u.username, password: DEMO_PASSWORD });
      assert.equal(after.status, 200);
    });

    it('failures spread over many usernames lock the address', async () => {
      const app = testApp(ctx.db);
      app.clock.set(new Date('2026-05-01T02:00:00Z'), { freeze: true });
      for (let i = 0; i < THROTTLE.maxPerAddress; i++) {
        await app.http.post('/api/v1/auth/token').send({ username: `nobody${i}`, password: 'wrong-password' });
      }
      const res = await app.http.post('/api/v1/auth/token').send({ username: vendorUser.username, password: DEMO_PASSWORD });
      assert.equal(res.status, 429);
      app.clock.set(new Date(app.clock.now().getTime() + THROTTLE.lockMs + 1000), { freeze: true });
      assert.equal((await app.http.post('/api/v1/auth/token').send({ username: vendorUser.username, password: DEMO_PASSWORD })).status, 200);
    });
  });
});

describe('security headers', function () {
  const ctx = useMigratedDb();

  it('CSP without inline script, nosniff, frame-ancestors, Referrer-Policy; no HSTS outside production', async () => {
    const t = testApp(ctx.db);
    for (const path of ['/', '/login', '/api/v1/products']) {
      const res = await t.http.get(path);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /object-src 'none'/, path);
      assert.match(csp, /base-uri 'none'/);
      assert.match(csp, /frame-ancestors 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin');
      assert.equal(res.headers['strict-transport-security'], undefined);
    }
    const page = await t.http.get('/login');
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script element');
    assert.doesNotMatch(page.text, /\son[a-z]+="/i, 'no inline event handler');
  });

  it('production: HSTS, and the session cookie is Secure (behind the TLS proxy)', async () => {
    const t = testApp(ctx.db, { config: { env: 'production', fakeClock: false, logLevel: 'silent', sessionSecret: 'x'.repeat(40) } });
    const res = await t.http.get('/login').set('X-Forwarded-Proto', 'https');
    assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
    const set = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(set, 'the login form starts a session');
    assert.match(set as string, /; secure/i);
  });
});

describe('bearer token revocation (issue 12)', function () {
  const ctx = useMigratedDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
  });

  const issue = async (username: string) => (await t.http.post('/api/v1/auth/token').send({ username, password: DEMO_PASSWORD })).body.token as string;

  it('no way to revoke a bearer token — now DELETE /api/v1/auth/token ends the token it is sent with (204); that token is then refused, the others live on', async () => {
    const u = await makeUser(ctx.db, { role: 'purchaser' });
    const [mine, other] = [await issue(u.username), await issue(u.username)];
    const res = await t.http.delete('/api/v1/auth/token').set('Authorization', `Bearer ${mine}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const after = await t.http.get('/api/v1/orders').set('Authorization', `Bearer ${mine}`);
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'unauthenticated');
    assert.equal((await t.http.delete('/api/v1/auth/token').set('Authorization', `Bearer ${mine}`)).status, 401, 'a revoked token cannot revoke again');
    assert.equal((await t.http.get('/api/v1/orders').set('Authorization', `Bearer ${other}`)).status, 200, 'the user’s other tokens stay valid');
    const audit = await ctx.db('audit_log').where({ action: 'user.token_revoke', entity_id: String(u.id) });
    assert.equal(audit.length, 1);
  });

  it('without a bearer token: 401 in the error shape (anonymous, or a cookie session with its CSRF token)', async () => {
    const anon = await t.http.delete('/api/v1/auth/token');
    assert.equal(anon.status, 401);
    assert.deepEqual(Object.keys(anon.body), ['error']);
    assert.equal(anon.body.error.code, 'unauthenticated');
    const u = await makeUser(ctx.db, { role: 'vendor' });
    const form = await t.http.get('/login');
    const login = await t.http.post('/login').set('Cookie', cookieHeader(sessionCookie(form) as string)).type('form').send({ username: u.username, password: DEMO_PASSWORD, _csrf: csrfOf(form.text) });
    const cookie = cookieHeader(sessionCookie(login) as string);
    const csrf = (await t.http.get('/api/v1/auth/csrf').set('Cookie', cookie)).body.token as string;
    const viaSession = await t.http.delete('/api/v1/auth/token').set('Cookie', cookie).set('X-CSRF-Token', csrf);
    assert.equal(viaSession.status, 401);
    assert.equal(viaSession.body.error.code, 'unauthenticated');
    assert.equal((await t.http.get('/account/password').set('Cookie', cookie)).status, 200, 'the session itself is untouched');
  });
});
