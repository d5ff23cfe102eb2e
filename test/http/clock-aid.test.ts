import assert from 'node:assert/strict';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace } from '../../src/app';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { DEMO_PASSWORD, makePurchaser, makeUser } from '../helpers/factories';

/**
 * The testing clock (FAKE_CLOCK=1) takes instants in the years 1900–2999 only, read in Shanghai time. Found by the
 * fuzzer (issue 12): the clock set to 9999-12-31T23:59:59Z reads +010000 in Shanghai, a trade settled then was
 * stored with the month '+010000', and GET /admin/stats then looped forever in monthsBetween, blocking the process.
 */
describe('testing clock: the years it may be set to', () => {
  const ctx = useMigratedDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
  });

  for (const now of ['9999-12-31T23:59:59Z', '9999-12-31T16:00:00Z', '2999-12-31T16:00:00Z', '3000-01-01T00:00:00+08:00']) {
    it(`refuses ${now} (past 2999 in Shanghai) with 422, the clock unchanged`, async () => {
      const before = (await t.http.get('/api/v1/admin/clock')).body.now as string;
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(res.body.error.field, 'now');
      const after = (await t.http.get('/api/v1/admin/clock')).body.now as string;
      assert.equal(after.slice(0, 16), before.slice(0, 16));
    });
  }

  for (const now of ['1899-12-31T15:59:59Z', '0001-01-01T00:00:00Z']) {
    it(`refuses ${now} (before 1900 in Shanghai) with 422`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.field, 'now');
    });
  }

  for (const now of ['(', 'garbage', '2026-13-01T00:00:00Z', '']) {
    it(`refuses ${JSON.stringify(now)} (no instant) with 422 validation.datetime, not a 500`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.field, 'now');
    });
  }

  for (const [now, shown] of [
    ['2999-12-31T15:59:59Z', '2999-12-31T23:59:59'],
    ['1899-12-31T16:00:00Z', '1900-01-01T00:00:00'],
    ['2026-03-02T10:00:00+08:00', '2026-03-02T10:00:00'],
    ['2026-03-02T10:05+08:00', '2026-03-02T10:05:00'],
  ]) {
    it(`takes ${now}`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((res.body.now as string).slice(0, 19), shown);
    });
  }
});

/**
 * The testing clock moves the business clock (notice periods, deadlines, retries); what signs people in expires by real
 * time, so that a host that jumps the clock past a notice period keeps its tokens and its browser sessions (API.md's
 * flows jump days ahead between steps). A test that injects its own clock (testApp) still moves both.
 */
describe('testing clock: sign-ins expire by real time when the server owns the clock (FAKE_CLOCK=1)', () => {
  const ctx = useMigratedDb();

  it('a bearer token and a page session still work after the clock jumps 30 days ahead and back to 2020', async () => {
    const app = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: { env: 'test', fakeClock: true, logLevel: 'silent' } });
    const http = request(app.callback());
    const unit = await makePurchaser(ctx.db);
    const user = await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id });
    const token = await bearer(http, user.username);
    const agent = request.agent(app.callback());
    const form = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const login = await agent.post('/login').type('form').send({ username: user.username, password: DEMO_PASSWORD, _csrf: csrf, next: '' });
    assert.equal(login.status, 302, login.text);
    const signedIn = async () => {
      assert.equal((await http.get('/api/v1/orders').set('Authorization', token)).status, 200, 'the token');
      assert.equal((await agent.get('/orders')).status, 200, 'the session');
    };
    await signedIn();
    for (const now of [new Date(Date.now() + 30 * 86_400_000).toISOString(), '2020-06-01T09:00:00+08:00']) {
      assert.equal((await http.post('/api/v1/admin/clock').send({ now })).status, 200);
      await signedIn();
    }
    assert.equal((await http.post('/api/v1/auth/token').send({ username: user.username, password: DEMO_PASSWORD })).status, 200, 'and a new sign-in works in 2020');
  });
});
