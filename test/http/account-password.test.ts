import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { makeUser, DEMO_PASSWORD } from '../helpers/factories';
import { csrfOf, loginAgent } from '../helpers/session';

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
