import assert from 'node:assert/strict';
import { isPostgres } from '../../src/db';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { loginAgent, type Agent } from '../helpers/session';

describe('audit log pages and verify', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asAdmin: string;
  let asVendor: string;
  let admin: Agent;
  let adminName: string;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const ad = await makeUser(ctx.db, { role: 'admin' });
    adminName = ad.username;
    const v = await makeVendor(ctx.db);
    const uv = await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id });
    asAdmin = await bearer(t.http, ad.username);
    asVendor = await bearer(t.http, uv.username);
    admin = await loginAgent(t.app, ad.username);
    const cert = await makeCert(ctx.db, v);
    const p = await makeProduct(ctx.db, v, { cert, status: 'pending_review' });
    await t.http.post(`/api/v1/admin/products/${p.id}/approve`).set('Authorization', asAdmin);
    await t.http.post(`/api/v1/admin/certifications/${cert.id}/revoke`).set('Authorization', asAdmin).send({ reason: '测试撤销' });
  });

  it('JSON: 401, 403 for a vendor, filters by entity, action, actor and day', async () => {
    assert.equal((await t.http.get('/api/v1/admin/audit')).status, 401);
    assert.equal((await t.http.get('/api/v1/admin/audit').set('Authorization', asVendor)).status, 403);
    const all = await t.http.get('/api/v1/admin/audit').set('Authorization', asAdmin);
    assert.equal(all.status, 200);
    assert.ok(all.body.total >= 3);
    const revokes = await t.http.get('/api/v1/admin/audit?entity=certification&action=certification.revoke').set('Authorization', asAdmin);
    assert.equal(revokes.body.total, 1);
    assert.deepEqual(revokes.body.items[0].after, { status: 'revoked', revoked_reason: '测试撤销' });
    assert.equal(revokes.body.items[0].actor.name, adminName);
    const byActor = await t.http.get(`/api/v1/admin/audit?actor=${adminName}`).set('Authorization', asAdmin);
    assert.ok(byActor.body.items.every((i: { actor: { name: string } }) => i.actor.name === adminName));
    // 2026-03-02T02:00Z is 10:00 on 2 March in Shanghai
    assert.ok((await t.http.get('/api/v1/admin/audit?from=2026-03-02&to=2026-03-02').set('Authorization', asAdmin)).body.total >= 3);
    assert.equal((await t.http.get('/api/v1/admin/audit?from=2026-03-03').set('Authorization', asAdmin)).body.total, 0);
    const bad = await t.http.get('/api/v1/admin/audit?from=2026-03-05&to=2026-03-01').set('Authorization', asAdmin);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'to');
  });

  it('pages: the log with filters, and the verify page', async () => {
    const page = await admin.get('/admin/audit?entity=product');
    assert.equal(page.status, 200);
    assert.match(page.text, /product\.approve/);
    assert.doesNotMatch(page.text, /certification\.revoke<\/code>/);
    const verify = await admin.get('/admin/audit/verify');
    assert.equal(verify.status, 200);
    assert.match(verify.text, /哈希链完整/);
  });

  it('pages for people (issue 18 item 7): names, actions in words, money in yuan, Shanghai times, the raw record behind <details>', async () => {
    const vendor = await ctx.db('vendors').first();
    const unitId = (await makePurchaser(ctx.db, { name: '审计测试医院' })).id;
    await t.http.post('/api/v1/admin/budgets').set('Authorization', asAdmin).send({ purchaserId: unitId, amount: '1880000' });
    const page = await admin.get('/admin/audit');
    assert.equal(page.status, 200);
    const text = page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(text, /产品审核通过/);
    assert.match(text, /撤销认定证书/);
    assert.match(text, /下达预算/);
    assert.match(text, /¥1,880,000\.00/);
    // The listing's and the certificate's names, not only their ids; the admin's name.
    const product = await ctx.db('products').first('title');
    assert.match(text, new RegExp(product.title));
    assert.match(text, new RegExp(adminName));
    // Times in Shanghai: the approval at 10:00 (02:00Z).
    assert.match(text, /2026-03-02 10:00/);
    // The raw record one click away, and no amount_fen shown as such outside it.
    assert.match(page.text, /<details class="audit-raw">/);
    const outsideRaw = page.text.replace(/<details class="audit-raw">[\s\S]*?<\/details>/g, '');
    assert.doesNotMatch(outsideRaw, /amount_fen|amountFen/);
    assert.ok(vendor);
    const en = await admin.get('/admin/audit?lang=en');
    assert.match(en.text, /Listing approved/);
    assert.match(en.text, /Budget allocated/);
    await admin.get('/admin/audit?lang=zh-CN');
  });

  it('verify names the first edited record', async () => {
    const ok = await t.http.get('/api/v1/admin/audit/verify').set('Authorization', asAdmin);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    const rows = await ctx.db('audit_log').orderBy('id').select('id');
    const victim = rows[1].id;
    // Tampering needs the append-only trigger out of the way first — which is what verify is for.
    if (isPostgres(ctx.db)) await ctx.db.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable');
    else await ctx.db.raw('DROP TRIGGER audit_log_no_update');
    await ctx.db('audit_log').where({ id: victim }).update({ after: '{"status":"approved","note":"edited"}' });
    const broken = await t.http.get('/api/v1/admin/audit/verify').set('Authorization', asAdmin);
    assert.equal(broken.body.ok, false);
    assert.equal(broken.body.firstBadRecord, victim);
    const page = await admin.get('/admin/audit/verify');
    assert.match(page.text, new RegExp(`第 ${victim} 号记录`));
  });
});
