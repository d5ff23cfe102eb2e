import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makePurchaser, makeUser } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';
import { checkoutForm, makeProduct, tokens, tradingCast, type Cast } from '../helpers/trading';
import { amountInWords } from '../../src/orders/documents';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

describe(`an order's paperwork: delivery, contact, plan number, invoice title and documents (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;
  let bare: { unitId: number; token: string };
  const p: Record<string, number> = {};

  const order = (who: string, body: Record<string, unknown>, lang?: string) => {
    const req = t.http.post('/api/v1/orders').set('Authorization', who);
    if (lang) req.set('Accept-Language', lang);
    return req.send(body);
  };
  const items = () => [{ productId: p.a, quantity: 1 }];

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z')); // 10:00 on 2 March in Shanghai
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
    p.a = (await makeProduct(ctx.db, cast.vendorA, { title: '智能快递柜', price_fen: 1_234_56, stock: 100 })).id;
    const unit = await makePurchaser(ctx.db, { name: '没有地址的采购单位', noAddress: true });
    const user = await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id });
    bare = { unitId: unit.id, token: await bearer(t.http, user.username) };
    for (const id of [cast.unitA.id, unit.id]) assert.equal((await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).send({ purchaserId: id, amount: '100000' })).status, 201);
  });

  describe('POST /api/v1/orders stays compatible', () => {
    it('with only items, the order takes the unit default address, contact, phone and invoice title', async () => {
      const res = await order(tok.buyerA, { items: items() });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'placed');
      assert.match(res.body.deliveryAddress, /^浙江省杭州市测试路\d+号$/);
      assert.equal(res.body.contactPerson, '测试联系人');
      assert.equal(res.body.contactPhone, '0571-88880000');
      assert.equal(res.body.invoiceTitle, '杭州市测试医院');
      assert.equal(res.body.deliveryDate, null);
      assert.equal(res.body.budgetCode, null);
      const got = await t.http.get(`/api/v1/orders/${res.body.id}`).set('Authorization', tok.buyerA);
      assert.equal(got.body.deliveryAddress, res.body.deliveryAddress);
      assert.equal(got.body.invoiceTitle, '杭州市测试医院');
    });

    it('keeps what the caller gives and returns it', async () => {
      const res = await order(tok.buyerA, {
        items: items(),
        deliveryAddress: '浙江省杭州市上城区解放路1号 住院部库房',
        contactPerson: '李主任',
        contactPhone: '13912345678',
        deliveryDate: '2026-03-20',
        budgetCode: '浙财采计〔2026〕00123号',
        invoiceTitle: '杭州市测试医院（住院部）',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const got = (await t.http.get(`/api/v1/orders/${res.body.id}`).set('Authorization', tok.sellerA)).body;
      assert.deepEqual(
        [got.deliveryAddress, got.contactPerson, got.contactPhone, got.deliveryDate, got.budgetCode, got.invoiceTitle],
        ['浙江省杭州市上城区解放路1号 住院部库房', '李主任', '13912345678', '2026-03-20', '浙财采计〔2026〕00123号', '杭州市测试医院（住院部）'],
      );
    });

    it('a unit without a default address is told which field is missing, in its language, and nothing is placed', async () => {
      const before = await ctx.db('orders').where({ purchaser_id: bare.unitId }).count({ n: '*' }).first();
      const zh = await order(bare.token, { items: items() });
      assert.equal(zh.status, 422);
      assert.equal(zh.body.error.field, 'deliveryAddress');
      assert.match(zh.body.error.message, /^收货地址：/);
      const en = await order(bare.token, { items: items() }, 'en');
      assert.equal(en.body.error.field, 'deliveryAddress');
      assert.match(en.body.error.message, /^Delivery address: /);
      const noPhone = await order(bare.token, { items: items(), deliveryAddress: '浙江省杭州市某路1号', contactPerson: '王老师' });
      assert.equal(noPhone.status, 422);
      assert.equal(noPhone.body.error.field, 'contactPhone');
      const after = await ctx.db('orders').where({ purchaser_id: bare.unitId }).count({ n: '*' }).first();
      assert.equal(Number(after?.n), Number(before?.n));
      // All given: the unit's name is the invoice title.
      const ok = await order(bare.token, { items: items(), deliveryAddress: '浙江省杭州市某路1号', contactPerson: '王老师', contactPhone: '0571-87654321' });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(ok.body.invoiceTitle, '没有地址的采购单位');
    });

    it('refuses a malformed phone, plan number or delivery day with a 422 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ contactPhone: '12345' }, 'contactPhone', /联系电话/],
        [{ contactPhone: 13912345678 }, 'contactPhone', /联系电话/],
        [{ budgetCode: 'abc' }, 'budgetCode', /采购计划编号/],
        [{ budgetCode: '2026<script>' }, 'budgetCode', /采购计划编号/],
        [{ deliveryDate: '2026-02-30' }, 'deliveryDate', /要求到货日期/],
        [{ deliveryDate: '2026-03-01' }, 'deliveryDate', /不能早于今天（2026-03-02）/],
        [{ deliveryDate: '2027-06-01' }, 'deliveryDate', /不能晚于/],
        [{ deliveryAddress: ['a'] }, 'deliveryAddress', /收货地址/],
        [{ invoiceTitle: 'x'.repeat(201) }, 'invoiceTitle', /发票抬头/],
      ];
      for (const [extra, field, message] of cases) {
        const res = await order(tok.buyerA, { items: items(), ...extra });
        assert.equal(res.status, 422, `${JSON.stringify(extra)} → ${res.status}`);
        assert.equal(res.body.error.field, field, JSON.stringify(extra));
        assert.match(res.body.error.message, message);
      }
      // Today is fine.
      assert.equal((await order(tok.buyerA, { items: items(), deliveryDate: '2026-03-02' })).status, 201);
    });
  });

  describe('the checkout page and the vendor', () => {
    let buyer: Agent;
    let seller: Agent;
    before(async () => {
      buyer = await loginAgent(t.app, cast.users.buyerA.username);
      seller = await loginAgent(t.app, cast.users.sellerA.username);
    });

    const addToCart = async () => {
      const html = (await buyer.get(`/products/${p.a}`)).text;
      assert.equal((await buyer.post('/cart/items').type('form').send({ productId: String(p.a), quantity: '2', _csrf: csrfOf(html) })).status, 302);
    };

    it('asks for the delivery details prefilled from the unit default, keeps what was typed on a refusal, and places the order with them', async () => {
      await addToCart();
      const page = await buyer.get('/checkout');
      assert.equal(page.status, 200);
      assert.match(page.text, /name="deliveryAddress"[^>]*required[^>]*value="浙江省杭州市测试路\d+号"/);
      assert.match(page.text, /name="invoiceTitle"[^>]*value="杭州市测试医院"/);
      assert.match(page.text, /name="deliveryDate" type="date" required min="2026-03-02"/);
      // No delivery day: 422 beside the field, the typed address kept, nothing placed.
      const typed = { ...checkoutForm(''), deliveryAddress: '浙江省杭州市拱墅区测试大道8号 设备科', budgetCode: 'ZJCG-2026-000123' };
      const refused = await buyer.post('/checkout').type('form').send({ ...typed, _csrf: csrfOf(page.text) });
      assert.equal(refused.status, 422);
      assert.match(refused.text, /id="co-date-err" class="field-error">要求到货日期：必填/);
      assert.match(refused.text, /value="浙江省杭州市拱墅区测试大道8号 设备科"/);
      const placed = await buyer.post('/checkout').type('form').send({ ...typed, deliveryDate: '2026-03-16', _csrf: csrfOf(page.text) });
      assert.equal(placed.status, 302);
      const row = await ctx.db('orders').where({ purchaser_id: cast.unitA.id }).orderBy('id', 'desc').first();
      assert.equal(row.delivery_address, '浙江省杭州市拱墅区测试大道8号 设备科');
      assert.equal(row.delivery_date, '2026-03-16');
      assert.equal(row.budget_code, 'ZJCG-2026-000123');
      // The vendor's order page shows them.
      const vendorPage = text((await seller.get(`/orders/${row.id}`)).text);
      assert.match(vendorPage, /收货地址 浙江省杭州市拱墅区测试大道8号 设备科/);
      assert.match(vendorPage, /要求到货日期 2026-03-16/);
      assert.match(vendorPage, /采购计划编号 ZJCG-2026-000123/);
      assert.match(vendorPage, /联系电话 0571-88880000/);
    });

    it('a bad phone on the checkout form is said beside the phone field', async () => {
      await addToCart();
      const page = await buyer.get('/checkout');
      const res = await buyer.post('/checkout').type('form').send({ ...checkoutForm('2026-03-16'), contactPhone: '电话', _csrf: csrfOf(page.text) });
      assert.equal(res.status, 422);
      assert.match(res.text, /id="co-phone-err" class="field-error">联系电话：请填写有效的电话号码/);
      assert.equal((await buyer.post('/checkout').type('form').send({ ...checkoutForm('2026-03-16'), _csrf: csrfOf(page.text) })).status, 302);
    });

    it('every problem of the checkout form at once, each beside its field (a bad phone and no date in one go)', async () => {
      await addToCart();
      const page = await buyer.get('/checkout');
      const res = await buyer.post('/checkout').type('form').send({ ...checkoutForm('2026-03-16'), contactPhone: 'abc', deliveryDate: '', _csrf: csrfOf(page.text) });
      assert.equal(res.status, 422);
      assert.match(res.text, /id="co-phone-err" class="field-error">联系电话：请填写有效的电话号码/);
      assert.match(res.text, /id="co-date-err" class="field-error">要求到货日期：必填/);
      assert.equal((await buyer.post('/checkout').type('form').send({ ...checkoutForm('2026-03-16'), _csrf: csrfOf(page.text) })).status, 302);
    });

    it('the address book: add an address, make it the default (checkout then starts from it), remove it', async () => {
      const page = await buyer.get('/purchaser/addresses');
      assert.equal(page.status, 200);
      const bad = await buyer.post('/purchaser/addresses').type('form').send({ address: '浙江省杭州市仓库路2号', contactPerson: '赵师傅', phone: '123', _csrf: csrfOf(page.text) });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /id="ab-phone-err"/);
      assert.match(bad.text, /value="浙江省杭州市仓库路2号"/);
      assert.equal((await buyer.post('/purchaser/addresses').type('form').send({ label: '仓库', address: '浙江省杭州市仓库路2号', contactPerson: '赵师傅', phone: '13800001111', _csrf: csrfOf(page.text) })).status, 302);
      const added = await ctx.db('purchaser_addresses').where({ purchaser_id: cast.unitA.id, address: '浙江省杭州市仓库路2号' }).first();
      assert.ok(added && !added.is_default);
      assert.equal((await buyer.post(`/purchaser/addresses/${added.id}/default`).type('form').send({ _csrf: csrfOf(page.text) })).status, 302);
      const api = await order(tok.buyerA, { items: items() });
      assert.equal(api.body.deliveryAddress, '浙江省杭州市仓库路2号');
      assert.equal(api.body.contactPerson, '赵师傅');
      await addToCart();
      assert.match((await buyer.get('/checkout')).text, /name="deliveryAddress"[^>]*value="浙江省杭州市仓库路2号"/);
      // Another unit's address is not found; removing the default makes the other one the default again.
      const other = await loginAgent(t.app, cast.users.buyerB.username);
      const otherPage = await other.get('/purchaser/addresses');
      assert.equal((await other.post(`/purchaser/addresses/${added.id}/delete`).type('form').send({ _csrf: csrfOf(otherPage.text) })).status, 404);
      assert.equal((await buyer.post(`/purchaser/addresses/${added.id}/delete`).type('form').send({ _csrf: csrfOf(page.text) })).status, 302);
      assert.equal((await ctx.db('purchaser_addresses').where({ purchaser_id: cast.unitA.id, is_default: true })).length, 1);
      assert.match((await order(tok.buyerA, { items: items() })).body.deliveryAddress, /^浙江省杭州市测试路\d+号$/);
    });
  });

  describe('the order confirmation and the acceptance form', () => {
    let id: number;
    let orderNo: string;
    before(async () => {
      const res = await order(tok.buyerA, { items: [{ productId: p.a, quantity: 3 }], deliveryDate: '2026-03-10', budgetCode: '浙财采计〔2026〕00123号' });
      id = res.body.id;
      orderNo = res.body.orderNo;
    });

    it('both parties and the department read them, printable, with the paperwork and the total in words', async () => {
      for (const who of [tok.buyerA, tok.sellerA, tok.admin]) {
        for (const kind of ['confirmation', 'acceptance']) {
          const res = await t.http.get(`/orders/${id}/${kind}`).set('Authorization', who);
          assert.equal(res.status, 200, `${kind} ${res.status}`);
          assert.match(res.text, /href="\/static\/print\.css"/);
          const body = text(res.text);
          assert.match(body, new RegExp(orderNo));
          assert.match(body, /采购计划编号 浙财采计〔2026〕00123号/);
          assert.match(body, /叁仟柒佰零叁元陆角捌分/);
        }
      }
      assert.match(text((await t.http.get(`/orders/${id}/acceptance`).set('Authorization', tok.buyerA)).text), /尚未验收/);
    });

    it('someone else’s order is refused (403, not yours), an unknown one not found; finance and anonymous callers are turned away', async () => {
      for (const path of [`/orders/${id}/confirmation`, `/orders/${id}/acceptance.pdf`]) {
        assert.equal((await t.http.get(path).set('Authorization', tok.buyerB)).status, 403);
        assert.equal((await t.http.get(path).set('Authorization', tok.sellerB)).status, 403);
        assert.equal((await t.http.get(path)).status, 302);
      }
      assert.equal((await t.http.get('/orders/999999/confirmation').set('Authorization', tok.admin)).status, 404);
      assert.equal((await t.http.get('/orders/abc/confirmation.pdf').set('Authorization', tok.admin)).status, 404);
    });

    it('the PDF of each is a valid PDF naming the order number', async () => {
      for (const kind of ['confirmation', 'acceptance']) {
        const res = await t.http.get(`/orders/${id}/${kind}.pdf`).set('Authorization', tok.sellerA).buffer(true).parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/pdf');
        const pdf = res.body as Buffer;
        assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
        assert.match(pdf.subarray(-32).toString('latin1'), /%%EOF\s*$/);
        assert.match(pdf.toString('latin1'), new RegExp(`\\(${orderNo}\\)`));
        assert.match(pdf.toString('latin1'), /\/FontFile2/); // the CJK font embedded
      }
    });

    it('amounts in words read as a finance clerk writes them', () => {
      assert.equal(amountInWords(0), '零元整');
      assert.equal(amountInWords(100_00), '壹佰元整');
      assert.equal(amountInWords(1_005_00), '壹仟零伍元整');
      assert.equal(amountInWords(100_000_000_00), '壹亿元整');
      assert.equal(amountInWords(1_180_000_00), '壹佰壹拾捌万元整');
      assert.equal(amountInWords(10_050_00), '壹万零伍拾元整');
      assert.equal(amountInWords(1_234_56), '壹仟贰佰叁拾肆元伍角陆分');
      assert.equal(amountInWords(1_00_05), '壹佰元零伍分');
      assert.equal(amountInWords(30), '叁角整');
    });
  });
});
