import assert from 'node:assert/strict';
import { barChart } from '../../src/stats/charts';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';
import { makeProduct, tradingCast, type Cast } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/** Feedback that tells the truth (issue 18 item 8). */
describe(`feedback that tells the truth (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let buyer: Agent;
  let admin: Agent;
  let productId = 0;

  async function submit(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
    const html = (await agent.get(page)).text;
    return agent.post(action).type('form').send({ ...fields, _csrf: csrfOf(html) });
  }

  before(async () => {
    t = testApp(ctx.db);
    cast = await tradingCast(ctx.db);
    productId = (await makeProduct(ctx.db, cast.vendorA, { title: '智能药品柜', price_fen: 10_000_00, stock: 3, boutique: true })).id;
    buyer = await loginAgent(t.app, cast.users.buyerA.username);
    admin = await loginAgent(t.app, cast.users.admin.username);
  });

  it('adding 99 of a 3-in-stock item says so, and adds nothing', async () => {
    const res = await submit(buyer, `/products/${productId}`, '/cart/items', { productId: String(productId), quantity: '99' });
    assert.equal(res.status, 409);
    assert.match(text(res.text), /库存不足：「智能药品柜」仅剩 3 台，未能加入 99 台，购物车未改变/);
    assert.doesNotMatch(text(res.text), /已加入购物车/);
    assert.equal((await ctx.db('cart_lines')).length, 0);
    // Within the stock it is added, and said so.
    const ok = await submit(buyer, `/products/${productId}`, '/cart/items', { productId: String(productId), quantity: '2' });
    assert.equal(ok.status, 302);
    assert.match(text((await buyer.get('/cart')).text), /已加入购物车/);
    // Two more would be 4 of 3: refused, the line stays at 2.
    assert.equal((await submit(buyer, `/products/${productId}`, '/cart/items', { productId: String(productId), quantity: '2' })).status, 409);
    assert.equal((await ctx.db('cart_lines').first()).quantity, 2);
  });

  it('the cart survives logging out and in again (it is the user’s, not the session’s)', async () => {
    const page = await buyer.get('/cart');
    assert.equal((await buyer.post('/logout').type('form').send({ _csrf: csrfOf(page.text) })).status, 302);
    buyer = await loginAgent(t.app, cast.users.buyerA.username);
    const cart = text((await buyer.get('/cart')).text);
    assert.match(cart, /智能药品柜/);
    assert.match(cart, /¥20,000\.00/);
    // Another user of the unit has a cart of their own.
    const colleague = await loginAgent(t.app, cast.users.buyerA2.username);
    assert.match(text((await colleague.get('/cart')).text), /购物车是空的/);
  });

  it('money fields take thousands separators in well-formed groups ("1,880,000"), not others', async () => {
    const ok = await submit(admin, '/admin/budgets', '/admin/budgets', { purchaserId: String(cast.unitA.id), amount: '1,880,000' });
    assert.equal(ok.status, 302);
    assert.match(text((await admin.get('/admin/budgets')).text), /已下达 ¥1,880,000\.00/);
    const bad = await submit(admin, '/admin/budgets', '/admin/budgets', { purchaserId: String(cast.unitA.id), amount: '18,80,000' });
    assert.equal(bad.status, 422);
    // JSON keeps the contract's grammar (API.md: anything else is a 422, naming the field).
    const json = await t.http.post('/api/v1/admin/budgets').set('Authorization', await bearer(t.http, cast.users.admin.username)).send({ purchaserId: cast.unitA.id, amount: '1,880,000' });
    assert.equal(json.status, 422);
    assert.equal(json.body.error.field, 'amount');
  });

  it('an empty chart draws no axis labels ("1, 1, 1, 0, 0" no more); small counts no repeated labels', async () => {
    const empty = barChart('c', 't', 'd', [{ label: '2026-01', value: 0, display: '0' }, { label: '2026-02', value: 0, display: '0' }], (v) => String(Math.round(v)));
    assert.equal(empty.empty, true);
    assert.deepEqual([empty.grid, empty.bars, empty.xLabels], [[], [], []]);
    const one = barChart('c', 't', 'd', [{ label: '2026-01', value: 1, display: '1' }], (v) => String(Math.round(v)));
    assert.deepEqual(one.grid.map((g) => g.label), ['0', '1']);
    const page = await admin.get('/admin/stats?from=2030-01-01&to=2030-12-31');
    assert.equal(page.status, 200);
    const svg = /<svg class="chart chart-bars"[\s\S]*?<\/svg>/.exec(page.text)?.[0] ?? '';
    assert.doesNotMatch(svg, /<text[^>]*>1<\/text>/);
  });

  it('English: the large-amount column and units in English', async () => {
    const page = await admin.get('/admin/stats?lang=en');
    assert.match(page.text, /Amount \(million \/ billion yuan\)/);
    assert.doesNotMatch(page.text, /万\/亿/);
    await admin.get('/admin/stats?lang=zh-CN');
  });

  it('a favicon, linked from every page', async () => {
    assert.match((await t.http.get('/')).text, /<link rel="icon" type="image\/svg\+xml" href="\/static\/favicon\.svg">/);
    const icon = await t.http.get('/static/favicon.svg');
    assert.equal(icon.status, 200);
    assert.match(String(icon.headers['content-type']), /image\/svg\+xml/);
  });
});
