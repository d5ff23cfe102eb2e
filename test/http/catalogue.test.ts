import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { hrefs } from '../helpers/html';

const ITEM_KEYS = ['badges', 'certNo', 'field', 'id', 'kind', 'level', 'model', 'price', 'stock', 'title', 'unit', 'vendor'];
const MONEY = /^\d+\.\d{2}$/;

function assertFieldError(res: Response, field: string, status = 422): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.type, /json/);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, 'validation_failed');
  assert.equal(res.body.error.field, field);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

describe(`catalogue over HTTP (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const p: Record<string, number> = {};
  const certs: Record<string, string> = {};

  before(async () => {
    const db = ctx.db;
    t = testApp(db);
    const hz = await makeVendor(db, { name: '杭州精机股份有限公司', city: '杭州' });
    const nb = await makeVendor(db, { name: '宁波医疗设备有限公司', city: '宁波' });
    const valid = await makeCert(db, hz, { level: 'international', field: '数控机床', year: 2020, valid_until: '2099-12-31', cert_no: 'ZJSTT-2020-0001' });
    const lapsed = await makeCert(db, nb, { level: 'domestic', field: '高端医疗装备', year: 2018, valid_until: '2021-12-31', status: 'valid', cert_no: 'ZJSTT-2018-0007' });
    const expired = await makeCert(db, nb, { level: 'provincial', field: '高端医疗装备', year: 2017, valid_until: '2020-12-31', status: 'expired', cert_no: 'ZJSTT-2017-0003' });
    const revoked = await makeCert(db, nb, { level: 'provincial', field: '高端医疗装备', year: 2021, status: 'revoked', cert_no: 'ZJSTT-2021-0099' });
    certs.valid = valid.cert_no;
    certs.expired = expired.cert_no;
    certs.revoked = revoked.cert_no;
    await db('certifications').where({ id: revoked.id }).update({ revoked_reason: '企业申请撤销' });
    p.lathe = (await makeProduct(db, hz, { cert: valid, title: '高速精密数控机床', model: 'HZ-VMC850', price_fen: 118_000_000_00 })).id;
    p.ct = (await makeProduct(db, nb, { cert: lapsed, title: '64排CT', model: 'NB-CT64', price_fen: 1_120_000_000 })).id;
    p.old = (await makeProduct(db, nb, { cert: expired, title: '旧款超声诊断仪', price_fen: 35_000_000 })).id;
    p.boutique = (await makeProduct(db, hz, { title: '智能上下料机器人', field: '智能装备', price_fen: 1_234_567, description: '第一行\n第二行 <script>alert(1)</script>' })).id;
    p.pending = (await makeProduct(db, hz, { cert: valid, title: '待审核数控机床', status: 'pending_review' })).id;
    p.rejected = (await makeProduct(db, hz, { cert: valid, title: '已驳回数控机床', status: 'rejected' })).id;
  });

  describe('GET /api/v1/products', () => {
    it('422 naming the field for pageSize=1000', async () => {
      assertFieldError(await t.http.get('/api/v1/products?pageSize=1000'), 'pageSize');
    });

    it('422 naming the field for priceMin=abc, priceMax=1e3 and priceMin=-1', async () => {
      assertFieldError(await t.http.get('/api/v1/products?priceMin=abc'), 'priceMin');
      assertFieldError(await t.http.get('/api/v1/products?priceMax=1e3'), 'priceMax');
      assertFieldError(await t.http.get('/api/v1/products?priceMin=-1'), 'priceMin');
      assertFieldError(await t.http.get('/api/v1/products?priceMin=12.345'), 'priceMin');
    });

    it('422 for a price range whose maximum is below its minimum', async () => {
      assertFieldError(await t.http.get('/api/v1/products?priceMin=100&priceMax=10'), 'priceMax');
    });

    it('422 naming the field for level=foo, kind, field, city, badge and sort outside their vocabularies', async () => {
      assertFieldError(await t.http.get('/api/v1/products?level=foo'), 'level');
      assertFieldError(await t.http.get('/api/v1/products?kind=car'), 'kind');
      assertFieldError(await t.http.get(`/api/v1/products?field=${encodeURIComponent('火箭')}`), 'field');
      assertFieldError(await t.http.get('/api/v1/products?city=shanghai'), 'city');
      assertFieldError(await t.http.get('/api/v1/products?badge=gold'), 'badge');
      assertFieldError(await t.http.get('/api/v1/products?sort=random'), 'sort');
    });

    it('422 for a 10,000-character q, never a 500', async () => {
      const res = await t.http.get(`/api/v1/products?q=${'a'.repeat(10000)}`);
      assertFieldError(res, 'q');
    });

    it('422 for page=0, page=abc, pageSize=0 and a repeated parameter', async () => {
      assertFieldError(await t.http.get('/api/v1/products?page=0'), 'page');
      assertFieldError(await t.http.get('/api/v1/products?page=abc'), 'page');
      assertFieldError(await t.http.get('/api/v1/products?pageSize=0'), 'pageSize');
      assertFieldError(await t.http.get('/api/v1/products?level=domestic&level=provincial'), 'level');
      const twice = await t.http.get('/api/v1/products?q=a&q=b');
      assertFieldError(twice, 'q');
      assert.match(twice.body.error.message, /：只能给一个值$/);
      const pages = await t.http.get('/api/v1/products?page=1&page=2').set('Accept-Language', 'en');
      assertFieldError(pages, 'page');
      assert.match(pages.body.error.message, /give one value only$/);
    });

    it('a negative or too large page says it is out of range, not that it is no whole number', async () => {
      const negative = await t.http.get('/api/v1/products?page=-1');
      assertFieldError(negative, 'page');
      assert.doesNotMatch(negative.body.error.message, /整数/);
      assert.match(negative.body.error.message, /^页码：.*小/);
      const huge = await t.http.get('/api/v1/products?page=1000000').set('Accept-Language', 'en');
      assertFieldError(huge, 'page');
      assert.doesNotMatch(huge.body.error.message, /whole number|integer/i);
      const fp = await t.http.get('/api/v1/notices?page=-1');
      assertFieldError(fp, 'page');
      assert.doesNotMatch(fp.body.error.message, /整数/);
    });

    it('the search page: a page past the last says so with the way back; a page typed wrong is said over the first page, not over a catalogue of nothing (a new user’s pass, 2026-12-08)', async () => {
      const total = (await t.http.get('/api/v1/products')).body.total as number;
      assert.ok(total > 0);
      const past = await t.http.get('/products?page=9999');
      assert.equal(past.status, 200);
      assert.match(past.text, new RegExp(`没有第 9999 页：共 ${Math.ceil(total / 20)} 页。`));
      assert.doesNotMatch(past.text, /没有符合条件的产品/);
      const wrong = await t.http.get('/products?page=abc');
      assert.equal(wrong.status, 422);
      assert.match(wrong.text, /页码：须为整数/);
      assert.match(wrong.text, /class="product-grid"/, 'the first page of products under the message');
    });

    it('a value of the wrong type is not reported as missing', async () => {
      const typed = await t.http.post('/api/v1/auth/token').send({ username: 1, password: 'x' });
      assert.equal(typed.status, 422);
      assert.equal(typed.body.error.field, 'username');
      assert.doesNotMatch(typed.body.error.message, /必填/);
      const missing = await t.http.post('/api/v1/auth/token').send({ password: 'x' });
      assert.equal(missing.status, 422);
      assert.match(missing.body.error.message, /必填/);
    });

    it('the error message is Chinese by default and English for an API caller who asks', async () => {
      const zh = await t.http.get('/api/v1/products?level=foo');
      assert.match(zh.body.error.message, /认定级别/);
      const en = await t.http.get('/api/v1/products?level=foo').set('Accept-Language', 'en-GB,en;q=0.9');
      assert.match(en.body.error.message, /Certification level/);
    });

    it('lists approved products with the exact item shape of API.md, price as a two-decimal string, and facets', async () => {
      const res = await t.http.get('/api/v1/products');
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ['facets', 'items', 'page', 'pageSize', 'total']);
      assert.equal(res.body.total, 4);
      assert.equal(res.body.page, 1);
      assert.equal(res.body.pageSize, 20);
      for (const item of res.body.items) {
        assert.deepEqual(Object.keys(item).sort(), ITEM_KEYS);
        assert.deepEqual(Object.keys(item.vendor).sort(), ['city', 'id', 'name']);
        assert.match(item.price, MONEY);
        assert.equal(typeof item.stock, 'number');
        assert.ok(Array.isArray(item.badges));
      }
      const lathe = res.body.items.find((i: { id: number }) => i.id === p.lathe);
      assert.deepEqual(lathe, {
        id: p.lathe,
        title: '高速精密数控机床',
        model: 'HZ-VMC850',
        price: '118000000.00',
        unit: '台',
        stock: 10,
        kind: 'equipment',
        level: 'international',
        field: '数控机床',
        badges: ['first_unit'],
        certNo: 'ZJSTT-2020-0001',
        vendor: { id: lathe.vendor.id, name: '杭州精机股份有限公司', city: '杭州' },
      });
      const boutique = res.body.items.find((i: { id: number }) => i.id === p.boutique);
      assert.equal(boutique.price, '12345.67');
      assert.deepEqual(boutique.badges, ['boutique']);
      assert.equal(boutique.level, null);
      assert.equal(boutique.certNo, null);
      assert.deepEqual(Object.keys(res.body.facets).sort(), ['city', 'field', 'kind', 'level']);
      assert.deepEqual(res.body.facets.city, { 杭州: 2, 宁波: 2 });
    });

    it('searches, filters and pages through the query string', async () => {
      const q = await t.http.get(`/api/v1/products?q=${encodeURIComponent('机床')}`);
      assert.deepEqual(q.body.items.map((i: { id: number }) => i.id), [p.lathe]);
      const level = await t.http.get('/api/v1/products?level=domestic');
      assert.deepEqual(level.body.items.map((i: { id: number }) => i.id), [p.ct]);
      assert.deepEqual(level.body.facets.level, { international: 1, domestic: 1, provincial: 1 });
      const paged = await t.http.get('/api/v1/products?pageSize=1&page=2&sort=price_desc');
      assert.equal(paged.body.total, 4);
      assert.equal(paged.body.items.length, 1);
      assert.equal(paged.body.items[0].id, p.ct);
      const empty = await t.http.get('/api/v1/products?q=&level=&priceMin=');
      assert.equal(empty.status, 200, 'empty filter values from a form mean no filter');
      assert.equal(empty.body.total, 4);
    });

    it('carries an X-Request-Id, and echoes a sensible one from the caller', async () => {
      const res = await t.http.get('/api/v1/products');
      assert.match(res.headers['x-request-id'], /^[\w.-]{8,64}$/);
      const echoed = await t.http.get('/api/v1/products').set('X-Request-Id', 'host-abc.123');
      assert.equal(echoed.headers['x-request-id'], 'host-abc.123');
      const replaced = await t.http.get('/api/v1/products').set('X-Request-Id', 'bad id <script>');
      assert.notEqual(replaced.headers['x-request-id'], 'bad id <script>');
    });
  });

  describe('GET /api/v1/products/:id', () => {
    it('404 for a pending, a rejected or a missing product, and for an id that is not a number', async () => {
      for (const path of [`/api/v1/products/${p.pending}`, `/api/v1/products/${p.rejected}`, '/api/v1/products/999999', '/api/v1/products/abc', '/api/v1/products/1e3', '/api/v1/products/-1', `/api/v1/products/${'9'.repeat(30)}`]) {
        const res = await t.http.get(path);
        assert.equal(res.status, 404, path);
        assert.equal(res.body.error.code, 'not_found', path);
        assert.equal(typeof res.body.error.message, 'string');
      }
    });

    it('returns the product with its certificate: number, level, year, valid until, indicators', async () => {
      const res = await t.http.get(`/api/v1/products/${p.lathe}`);
      assert.equal(res.status, 200);
      for (const key of ITEM_KEYS) assert.ok(key in res.body, key);
      assert.equal(res.body.price, '118000000.00');
      assert.equal(res.body.firstPurchaseEligible, true);
      const c = res.body.certificate;
      assert.equal(c.certNo, 'ZJSTT-2020-0001');
      assert.equal(c.level, 'international');
      assert.equal(c.year, 2020);
      assert.equal(c.validUntil, '2099-12-31');
      assert.equal(c.status, 'valid');
      assert.deepEqual(c.indicators, ['定位精度 ≤ 0.005 mm']);
    });

    it('is not eligible for 政府首购 when the certificate is past its end date or expired, nor without one', async () => {
      assert.equal((await t.http.get(`/api/v1/products/${p.ct}`)).body.firstPurchaseEligible, false);
      assert.equal((await t.http.get(`/api/v1/products/${p.old}`)).body.firstPurchaseEligible, false);
      const boutique = await t.http.get(`/api/v1/products/${p.boutique}`);
      assert.equal(boutique.body.firstPurchaseEligible, false);
      assert.equal(boutique.body.certificate, null);
    });
  });

  describe('GET /api/v1/certificates/:certNo', () => {
    it('404 for an unknown certificate number, in the caller’s language', async () => {
      const res = await t.http.get('/api/v1/certificates/ZJSTT-0000-0000');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
      assert.match(res.body.error.message, /证书/);
      const long = await t.http.get(`/api/v1/certificates/${'X'.repeat(5000)}`);
      assert.equal(long.status, 404);
    });

    it('tells whether a certificate is current, and what it covers', async () => {
      const valid = await t.http.get(`/api/v1/certificates/${certs.valid}`);
      assert.equal(valid.status, 200);
      assert.equal(valid.body.current, true);
      assert.equal(valid.body.listings, 1, 'only approved listings count');
      assert.equal(valid.body.certificate.enterpriseName, '杭州精机股份有限公司');
      assert.equal(valid.body.certificate.level, 'international');
      const expired = await t.http.get(`/api/v1/certificates/${certs.expired}`);
      assert.equal(expired.body.current, false);
      assert.equal(expired.body.certificate.status, 'expired');
      const revoked = await t.http.get(`/api/v1/certificates/${certs.revoked}`);
      assert.equal(revoked.body.current, false);
      assert.equal(revoked.body.certificate.revokedReason, '企业申请撤销');
    });

    it('folds a full-width certificate number to half-width', async () => {
      const res = await t.http.get(`/api/v1/certificates/${encodeURIComponent('ＺＪＳＴＴ－２０２０－０００１')}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.certificate.certNo, certs.valid);
    });
  });

  describe('GET /api/v1/catalogue/overview', () => {
    it('gives the featured products by level, boutique items and browse counts', async () => {
      const res = await t.http.get('/api/v1/catalogue/overview');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.featured.international.map((i: { id: number }) => i.id), [p.lathe]);
      assert.deepEqual(res.body.boutique.map((i: { id: number }) => i.id), [p.boutique]);
      assert.ok(res.body.cities.some((c: { key: string; n: number }) => c.key === '杭州' && c.n === 2));
    });
  });

  describe('pages', () => {
    it('home: Chinese, with a search box, the featured levels, the boutique hall and browse panels', async () => {
      const res = await t.http.get('/');
      assert.equal(res.status, 200);
      assert.match(res.type, /html/);
      assert.match(res.text, /<html lang="zh-CN">/);
      assert.match(res.text, /role="search"/);
      assert.match(res.text, /国际首台（套）/);
      assert.match(res.text, /浙江制造精品/);
      assert.match(res.text, /高速精密数控机床/);
      assert.match(res.text, /按领域浏览/);
      assert.match(res.text, /按地市浏览/);
      assert.ok(res.headers['x-request-id']);
    });

    it('results: the query, the count, facets with counts, shareable filter links', async () => {
      const res = await t.http.get(`/products?q=${encodeURIComponent('机床')}`);
      assert.equal(res.status, 200);
      assert.match(res.text, /“机床”的搜索结果/);
      assert.match(res.text, /共 1 件产品/);
      assert.match(res.text, /高速精密数控机床/);
      assert.doesNotMatch(res.text, /待审核数控机床/);
      assert.match(res.text, new RegExp(`href="/products/${p.lathe}"`));
    });

    it('results: bad parameters give a friendly message on the page with a 422', async () => {
      for (const [qs, label] of [
        ['pageSize=1000', '每页条数'],
        ['priceMin=abc', '最低价'],
        ['level=foo', '认定级别'],
        [`q=${'a'.repeat(10000)}`, '搜索词'],
      ]) {
        const res = await t.http.get(`/products?${qs}`);
        assert.equal(res.status, 422, qs);
        assert.match(res.type, /html/, qs);
        assert.match(res.text, /class="alert alert-error" role="alert"/, qs);
        assert.ok(res.text.includes(label), `${qs}: ${label}`);
        assert.doesNotMatch(res.text, /validation\.|undefined|\[object Object\]/, qs);
      }
    });

    it('results: pagination links keep the filters', async () => {
      const res = await t.http.get('/products?pageSize=1&kind=equipment&badge=first_unit');
      assert.equal(res.status, 200);
      const none = await t.http.get('/products?pageSize=1&page=2');
      assert.equal(none.status, 200);
      assert.ok(hrefs(none.text).includes('/products?pageSize=1&page=3'), 'next page');
      assert.ok(hrefs(none.text).includes('/products?pageSize=1&page=1'), 'previous page');
      const filtered = hrefs(res.text);
      assert.ok(filtered.includes('/products?pageSize=1&kind=equipment&badge=first_unit&page=2'), filtered.join(' '));
    });

    it('results: a field or city given by its code selects the right option', async () => {
      const res = await t.http.get('/products?field=cnc_machine_tools&city=hangzhou');
      assert.equal(res.status, 200);
      assert.match(res.text, /<option value="数控机床" selected>/);
      assert.match(res.text, /<option value="杭州" selected>/);
      assert.match(res.text, /共 1 件产品/);
    });

    it('results: user input is escaped', async () => {
      const res = await t.http.get(`/products?q=${encodeURIComponent('<script>x</script>')}`);
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /<script>x<\/script>/);
      assert.match(res.text, /&lt;script&gt;x&lt;\/script&gt;/);
    });

    it('detail: price as ¥ and in 亿/万 form, the certificate panel and the 政府首购 mark', async () => {
      const res = await t.http.get(`/products/${p.lathe}`);
      assert.equal(res.status, 200);
      assert.match(res.text, /<h1[^>]*>高速精密数控机床<\/h1>/);
      assert.ok(res.text.includes('¥118,000,000.00'));
      assert.ok(res.text.includes('1.18亿元'));
      assert.ok(res.text.includes('ZJSTT-2020-0001'));
      assert.ok(res.text.includes('国际首台（套）'));
      assert.ok(res.text.includes('2099-12-31'));
      assert.ok(res.text.includes('定位精度 ≤ 0.005 mm'));
      assert.ok(res.text.includes('可申请政府首购'));
      const ct = await t.http.get(`/products/${p.ct}`);
      assert.ok(ct.text.includes('1120万元'));
      assert.ok(!ct.text.includes('可申请政府首购'), 'a certificate past its end date gives no mark');
      const old = await t.http.get(`/products/${p.old}`);
      assert.ok(!old.text.includes('可申请政府首购'), 'an expired certificate gives no mark');
      const boutique = await t.http.get(`/products/${p.boutique}`);
      assert.ok(!boutique.text.includes('可申请政府首购'));
      assert.ok(boutique.text.includes('¥12,345.67'));
      assert.ok(boutique.text.includes('1.23万元'));
      assert.ok(boutique.text.includes('&lt;script&gt;'), 'the description is escaped');
    });

    it('detail: 404 page in Chinese for a pending product and for a bad id', async () => {
      for (const path of [`/products/${p.pending}`, '/products/abc']) {
        const res = await t.http.get(path);
        assert.equal(res.status, 404, path);
        assert.match(res.type, /html/);
        assert.match(res.text, /页面不存在/);
        assert.match(res.text, /<html lang="zh-CN">/);
      }
    });

    it('any unknown page is a Chinese 404 page; an unknown API path is JSON', async () => {
      const page = await t.http.get('/no/such/page');
      assert.equal(page.status, 404);
      assert.match(page.text, /页面不存在/);
      assert.match(page.text, /返回首页/);
      const api = await t.http.get('/api/v1/no-such-thing');
      assert.equal(api.status, 404);
      assert.equal(api.body.error.code, 'not_found');
    });

    it('certificate lookup: the form, a valid, an expired and a revoked certificate, an unknown one', async () => {
      const form = await t.http.get('/certificates');
      assert.equal(form.status, 200);
      assert.match(form.text, /name="certNo"/);
      const valid = await t.http.get(`/certificates?certNo=${certs.valid}`);
      assert.equal(valid.status, 200);
      assert.ok(valid.text.includes('证书有效'));
      assert.ok(valid.text.includes('杭州精机股份有限公司'));
      const expired = await t.http.get(`/certificates?certNo=${certs.expired}`);
      assert.ok(expired.text.includes('已过期'));
      const revoked = await t.http.get(`/certificates?certNo=${certs.revoked}`);
      assert.ok(revoked.text.includes('已撤销'));
      assert.ok(revoked.text.includes('企业申请撤销'));
      const unknown = await t.http.get('/certificates?certNo=ZJSTT-0000-0000');
      assert.equal(unknown.status, 404);
      assert.ok(unknown.text.includes('未找到该证书编号'));
      const tooLong = await t.http.get(`/certificates?certNo=${'X'.repeat(65)}`);
      assert.equal(tooLong.status, 422);
      assert.ok(tooLong.text.includes('证书编号'));
    });

    it('?lang=en switches to English and a cookie remembers it; Accept-Language alone does not', async () => {
      const acceptEn = await t.http.get('/').set('Accept-Language', 'en-US,en;q=0.9');
      assert.match(acceptEn.text, /<html lang="zh-CN">/);
      const en = await t.http.get('/?lang=en');
      assert.match(en.text, /<html lang="en">/);
      assert.match(en.text, /Browse by field/);
      const cookie = (en.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lang=en'));
      assert.ok(cookie, 'lang cookie set');
      const later = await t.http.get(`/products/${p.lathe}`).set('Cookie', 'lang=en');
      assert.match(later.text, /<html lang="en">/);
      assert.match(later.text, /Eligible for government first purchase/);
      assert.match(later.text, /Key technical indicators/);
      const back = await t.http.get('/?lang=zh-CN').set('Cookie', 'lang=en');
      assert.match(back.text, /<html lang="zh-CN">/);
      const notFound = await t.http.get('/nowhere').set('Cookie', 'lang=en');
      assert.match(notFound.text, /Page not found/);
      const bogus = await t.http.get('/?lang=fr');
      assert.match(bogus.text, /<html lang="zh-CN">/);
    });

    it('the language switch link keeps the current page and query', async () => {
      const res = await t.http.get(`/products?q=CT&level=domestic`);
      assert.ok(hrefs(res.text).includes('/products?q=CT&level=domestic&lang=en'), hrefs(res.text).join(' '));
    });

    it('an anonymous visitor browsing the catalogue gets no session (no cookie, no row)', async () => {
      for (const path of ['/', `/products?q=${encodeURIComponent('机床')}`, `/products/${p.lathe}`, `/certificates?certNo=${certs.valid}`, '/nowhere']) {
        const res = await t.http.get(path);
        const cookies = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
        assert.deepEqual(cookies.filter((c) => c.startsWith('fum_sid=')), [], path);
      }
      const rows = await ctx.db('sessions').count<{ n: number }[]>({ n: '*' });
      assert.equal(Number(rows[0].n), 0);
    });

    it('a page reused for anonymous visitors changes as soon as the data under it does', async () => {
      const first = await t.http.get(`/products/${p.boutique}`);
      assert.ok(first.text.includes('¥12,345.67'));
      await ctx.db('products').where({ id: p.boutique }).update({ price_fen: 2_000_000, stock: 4 });
      const again = await t.http.get(`/products/${p.boutique}`);
      assert.ok(again.text.includes('¥20,000.00'), 'new price');
      const api = await t.http.get(`/api/v1/products/${p.boutique}`);
      assert.equal(api.body.price, '20000.00');
      assert.equal(api.body.stock, 4);
      const list = await t.http.get('/api/v1/products?badge=boutique');
      assert.equal(list.body.items[0].price, '20000.00');
      await ctx.db('products').where({ id: p.boutique }).update({ price_fen: 1_234_567, stock: 10 });
      assert.ok((await t.http.get(`/products/${p.boutique}`)).text.includes('¥12,345.67'));
    });

    it('a signed-in purchaser gets a page of their own, and it never reaches anonymous visitors', async () => {
      const unit = await makePurchaser(ctx.db);
      const user = await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id });
      const auth = await bearer(t.http, user.username);
      await t.http.get(`/products/${p.lathe}`); // an anonymous view first, so a reusable copy exists
      const own = await t.http.get(`/products/${p.lathe}`).set('Authorization', auth);
      assert.equal(own.status, 200);
      assert.ok(own.text.includes('class="whoami"'), 'the purchaser sees who is signed in');
      const anonymous = await t.http.get(`/products/${p.lathe}`);
      assert.ok(!anonymous.text.includes('class="whoami"'), 'the anonymous copy has no signed-in header');
    });

    it('signed-in pages kept per role: a purchaser sees the buy form on every view, a vendor never; a refused search is never kept', async () => {
      const unit = await makePurchaser(ctx.db);
      const buyer = await bearer(t.http, (await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id })).username);
      const seller = await bearer(t.http, (await makeUser(ctx.db, { role: 'vendor', vendor_id: (await makeVendor(ctx.db)).id })).username);
      for (let i = 0; i < 2; i++) {
        const mine = await t.http.get(`/products/${p.boutique}`).set('Authorization', buyer);
        assert.ok(mine.text.includes('action="/cart/items"'), `the purchaser's view ${i + 1} has the buy form`);
        const theirs = await t.http.get(`/products/${p.boutique}`).set('Authorization', seller);
        assert.equal(theirs.status, 200);
        assert.ok(!theirs.text.includes('action="/cart/items"'), `the vendor's view ${i + 1} has none`);
      }
      for (let i = 0; i < 2; i++) {
        const refused = await t.http.get('/products?sort=nonsense').set('Authorization', buyer);
        assert.equal(refused.status, 422, `view ${i + 1} of a refused search is refused again`);
      }
    });

    it('serves the stylesheet', async () => {
      const res = await t.http.get('/static/style.css');
      assert.equal(res.status, 200);
      assert.match(res.type, /css/);
    });
  });
});
