import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';

describe('vendor listings API', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let vendorA: Awaited<ReturnType<typeof makeVendor>>;
  let vendorB: Awaited<ReturnType<typeof makeVendor>>;
  let certA: Awaited<ReturnType<typeof makeCert>>;
  let certB: Awaited<ReturnType<typeof makeCert>>;
  let asA: string;
  let asB: string;
  let asPurchaser: string;
  let asAdmin: string;

  const listing = (over: Record<string, unknown> = {}) => ({
    certNo: certA.cert_no,
    title: '五轴数控卧式侧拉床',
    model: 'LC-5X',
    description: '用于汽车零部件加工',
    price: '1180000.00',
    unit: '台',
    stock: 3,
    ...over,
  });

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    vendorA = await makeVendor(ctx.db, { city: '宁波' });
    vendorB = await makeVendor(ctx.db, { city: '温州' });
    certA = await makeCert(ctx.db, vendorA, { level: 'domestic', field: '数控机床' });
    certB = await makeCert(ctx.db, vendorB);
    const ua = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorA.id });
    const ub = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorB.id });
    const p = await makePurchaser(ctx.db);
    const up = await makeUser(ctx.db, { role: 'purchaser', purchaser_id: p.id });
    const ad = await makeUser(ctx.db, { role: 'admin' });
    asA = await bearer(t.http, ua.username);
    asB = await bearer(t.http, ub.username);
    asPurchaser = await bearer(t.http, up.username);
    asAdmin = await bearer(t.http, ad.username);
  });

  describe('POST /api/v1/vendor/products', () => {
    it('401 without identity', async () => {
      const res = await t.http.post('/api/v1/vendor/products').send(listing());
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'unauthenticated');
    });

    it('403 for a purchaser or an admin', async () => {
      for (const who of [asPurchaser, asAdmin]) {
        const res = await t.http.post('/api/v1/vendor/products').set('Authorization', who).send(listing());
        assert.equal(res.status, 403);
      }
    });

    it('422 naming the field for bad money, a missing title, a negative stock', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ price: 1180000 }, 'price'],
        [{ price: '1e3' }, 'price'],
        [{ price: '12.345' }, 'price'],
        [{ price: '-1' }, 'price'],
        [{ price: '' }, 'price'],
        [{ price: '0' }, 'price'],
        [{ price: '0.00' }, 'price'],
        [{ title: '' }, 'title'],
        [{ stock: -1 }, 'stock'],
        [{ stock: 1.5 }, 'stock'],
        [{ certNo: undefined, boutique: false }, 'certNo'],
        [{ certNo: undefined, boutique: true, field: 'nonsense' }, 'field'],
      ];
      for (const [over, field] of cases) {
        const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asA).send(listing(over));
        assert.equal(res.status, 422, JSON.stringify(over));
        assert.equal(res.body.error.field, field, JSON.stringify(over));
      }
      const n = await ctx.db('products').count<{ n: number }[]>({ n: '*' }).first();
      assert.equal(Number(n?.n), 0, 'nothing written');
      const free = await t.http.post('/api/v1/vendor/products').set('Authorization', asA).send(listing({ price: '0' }));
      assert.equal(free.body.error.message, '单价：须大于 0');
    });

    it("422 on certNo for another vendor's certificate, an unknown one, a revoked or expired one", async () => {
      const revoked = await makeCert(ctx.db, vendorA, { status: 'revoked' });
      const expired = await makeCert(ctx.db, vendorA, { valid_until: '2026-03-01' });
      for (const certNo of [certB.cert_no, 'NO-SUCH-CERT', revoked.cert_no, expired.cert_no]) {
        const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asA).send(listing({ certNo }));
        assert.equal(res.status, 422, certNo);
        assert.equal(res.body.error.field, 'certNo');
        assert.match(res.body.error.message, new RegExp(certNo));
      }
    });

    it('201 pending_review, with the certificate’s level, kind and field and the vendor’s city', async () => {
      const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asA).send(listing());
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['id', 'status']);
      assert.equal(res.body.status, 'pending_review');
      const row = await ctx.db('products').where({ id: res.body.id }).first();
      assert.equal(row.price_fen, 118000000);
      assert.equal(row.level, 'domestic');
      assert.equal(row.field, '数控机床');
      assert.equal(row.kind, 'equipment');
      assert.equal(row.city, '宁波');
      assert.match(row.search_text, /五轴数控卧式侧拉床 lc-5x/);
      const audit = await ctx.db('audit_log').where({ entity: 'product', entity_id: String(res.body.id), action: 'product.create' }).first();
      assert.ok(audit, 'audited');
      // not public until approved
      assert.equal((await t.http.get(`/api/v1/products/${res.body.id}`)).status, 404);
    });

    it('201 for a boutique item without a certificate (field named)', async () => {
      const res = await t.http
        .post('/api/v1/vendor/products')
        .set('Authorization', asA)
        .send(listing({ certNo: undefined, boutique: true, field: 'intelligent_equipment', price: '1234.5' }));
      assert.equal(res.status, 201);
      const row = await ctx.db('products').where({ id: res.body.id }).first();
      assert.equal(row.level, null);
      assert.equal(row.field, '智能装备');
      assert.equal(row.price_fen, 123450);
    });

    it('a boutique item that names no field (API.md `field?`) is listed in the vendor’s own field; a vendor with no listing or certificate is told to name one (422 field)', async () => {
      const vendorC = await makeVendor(ctx.db, { city: '台州' });
      await makeCert(ctx.db, vendorC, { field: '高端医疗装备' });
      const asC = await bearer(t.http, (await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorC.id })).username);
      const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asC).send(listing({ certNo: undefined, boutique: true }));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal((await ctx.db('products').where({ id: res.body.id }).first()).field, '高端医疗装备', 'its certificates’ field');
      const again = await t.http.post('/api/v1/vendor/products').set('Authorization', asC).send(listing({ certNo: undefined, boutique: true, title: '第二件精品' }));
      assert.equal((await ctx.db('products').where({ id: again.body.id }).first()).field, '高端医疗装备', 'now its listings’ field');
      const vendorD = await makeVendor(ctx.db, { city: '丽水' });
      const asD = await bearer(t.http, (await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorD.id })).username);
      const none = await t.http.post('/api/v1/vendor/products').set('Authorization', asD).send(listing({ certNo: undefined, boutique: true }));
      assert.equal(none.status, 422, JSON.stringify(none.body));
      assert.equal(none.body.error.field, 'field');
      assert.equal(await ctx.db('products').where({ vendor_id: vendorD.id }).count({ n: '*' }).first().then((r) => Number(r?.n)), 0, 'nothing written');
    });
  });

  describe('PATCH /api/v1/vendor/products/:id and review', () => {
    let id: number;
    before(async () => {
      const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asA).send(listing({ title: '智能遥控中深孔钻机' }));
      id = res.body.id;
    });

    it('401, 403 for another vendor (no data), 404 for an unknown id, 422 for bad input', async () => {
      assert.equal((await t.http.patch(`/api/v1/vendor/products/${id}`).send({ stock: 1 })).status, 401);
      const other = await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asB).send({ stock: 1 });
      assert.equal(other.status, 403);
      assert.equal(other.body.title, undefined);
      assert.equal((await t.http.get(`/api/v1/vendor/products/${id}`).set('Authorization', asB)).status, 403);
      assert.equal((await t.http.patch('/api/v1/vendor/products/999999').set('Authorization', asA).send({ stock: 1 })).status, 404);
      const bad = await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asA).send({ price: 12 });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, 'price');
      assert.equal((await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asA).send({})).status, 422);
    });

    it('the admin approves; then price and stock apply at once and the listing stays public', async () => {
      assert.equal((await t.http.post(`/api/v1/admin/products/${id}/approve`)).status, 401);
      assert.equal((await t.http.post(`/api/v1/admin/products/${id}/approve`).set('Authorization', asA)).status, 403);
      const ok = await t.http.post(`/api/v1/admin/products/${id}/approve`).set('Authorization', asAdmin);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.status, 'approved');
      assert.equal((await t.http.post(`/api/v1/admin/products/${id}/approve`).set('Authorization', asAdmin)).status, 409);
      assert.equal((await t.http.get(`/api/v1/products/${id}`)).status, 200);
      const res = await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asA).send({ price: '990000', stock: 7 });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'approved');
      assert.equal(res.body.price, '990000.00');
      assert.equal(res.body.stock, 7);
      const pub = await t.http.get(`/api/v1/products/${id}`);
      assert.equal(pub.body.price, '990000.00');
    });

    it('changing the title sends it back to review (and out of the catalogue)', async () => {
      const res = await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asA).send({ title: '智能遥控中深孔钻机 II' });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'pending_review');
      assert.equal((await t.http.get(`/api/v1/products/${id}`)).status, 404);
    });

    it('reject needs a reason; the vendor sees it; an edit resubmits', async () => {
      const noReason = await t.http.post(`/api/v1/admin/products/${id}/reject`).set('Authorization', asAdmin).send({});
      assert.equal(noReason.status, 422);
      assert.equal(noReason.body.error.field, 'reason');
      const rej = await t.http.post(`/api/v1/admin/products/${id}/reject`).set('Authorization', asAdmin).send({ reason: '型号与证书不一致' });
      assert.equal(rej.status, 200);
      const mine = await t.http.get('/api/v1/vendor/products').set('Authorization', asA);
      const item = mine.body.items.find((i: { id: number }) => i.id === id);
      assert.equal(item.status, 'rejected');
      assert.equal(item.reviewReason, '型号与证书不一致');
      const again = await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asA).send({ model: 'ZK-100' });
      assert.equal(again.body.status, 'pending_review');
      assert.equal(again.body.reviewReason, null);
    });

    it("GET /api/v1/vendor/products lists only the caller's own listings", async () => {
      await makeProduct(ctx.db, vendorB);
      const mine = await t.http.get('/api/v1/vendor/products').set('Authorization', asA);
      assert.equal(mine.status, 200);
      assert.ok(mine.body.items.length >= 1);
      assert.ok(mine.body.items.every((i: { vendor: { id: number } }) => i.vendor.id === vendorA.id));
      assert.equal(mine.body.total, mine.body.items.length);
    });

    it('delist, then relist goes back to review', async () => {
      const d = await t.http.post(`/api/v1/vendor/products/${id}/delist`).set('Authorization', asA);
      assert.equal(d.body.status, 'delisted');
      assert.equal((await t.http.post(`/api/v1/vendor/products/${id}/delist`).set('Authorization', asA)).status, 409);
      assert.equal((await t.http.post(`/api/v1/vendor/products/${id}/relist`).set('Authorization', asB)).status, 403);
      const r = await t.http.post(`/api/v1/vendor/products/${id}/relist`).set('Authorization', asA);
      assert.equal(r.body.status, 'pending_review');
    });
  });

  it('GET /api/v1/vendor/certifications: only certificates issued to the vendor’s credit code', async () => {
    const res = await t.http.get('/api/v1/vendor/certifications').set('Authorization', asA);
    assert.equal(res.status, 200);
    assert.ok(res.body.items.length >= 1);
    assert.ok(res.body.items.every((c: { creditCode: string }) => c.creditCode === vendorA.credit_code));
    assert.ok(!res.body.items.some((c: { certNo: string }) => c.certNo === certB.cert_no));
    assert.equal((await t.http.get('/api/v1/vendor/certifications').set('Authorization', asPurchaser)).status, 403);
    assert.equal((await t.http.get('/api/v1/vendor/certifications')).status, 401);
  });

  it('GET /api/v1/vendor/certifications is a list page: total, page, pageSize, the registry’s filters', async () => {
    for (let i = 0; i < 2; i++) await makeCert(ctx.db, vendorA, { status: 'revoked' });
    const all = await t.http.get('/api/v1/vendor/certifications').set('Authorization', asA);
    assert.deepEqual(Object.keys(all.body).sort(), ['items', 'page', 'pageSize', 'total']);
    assert.equal(all.body.page, 1);
    assert.equal(all.body.pageSize, 20);
    assert.equal(all.body.total, all.body.items.length);
    const own = await ctx.db('certifications').where({ credit_code: vendorA.credit_code }).orderBy([{ column: 'year', order: 'desc' }, 'cert_no']);
    assert.equal(all.body.total, own.length);
    assert.ok(own.length >= 3);
    const second = await t.http.get(`/api/v1/vendor/certifications?page=2&pageSize=1`).set('Authorization', asA);
    assert.equal(second.status, 200);
    assert.equal(second.body.total, own.length);
    assert.deepEqual(second.body.items.map((c: { certNo: string }) => c.certNo), own.slice(1, 2).map((c) => c.cert_no));
    const valid = await t.http.get('/api/v1/vendor/certifications?status=valid').set('Authorization', asA);
    assert.ok(valid.body.items.length >= 1);
    assert.ok(valid.body.items.every((c: { status: string }) => c.status === 'valid'));
    assert.equal(valid.body.total, own.filter((c) => c.status === 'valid').length);
    // Another vendor's certificate number as a search finds nothing.
    const theirs = await t.http.get(`/api/v1/vendor/certifications?q=${encodeURIComponent(certB.cert_no)}`).set('Authorization', asA);
    assert.equal(theirs.body.total, 0);
    const bad = await t.http.get('/api/v1/vendor/certifications?pageSize=101').set('Authorization', asA);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'pageSize');
  });
});
