import assert from 'node:assert/strict';
import Koa from 'koa';
import mount from 'koa-mount';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace } from '../../src/app';
import { FakeClock } from '../../src/clock';
import type { Actor } from '../../src/web/state';
import { useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor, DEMO_PASSWORD } from '../helpers/factories';
import { csrfOf, sessionCookie } from '../helpers/session';
import { SESSION_COOKIE } from '../../src/web/session';

/**
 * Plugin mode: a host Koa app mounts the marketplace under /market and supplies the logged-in user from its own
 * session (here: a header its gateway sets). Without a host user the built-in login still works.
 */
describe('plugin mode: createMarketplace({ identity }) mounted by a host', function () {
  const ctx = useMigratedDb();
  let http: ReturnType<typeof request>;
  let vendorActor: Actor;
  let vendorUsername: string;

  before(async () => {
    const v = await makeVendor(ctx.db);
    await makeCert(ctx.db, v);
    const u = await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id });
    vendorUsername = u.username;
    vendorActor = { id: u.id, username: u.username, role: 'vendor', displayName: '宿主用户', purchaserId: null, vendorId: v.id };
    const clock = new FakeClock();
    clock.set(new Date('2026-03-02T02:00:00Z'));
    const market = createMarketplace({
      db: ctx.db,
      clock,
      logger: pino({ level: 'silent' }),
      config: { env: 'test', fakeClock: false, logLevel: 'silent' },
      identity: (c) => (c.get('x-host-user') === vendorActor.username ? vendorActor : null),
    });
    const host = new Koa();
    host.use(async (c, next) => {
      if (c.path === '/') c.body = 'host home';
      else await next();
    });
    host.use(mount('/market', market));
    http = request(host.callback());
  });

  it('the host-supplied user reaches its own data through the JSON API, without logging in', async () => {
    const res = await http.get('/market/api/v1/vendor/certifications').set('x-host-user', vendorActor.username);
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    assert.equal((await http.get('/market/api/v1/vendor/certifications')).status, 401);
  });

  it('pages render under the mount prefix with the host user, and forms still need the CSRF token', async () => {
    const page = await http.get('/market/vendor/products/new').set('x-host-user', vendorActor.username);
    assert.equal(page.status, 200);
    assert.match(page.text, /宿主用户/);
    assert.match(page.text, /action="\/market\/vendor\/products"/);
    assert.match(page.text, /href="\/market\/static\/style.css"/);
    const cookie = `${SESSION_COOKIE}=${sessionCookie(page)}`;
    const body = { boutique: 'on', boutiqueEvidence: '浙江制造认证证书 CZJM-H-1', field: '智能装备', title: '宿主模式产品', model: 'H-1', price: '10', unit: '台', stock: '1' };
    const refused = await http.post('/market/vendor/products').set('x-host-user', vendorActor.username).set('Cookie', cookie).type('form').send(body);
    assert.equal(refused.status, 403);
    const ok = await http
      .post('/market/vendor/products')
      .set('x-host-user', vendorActor.username)
      .set('Cookie', cookie)
      .type('form')
      .send({ ...body, _csrf: csrfOf(page.text) });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, '/market/vendor/products');
    const audit = await ctx.db('audit_log').where({ action: 'product.create' }).first();
    assert.equal(audit.actor_name, vendorActor.username);
  });

  it('a JSON write on the host identity needs the CSRF token too (the host’s cookie is ambient authority)', async () => {
    const body = { boutique: true, field: '智能装备', title: '宿主脚本产品', model: 'H-2', price: '10', unit: '台', stock: 1 };
    const forged = await http.post('/market/api/v1/vendor/products').set('x-host-user', vendorActor.username).type('form').send({ ...body, boutique: 'on' });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'forbidden');
    assert.equal(await ctx.db('products').where({ title: '宿主脚本产品' }).first(), undefined, 'nothing written');
    const issued = await http.get('/market/api/v1/auth/csrf').set('x-host-user', vendorActor.username);
    assert.equal(issued.status, 200);
    assert.equal(typeof issued.body.token, 'string');
    const cookie = `${SESSION_COOKIE}=${sessionCookie(issued)}`;
    const ok = await http.post('/market/api/v1/vendor/products').set('x-host-user', vendorActor.username).set('Cookie', cookie).set('X-CSRF-Token', issued.body.token).send(body);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it('a host user who is not an active user of ours, or not in the role the host says, is a 401 (not a 500)', async () => {
    const ghost = createMarketplace({
      db: ctx.db,
      logger: pino({ level: 'silent' }),
      config: { env: 'test', fakeClock: false, logLevel: 'silent' },
      identity: (c) => (c.get('x-host-user') === 'ghost' ? { ...vendorActor, id: 999999 } : c.get('x-host-user') === 'promoted' ? { ...vendorActor, role: 'admin', vendorId: null } : null),
    });
    const app = request(ghost.callback());
    for (const who of ['ghost', 'promoted']) {
      const res = await app.post('/api/v1/orders').set('x-host-user', who).send({ items: [{ productId: 1, quantity: 1 }] });
      assert.equal(res.status, 401, who);
      assert.equal(res.body.error.code, 'unauthenticated');
      assert.equal((await app.get('/api/v1/admin/budgets').set('x-host-user', who)).status, 401, who);
    }
  });

  it('anonymous page visits are sent to the login page under the prefix; the built-in login still works', async () => {
    const res = await http.get('/market/vendor');
    assert.equal(res.status, 302);
    assert.match(res.headers.location, /^\/market\/login\?next=%2Fmarket%2Fvendor/);
    const form = await http.get('/market/login');
    const login = await http
      .post('/market/login')
      .set('Cookie', `${SESSION_COOKIE}=${sessionCookie(form)}`)
      .type('form')
      .send({ username: vendorUsername, password: DEMO_PASSWORD, next: '/market/vendor', _csrf: csrfOf(form.text) });
    assert.equal(login.status, 302);
    assert.equal(login.headers.location, '/market/vendor');
    const set = ([] as string[]).concat(login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`)) as string;
    assert.match(set, /; path=\/market/i, 'the cookie is scoped to the mount path');
    const dash = await http.get('/market/vendor').set('Cookie', `${SESSION_COOKIE}=${sessionCookie(login)}`);
    assert.equal(dash.status, 200);
  });
});
