import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makeCert, makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';

describe('admin review queues', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asAdmin: string;
  let admin: Agent;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const ad = await makeUser(ctx.db, { role: 'admin' });
    asAdmin = await bearer(t.http, ad.username);
    admin = await loginAgent(t.app, ad.username);
  });

  it('a registered vendor cannot log in until approved; approval activates the account', async () => {
    const reg = await t.http.post('/api/v1/vendors').send({
      enterpriseName: '宁波首台装备有限公司',
      creditCode: creditCode(7001),
      city: 'ningbo',
      contact: '李四 0574-8888',
      username: 'nbvendor',
      password: 'correct-horse-battery',
    });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.status, 'pending');
    const dup = await t.http.post('/api/v1/vendors').send({
      enterpriseName: '另一家',
      creditCode: creditCode(7001),
      city: '宁波',
      contact: 'x',
      username: 'another',
      password: 'correct-horse-battery',
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.field, 'creditCode');
    const denied = await t.http.post('/api/v1/auth/token').send({ username: 'nbvendor', password: 'correct-horse-battery' });
    assert.equal(denied.status, 403);

    const counts = await t.http.get('/api/v1/admin/queues').set('Authorization', asAdmin);
    assert.equal(counts.body.vendors, 1);
    const page = await admin.get('/admin/vendors');
    assert.equal(page.status, 200);
    assert.match(page.text, /宁波首台装备有限公司/);
    assert.match(page.text, /class="count-badge"[^>]*>1</);
    const res = await admin.post(`/admin/vendors/${reg.body.id}/approve`).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(res.status, 302);
    const ok = await t.http.post('/api/v1/auth/token').send({ username: 'nbvendor', password: 'correct-horse-battery' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.role, 'vendor');
    const audit = await ctx.db('audit_log').where({ action: 'vendor.approve', entity_id: String(reg.body.id) }).first();
    assert.ok(audit);
  });

  it('reject a vendor needs a reason (JSON 422; page shows it) and a second decision is a 409', async () => {
    const v = await makeVendor(ctx.db, { status: 'pending' });
    const noReason = await t.http.post(`/api/v1/admin/vendors/${v.id}/reject`).set('Authorization', asAdmin).send({ reason: ' ' });
    assert.equal(noReason.status, 422);
    assert.equal(noReason.body.error.field, 'reason');
    const rej = await t.http.post(`/api/v1/admin/vendors/${v.id}/reject`).set('Authorization', asAdmin).send({ reason: '信用代码与营业执照不符' });
    assert.equal(rej.status, 200);
    assert.equal(rej.body.status, 'rejected');
    assert.equal((await t.http.post(`/api/v1/admin/vendors/${v.id}/reject`).set('Authorization', asAdmin).send({ reason: 'again' })).status, 409);
  });

  it('listing review pages: queue, detail, approve with CSRF, reject with a reason', async () => {
    const v = await makeVendor(ctx.db);
    const cert = await makeCert(ctx.db, v);
    const p1 = await makeProduct(ctx.db, v, { cert, status: 'pending_review', title: '血液透析用中空纤维膜自动纺丝线' });
    const p2 = await makeProduct(ctx.db, v, { cert, status: 'pending_review', title: '全自动流式荧光化学发光一体化分析系统' });
    const queue = await admin.get('/admin/products');
    assert.equal(queue.status, 200);
    assert.match(queue.text, /血液透析用中空纤维膜自动纺丝线/);
    const detail = await admin.get(`/admin/products/${p1.id}`);
    assert.equal(detail.status, 200);
    const noToken = await admin.post(`/admin/products/${p1.id}/approve`).type('form').send({});
    assert.equal(noToken.status, 403);
    const ok = await admin.post(`/admin/products/${p1.id}/approve`).type('form').send({ _csrf: csrfOf(detail.text) });
    assert.equal(ok.status, 302);
    assert.equal((await ctx.db('products').where({ id: p1.id }).first()).status, 'approved');
    const d2 = await admin.get(`/admin/products/${p2.id}`);
    // No reason: the same page again, saying which field (422), nothing written.
    const blank = await admin.post(`/admin/products/${p2.id}/reject`).type('form').send({ _csrf: csrfOf(d2.text), reason: ' ' });
    assert.equal(blank.status, 422);
    // Beside the reason field itself, marked invalid, not in a banner far above it.
    assert.match(blank.text, /id="reject-reason"[^>]*aria-invalid="true"/);
    assert.match(blank.text, /<span id="reject-reason-err" class="field-error">[^<]*必填<\/span>/);
    assert.doesNotMatch(blank.text, /<p class="alert alert-error" role="alert">/);
    assert.equal((await ctx.db('products').where({ id: p2.id }).first()).status, 'pending_review');
    // Approving the approved listing again: the conflict said on its page (409).
    const twice = await admin.post(`/admin/products/${p1.id}/approve`).type('form').send({ _csrf: csrfOf(detail.text) });
    assert.equal(twice.status, 409);
    assert.match(twice.text, /alert-error/);
    const rej = await admin.post(`/admin/products/${p2.id}/reject`).type('form').send({ _csrf: csrfOf(blank.text), reason: '缺少检测报告' });
    assert.equal(rej.status, 302);
    const after = await admin.get(`/admin/products/${p2.id}`);
    assert.match(after.text, /缺少检测报告/);
    for (const path of ['/admin', '/admin/products?status=approved', '/admin/vendors?status=rejected']) assert.equal((await admin.get(path)).status, 200, path);
  });

  it('a listing whose certificate was revoked meanwhile cannot be approved (409)', async () => {
    const v = await makeVendor(ctx.db);
    const cert = await makeCert(ctx.db, v, { status: 'revoked' });
    const p = await makeProduct(ctx.db, v, { cert, status: 'pending_review' });
    const res = await t.http.post(`/api/v1/admin/products/${p.id}/approve`).set('Authorization', asAdmin);
    assert.equal(res.status, 409);
  });
});
