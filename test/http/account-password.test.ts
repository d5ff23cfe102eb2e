import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { makeUser, DEMO_PASSWORD } from '../helpers/factories';
import { csrfOf, loginAgent } from '../helpers/session';
import { THROTTLE } from '../../src/auth/throttle';

describe('changing one’s own password', function () {
  const ctx = useMigratedDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
  });

  it('JSON: 401, 422 for a wrong current password / a common or too short new one, then 200 and every token ends', async () => {
    const u = await makeUser(ctx.db, { role: 'purchaser' });
    const tok = await bearer(t.http, u.username);
    const other = await bearer(t.http, u.username);
    assert.equal((await t.http.post('/api/v1/auth/password').send({ currentPassword: DEMO_PASSWORD, newPassword: 'x' })).status, 401);
    const cases: Array<[Record<string, string>, string]> = [
      [{ currentPassword: 'wrong', newPassword: 'tangerine-harbour-42' }, 'currentPassword'],
      [{ currentPassword: DEMO_PASSWORD, newPassword: 'short' }, 'newPassword'],
      [{ currentPassword: DEMO_PASSWORD, newPassword: 'iloveyou1' }, 'newPassword'],
      [{ currentPassword: DEMO_PASSWORD, newPassword: DEMO_PASSWORD }, 'newPassword'],
      [{ currentPassword: DEMO_PASSWORD, newPassword: u.username }, 'newPassword'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http.post('/api/v1/auth/password').set('Authorization', tok).send(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(res.body.error.field, field);
    }
    const ok = await t.http.post('/api/v1/auth/password').set('Authorization', tok).send({ currentPassword: DEMO_PASSWORD, newPassword: 'tangerine-harbour-42' });
    assert.equal(ok.status, 200);
    assert.equal((await t.http.get('/api/v1/orders').set('Authorization', other)).status, 401, 'other tokens are revoked');
    assert.equal((await t.http.post('/api/v1/auth/token').send({ username: u.username, password: DEMO_PASSWORD })).status, 401);
    assert.equal((await t.http.post('/api/v1/auth/token').send({ username: u.username, password: 'tangerine-harbour-42' })).status, 200);
    assert.ok(await ctx.db('audit_log').where({ action: 'user.password_change', entity_id: String(u.id) }).first());
  });

  it('page: a message per field; success keeps this session (new id) and ends the others', async () => {
    const u = await makeUser(ctx.db, { role: 'vendor' });
    const here = await loginAgent(t.app, u.username);
    const elsewhere = await loginAgent(t.app, u.username);
    const form = await here.get('/account/password');
    assert.equal(form.status, 200);
    const short = await here.post('/account/password').type('form').send({ _csrf: csrfOf(form.text), currentPassword: 'nope', newPassword: '123' });
    assert.equal(short.status, 422);
    assert.match(short.text, /新密码：长度须为 8–128 个字符/);
    const bad = await here.post('/account/password').type('form').send({ _csrf: csrfOf(short.text), currentPassword: 'nope', newPassword: 'tangerine-harbour-42' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /当前密码不正确/);
    const ok = await here.post('/account/password').type('form').send({ _csrf: csrfOf(bad.text), currentPassword: DEMO_PASSWORD, newPassword: 'tangerine-harbour-42' });
    assert.equal(ok.status, 302);
    const after = await here.get('/account/password');
    assert.equal(after.status, 200);
    assert.match(after.text, /密码已修改/);
    assert.equal((await elsewhere.get('/account/password')).status, 302, 'the other session was ended');
  });
});

describe('wrong current passwords on the password-change form (issue 12)', function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
  });

  it(`wrong current passwords on the password-change form count toward the login lockout — no longer: ${THROTTLE.maxPasswordChange + 1} wrong ones leave the login open; the form has its own limit (429 with Retry-After) until the lock passes`, async () => {
    const u = await makeUser(ctx.db, { role: 'purchaser' });
    const tok = await bearer(t.http, u.username);
    const change = (currentPassword: string) => t.http.post('/api/v1/auth/password').set('Authorization', tok).send({ currentPassword, newPassword: 'tangerine-harbour-42' });
    for (let i = 0; i < THROTTLE.maxPasswordChange; i++) assert.equal((await change(`wrong-${i}`)).status, 422, `attempt ${i}`);
    // The form is now locked for this user, even for the right password…
    const locked = await change(DEMO_PASSWORD);
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'too_many_attempts');
    assert.match(locked.body.error.message, /当前密码输错次数过多/);
    assert.equal(Number(locked.headers['retry-after']), THROTTLE.lockMs / 1000);
    assert.equal((await change('wrong-again')).status, 429);
    // …but the login is not: neither the account nor the address was counted.
    assert.equal((await t.http.post('/api/v1/auth/token').send({ username: u.username, password: DEMO_PASSWORD })).status, 200);
    const account = await ctx.db('login_attempts').where({ key: `user:${u.username}` }).first();
    assert.equal(Number(account?.failures ?? 0), 0);
    // The page form says so too, with Retry-After.
    const here = await loginAgent(t.app, u.username);
    const form = await here.get('/account/password');
    const page = await here.post('/account/password').type('form').send({ _csrf: csrfOf(form.text), currentPassword: DEMO_PASSWORD, newPassword: 'tangerine-harbour-42' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers['retry-after']) > 0);
    assert.match(page.text, /当前密码输错次数过多/);
    t.clock.set(new Date(t.clock.now().getTime() + THROTTLE.lockMs + 1000), { freeze: true });
    const fresh = await bearer(t.http, u.username);
    const ok = await t.http.post('/api/v1/auth/password').set('Authorization', fresh).send({ currentPassword: DEMO_PASSWORD, newPassword: 'tangerine-harbour-42' });
    assert.equal(ok.status, 200);
  });

  it('login failures do not lock the password-change form either (separate keys both ways)', async () => {
    const u = await makeUser(ctx.db, { role: 'vendor' });
    const tok = await bearer(t.http, u.username);
    for (let i = 0; i < THROTTLE.maxPerAccount; i++) {
      assert.equal((await t.http.post('/api/v1/auth/token').send({ username: u.username, password: `wrong-${i}` })).status, 401);
    }
    assert.equal((await t.http.post('/api/v1/auth/token').send({ username: u.username, password: DEMO_PASSWORD })).status, 429, 'the login is locked');
    const ok = await t.http.post('/api/v1/auth/password').set('Authorization', tok).send({ currentPassword: DEMO_PASSWORD, newPassword: 'tangerine-harbour-42' });
    assert.equal(ok.status, 200, 'the signed-in user can still change the password');
  });
});
