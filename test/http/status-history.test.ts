import assert from 'node:assert/strict';
import type { Db } from '../../src/db';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makeCert, makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';

/**
 * Listings, vendors and certificates change status only through their tables (vendors/transitions.ts,
 * certification/transitions.ts): every change leaves one history row (who, which step, from and to, the reason) in
 * the same transaction; a step from a wrong state is a 409 and writes nothing at all.
 */

type Table = 'product_history' | 'vendor_history' | 'certificate_history';
const KEY: Record<Table, string> = { product_history: 'product_id', vendor_history: 'vendor_id', certificate_history: 'certification_id' };

const historyOf = (db: Db, table: Table, id: number) => db(table).where(KEY[table], id).orderBy('id');

/** What a refused step must leave untouched: the object's row, its history, the audit log. */
async function snapshot(db: Db, table: 'products' | 'vendors' | 'certifications', history: Table, id: number) {
  const [row, rows, audit] = await Promise.all([db(table).where({ id }).first(), historyOf(db, history, id), db('audit_log').count<{ n: number }[]>({ n: '*' }).first()]);
  return { row, rows, audit: Number(audit?.n ?? 0) };
}

describe(`status history of listings, vendors and certificates (${ENGINE})`, function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asAdmin: string;
  let adminId: number;
  let admin: Agent;
  let adminName: string;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const ad = await makeUser(ctx.db, { role: 'admin' });
    adminId = ad.id;
    adminName = ad.username;
    asAdmin = await bearer(t.http, ad.username);
    admin = await loginAgent(t.app, ad.username);
  });

  it('a listing: submitted, rejected with a reason, resubmitted by an edit, delisted, relisted, approved — one row each', async () => {
    const vendor = await makeVendor(ctx.db);
    const cert = await makeCert(ctx.db, vendor);
    const seller = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendor.id });
    const asSeller = await bearer(t.http, seller.username);

    const created = await t.http
      .post('/api/v1/vendor/products')
      .set('Authorization', asSeller)
      .send({ certNo: cert.cert_no, title: '历史记录测试机', model: 'H-1', description: '', price: '100.00', unit: '台', stock: 1 });
    assert.equal(created.status, 201);
    const id = created.body.id as number;

    const rejected = await t.http.post(`/api/v1/admin/products/${id}/reject`).set('Authorization', asAdmin).send({ reason: '参数与证书不符' });
    assert.equal(rejected.status, 200);
    assert.equal((await t.http.patch(`/api/v1/vendor/products/${id}`).set('Authorization', asSeller).send({ model: 'H-2' })).body.status, 'pending_review');
    assert.equal((await t.http.post(`/api/v1/vendor/products/${id}/delist`).set('Authorization', asSeller)).status, 200);
    assert.equal((await t.http.post(`/api/v1/vendor/products/${id}/relist`).set('Authorization', asSeller)).status, 200);
    const page = await admin.get(`/admin/products/${id}`);
    const approved = await admin.post(`/admin/products/${id}/approve`).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(approved.status, 302);

    const rows = await historyOf(ctx.db, 'product_history', id);
    assert.deepEqual(
      rows.map((r) => [r.action, r.from_status, r.to_status, r.actor_id, r.note]),
      [
        ['create', null, 'pending_review', seller.id, null],
        ['reject', 'pending_review', 'rejected', adminId, '参数与证书不符'],
        ['resubmit', 'rejected', 'pending_review', seller.id, null],
        ['delist', 'pending_review', 'delisted', seller.id, null],
        ['relist', 'delisted', 'pending_review', seller.id, null],
        ['approve', 'pending_review', 'approved', adminId, null],
      ],
    );
    assert.ok(rows.every((r) => typeof r.at === 'string' && r.at.length > 0));

    // The admin's detail, JSON and page: the listing as API.md has it, and its history beside.
    const detail = await t.http.get(`/api/v1/admin/products/${id}`).set('Authorization', asAdmin);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.status, 'approved');
    assert.equal(detail.body.title, '历史记录测试机');
    assert.deepEqual(
      detail.body.history.map((h: { action: string; from: string | null; to: string; note: string | null }) => [h.action, h.from, h.to, h.note]),
      rows.map((r) => [r.action, r.from_status, r.to_status, r.note]),
    );
    assert.match(detail.body.history[1].actor, /admin/);
    assert.match(detail.body.history[1].at, /^\d{4}-\d\d-\d\dT/);
    const shown = await admin.get(`/admin/products/${id}`);
    assert.match(shown.text, /状态记录/);
    assert.match(shown.text, /状态记录[\s\S]*驳回[\s\S]*参数与证书不符/);
  });

  it('a listing step from a wrong state is a 409 in the old words and writes nothing (JSON and page)', async () => {
    const vendor = await makeVendor(ctx.db);
    const seller = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendor.id });
    const asSeller = await bearer(t.http, seller.username);
    const approvedListing = (await makeProduct(ctx.db, vendor, { status: 'approved' })).id;
    const delisted = (await makeProduct(ctx.db, vendor, { status: 'delisted' })).id;

    const cases: Array<[string, number, string, Record<string, unknown> | undefined, RegExp]> = [
      [`/api/v1/admin/products/${approvedListing}/approve`, approvedListing, asAdmin, undefined, /不在待审核状态/],
      [`/api/v1/admin/products/${approvedListing}/reject`, approvedListing, asAdmin, { reason: '不行' }, /不在待审核状态/],
      [`/api/v1/vendor/products/${delisted}/delist`, delisted, asSeller, undefined, /已处于下架状态/],
      [`/api/v1/vendor/products/${approvedListing}/relist`, approvedListing, asSeller, undefined, /只有已下架的产品才能重新提交上架/],
    ];
    for (const [url, id, auth, body, message] of cases) {
      const before = await snapshot(ctx.db, 'products', 'product_history', id);
      const res = await t.http.post(url).set('Authorization', auth).send(body ?? {});
      assert.equal(res.status, 409, url);
      assert.equal(res.body.error.code, 'invalid_state');
      assert.match(res.body.error.message, message, url);
      assert.deepEqual(await snapshot(ctx.db, 'products', 'product_history', id), before, `${url} wrote something`);
    }

    // The page: the listing again with the reason (409), nothing written.
    const page = await admin.get(`/admin/products/${approvedListing}`);
    const before = await snapshot(ctx.db, 'products', 'product_history', approvedListing);
    const res = await admin.post(`/admin/products/${approvedListing}/reject`).type('form').send({ _csrf: csrfOf(page.text), reason: '不行' });
    assert.equal(res.status, 409);
    assert.match(res.text, /该产品不在待审核状态/);
    assert.deepEqual(await snapshot(ctx.db, 'products', 'product_history', approvedListing), before);
  });

  it('a vendor: registered, rejected with a reason, approved later — one row each; a wrong state is a 409 that writes nothing', async () => {
    const reg = await t.http.post('/api/v1/vendors').send({
      enterpriseName: '历史记录供应商有限公司',
      creditCode: creditCode(8101),
      city: '杭州',
      contact: '王五',
      username: 'histvendor',
      password: 'correct-horse-battery',
    });
    assert.equal(reg.status, 201);
    const id = reg.body.id as number;
    const user = await ctx.db('users').where({ username: 'histvendor' }).first();

    assert.equal((await t.http.post(`/api/v1/admin/vendors/${id}/reject`).set('Authorization', asAdmin).send({ reason: '营业执照不清晰' })).status, 200);
    const before = await snapshot(ctx.db, 'vendors', 'vendor_history', id);
    const again = await t.http.post(`/api/v1/admin/vendors/${id}/reject`).set('Authorization', asAdmin).send({ reason: '再次' });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /只有待审核的供应商可以驳回/);
    assert.deepEqual(await snapshot(ctx.db, 'vendors', 'vendor_history', id), before);

    const page = await admin.get('/admin/vendors?status=rejected');
    assert.equal((await admin.post(`/admin/vendors/${id}/approve`).type('form').send({ _csrf: csrfOf(page.text) })).status, 302);
    const approvedTwice = await t.http.post(`/api/v1/admin/vendors/${id}/approve`).set('Authorization', asAdmin);
    assert.equal(approvedTwice.status, 409);
    assert.match(approvedTwice.body.error.message, /该供应商已通过审核/);

    const rows = await historyOf(ctx.db, 'vendor_history', id);
    assert.deepEqual(
      rows.map((r) => [r.action, r.from_status, r.to_status, r.actor_id, r.note]),
      [
        ['register', null, 'pending', user.id, null],
        ['reject', 'pending', 'rejected', adminId, '营业执照不清晰'],
        ['approve', 'rejected', 'approved', adminId, null],
      ],
    );
    const detail = await t.http.get(`/api/v1/admin/vendors/${id}`).set('Authorization', asAdmin);
    assert.equal(detail.body.status, 'approved');
    assert.equal(detail.body.users.length, 1);
    assert.deepEqual(
      detail.body.history.map((h: { action: string; note: string | null }) => [h.action, h.note]),
      [
        ['register', null],
        ['reject', '营业执照不清晰'],
        ['approve', null],
      ],
    );
    const list = await admin.get('/admin/vendors?status=approved');
    assert.match(list.text, /历史记录供应商有限公司[\s\S]*状态记录[\s\S]*营业执照不清晰/);
  });

  it('a certificate: entered, expired, renewed by an edit, revoked with a reason (its listings delisted, each with a row); revoking again writes nothing', async () => {
    const vendor = await makeVendor(ctx.db);
    const created = await t.http.post('/api/v1/admin/certifications').set('Authorization', asAdmin).send({
      certNo: 'HIST-2026-001',
      productName: '历史证书产品',
      enterpriseName: vendor.name,
      creditCode: vendor.credit_code,
      kind: 'equipment',
      level: 'provincial',
      field: '智能装备',
      year: 2025,
      validUntil: '2026-03-31',
    });
    assert.equal(created.status, 201);
    const id = created.body.id as number;
    const listing = (await makeProduct(ctx.db, vendor, { cert: { id, cert_no: 'HIST-2026-001', level: 'provincial', kind: 'equipment', field: '智能装备' }, status: 'approved' })).id;

    t.clock.set(new Date('2026-04-02T02:00:00Z'));
    // A month on: sign in again (tokens and sessions do not last that long).
    asAdmin = await bearer(t.http, adminName);
    admin = await loginAgent(t.app, adminName);
    const expired = await t.http.post('/api/v1/admin/certifications/expire').set('Authorization', asAdmin);
    assert.equal(expired.body.expired, 1);
    const renewed = await t.http.patch(`/api/v1/admin/certifications/${id}`).set('Authorization', asAdmin).send({ validUntil: '2029-03-31' });
    assert.equal(renewed.body.status, 'valid');
    // The listing delisted by the expiry goes back to review before the revocation takes it out again.
    await ctx.db('products').where({ id: listing }).update({ status: 'approved', delist_cause: null });

    const form = await admin.get(`/admin/certifications/${id}`);
    const revoked = await admin.post(`/admin/certifications/${id}/revoke`).type('form').send({ _csrf: csrfOf(form.text), reason: '申报材料不实' });
    assert.equal(revoked.status, 302);

    const before = await snapshot(ctx.db, 'certifications', 'certificate_history', id);
    const again = await t.http.post(`/api/v1/admin/certifications/${id}/revoke`).set('Authorization', asAdmin).send({ reason: '再次撤销' });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /该证书已被撤销/);
    assert.deepEqual(await snapshot(ctx.db, 'certifications', 'certificate_history', id), before);
    const pageAgain = await admin.post(`/admin/certifications/${id}/revoke`).type('form').send({ _csrf: csrfOf(form.text), reason: '再次撤销' });
    assert.equal(pageAgain.status, 409);
    assert.deepEqual(await snapshot(ctx.db, 'certifications', 'certificate_history', id), before);

    const rows = await historyOf(ctx.db, 'certificate_history', id);
    assert.deepEqual(
      rows.map((r) => [r.action, r.from_status, r.to_status, r.actor_id, r.note]),
      [
        ['create', null, 'valid', adminId, null],
        ['expire', 'valid', 'expired', adminId, null],
        ['renew', 'expired', 'valid', adminId, null],
        ['revoke', 'valid', 'revoked', adminId, '申报材料不实'],
      ],
    );
    const listingRows = await historyOf(ctx.db, 'product_history', listing);
    assert.deepEqual(
      listingRows.map((r) => [r.action, r.from_status, r.to_status, r.actor_id, r.note]),
      [
        ['delist_by_certificate', 'approved', 'delisted', adminId, 'cert_expired'],
        ['delist_by_certificate', 'approved', 'delisted', adminId, 'cert_revoked: 申报材料不实'],
      ],
    );

    const detail = await t.http.get(`/api/v1/admin/certifications/${id}`).set('Authorization', asAdmin);
    assert.equal(detail.body.certNo, 'HIST-2026-001');
    assert.equal(detail.body.revokedReason, '申报材料不实');
    assert.deepEqual(
      detail.body.history.map((h: { action: string }) => h.action),
      ['create', 'expire', 'renew', 'revoke'],
    );
    const page = await admin.get(`/admin/certifications/${id}`);
    assert.match(page.text, /状态记录[\s\S]*撤销[\s\S]*申报材料不实/);
  });

  it('an imported certificate starts its history with the import', async () => {
    const csv = `certNo,productName,enterpriseName,creditCode,kind,level,field,year,validUntil\nHIST-IMP-1,导入产品,导入企业,${creditCode(8201)},equipment,provincial,智能装备,2026,2029-12-31\n`;
    const res = await t.http.post('/api/v1/admin/certifications/import').set('Authorization', asAdmin).attach('file', Buffer.from(csv), 'list.csv');
    assert.equal(res.status, 200);
    const cert = await ctx.db('certifications').where({ cert_no: 'HIST-IMP-1' }).first();
    assert.deepEqual(
      (await historyOf(ctx.db, 'certificate_history', cert.id)).map((r) => [r.action, r.to_status, r.actor_id]),
      [['create', 'valid', adminId]],
    );
  });
});
