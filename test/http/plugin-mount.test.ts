import assert from 'node:assert/strict';
import Koa from 'koa';
import mount from 'koa-mount';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace } from '../../src/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { csrfOf } from '../helpers/session';
import { attributeValues } from '../helpers/html';

/** A host's own Koa app with the marketplace mounted under /market, as DESIGN §1 promises. */
describe(`plugin mounted under /market in a host Koa app (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let http: ReturnType<typeof request>;
  let host: Koa;
  let productId: number;
  /** What the host's own middleware found as the body of each catalogue page, after the marketplace answered. */
  const bodiesSeen: Array<{ path: string; buffer: boolean; text: string }> = [];

  before(async () => {
    const db = ctx.db;
    const vendor = await makeVendor(db, { city: '杭州' });
    const cert = await makeCert(db, vendor, { level: 'international', field: '数控机床', valid_until: '2099-12-31' });
    productId = (await makeProduct(db, vendor, { cert, title: '高速精密数控机床' })).id;
    await makeProduct(db, vendor, { title: '智能上下料机器人', field: '智能装备' });
    for (let i = 0; i < 25; i++) await makeProduct(db, vendor, { cert, title: `数控机床 第${i}号` });

    host = new Koa();
    host.use(async (c, next) => {
      await next();
      if (c.path.startsWith('/market/products')) bodiesSeen.push({ path: c.path, buffer: Buffer.isBuffer(c.body), text: Buffer.isBuffer(c.body) ? c.body.toString() : '' });
    });
    host.use(async (c, next) => {
      if (c.path === '/') c.body = 'host home';
      else if (c.path === '/health') c.body = { ok: true };
      else await next();
    });
    host.use(mount('/market', createMarketplace({ db, logger: pino({ level: 'silent' }), config: { env: 'test', logLevel: 'silent' } })));
    http = request(host.callback());
  });

  function assertAllUnderPrefix(html: string, page: string): void {
    const links = attributeValues(html);
    assert.ok(links.length > 5, `${page}: found only ${links.length} links`);
    const outside = links.filter(({ value }) => !value.startsWith('/market/') && !value.startsWith('#'));
    assert.deepEqual(outside, [], `${page}: links outside /market/`);
  }

  it('a signed-in catalogue page reaches the host’s middleware as one buffer holding the caller’s name (not in pieces)', async () => {
    const unit = await makePurchaser(ctx.db);
    const user = await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id });
    const { display_name: name } = await ctx.db('users').where({ id: user.id }).first('display_name');
    const agent = request.agent(host.callback());
    const form = await agent.get('/market/login');
    assert.equal((await agent.post('/market/login').type('form').send({ username: user.username, password: 'demo-password', _csrf: csrfOf(form.text) })).status, 302);
    for (const path of [`/market/products/${productId}`, '/market/products?q=%E6%95%B0%E6%8E%A7']) {
      bodiesSeen.length = 0;
      const res = await agent.get(path);
      assert.equal(res.status, 200);
      assert.ok(res.text.includes(`>${name} · `), `${path}: the caller's name`);
      assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.text));
      assert.deepEqual(bodiesSeen.map((b) => [b.buffer, b.text === res.text]), [[true, true]], `${path}: the host's middleware saw the page whole`);
    }
  });

  it('the host’s own routes still work', async () => {
    const home = await http.get('/');
    assert.equal(home.status, 200);
    assert.equal(home.text, 'host home');
    const health = await http.get('/health');
    assert.deepEqual(health.body, { ok: true });
    assert.equal((await http.get('/products')).status, 404, 'the marketplace does not leak outside its prefix');
  });

  it('home page: every href, src and form action is under /market/', async () => {
    const res = await http.get('/market/');
    assert.equal(res.status, 200);
    assert.match(res.text, /数控机床 第24号/);
    assertAllUnderPrefix(res.text, 'home');
    assert.ok(attributeValues(res.text).some((a) => a.name === 'action' && a.value === '/market/products'));
  });

  it('results page, with pagination and filter links: every link is under /market/', async () => {
    const res = await http.get(`/market/products?q=${encodeURIComponent('机床')}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /共 26 件产品/);
    assertAllUnderPrefix(res.text, 'results');
    assert.ok(attributeValues(res.text).some((a) => a.value === `/market/products?q=${encodeURIComponent('机床')}&page=2`), 'next page under the prefix');
  });

  it('detail page: every link is under /market/', async () => {
    const res = await http.get(`/market/products/${productId}`);
    assert.equal(res.status, 200);
    assertAllUnderPrefix(res.text, 'detail');
  });

  it('certificate lookup and the 404 page keep the prefix too', async () => {
    const lookup = await http.get('/market/certificates');
    assert.equal(lookup.status, 200);
    assertAllUnderPrefix(lookup.text, 'certificates');
    const missing = await http.get('/market/no-such-page');
    assert.equal(missing.status, 404);
    assertAllUnderPrefix(missing.text, '404');
  });

  it('the stylesheet loads under the prefix', async () => {
    const home = await http.get('/market/');
    const css = attributeValues(home.text, ['href']).find((a) => a.value.endsWith('.css'));
    assert.equal(css?.value, '/market/static/style.css');
    const res = await http.get(css.value);
    assert.equal(res.status, 200);
    assert.match(res.type, /css/);
    assert.match(res.text, /--c-primary/);
  });

  it('the JSON API answers under the prefix', async () => {
    const res = await http.get('/market/api/v1/products?pageSize=1');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 27);
    const bad = await http.get('/market/api/v1/products?level=foo');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'level');
  });

  it('the language choice is remembered by a cookie scoped to the prefix', async () => {
    const res = await http.get('/market/?lang=en');
    assert.match(res.text, /<html lang="en">/);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lang=en'));
    assert.ok(cookie);
    assert.match(cookie, /path=\/market/i);
    assertAllUnderPrefix(res.text, 'home in English');
  });
});
