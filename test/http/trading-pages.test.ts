import assert from 'node:assert/strict';
import { Money, formatYuan } from '../../src/money';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';
import { checkoutForm, makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

describe(`trading pages (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;
  let buyer: Agent;
  let seller: Agent;
  let admin: Agent;
  const p: Record<string, number> = {};

  /** Submits a form on `page` (its CSRF token) and returns the response. */
  async function submit(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
    const html = (await agent.get(page)).text;
    return agent.post(action).type('form').send({ ...fields, _csrf: csrfOf(html) });
  }

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
    p.a = (await makeProduct(ctx.db, cast.vendorA, { title: '智能快递柜', price_fen: 25_000_00, stock: 5 })).id;
    p.b = (await makeProduct(ctx.db, cast.vendorB, { title: '电动观光车', price_fen: 80_000_00, stock: 2 })).id;
    buyer = await loginAgent(t.app, cast.users.buyerA.username);
    seller = await loginAgent(t.app, cast.users.sellerA.username);
    admin = await loginAgent(t.app, cast.users.admin.username);
  });

  it('the product page offers the add-to-cart form to purchasers only', async () => {
    const anon = await t.http.get(`/products/${p.a}`);
    assert.doesNotMatch(anon.text, /action="\/cart\/items"/);
    const asSeller = await seller.get(`/products/${p.a}`);
    assert.doesNotMatch(asSeller.text, /action="\/cart\/items"/);
    const asBuyer = await buyer.get(`/products/${p.a}`);
    assert.match(asBuyer.text, /action="\/cart\/items"/);
    assert.match(text(asBuyer.text), /加入购物车/);
  });

  it('the department allocates a budget on the budgets page (422 beside the field for a bad amount)', async () => {
    const bad = await submit(admin, '/admin/budgets', '/admin/budgets', { purchaserId: String(cast.unitA.id), amount: '12.345' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="b-amount-err"/);
    const res = await submit(admin, '/admin/budgets', '/admin/budgets', { purchaserId: String(cast.unitA.id), amount: '200000' });
    assert.equal(res.status, 302);
    const page = await admin.get('/admin/budgets');
    assert.match(text(page.text), /已下达 ¥200,000\.00/);
    assert.match(page.text, new RegExp(`data-purchaser-id="${cast.unitA.id}"`));
  });

  it('a POST without the CSRF token is refused', async () => {
    const res = await buyer.post('/cart/items').type('form').send({ productId: String(p.a), quantity: '1' });
    assert.equal(res.status, 403);
  });

  it('cart → checkout: products of two vendors become two orders, budget reserved; the desk shows it', async () => {
    assert.equal((await submit(buyer, `/products/${p.a}`, '/cart/items', { productId: String(p.a), quantity: '2' })).status, 302);
    assert.equal((await submit(buyer, `/products/${p.b}`, '/cart/items', { productId: String(p.b), quantity: '1' })).status, 302);
    const cart = await buyer.get('/cart');
    assert.equal(cart.status, 200);
    assert.match(text(cart.text), /¥130,000\.00/);
    assert.match(text(cart.text), /测试精品甲有限公司.*测试精品乙有限公司|测试精品乙有限公司.*测试精品甲有限公司/);
    // More of B than its stock: the cart says so (409) and keeps the line as it was.
    const tooMany = await submit(buyer, '/cart', `/cart/items/${p.b}`, { quantity: '3' });
    assert.equal(tooMany.status, 409);
    assert.match(text(tooMany.text), /库存不足：「电动观光车」仅剩 2 台，购物车未改为 3 台/);
    assert.doesNotMatch(text(tooMany.text), /已加入购物车|购物车已更新/);
    // A quantity past any stock's range (10001): the cart again with the reason, not a bare error page.
    const absurd = await submit(buyer, '/cart', `/cart/items/${p.b}`, { quantity: '10001' });
    assert.equal(absurd.status, 422);
    assert.match(text(absurd.text), /数量：不能大于 10000/);
    assert.match(absurd.text, /<form[^>]+action="\/checkout"|href="\/checkout"/, 'the cart, with its way on');
    // The stock falls after the line was added: the checkout page answers 409 naming the product, and places nothing.
    await ctx.db('products').where({ id: p.b }).update({ stock: 0 });
    const refused = await submit(buyer, '/checkout', '/checkout', checkoutForm('2026-03-20'));
    assert.equal(refused.status, 409);
    assert.match(text(refused.text), /电动观光车/);
    assert.equal((await ctx.db('orders')).length, 0);
    await ctx.db('products').where({ id: p.b }).update({ stock: 2 });
    const placed = await submit(buyer, '/checkout', '/checkout', checkoutForm('2026-03-20'));
    assert.equal(placed.status, 302);
    assert.equal(placed.headers.location, '/orders');
    const orders = await ctx.db('orders').orderBy('id');
    assert.deepEqual(orders.map((o) => [o.vendor_id, Number(o.total_fen)]), [
      [cast.vendorA.id, 50_000_00],
      [cast.vendorB.id, 80_000_00],
    ]);
    const list = await buyer.get('/orders');
    assert.match(text(list.text), /已提交 2 个订单/);
    const desk = await buyer.get('/purchaser');
    assert.equal(desk.status, 200);
    assert.match(text(desk.text), /可用预算 ¥70,000\.00/);
    assert.match(text(desk.text), /已冻结（在途订单） ¥130,000\.00/);
    assert.match(text((await buyer.get('/cart')).text), /购物车是空的/);
  });

  it('the vendor confirms and delivers from its orders page; the purchaser accepts with a note and pays', async () => {
    const order = await ctx.db('orders').where({ vendor_id: cast.vendorA.id }).first();
    const vendorList = await seller.get('/vendor/orders');
    assert.equal(vendorList.status, 200);
    assert.match(vendorList.text, new RegExp(`action="/orders/${order.id}/confirm"`));
    const confirmed = await submit(seller, '/vendor/orders', `/orders/${order.id}/confirm`, { back: '/vendor/orders' });
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.headers.location, '/vendor/orders');
    assert.equal((await submit(seller, '/vendor/orders', `/orders/${order.id}/deliver`, { back: 'https://evil.example/' })).headers.location, `/orders/${order.id}`);
    // The purchaser's page shows the accept form; paying first is refused with the state named.
    const early = await submit(buyer, `/orders/${order.id}`, `/orders/${order.id}/pay`);
    assert.equal(early.status, 409);
    assert.match(text(early.text), /已交付/);
    // A note too long comes back beside the note, with what was typed, and nothing moves.
    const long = `验收意见${'很长'.repeat(550)}`;
    const tooLong = await submit(buyer, `/orders/${order.id}`, `/orders/${order.id}/accept`, { note: long });
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.text, /<textarea id="accept-note"[^>]*aria-invalid="true"[^>]*>验收意见很长/);
    assert.match(tooLong.text, /<span id="accept-note-err" class="field-error">验收意见：过长（最多 1000 个字符）<\/span>/);
    assert.equal((await ctx.db('orders').where({ id: order.id }).first()).status, 'delivered');
    const accepted = await submit(buyer, `/orders/${order.id}`, `/orders/${order.id}/accept`, { note: '验收合格' });
    assert.equal(accepted.status, 302);
    // The one click that moves the money says whom it pays and how much.
    const vendorName = (await ctx.db('vendors').where({ id: cast.vendorA.id }).first()).name;
    const before = text((await buyer.get(`/orders/${order.id}`)).text);
    assert.ok(before.includes(`从冻结预算向 ${vendorName} 支付货款 ${formatYuan(Money.ofFen(Number(order.total_fen)))}`), before);
    const paid = await submit(buyer, `/orders/${order.id}`, `/orders/${order.id}/pay`);
    assert.equal(paid.status, 302);
    const detail = await buyer.get(`/orders/${order.id}`);
    assert.match(text(detail.text), /已付款/);
    assert.match(text(detail.text), /验收合格/);
    assert.equal((await ctx.db('trades').where({ order_id: order.id })).length, 1);
  });

  it('another vendor gets 403 for the order page; a purchaser may not confirm (403 page)', async () => {
    const order = await ctx.db('orders').where({ vendor_id: cast.vendorB.id }).first();
    const sellerB = await loginAgent(t.app, cast.users.sellerB.username);
    assert.equal((await seller.get(`/orders/${order.id}`)).status, 403);
    assert.equal((await sellerB.get(`/orders/${order.id}`)).status, 200);
    const res = await submit(buyer, `/orders/${order.id}`, `/orders/${order.id}/confirm`);
    assert.equal(res.status, 403);
  });

  it('the ledger page lists the settlement with its amount and verifies the books', async () => {
    const page = await admin.get('/admin/ledger?kind=settle');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-kind="settle"/);
    assert.match(text(page.text), /结算 .*¥50,000\.00/);
    const verified = await admin.get('/admin/ledger?verify=1');
    assert.match(text(verified.text), /核验通过：\d+ 笔流水/);
    assert.equal((await buyer.get('/admin/ledger')).status, 403);
  });

  it('bearer and JSON still agree with the pages', async () => {
    const budget = (await t.http.get('/api/v1/budget').set('Authorization', tok.buyerA)).body;
    assert.deepEqual(budget, { purchaserId: cast.unitA.id, allocated: '200000.00', reserved: '80000.00', available: '70000.00', spent: '50000.00' });
  });
});
