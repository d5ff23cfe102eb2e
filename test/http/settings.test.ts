import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { csrfFor, loginAgent } from '../helpers/session';
import { caseBody } from '../helpers/first-purchase';

describe('the department limits government first purchases to key supported products', () => {
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: string;
  let buyer: string;
  let keyProduct: number;
  let plainProduct: number;
  let adminName: string;

  const openCase = (productId: number) =>
    t.http
      .post('/api/v1/first-purchases')
      .set('Authorization', buyer)
      .send(caseBody(productId, { projectName: '重点产品首购', budget: '5000000' }));

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const vendor = await makeVendor(ctx.db);
    const unit = await makePurchaser(ctx.db);
    adminName = (await makeUser(ctx.db, { role: 'admin' })).username;
    const buyerName = (await makeUser(ctx.db, { role: 'purchaser', purchaser_id: unit.id })).username;
    const keyCert = await makeCert(ctx.db, vendor, { field: '高端医疗装备' });
    await ctx.db('certifications').where({ id: keyCert.id }).update({ key_supported: true });
    const plainCert = await makeCert(ctx.db, vendor);
    keyProduct = (await makeProduct(ctx.db, vendor, { cert: keyCert, title: '重点支持CT' })).id;
    plainProduct = (await makeProduct(ctx.db, vendor, { cert: plainCert, title: '普通认定设备' })).id;
    admin = await bearer(t.http, adminName);
    buyer = await bearer(t.http, buyerName);
  });

  it('by default every currently certified product is eligible', async () => {
    assert.deepEqual((await t.http.get('/api/v1/admin/settings').set('Authorization', admin)).body, { firstPurchase: { keySupportedOnly: false }, keySupportedOnly: false, directPurchaseLimit: '1000000.00' });
    assert.equal((await t.http.get(`/api/v1/products/${plainProduct}`)).body.firstPurchaseEligible, true);
    assert.equal((await openCase(plainProduct)).status, 201);
  });

  it('refuses a value that is not a boolean, naming the field, and changes nothing', async () => {
    const res = await t.http.post('/api/v1/admin/settings').set('Authorization', admin).send({ keySupportedOnly: 'yes' });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.field, 'keySupportedOnly');
    assert.equal((await t.http.get('/api/v1/admin/settings').set('Authorization', admin)).body.firstPurchase.keySupportedOnly, false);
  });

  it('with the limit on, only key supported products may open a case, and the catalogue says so at once', async () => {
    const res = await t.http.post('/api/v1/admin/settings').set('Authorization', admin).send({ keySupportedOnly: true });
    assert.deepEqual(res.body, { firstPurchase: { keySupportedOnly: true }, keySupportedOnly: true, directPurchaseLimit: '1000000.00' });
    assert.equal((await t.http.get(`/api/v1/products/${plainProduct}`)).body.firstPurchaseEligible, false);
    assert.equal((await t.http.get(`/api/v1/products/${keyProduct}`)).body.firstPurchaseEligible, true);
    const refused = await openCase(plainProduct);
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.field, 'productId');
    assert.equal((await openCase(keyProduct)).status, 201);
    const audit = await ctx.db('audit_log').where({ action: 'settings.first_purchase_policy' }).orderBy('id', 'desc').first();
    assert.deepEqual(JSON.parse(audit.after), { keySupportedOnly: true });
  });

  it('the settings page turns the limit off with an unticked box (CSRF form)', async () => {
    const agent = await loginAgent(t.app, adminName);
    const page = await agent.get('/admin/settings');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="keySupportedOnly" value="on" checked/);
    const res = await agent.post('/admin/settings').type('form').send({ _csrf: await csrfFor(agent, '/admin/settings') });
    assert.equal(res.status, 302);
    assert.equal((await t.http.get(`/api/v1/products/${plainProduct}`)).body.firstPurchaseEligible, true);
    const refused = await agent.post('/admin/settings').type('form').send({ keySupportedOnly: 'on' });
    assert.equal(refused.status, 403, 'no CSRF token, no change');
  });
});
