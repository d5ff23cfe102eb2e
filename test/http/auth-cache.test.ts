import assert from 'node:assert/strict';
import { createDb, type Db } from '../../src/db';
import { SESSION_COOKIE } from '../../src/web/session';
import { useMigratedDb } from '../helpers/db';
import { testApp, type TestApp } from '../helpers/app';
import { DEMO_PASSWORD, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { csrfOf, sessionCookie } from '../helpers/session';

const cookie = (value: string) => `${SESSION_COOKIE}=${value}`;
/** What a page's caller placeholder looks like (src/catalogue/routes.ts); none may ever reach a response. */
const PLACEHOLDER = /s[0-9a-f]{24}[nuc]/;

/**
 * Sessions, users and bearer tokens are cached per app instance under the authority version (issue 19): two
 * instances with their own database connections stand for two processes behind a load balancer. Every change of
 * authority made through one instance — or straight in the database, as another module or process would — holds on
 * the other at its next request, whatever each had cached.
 */
describe('cached sessions, users and tokens across two app instances', function () {
  const ctx = useMigratedDb();
  let a: TestApp;
  let b: TestApp;
  let dbB: Db;
  let productId: number;

  before(async () => {
    dbB = createDb(ctx.url);
    a = testApp(ctx.db);
    b = testApp(dbB);
    const vendor = await makeVendor(ctx.db);
    productId = (await makeProduct(ctx.db, vendor, { title: '缓存测试机床', stock: 5 })).id;
  });

  after(async () => {
    await dbB.destroy();
  });

  async function buyer(): Promise<{ id: number; username: string }> {
    const unit = await makePurchaser(ctx.db);
    return makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id });
  }

  async function login(app: TestApp, username: string, password = DEMO_PASSWORD): Promise<string> {
    const form = await app.http.get('/login');
    const res = await app.http
      .post('/login')
      .set('Cookie', cookie(sessionCookie(form) as string))
      .type('form')
      .send({ username, password, _csrf: csrfOf(form.text) });
    assert.equal(res.status, 302);
    return sessionCookie(res) as string;
  }

  async function token(app: TestApp, username: string): Promise<string> {
    const res = await app.http.post('/api/v1/auth/token').send({ username, password: DEMO_PASSWORD });
    assert.equal(res.status, 200);
    return `Bearer ${res.body.token as string}`;
  }

  /** The purchaser's desk through a session: 200 while it holds, a redirect to the login once it does not. */
  const desk = (app: TestApp, session: string) => app.http.get('/purchaser').set('Cookie', cookie(session));
  /** A purchaser-only API call through a bearer token (the unit's budget). */
  const orders = (app: TestApp, bearer: string) => app.http.get('/api/v1/budget').set('Authorization', bearer);

  /** Each instance answers twice, so both have the session, the user and the token cached. */
  async function warm(session: string, bearer?: string): Promise<void> {
    for (const app of [a, b, a, b]) {
      assert.equal((await desk(app, session)).status, 200);
      if (bearer) assert.equal((await orders(app, bearer)).status, 200);
    }
  }

  it('logout on one instance ends the session on the other at once', async () => {
    const user = await buyer();
    const session = await login(a, user.username);
    await warm(session);
    const page = await desk(a, session);
    assert.equal((await a.http.post('/logout').set('Cookie', cookie(session)).type('form').send({ _csrf: csrfOf(page.text) })).status, 302);
    for (const app of [b, a]) {
      const res = await desk(app, session);
      assert.equal(res.status, 302);
      assert.match(res.headers.location, /^\/login/);
    }
  });

  it('a password change on one instance ends the other sessions and every token on both', async () => {
    const user = await buyer();
    const mine = await login(a, user.username);
    const other = await login(b, user.username);
    const bearer = await token(b, user.username);
    await warm(other, bearer);
    await warm(mine);
    const page = await a.http.get('/account/password').set('Cookie', cookie(mine));
    const res = await a.http
      .post('/api/v1/auth/password')
      .set('Cookie', cookie(mine))
      .set('X-CSRF-Token', csrfOf(page.text))
      .send({ currentPassword: DEMO_PASSWORD, newPassword: 'a-new-and-long-password-19' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const app of [b, a]) {
      assert.equal((await desk(app, other)).status, 302, 'the other session ended');
      assert.equal((await orders(app, bearer)).status, 401, 'the token ended');
    }
  });

  it('a user deactivated in the database (by any module or process) is refused at once by both, session and token', async () => {
    const user = await buyer();
    const session = await login(a, user.username);
    const bearer = await token(a, user.username);
    await warm(session, bearer);
    await ctx.db('users').where({ id: user.id }).update({ status: 'disabled' });
    for (const app of [b, a]) {
      assert.equal((await desk(app, session)).status, 302);
      assert.equal((await orders(app, bearer)).status, 401);
    }
    await ctx.db('users').where({ id: user.id }).update({ status: 'active' });
    for (const app of [b, a]) assert.equal((await orders(app, bearer)).status, 200, 'active again: the token counts again');
  });

  it('a role change holds at once on both: the purchaser pages close, the header and the product page follow', async () => {
    const user = await buyer();
    const session = await login(a, user.username);
    const bearer = await token(a, user.username);
    await warm(session, bearer);
    for (const app of [a, b]) {
      const html = (await app.http.get(`/products/${productId}`).set('Cookie', cookie(session))).text;
      assert.match(html, /name="quantity"/, 'a purchaser sees the buy form');
    }
    await dbB('users').where({ id: user.id }).update({ role: 'vendor', purchaser_id: null });
    for (const app of [a, b]) {
      assert.equal((await desk(app, session)).status, 403);
      assert.equal((await orders(app, bearer)).status, 403);
      const html = (await app.http.get(`/products/${productId}`).set('Cookie', cookie(session))).text;
      assert.doesNotMatch(html, /name="quantity"/, 'no buy form for a vendor');
    }
  });

  it('a revoked bearer token is refused by the other instance at once', async () => {
    const user = await buyer();
    const bearer = await token(a, user.username);
    for (const app of [a, b, a, b]) assert.equal((await orders(app, bearer)).status, 200);
    assert.equal((await b.http.delete('/api/v1/auth/token').set('Authorization', bearer)).status, 204);
    for (const app of [a, b]) assert.equal((await orders(app, bearer)).status, 401);
  });

  it('signed-in catalogue pages: each caller gets their own name (escaped) and a working CSRF token, never a placeholder', async () => {
    const first = await buyer();
    const second = await buyer();
    await ctx.db('users').where({ id: second.id }).update({ display_name: `<b>"O'Neil" & co</b>` });
    const s1 = await login(a, first.username);
    const s2 = await login(a, second.username);
    for (const path of [`/products/${productId}`, '/products?q=%E6%9C%BA%E5%BA%8A', '/']) {
      for (let round = 0; round < 2; round++) {
        const one = (await a.http.get(path).set('Cookie', cookie(s1))).text;
        const two = (await a.http.get(path).set('Cookie', cookie(s2))).text;
        assert.doesNotMatch(one + two, PLACEHOLDER);
        const firstName = (await ctx.db('users').where({ id: first.id }).first('display_name')).display_name as string;
        assert.ok(one.includes(`>${firstName} · `), `${path}: the first caller's name`);
        assert.ok(two.includes('&lt;b&gt;&quot;O&#x27;Neil&quot; &amp; co&lt;/b&gt; · '), `${path}: the second caller's name, escaped`);
        assert.ok(!one.includes('Neil') && !two.includes(`>${firstName} · `), `${path}: no caller sees the other's name`);
        assert.notEqual(csrfOf(one), csrfOf(two));
      }
    }
    // Written in pieces (web/pieced-body.ts), the page still says its length, and HEAD gives the headers alone.
    for (const path of [`/products/${productId}`, '/products?q=%E6%9C%BA%E5%BA%8A']) {
      const full = await a.http.get(path).set('Cookie', cookie(s2));
      assert.equal(Number(full.headers['content-length']), Buffer.byteLength(full.text), `${path}: Content-Length`);
      assert.match(String(full.headers['content-type']), /^text\/html/);
      assert.equal(full.headers['transfer-encoding'], undefined);
      const head = await a.http.head(path).set('Cookie', cookie(s2));
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-length'], full.headers['content-length']);
      assert.equal(head.text, undefined);
    }
    // The token printed on a cached page is the caller's own: logging out with it works.
    const page = (await a.http.get(`/products/${productId}`).set('Cookie', cookie(s2))).text;
    assert.equal((await a.http.post('/logout').set('Cookie', cookie(s2)).type('form').send({ _csrf: csrfOf(page) })).status, 302);
    assert.equal((await desk(a, s2)).status, 302);
    // A renamed user's next page shows the new name, on the other instance too.
    await ctx.db('users').where({ id: first.id }).update({ display_name: '改名后的采购员' });
    for (const app of [a, b]) assert.ok((await app.http.get(`/products/${productId}`).set('Cookie', cookie(s1))).text.includes('>改名后的采购员 · '));
  });

  it('the counter moves with each kind of change: users (insert, update, delete), sessions and tokens (update, delete)', async () => {
    const version = async () => Number((await ctx.db('auth_state').where({ id: 1 }).first('version')).version);
    const step = async (change: () => Promise<unknown>, moves: boolean, what: string) => {
      const before = await version();
      await change();
      assert.equal((await version()) > before, moves, what);
    };
    const unit = await makePurchaser(ctx.db);
    let id = 0;
    await step(async () => (id = (await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id })).id), true, 'user insert');
    await step(() => ctx.db('users').where({ id }).update({ display_name: 'x' }), true, 'user update');
    await step(() => ctx.db('sessions').insert({ id: 'h'.repeat(64), user_id: id, data: '{}', created_at: '2026-01-01T00:00:00.000Z', expires_at: '2099-01-01T00:00:00.000Z' }), false, 'session insert');
    await step(() => ctx.db('sessions').where({ id: 'h'.repeat(64) }).update({ data: '{"a":1}' }), true, 'session update');
    await step(() => ctx.db('sessions').where({ id: 'h'.repeat(64) }).del(), true, 'session delete');
    await step(() => ctx.db('api_tokens').insert({ id: 't'.repeat(64), user_id: id, created_at: '2026-01-01T00:00:00.000Z', expires_at: '2099-01-01T00:00:00.000Z' }), false, 'token insert');
    await step(() => ctx.db('api_tokens').where({ id: 't'.repeat(64) }).del(), true, 'token delete');
    await step(() => ctx.db('users').where({ id }).del(), true, 'user delete');
  });
});
