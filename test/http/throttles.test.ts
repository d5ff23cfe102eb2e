import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { HASHING, hashPassword, hashingLoad } from '../../src/auth/passwords';
import { THROTTLE } from '../../src/auth/throttle';
import type { Config } from '../../src/config';
import { AppError } from '../../src/errors';
import { RATE_LIMITS } from '../../src/web/rate-limit';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { creditCode, makeUser, DEMO_PASSWORD } from '../helpers/factories';
import { csrfOf } from '../helpers/session';

/** The test app believes X-Forwarded-For (one proxy hop), so each test can call from addresses of its own. */
export const trustingProxy = { env: 'test', fakeClock: true, logLevel: 'silent', trustProxy: 1 } as Partial<Config>;

const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;

/** Issue 12: login throttling that holds under concurrency, rate limits per client address, bounded password hashing. */
describe(`throttles under concurrency (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let address = 0;
  /** A client address of its own for each test (the app trusts X-Forwarded-For here), so tests do not share limits. */
  const newAddress = () => `198.51.100.${++address}`;

  before(() => {
    t = testApp(ctx.db, { config: trustingProxy });
    t.app.proxy = true;
    t.clock.set(new Date('2026-06-01T02:00:00Z'), { freeze: true });
  });

  const token = (from: string, username: string, password: string) => t.http.post('/api/v1/auth/token').set('X-Forwarded-For', from).send({ username, password });

  it(`login throttling races: 40 concurrent wrong passwords on one account are at most ${THROTTLE.maxPerAccount} password checks (401), the rest 429; the right password then is 429 until the lock passes`, async () => {
    const u = await makeUser(ctx.db, { role: 'purchaser' });
    const from = newAddress();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => token(from, u.username, `wrong-password-${i}`)));
    assert.equal(count(answers, 401) + count(answers, 429), 40, answers.map((r) => r.status).join());
    assert.ok(count(answers, 401) <= THROTTLE.maxPerAccount, `${count(answers, 401)} passwords checked`);
    assert.equal(count(answers, 401), THROTTLE.maxPerAccount, 'the limit is reached, not undercut');
    for (const r of answers.filter((a) => a.status === 429)) {
      assert.equal(r.body.error.code, 'too_many_attempts');
      assert.ok(Number(r.headers['retry-after']) > 0);
    }
    const right = await token(newAddress(), u.username, DEMO_PASSWORD);
    assert.equal(right.status, 429, 'the account is locked, from any address');
    assert.equal(Number(right.headers['retry-after']), THROTTLE.lockMs / 1000);
    t.clock.set(new Date(t.clock.now().getTime() + THROTTLE.lockMs + 1000), { freeze: true });
    assert.equal((await token(newAddress(), u.username, DEMO_PASSWORD)).status, 200, 'the lock has passed');
  });

  it(`login throttling races: 120 concurrent wrong passwords from one address are at most ${THROTTLE.maxPerAddress} password checks, the rest 429; the address is then locked`, async () => {
    const from = newAddress();
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => token(from, `nobody-${address}-${i}`, 'wrong-password')));
    assert.equal(count(answers, 401) + count(answers, 429), 120, answers.map((r) => r.status).join());
    assert.equal(count(answers, 401), THROTTLE.maxPerAddress, `${count(answers, 401)} passwords checked`);
    const u = await makeUser(ctx.db, { role: 'vendor' });
    assert.equal((await token(from, u.username, DEMO_PASSWORD)).status, 429, 'the address is locked');
    assert.equal((await token(newAddress(), u.username, DEMO_PASSWORD)).status, 200, 'another address is not');
  });

  it('login throttling races: a correct password gives its reservation back — logins that succeed never lock the address', async () => {
    const from = newAddress();
    const users = await Promise.all(Array.from({ length: THROTTLE.maxPerAddress + 10 }, () => makeUser(ctx.db, { role: 'admin' })));
    const wave = await Promise.all(users.slice(0, THROTTLE.maxPerAddress - 10).map((u) => token(from, u.username, DEMO_PASSWORD)));
    assert.deepEqual([...new Set(wave.map((r) => r.status))], [200]);
    const row = await ctx.db('login_attempts').where({ key: `ip:${from}` }).first();
    assert.deepEqual([Number(row.failures), Number(row.pending), row.locked_until], [0, 0, null]);
    // More logins at once than the address may have checked at once: the excess is told to retry in seconds, not locked.
    const burst = await Promise.all(users.map((u) => token(from, u.username, DEMO_PASSWORD)));
    assert.ok(count(burst, 200) >= THROTTLE.maxPerAddress - 1, burst.map((r) => r.status).join());
    for (const r of burst.filter((b) => b.status !== 200)) {
      assert.equal(r.status, 429);
      assert.equal(Number(r.headers['retry-after']), THROTTLE.busyRetrySeconds);
    }
    assert.equal((await token(from, users[0].username, DEMO_PASSWORD)).status, 200);
  });

  it(`unthrottled anonymous writes: login requests per address are rate limited (${RATE_LIMITS.loginPerAddress.max} per ${RATE_LIMITS.loginPerAddress.windowMs / 60000} minutes), 429 with Retry-After in the error shape`, async () => {
    const from = newAddress();
    const u = await makeUser(ctx.db, { role: 'purchaser' });
    // Fill the address's window directly (as many earlier logins would have), then log in once more.
    const windowMs = RATE_LIMITS.loginPerAddress.windowMs;
    const windowStart = Math.floor(t.clock.now().getTime() / windowMs) * windowMs;
    await ctx.db('rate_limits').insert({ key: `${RATE_LIMITS.loginPerAddress.name}:${from}`, window_start: windowStart, count: RATE_LIMITS.loginPerAddress.max, expires_at: windowStart + 2 * windowMs });
    const refused = await token(from, u.username, DEMO_PASSWORD).set('Accept-Language', 'en');
    assert.equal(refused.status, 429);
    assert.deepEqual(Object.keys(refused.body), ['error']);
    assert.equal(refused.body.error.code, 'too_many_attempts');
    assert.match(refused.body.error.message, /Too many login requests/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    // The login form is limited the same way (its page says so, in Chinese by default).
    const form = await t.http.get('/login');
    const cookie = String(form.headers['set-cookie']).split(';')[0];
    const page = await t.http.post('/login').set('X-Forwarded-For', from).set('Cookie', cookie).type('form').send({ username: u.username, password: DEMO_PASSWORD, _csrf: csrfOf(form.text) });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers['retry-after']) > 0);
    assert.match(page.text, /登录请求过多/);
    // The refused requests gave their counts back: the window still holds exactly the limit.
    const row = await ctx.db('rate_limits').where({ key: `${RATE_LIMITS.loginPerAddress.name}:${from}`, window_start: windowStart }).first();
    assert.equal(Number(row.count), RATE_LIMITS.loginPerAddress.max);
    t.clock.set(new Date(t.clock.now().getTime() + Number(refused.headers['retry-after']) * 1000 + 1000), { freeze: true });
    assert.equal((await token(from, u.username, DEMO_PASSWORD)).status, 200, 'the window slid on');
  });

  it(`unthrottled anonymous writes: 200 concurrent vendor registrations from one address create at most ${RATE_LIMITS.registrationPerAddress.max} (the rest 429 with Retry-After), hash at most ${HASHING.concurrency} passwords at once, and other requests are still answered`, async () => {
    const from = newAddress();
    const registration = (i: number) => ({
      enterpriseName: `并发注册企业${address}-${i}`,
      creditCode: creditCode(900000 + address * 1000 + i),
      city: '杭州',
      contact: '0571-00000000',
      username: `burst${address}x${i}`,
      password: 'tangerine-harbour-42',
    });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, hashingLoad().active)), 1);
    const probe = t.http.get('/api/v1/products');
    let answers: Response[];
    try {
      answers = await Promise.all(Array.from({ length: 200 }, (_, i) => t.http.post('/api/v1/vendors').set('X-Forwarded-For', from).send(registration(i))));
    } finally {
      clearInterval(sampler);
    }
    assert.equal((await probe).status, 200);
    assert.equal(count(answers, 201), RATE_LIMITS.registrationPerAddress.max, answers.map((r) => r.status).join());
    assert.equal(count(answers, 429), 200 - RATE_LIMITS.registrationPerAddress.max);
    const refused = answers.find((r) => r.status === 429) as Response;
    assert.equal(refused.body.error.code, 'too_many_attempts');
    assert.match(refused.body.error.message, /注册申请过多/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.ok(peak <= HASHING.concurrency, `${peak} hashes at once`);
    const created = await ctx.db('vendors').where('name', 'like', `并发注册企业${address}-%`).count({ n: '*' }).first();
    assert.equal(Number(created?.n), RATE_LIMITS.registrationPerAddress.max);
    // The registration page is limited by the same count, and says so on the form.
    const form = await t.http.get('/vendor/register');
    const cookie = String(form.headers['set-cookie']).split(';')[0];
    const page = await t.http.post('/vendor/register').set('X-Forwarded-For', from).set('Cookie', cookie).type('form').send({ ...registration(999), _csrf: csrfOf(form.text) });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers['retry-after']) > 0);
    assert.match(page.text, /注册申请过多/);
  });

  it('unthrottled anonymous writes: a registration that fails (a taken username) does not count against the address', async () => {
    const from = newAddress();
    const u = await makeUser(ctx.db, { role: 'vendor' });
    for (let i = 0; i < RATE_LIMITS.registrationPerAddress.max + 5; i++) {
      const res = await t.http
        .post('/api/v1/vendors')
        .set('X-Forwarded-For', from)
        .send({ enterpriseName: `重名企业${i}`, creditCode: creditCode(800000 + address * 100 + i), city: '杭州', contact: 'c', username: u.username, password: 'tangerine-harbour-42' });
      assert.equal(res.status, 409, `attempt ${i}: ${res.status}`);
    }
  });

  describe('bounded password hashing', () => {
    const saved = { ...HASHING };
    afterEach(() => Object.assign(HASHING, saved));

    it(`at most ${HASHING.concurrency} hashes run at once and ${HASHING.maxQueue} wait; beyond that a hash is refused at once (429 too_many_attempts)`, async () => {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, hashingLoad().active)), 1);
      const n = HASHING.concurrency + HASHING.maxQueue + 10;
      const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => hashPassword(`password-${i}`)));
      clearInterval(sampler);
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(refused.length, 10);
      for (const r of refused) assert.ok((r as PromiseRejectedResult).reason instanceof AppError && (r as PromiseRejectedResult).reason.code === 'too_many_attempts');
      assert.ok(peak <= HASHING.concurrency, `${peak} at once`);
      assert.deepEqual(hashingLoad(), { active: 0, waiting: 0 });
    });

    it('a login refused because the server is too busy to check the password is 429 with Retry-After, and does not count as a failure', async () => {
      const users = await Promise.all(Array.from({ length: 6 }, () => makeUser(ctx.db, { role: 'purchaser' })));
      // No free slot and no room to wait: every check is refused at once.
      HASHING.concurrency = 0;
      HASHING.maxQueue = 0;
      const answers = await Promise.all(users.map((u) => token(newAddress(), u.username, 'wrong-password')));
      const busy = answers.filter((r) => r.status === 429);
      assert.equal(busy.length, users.length, answers.map((r) => r.status).join());
      for (const r of busy) {
        assert.equal(r.body.error.code, 'too_many_attempts');
        assert.match(r.body.error.message, /服务器正忙/);
        assert.ok(Number(r.headers['retry-after']) > 0);
      }
      const failures = await ctx.db('login_attempts').whereIn('key', users.map((u) => `user:${u.username}`)).sum({ n: 'failures' }).first();
      assert.equal(Number(failures?.n ?? 0), 0, 'passwords never checked do not count');
      Object.assign(HASHING, saved);
      assert.equal((await token(newAddress(), users[0].username, DEMO_PASSWORD)).status, 200);
    });
  });
});
