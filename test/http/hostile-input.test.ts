import assert from 'node:assert/strict';
import Decimal from 'decimal.js';
import { SystemClock } from '../../src/clock';
import { BudgetService } from '../../src/ledger/budgets';
import { MONEY_MAX, MONEY_MAX_FEN } from '../../src/money';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { csrfFor, loginAgent } from '../helpers/session';
import { acceptedOrders, actorFor, makeProduct, tradingCast, type Cast } from '../helpers/trading';

/** Issue 12's defects found by the black-box attack, one regression test each (defects 1–4 and the 413 of 9). */
describe('Hostile input never gets a 500 (issue 12)', function () {
  this.timeout(60_000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let admin: string;
  let buyer: string;

  /** Business rows the checks below compare before and after a refused request. */
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of ['orders', 'ledger_transfers', 'ledger_accounts', 'audit_log', 'products', 'vendors', 'users']) {
      out[table] = Number((await ctx.db(table).count({ n: '*' }).first())?.n);
    }
    return out;
  };

  before(async () => {
    t = testApp(ctx.db);
    cast = await tradingCast(ctx.db);
    admin = await bearer(t.http, cast.users.admin.username);
    buyer = await bearer(t.http, cast.users.buyerA.username);
  });

  describe('defect 1: deep JSON with an Idempotency-Key', () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

    it('a ~36 KB body nested 6,000 deep on a payment is 400 malformed, and the order stays unpaid', async () => {
      const [orderId] = await acceptedOrders(ctx.db, cast, 1);
      const before = await counts();
      const res = await t.http
        .post(`/api/v1/orders/${orderId}/pay`)
        .set('Authorization', buyer)
        .set('Idempotency-Key', 'deep-json-1')
        .set('Content-Type', 'application/json')
        .send(deep(6000));
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'malformed');
      assert.match(res.body.error.message, /嵌套过深/);
      assert.deepEqual(await counts(), before);
      assert.equal((await ctx.db('orders').where({ id: orderId }).first()).status, 'accepted');
      // The same key still pays with a proper body.
      const ok = await t.http.post(`/api/v1/orders/${orderId}/pay`).set('Authorization', buyer).set('Idempotency-Key', 'deep-json-1').send({});
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    it('in English the message is English, and a body nested just within the limit is judged by the route as usual', async () => {
      const res = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).set('Accept-Language', 'en').set('Idempotency-Key', 'deep-2').set('Content-Type', 'application/json').send(deep(100));
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /nested too deeply/);
      const shallow = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).set('Idempotency-Key', 'deep-3').set('Content-Type', 'application/json').send(deep(20));
      assert.equal(shallow.status, 422);
    });
  });

  describe('a JSON array where the body is an object (a black-box check, 2026-12-07)', () => {
    it('a payment (a step that takes no input) sent [] is 400 malformed and the order stays unpaid; {} pays', async () => {
      const [orderId] = await acceptedOrders(ctx.db, cast, 1);
      const before = await counts();
      const res = await t.http.post(`/api/v1/orders/${orderId}/pay`).set('Authorization', buyer).set('Content-Type', 'application/json').send('[]');
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'malformed');
      assert.deepEqual(await counts(), before);
      assert.equal((await ctx.db('orders').where({ id: orderId }).first()).status, 'accepted');
      assert.equal((await t.http.post(`/api/v1/orders/${orderId}/pay`).set('Authorization', buyer).send({})).status, 200);
    });
  });

  describe('defect 2: a non-form body on a cookie POST', () => {
    it('POST /checkout with the cookie, X-CSRF-Token and a text/plain body is 400, not a 500', async () => {
      const agent = await loginAgent(t.app, cast.users.buyerA.username);
      const token = await csrfFor(agent, '/cart');
      const before = await counts();
      const res = await agent.post('/checkout').set('X-CSRF-Token', token).set('Content-Type', 'text/plain').send('{}');
      assert.equal(res.status, 400);
      assert.match(res.text, /只接受表单或 JSON 对象/);
      assert.deepEqual(await counts(), before);
    });

    it('a JSON array body on a cookie POST (it carries no _csrf field) is 400 malformed like any array body, never a 500', async () => {
      const agent = await loginAgent(t.app, cast.users.buyerA.username);
      const res = await agent.post('/cart/items').set('Content-Type', 'application/json').send('[{"_csrf":"x"}]');
      assert.equal(res.status, 400);
    });
  });

  describe('defect 3: NUL in text', () => {
    it('GET /api/v1/products?q=a%00b is 422 naming q (SQLite FTS5 and PostgreSQL alike)', async () => {
      const res = await t.http.get('/api/v1/products?q=a%00b');
      assert.equal(res.status, 422);
      assert.equal(res.body.error.field, 'q');
      assert.match(res.body.error.message, /空字符/);
    });

    it('NUL in the login username, a vendor registration and a listing description: 422 naming the field, nothing written', async () => {
      const before = await counts();
      const login = await t.http.post('/api/v1/auth/token').send({ username: 'ad\u0000min', password: 'x' });
      assert.equal(login.status, 422);
      assert.equal(login.body.error.field, 'username');
      const reg = await t.http.post('/api/v1/vendors').send({ name: '某\u0000公司', creditCode: '91330100MA27XYZ123' });
      assert.equal(reg.status, 422);
      assert.equal(reg.body.error.field, 'name');
      const seller = await bearer(t.http, cast.users.sellerA.username);
      const listing = await t.http.post('/api/v1/vendor/products').set('Authorization', seller).send({ title: 'x', description: 'a\u0000b' });
      assert.equal(listing.status, 422);
      assert.equal(listing.body.error.field, 'description');
      assert.deepEqual(await counts(), before);
    });

    it('NUL in a path parameter or in the certificate lookup is a 4xx', async () => {
      const cert = await t.http.get('/api/v1/certificates/A%00B');
      assert.equal(cert.status, 400);
      assert.equal(cert.body.error.code, 'malformed');
      const res = await t.http.get('/api/v1/products/1%00');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'malformed');
    });
  });

  describe('text that was not UTF-8 (a black-box audit, 2026-12-07)', () => {
    it('a query with a broken escape (q=%E0%A4%A) is 422 naming q, in words, instead of a search for what decoding left', async () => {
      const api = await t.http.get('/api/v1/products?q=%E0%A4%A');
      assert.equal(api.status, 422, api.text);
      assert.equal(api.body.error.field, 'q');
      assert.match(api.body.error.message, /无法识别的字符/);
      const en = await t.http.get('/api/v1/products?q=%E0%A4%A&lang=en');
      assert.match(en.body.error.message, /UTF-8/);
    });

    it('a JSON body whose bytes are not UTF-8 is 422 naming the field, and nothing is written', async () => {
      const before = await counts();
      const body = Buffer.concat([Buffer.from('{"name":"某'), Buffer.from([0xff, 0xfe]), Buffer.from('公司","creditCode":"91330100MA27XYZ123"}')]);
      // The bytes as they are (supertest would serialise a Buffer as JSON of its own).
      const server = t.app.listen(0);
      try {
        const { port } = server.address() as { port: number };
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/vendors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answer = (await res.json()) as { error: { code: string; field: string } };
        assert.equal(res.status, 422, JSON.stringify(answer));
        assert.equal(answer.error.field, 'name');
      } finally {
        server.close();
      }
      assert.deepEqual(await counts(), before);
    });

    it('a lone surrogate escape in JSON ("\\ud800") is 422 naming the field, not a title stored with U+FFFD in it (a black-box audit, 2026-12-08)', async () => {
      const seller = await bearer(t.http, cast.users.sellerA.username);
      const before = await counts();
      const listing = await t.http.post('/api/v1/vendor/products').set('Authorization', seller).send({ title: 'A\ud800B', model: 'm', description: 'd', price: '1', unit: '台', stock: 1, boutique: true });
      assert.equal(listing.status, 422, JSON.stringify(listing.body));
      assert.equal(listing.body.error.field, 'title');
      assert.match(listing.body.error.message, /无法识别的字符/);
      const key = await t.http.post('/api/v1/vendor/products').set('Authorization', seller).send({ title: 'x', extra: { ['k\udc00']: 1 } });
      assert.equal(key.status, 422, JSON.stringify(key.body));
      // A key is named by the object that holds it.
      assert.equal(key.body.error.field, 'extra');
      assert.deepEqual(await counts(), before);
      // A pair that makes a character (an emoji, a CJK Extension B character) is text like any other.
      const paired = await t.http.post('/api/v1/vendor/products').set('Authorization', seller).send({ title: '𠀀型号🙂', model: 'm', description: 'd', price: '1', unit: '台', stock: 1, boutique: true, field: '智能装备' });
      assert.equal(paired.status, 201, JSON.stringify(paired.body));
    });
  });

  describe('a JSON body of the wrong types (a black-box check against API.md, 2026-12-07)', () => {
    it('a number or a yes/no sent as text in JSON ("1", "true") is 422 naming the field, and nothing is written', async () => {
      const product = await makeProduct(ctx.db, cast.vendorA, { title: '类型检查商品', price_fen: 10_000, stock: 10 });
      const before = await counts();
      for (const quantity of ['1', '1.0', 'true', true, null, [1], { n: 1 }]) {
        const res = await t.http.post('/api/v1/orders').set('Authorization', buyer).send({ items: [{ productId: product.id, quantity }] });
        assert.equal(res.status, 422, `quantity ${JSON.stringify(quantity)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.field, 'items.0.quantity', JSON.stringify(quantity));
      }
      const id = await t.http.post('/api/v1/orders').set('Authorization', buyer).send({ items: [{ productId: String(product.id), quantity: 1 }] });
      assert.equal(id.status, 422, JSON.stringify(id.body));
      assert.equal(id.body.error.field, 'items.0.productId');
      const claim = await t.http.post('/api/v1/admin/settings').set('Authorization', admin).send({ keySupportedOnly: 'true' });
      assert.equal(claim.status, 422, JSON.stringify(claim.body));
      assert.equal(claim.body.error.field, 'keySupportedOnly');
      assert.deepEqual(await counts(), before);
      // The same values typed are taken.
      await new BudgetService(ctx.db, new SystemClock()).allocate(actorFor(cast.users.admin, {}), { purchaserId: cast.unitA.id, amountFen: 10_000 });
      const placed = await t.http.post('/api/v1/orders').set('Authorization', buyer).send({ items: [{ productId: product.id, quantity: 1 }] });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
    });

    it('a page form sends every value as text, and its "1" is still a number there', async () => {
      const product = await makeProduct(ctx.db, cast.vendorA, { title: '表单数量商品', price_fen: 10_000, stock: 10 });
      const agent = await loginAgent(t.app, cast.users.buyerA.username);
      const token = await csrfFor(agent, '/cart');
      const add = await agent.post('/cart/items').type('form').send({ _csrf: token, productId: String(product.id), quantity: '1' });
      assert.ok(add.status === 302 || add.status === 303, `${add.status} ${add.text.slice(0, 200)}`);
      assert.match((await agent.get('/cart')).text, /表单数量商品/);
    });
  });

  describe('defect 4: money beyond the range', () => {
    it(`allocations up to ${MONEY_MAX} in all are taken; one that would take a balance past it is 422 naming amount, and every page still shows`, async () => {
      const unit = cast.unitB.id;
      // The treasury has issued every budget, so what is left of the range is MONEY_MAX less what it issued so far.
      const treasury = await ctx.db('ledger_accounts').where({ type: 'treasury' }).first();
      const room = new Decimal(MONEY_MAX_FEN).plus(treasury?.balance_fen ?? 0).dividedBy(100).toFixed(2);
      assert.ok(room.length >= 16, room);
      const first = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).send({ purchaserId: unit, amount: room });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const before = await counts();
      const second = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).send({ purchaserId: unit, amount: '0.01' });
      assert.equal(second.status, 422);
      assert.equal(second.body.error.field, 'amount');
      assert.match(second.body.error.message, /9999999999999\.99/);
      assert.deepEqual(await counts(), before);
      const tooBig = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).send({ purchaserId: unit, amount: '99999999999999.99' });
      assert.equal(tooBig.status, 422);
      assert.equal(tooBig.body.error.field, 'amount');

      const buyerB = await loginAgent(t.app, cast.users.buyerB.username);
      for (const page of ['/purchaser', '/cart', '/checkout']) assert.equal((await buyerB.get(page)).status, 200, page);
      const adminAgent = await loginAgent(t.app, cast.users.admin.username);
      for (const page of ['/admin/budgets', '/admin/ledger']) assert.equal((await adminAgent.get(page)).status, 200, page);
      const verify = await t.http.get('/api/v1/admin/ledger/verify').set('Authorization', admin);
      assert.equal(verify.body.ok, true);
    });

    it('the treasury too stays within the range: allocations to many units cannot take it past -MONEY_MAX', async () => {
      const budgets = new BudgetService(ctx.db, new SystemClock());
      const adminActor = actorFor(cast.users.admin, {});
      const treasury = await ctx.db('ledger_accounts').where({ type: 'treasury' }).first();
      const room = MONEY_MAX_FEN + Number(treasury.balance_fen);
      await assert.rejects(budgets.allocate(adminActor, { purchaserId: cast.unitA.id, amountFen: room + 1 }), (e: { code?: string; field?: string }) => e.code === 'validation_failed' && e.field === 'amount');
      assert.equal((await budgets.verify()).ok, true);
    });

    it('a price of 9999999999999.99 × quantity 10000 is 422 on the quantity, in the cart and as an order', async () => {
      const product = await makeProduct(ctx.db, cast.vendorA, { title: '天价商品', price_fen: MONEY_MAX_FEN, stock: 100_000 });
      const before = await counts();
      const order = await t.http.post('/api/v1/orders').set('Authorization', buyer).send({ items: [{ productId: product.id, quantity: 10_000 }] });
      assert.equal(order.status, 422, JSON.stringify(order.body));
      assert.equal(order.body.error.field, 'items.0.quantity');
      assert.deepEqual(await counts(), before);
      const agent = await loginAgent(t.app, cast.users.buyerA.username);
      const token = await csrfFor(agent, '/cart');
      const add = await agent.post('/cart/items').type('form').send({ _csrf: token, productId: String(product.id), quantity: '10000' });
      assert.equal(add.status, 422);
      assert.equal((await agent.get('/cart')).status, 200);
    });
  });

  describe('defect 9: an oversized upload', () => {
    it('a file past the upload limit is 413 payload_too_large naming file', async () => {
      const res = await t.http.post('/api/v1/admin/certifications/import').set('Authorization', admin).attach('file', Buffer.alloc(11 * 1024 * 1024, 'a'), 'big.csv');
      assert.equal(res.status, 413, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'payload_too_large');
      assert.equal(res.body.error.field, 'file');
    });

    it('a picture or spec sheet past the upload limit is 413 too, never a 500, and nothing is stored', async () => {
      const seller = await bearer(t.http, cast.users.sellerA.username);
      const product = await makeProduct(ctx.db, cast.vendorA, { title: '大图测试产品' });
      const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(11 * 1024 * 1024)]);
      const image = await t.http.post(`/api/v1/vendor/products/${product.id}/images`).set('Authorization', seller).attach('image', big, 'big.jpg');
      assert.equal(image.status, 413, JSON.stringify(image.body));
      assert.equal(image.body.error.code, 'payload_too_large');
      const pdf = await t.http.post(`/api/v1/vendor/products/${product.id}/documents`).set('Authorization', seller).attach('document', Buffer.concat([Buffer.from('%PDF-1.7\n'), big]), 'big.pdf');
      assert.equal(pdf.status, 413, JSON.stringify(pdf.body));
      assert.equal(Number((await ctx.db('product_images').where({ product_id: product.id }).count({ n: '*' }).first())?.n), 0);
      assert.equal(Number((await ctx.db('product_documents').where({ product_id: product.id }).count({ n: '*' }).first())?.n), 0);
    });
  });
});
