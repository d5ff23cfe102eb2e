import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';
import { checkoutForm, makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
const ORDER_NO = /^ZJJP-\d{4}-\d{6}$/;

/**
 * Numbers people read (issue 14 item 11; API.md "Numbers people read"): every order carries `orderNo` like
 * `ZJJP-2026-000123` — the year it was placed (Asia/Shanghai) and its place in that year's sequence — in every JSON
 * answer, on the pages and in the flash messages; the database id stays in URLs only.
 */
describe(`order numbers (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;
  let buyer: Agent;
  let seller: Agent;
  const p: Record<string, number> = {};

  const place = async (productId = p.a, quantity = 1) => {
    const res = await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).send({ items: [{ productId, quantity }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; orderNo: string };
  };

  async function submit(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
    const html = (await agent.get(page)).text;
    return agent.post(action).type('form').send({ ...fields, _csrf: csrfOf(html) });
  }

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-12-31T12:00:00Z')); // 20:00 in Shanghai
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
    p.a = (await makeProduct(ctx.db, cast.vendorA, { title: '智能快递柜', price_fen: 1_000_00, stock: 500 })).id;
    p.b = (await makeProduct(ctx.db, cast.vendorB, { title: '电动巡逻车', price_fen: 2_000_00, stock: 500 })).id;
    assert.equal((await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId: cast.unitA.id, amount: '1000000' })).status, 201);
    buyer = await loginAgent(t.app, cast.users.buyerA.username);
    seller = await loginAgent(t.app, cast.users.sellerA.username);
  });

  it('the first order of a year is ZJJP-<year>-000001, the next 000002; stored on the order', async () => {
    const first = await place();
    const second = await place();
    assert.equal(first.orderNo, 'ZJJP-2026-000001');
    assert.equal(second.orderNo, 'ZJJP-2026-000002');
    assert.equal((await ctx.db('orders').where({ id: first.id }).first('order_no')).order_no, first.orderNo);
  });

  it('concurrent placements each get their own number; the column is unique', async () => {
    const placed = await Promise.all(Array.from({ length: 8 }, () => place()));
    const numbers = placed.map((o) => o.orderNo);
    assert.equal(new Set(numbers).size, numbers.length);
    for (const n of numbers) assert.match(n, ORDER_NO);
    const row = await ctx.db('orders').where({ id: placed[0].id }).first();
    const { id: _id, ...copy } = row;
    await assert.rejects(ctx.db('orders').insert({ ...copy, order_no: placed[1].orderNo }), 'a second order with the same number is refused by the database');
  });

  it('a refused placement does not use up a number', async () => {
    const refused = await t.http.post('/api/v1/orders').set('Authorization', tok.buyerA).send({ items: [{ productId: p.a, quantity: 600 }] });
    assert.equal(refused.status, 409, 'not enough stock');
    const next = await place();
    const seq = Number(next.orderNo.slice(-6));
    const highest = await ctx.db('orders').where('order_no', 'like', 'ZJJP-2026-%').max({ m: 'order_no' }).first();
    assert.equal(next.orderNo, highest?.m);
    assert.equal(seq, Number((await ctx.db('orders').where('order_no', 'like', 'ZJJP-2026-%').count({ n: '*' }).first())?.n));
  });

  it('every JSON answer carries orderNo: the list, the detail, a step, the vendor’s list', async () => {
    const o = await place();
    const detail = await t.http.get(`/api/v1/orders/${o.id}`).set('Authorization', tok.buyerA);
    assert.equal(detail.body.orderNo, o.orderNo);
    const list = await t.http.get('/api/v1/orders').set('Authorization', tok.buyerA);
    for (const item of list.body.items) assert.match(item.orderNo, ORDER_NO);
    assert.ok(list.body.items.some((i: { orderNo: string }) => i.orderNo === o.orderNo));
    const step = await t.http.post(`/api/v1/orders/${o.id}/confirm`).set('Authorization', tok.sellerA).send({});
    assert.equal(step.status, 200);
    assert.equal(step.body.orderNo, o.orderNo);
    const vendorList = await t.http.get('/api/v1/vendor/orders').set('Authorization', tok.sellerA);
    assert.ok(vendorList.body.items.some((i: { orderNo: string }) => i.orderNo === o.orderNo));
  });

  it('the pages show the number, not 订单 <id>: the list, the order’s title, the vendor’s list, the flash after a step', async () => {
    const o = await place();
    const list = text((await buyer.get('/orders')).text);
    assert.match(list, new RegExp(o.orderNo));
    assert.doesNotMatch(list, new RegExp(`订单 ${o.id}\\b`));
    const page = await buyer.get(`/orders/${o.id}`);
    assert.match(page.text, new RegExp(`<title>[^<]*订单 ${o.orderNo}`));
    assert.match(text(page.text), new RegExp(`订单 ${o.orderNo}`));
    assert.match((await seller.get('/vendor/orders')).text, new RegExp(`>${o.orderNo}</a>`));
    const done = await submit(seller, `/orders/${o.id}`, `/orders/${o.id}/confirm`);
    assert.equal(done.status, 302);
    assert.equal(done.headers.location, `/orders/${o.id}`, 'the id stays in the URL');
    assert.match(text((await seller.get(`/orders/${o.id}`)).text), new RegExp(`订单 ${o.orderNo} 已确认`));
    const desk = await buyer.get('/purchaser');
    assert.match(desk.text, /ZJJP-2026-\d{6}/);
  });

  it('in English too', async () => {
    const o = await place();
    const english = await loginAgent(t.app, cast.users.buyerA.username);
    const page = await english.get(`/orders/${o.id}?lang=en`);
    assert.match(text(page.text), new RegExp(`Order ${o.orderNo}`));
  });

  it('checkout’s flash names the placed orders by number', async () => {
    assert.equal((await submit(buyer, `/products/${p.a}`, '/cart/items', { productId: String(p.a), quantity: '1' })).status, 302);
    assert.equal((await submit(buyer, `/products/${p.b}`, '/cart/items', { productId: String(p.b), quantity: '1' })).status, 302);
    const placed = await submit(buyer, '/checkout', '/checkout', checkoutForm('2027-01-20'));
    assert.equal(placed.status, 302);
    const flash = text((await buyer.get('/orders')).text);
    assert.match(flash, /已提交 2 个订单（订单号 ZJJP-2026-\d{6}、ZJJP-2026-\d{6}）/);
  });

  it('the ledger names an order’s transfers by its number (JSON and the department’s ledger page)', async () => {
    const o = await place();
    const res = await t.http.get(`/api/v1/admin/ledger/transfers?orderId=${o.id}`).set('Authorization', tok.admin);
    assert.equal(res.status, 200);
    const items = res.body.items as Array<{ orderId: number; orderNo: string | null }>;
    assert.ok(items.length > 0);
    for (const i of items) assert.deepEqual([i.orderId, i.orderNo], [o.id, o.orderNo]);
    const admin = await loginAgent(t.app, cast.users.admin.username);
    const page = text((await admin.get(`/admin/ledger?orderId=${o.id}`)).text);
    assert.ok(page.includes(o.orderNo), 'the ledger page shows the order number');
    assert.doesNotMatch(page, /订单 \d+\b/);
  });

  it('the ledger is filtered by the number it shows: the page’s 订单 box and JSON orderNo take ZJJP-…; a box that is neither is said beside it (a new user’s pass, 2026-12-08)', async () => {
    const o = await place();
    const other = await place();
    const res = await t.http.get(`/api/v1/admin/ledger/transfers?orderNo=${o.orderNo.toLowerCase()}`).set('Authorization', tok.admin);
    assert.equal(res.status, 200);
    const items = res.body.items as Array<{ orderId: number }>;
    assert.ok(items.length > 0);
    assert.ok(items.every((i) => i.orderId === o.id));
    const none = await t.http.get('/api/v1/admin/ledger/transfers?orderNo=ZJJP-1999-000001').set('Authorization', tok.admin);
    assert.deepEqual([none.status, none.body.total], [200, 0]);
    const bad = await t.http.get('/api/v1/admin/ledger/transfers?orderNo=abc').set('Authorization', tok.admin);
    assert.deepEqual([bad.status, bad.body.error.field], [422, 'orderNo']);
    const admin = await loginAgent(t.app, cast.users.admin.username);
    const page = await admin.get(`/admin/ledger?order=${encodeURIComponent(` ${o.orderNo} `)}`);
    assert.equal(page.status, 200);
    assert.ok(text(page.text).includes(o.orderNo));
    assert.ok(!text(page.text).includes(other.orderNo), 'only that order’s transfers');
    assert.match(page.text, new RegExp(`name="order" value="${o.orderNo}"`));
    const byId = await admin.get(`/admin/ledger?order=${o.id}`);
    assert.ok(text(byId.text).includes(o.orderNo));
    const wrong = await admin.get('/admin/ledger?order=abc');
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /<form method="get" action="\/admin\/ledger"/, 'the filter form stays');
    assert.match(text(wrong.text), /订单编号：请输入订单编号（如 ZJJP-2026-000001）或订单 ID/);
  });

  it('each year has its own sequence, by the Shanghai calendar (00:30 on 1 January in Shanghai is the new year)', async () => {
    t.clock.set(new Date('2026-12-31T15:59:00Z')); // 23:59 on 31 December in Shanghai (the suite runs on that evening)
    const lastOf2026 = await place();
    t.clock.set(new Date('2026-12-31T16:30:00Z')); // 00:30 on 1 January 2027 in Shanghai
    const firstOf2027 = await place();
    const secondOf2027 = await place();
    assert.match(lastOf2026.orderNo, /^ZJJP-2026-0000\d\d$/);
    assert.equal(firstOf2027.orderNo, 'ZJJP-2027-000001');
    assert.equal(secondOf2027.orderNo, 'ZJJP-2027-000002');
  });
});
