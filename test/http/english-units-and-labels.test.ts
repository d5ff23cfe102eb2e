import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { makeRecWorld } from '../helpers/recognition';
import { csrfOf, loginAgent } from '../helpers/session';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/**
 * English pages read in English around the data: a product's unit of sale (台, 套, …) through the `units` catalogue
 * (a unit a vendor typed that the catalogue does not know stays as typed), a label's separator in the reader's
 * punctuation (not the Chinese colon), and a refused comparison links back to where the user came from.
 */
describe(`English pages: units, label separators, the way back from a refused comparison (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const p: Record<'lathe' | 'set' | 'own', number> = { lathe: 0, set: 0, own: 0 };
  let buyer: string;
  let unitId: number;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const vendor = await makeVendor(ctx.db);
    p.lathe = (await makeProduct(ctx.db, vendor, { title: '数控车床 UNIT-A', model: 'UA-1', stock: 7 })).id;
    p.set = (await makeProduct(ctx.db, vendor, { title: '数控车床 UNIT-B', model: 'UB-1', stock: 1 })).id;
    p.own = (await makeProduct(ctx.db, vendor, { title: '数控车床 UNIT-C', model: 'UC-1', stock: 3 })).id;
    await ctx.db('products').where({ id: p.set }).update({ unit: '套' });
    await ctx.db('products').where({ id: p.own }).update({ unit: '樘' }); // a unit the catalogue does not know
    const unit = await makePurchaser(ctx.db, { name: '英文页面测试医院' });
    unitId = unit.id;
    buyer = (await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id })).username;
  });

  describe('units of sale', () => {
    it('the search results: "per unit", "per set" in English, as typed when unknown; 台 in Chinese', async () => {
      const en = text((await t.http.get('/products').query({ q: '数控车床', lang: 'en' })).text);
      assert.match(en, /per unit/);
      assert.match(en, /per set/);
      assert.match(en, /per 樘/, 'an unknown unit as the vendor typed it');
      assert.doesNotMatch(en, /per [台套]/);
      const zh = text((await t.http.get('/products').query({ q: '数控车床', lang: 'zh-CN' })).text);
      assert.match(zh, /\/台/);
      assert.match(zh, /\/套/);
    });

    it('the product page: price per unit and the stock counted ("7 units", "1 set")', async () => {
      const lathe = text((await t.http.get(`/products/${p.lathe}`).query({ lang: 'en' })).text);
      assert.match(lathe, /\/ unit\b/);
      assert.match(lathe, /\b7 units\b/);
      assert.doesNotMatch(lathe, /台/);
      const set = text((await t.http.get(`/products/${p.set}`).query({ lang: 'en' })).text);
      assert.match(set, /\b1 set\b/);
      assert.doesNotMatch(set, /套/);
      const zh = text((await t.http.get(`/products/${p.lathe}`).query({ lang: 'zh-CN' })).text);
      assert.match(zh, /7 台/);
    });

    it('the comparison: price per unit, stock counted, an unknown unit as typed', async () => {
      const page = text((await t.http.get('/compare').query({ ids: `${p.lathe},${p.set},${p.own}`, lang: 'en' })).text);
      assert.match(page, /\/ unit\b/);
      assert.match(page, /\/ set\b/);
      assert.match(page, /\/ 樘/);
      assert.match(page, /\b7 units\b/);
      assert.match(page, /\b1 set\b/);
      assert.match(page, /\b3 樘/);
      assert.doesNotMatch(page, /[台套]/);
    });

    it('the cart and the checkout: "× 2 units", the quantity boxes followed by the unit in English', async () => {
      const agent = await loginAgent(t.app, buyer);
      const html = (await agent.get(`/products/${p.lathe}`).query({ lang: 'en' })).text;
      assert.match(text(html), /Quantity.*\bunit\b/s);
      assert.equal((await agent.post('/cart/items').type('form').send({ productId: String(p.lathe), quantity: '2', _csrf: csrfOf(html) })).status, 302);
      const cart = text((await agent.get('/cart')).text);
      assert.match(cart, /\bunits\b/);
      assert.doesNotMatch(cart, /台/);
      const checkout = text((await agent.get('/checkout')).text);
      assert.match(checkout, /× 2 units/);
      assert.doesNotMatch(checkout, /台/);
    });
  });

  describe('label separators', () => {
    it('checkout: a delivery address’s label is followed by ": " in English and "：" in Chinese', async () => {
      const now = new Date('2026-03-02T02:00:00Z').toISOString();
      await ctx.db('purchaser_addresses').insert({ purchaser_id: unitId, label: '仓库', address: '浙江省杭州市仓库路9号', contact_person: '赵师傅', phone: '13800001111', is_default: false, created_at: now, updated_at: now });
      const agent = await loginAgent(t.app, buyer);
      const html = (await agent.get(`/products/${p.set}`)).text;
      assert.equal((await agent.post('/cart/items').type('form').send({ productId: String(p.set), quantity: '1', _csrf: csrfOf(html) })).status, 302);
      const en = text((await agent.get('/checkout').query({ lang: 'en' })).text);
      assert.match(en, /仓库: 浙江省杭州市仓库路9号/);
      assert.match(en, /本部: 浙江省杭州市测试路\d+号/);
      assert.doesNotMatch(en, /：/);
      const zh = text((await agent.get('/checkout').query({ lang: 'zh-CN' })).text);
      assert.match(zh, /仓库：浙江省杭州市仓库路9号/);
    });

    it('an expert’s history: each change "Label: before → after" in English, "标签：" in Chinese', async () => {
      const w = await makeRecWorld(ctx.db, { experts: 1 });
      const e = w.experts[0]!;
      const token = await bearer(t.http, w.users.admin);
      assert.equal((await t.http.patch(`/api/v1/admin/experts/${e.id}`).set('Authorization', token).send({ title: '研究员' })).status, 200);
      const admin = await loginAgent(t.app, w.users.admin);
      const en = text((await admin.get(`/admin/experts/${e.id}`).query({ lang: 'en' })).text);
      assert.match(en, /: 教授 → 研究员/);
      assert.doesNotMatch(en, /：/);
      const zh = text((await admin.get(`/admin/experts/${e.id}`).query({ lang: 'zh-CN' })).text);
      assert.match(zh, /：教授 → 研究员/);
    });

    it('the order confirmation: the total in words and the signature lines in the reader’s punctuation', async () => {
      const admin = await bearer(t.http, (await makeUser(ctx.db, { role: 'admin' })).username);
      assert.equal((await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).send({ purchaserId: unitId, amount: '100000' })).status, 201);
      const token = await bearer(t.http, buyer);
      const placed = await t.http.post('/api/v1/orders').set('Authorization', token).send({ items: [{ productId: p.lathe, quantity: 1 }] });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const en = text((await t.http.get(`/orders/${placed.body.id as number}/confirmation`).query({ lang: 'en' }).set('Authorization', token)).text);
      assert.match(en, /Total \(in words: 壹万元整\)/);
      assert.match(en, /Purchaser \(seal\): .*Date: /);
      assert.doesNotMatch(en, /[：（）]/);
      const zh = text((await t.http.get(`/orders/${placed.body.id as number}/confirmation`).query({ lang: 'zh-CN' }).set('Authorization', token)).text);
      assert.match(zh, /合计金额（大写：壹万元整）/);
      assert.match(zh, /采购人（盖章）：.*日期：/);
    });
  });

  describe('a refused comparison (more than four products ticked)', () => {
    const five = () => Array.from({ length: 5 }, (_, i) => `ids=${p.lathe + i}`).join('&');
    const backLink = (html: string) => /<a href="([^"]*)" id="compare-back">([^<]*)<\/a>/.exec(decodeEntities(html));

    it('links back to the search the user ticked them on, when the Referer is this app’s search page', async () => {
      const res = await t.http.get(`/compare?${five()}&lang=en`).set('Host', 'market.test').set('Referer', `http://market.test/products?q=${encodeURIComponent('数控车床')}&page=2`);
      assert.equal(res.status, 422);
      const link = backLink(res.text);
      assert.ok(link, 'a link back');
      assert.equal(link[1], `/products?q=${encodeURIComponent('数控车床')}&page=2`);
      assert.equal(link[2], 'Back to the search results');
      const zh = await t.http.get(`/compare?${five()}&lang=zh-CN`).set('Host', 'market.test').set('Referer', 'http://market.test/products?q=x');
      assert.equal(backLink(zh.text)?.[2], '返回搜索结果');
    });

    it('else to the catalogue: no Referer, another site’s, or another page of ours', async () => {
      for (const referer of [null, 'http://elsewhere.test/products?q=x', 'http://market.test/compare?ids=1', 'http://market.test/productsx?q=1']) {
        const req = t.http.get(`/compare?${five()}&lang=en`).set('Host', 'market.test');
        const res = referer ? await req.set('Referer', referer) : await req;
        assert.equal(res.status, 422);
        const link = backLink(res.text);
        assert.deepEqual([link?.[1], link?.[2]], ['/products', 'Back to the catalogue'], String(referer));
      }
      const zh = await t.http.get(`/compare?${five()}&lang=zh-CN`);
      assert.equal(backLink(zh.text)?.[2], '返回产品目录');
    });

    it('a comparison that is shown has no such link', async () => {
      const res = await t.http.get('/compare').query({ ids: `${p.lathe},${p.set}` });
      assert.equal(res.status, 200);
      assert.equal(backLink(res.text), null);
    });
  });
});
