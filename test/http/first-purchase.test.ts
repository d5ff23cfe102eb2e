import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { ACCEPTANCE, allocate, caseBody, clockedTokens, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';

type Who = keyof FpWorld['users'] | null;

function assertError(res: Response, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.type, /json/);
  assert.deepEqual(Object.keys(res.body), ['error']);
  if (code) assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

function assertFieldError(res: Response, field: string): void {
  assertError(res, 422, 'validation_failed');
  assert.equal(res.body.error.field, field, JSON.stringify(res.body));
}

/** The JSON contract of the single-source routes (API.md): each route's failures 401 → 403 → 404 → 409 → 422, then success. */
describe(`first purchase over HTTP (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;
  /** Cases in known states, opened by `purchaser` for the 64排CT. */
  const c: Record<string, number> = {};

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  async function call(method: 'get' | 'post', path: string, who: Who, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const req = t.http[method](path);
    if (who) req.set('Authorization', await token(who));
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return body === undefined ? req : req.send(body as object);
  }
  const post = (path: string, who: Who, body?: unknown, headers?: Record<string, string>) => call('post', `/api/v1/first-purchases${path}`, who, body, headers);
  const get = (path: string, who: Who) => call('get', `/api/v1/first-purchases${path}`, who);

  async function caseIn(status: string, who: Who = 'purchaser'): Promise<number> {
    at('2026-09-29T10:00:00+08:00');
    const id = (await post('', who, caseBody(w.products.ct))).body.id as number;
    if (status === 'draft') return id;
    await post(`/${id}/submit`, who);
    if (status === 'notice') return id;
    at('2026-10-13T09:00:00+08:00');
    await post(`/${id}/approve`, 'finance');
    if (status === 'approved') return id;
    await post(`/${id}/negotiate`, who, negotiation('3000000.00', { date: '2026-10-13' }));
    if (status === 'awarded') return id;
    await post(`/${id}/contract`, who, { contractNo: `HT-${id}`, signedAt: '2026-10-13' });
    if (status === 'contracted') return id;
    await post(`/${id}/accept`, who, ACCEPTANCE);
    return id;
  }

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    await allocate(ctx.db, w.unit.id, 100_000_000_00, `test:http:${ENGINE}:alloc`);
    for (const s of ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted']) c[s] = await caseIn(s);
    c.other = await caseIn('draft', 'purchaser2');
    at('2026-10-13T09:00:00+08:00');
  });

  describe('POST /api/v1/first-purchases', () => {
    it('401 without identity, 401 with a bad token', async () => {
      assertError(await post('', null, caseBody(w.products.ct)), 401, 'unauthenticated');
      const res = await t.http.post('/api/v1/first-purchases').set('Authorization', 'Bearer xxxxxxxxxxxxxxxxxxxxxxxxxxxx').send(caseBody(w.products.ct));
      assertError(res, 401, 'unauthenticated');
    });

    it('403 for a vendor and for an admin', async () => {
      assertError(await post('', 'vendor', caseBody(w.products.ct)), 403, 'forbidden');
      assertError(await post('', 'admin', caseBody(w.products.ct)), 403, 'forbidden');
    });

    it('400 for a body that is not an object', async () => {
      const res = await t.http.post('/api/v1/first-purchases').set('Authorization', await token('purchaser')).set('Content-Type', 'application/json').send('[1,2]');
      assertError(res, 400);
    });

    it('422 naming productId for a product without a valid first-unit certificate', async () => {
      for (const productId of [w.products.expired, w.products.revoked, w.products.boutique, w.products.pending, w.products.foreignCert, 999999]) {
        const res = await post('', 'purchaser', caseBody(productId));
        assertFieldError(res, 'productId');
        assert.match(res.body.error.message, new RegExp(String(productId)));
      }
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { productId: 'abc' })), 'productId');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { productId: 1.5 })), 'productId');
    });

    it('422 naming budget for money outside the API grammar: "1e3", "12.345", "-1", "", a number, zero', async () => {
      for (const budget of ['1e3', '12.345', '-1', '', 1000, '0', '0.00', ' 12', null]) {
        assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { budget })), 'budget');
      }
    });

    it('accepts "1234.5", "1234.50" and "1234" and answers money as a two-decimal string', async () => {
      for (const [budget, shown] of [['1234.5', '1234.50'], ['1234.50', '1234.50'], ['1234', '1234.00']]) {
        const res = await post('', 'purchaser', caseBody(w.products.ct, { budget }));
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const view = await get(`/${res.body.id}`, 'purchaser');
        assert.equal(view.body.budget, shown);
      }
    });

    it('422 naming the field for missing or bad text, experts and contact', async () => {
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { projectName: '' })), 'projectName');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { projectName: 'x'.repeat(201) })), 'projectName');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { reason: undefined })), 'reason');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { reason: 42 })), 'reason');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { experts: [] })), 'experts');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { experts: 'Dr Wang' })), 'experts');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { experts: [{ name: '王', unit: '某医院' }] })), 'experts.0.title');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { contact: '   ' })), 'contact');
      assertFieldError(await post('', 'purchaser', caseBody(w.products.ct, { quantity: 0 })), 'quantity');
    });

    it('201 {id, caseNo, status:"draft"} (the case\'s human number in the first answer too), with the optional project content', async () => {
      const res = await post('', 'purchaser', caseBody(w.products.ct, { projectContent: '含三年保修' }));
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['caseNo', 'id', 'status']);
      assert.equal(res.body.status, 'draft');
      assert.match(res.body.caseNo, /^ZJSS-\d{4}-\d{5}$/);
      const view = await get(`/${res.body.id}`, 'purchaser');
      assert.equal(view.body.caseNo, res.body.caseNo, 'the same number as the case shows');
      assert.equal(view.body.projectContent, '含三年保修');
      assert.equal(view.body.product.id, w.products.ct);
      assert.equal(view.body.vendor.id, w.vendor.id);
    });
  });

  describe('GET /api/v1/first-purchases/:id', () => {
    it('401 for the public', async () => {
      assertError(await get(`/${c.notice}`, null), 401);
    });

    it('403 for another purchasing unit and another vendor (not yours); 404 for an unknown id and a malformed id', async () => {
      assertError(await get(`/${c.notice}`, 'purchaser2'), 403, 'forbidden');
      assertError(await get(`/${c.notice}`, 'vendor2'), 403, 'forbidden');
      assertError(await get('/999999', 'admin'), 404, 'not_found');
      assertError(await get('/abc', 'admin'), 404, 'not_found');
      assertError(await get('/0', 'admin'), 404, 'not_found');
    });

    it('200 for the purchaser of the case, the vendor of the product and the admin, with history, objections and notices', async () => {
      for (const who of ['purchaser', 'vendor', 'admin'] as const) {
        const res = await get(`/${c.accepted}`, who);
        assert.equal(res.status, 200, who);
        assert.equal(res.body.status, 'accepted');
        for (const k of ['history', 'objections', 'notices']) assert.ok(Array.isArray(res.body[k]), k);
        assert.deepEqual(
          res.body.notices.map((n: { type: string }) => n.type),
          ['single_source', 'result', 'contract'],
        );
        assert.match(res.body.budget, /^\d+\.\d{2}$/);
        assert.match(res.body.amount, /^\d+\.\d{2}$/);
      }
    });
  });

  describe('GET /api/v1/first-purchases', () => {
    it('401 for the public; 422 for an unknown status or pageSize', async () => {
      assertError(await get('', null), 401);
      assertFieldError(await get('?status=lost', 'admin'), 'status');
      assertFieldError(await get('?pageSize=101', 'admin'), 'pageSize');
    });

    it("a purchaser sees only its own unit's cases; a vendor the cases naming its products; the admin all, by status", async () => {
      const own = await get('?pageSize=100', 'purchaser');
      assert.equal(own.status, 200);
      assert.deepEqual(Object.keys(own.body).sort(), ['items', 'page', 'pageSize', 'total']);
      assert.ok(own.body.items.length > 0);
      assert.ok(own.body.items.every((i: { purchaser: { id: number } }) => i.purchaser.id === w.unit.id));
      assert.ok(!own.body.items.some((i: { id: number }) => i.id === c.other));
      const other = await get('', 'purchaser2');
      assert.ok(other.body.items.some((i: { id: number }) => i.id === c.other));
      const vendor = await get('?pageSize=100', 'vendor');
      assert.ok(vendor.body.items.every((i: { vendor: { id: number } }) => i.vendor.id === w.vendor.id));
      assert.equal((await get('', 'vendor2')).body.total, 0);
      const drafts = await get('?status=draft&pageSize=100', 'admin');
      assert.ok(drafts.body.items.length >= 2);
      assert.ok(drafts.body.items.every((i: { status: string }) => i.status === 'draft'));
      const page2 = await get('?pageSize=1&page=2', 'admin');
      assert.equal(page2.body.items.length, 1);
      assert.equal(page2.body.page, 2);
      assert.equal(page2.body.pageSize, 1);
    });
  });

  describe('POST /:id/submit', () => {
    it('401 → 403 → 404 → 409', async () => {
      assertError(await post(`/${c.draft}/submit`, null), 401);
      assertError(await post(`/${c.draft}/submit`, 'vendor'), 403);
      assertError(await post(`/${c.draft}/submit`, 'admin'), 403);
      assertError(await post(`/${c.draft}/submit`, 'purchaser2'), 403);
      assertError(await post('/999999/submit', 'purchaser'), 404);
      const res = await post(`/${c.notice}/submit`, 'purchaser');
      assertError(res, 409, 'invalid_state');
      assert.match(res.body.error.message, /公示中/);
    });

    it('409 when the certificate lapsed after the draft was opened', async () => {
      const id = (await post('', 'purchaser', caseBody(w.products.mr))).body.id;
      const product = await ctx.db('products').where({ id: w.products.mr }).first();
      await ctx.db('certifications').where({ id: product.cert_id }).update({ status: 'revoked' });
      try {
        const res = await post(`/${id}/submit`, 'purchaser');
        assertError(res, 409);
        assert.match(res.body.error.message, /证书/);
      } finally {
        await ctx.db('certifications').where({ id: product.cert_id }).update({ status: 'valid' });
      }
    });

    it('200 {status:"notice", noticeEndsAt} with an offset', async () => {
      at('2026-10-13T09:00:00+08:00');
      const id = (await post('', 'purchaser', caseBody(w.products.ct))).body.id;
      const res = await post(`/${id}/submit`, 'purchaser');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'notice');
      // 2026-10-13 (Tue) + 5 full working days → Tuesday 2026-10-20.
      assert.equal(res.body.noticeEndsAt, '2026-10-20T23:59:59+08:00');
    });
  });

  describe('POST /:id/objections (public)', () => {
    const body = { name: '赵六', organization: '杭州某公司', contact: '13800000000', content: '不具有唯一性' };

    it('404 for an unknown case; 409 before publication and after the period; 422 naming the field', async () => {
      assertError(await post('/999999/objections', null, body), 404);
      const draft = await post(`/${c.draft}/objections`, null, body);
      assertError(draft, 409, 'invalid_state');
      assert.match(draft.body.error.message, /草稿/);
      assertError(await post(`/${c.approved}/objections`, null, body), 409, 'invalid_state');
      // A case whose period is over refuses any body so (API.md's order: 409 before 422); one in its period names the field.
      assertError(await post(`/${c.notice}/objections`, null, { ...body, content: '' }), 409, 'invalid_state');
      const open = await caseIn('notice');
      assertFieldError(await post(`/${open}/objections`, null, { ...body, content: '' }), 'content');
      assertFieldError(await post(`/${open}/objections`, null, { ...body, name: undefined }), 'name');
      assertFieldError(await post(`/${open}/objections`, null, { ...body, contact: 13800000000 }), 'contact');
    });

    it('201 for anybody, without login or CSRF token, during the period', async () => {
      const id = await caseIn('notice');
      const res = await post(`/${id}/objections`, null, body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'open');
      assert.equal(res.body.caseNo, (await get(`/${id}`, 'purchaser')).body.caseNo, 'the case’s human number (API.md: in every answer)');
      const listed = await t.http.get('/api/v1/notices?type=single_source&pageSize=100');
      const item = listed.body.items.find((n: { caseId: number | null }) => n.caseId === id);
      assert.equal(item?.caseNo, res.body.caseNo, 'the public notice list names the case by its number too');
      const noOrg = await post(`/${id}/objections`, null, { name: '个人', contact: 'a@b.cn', content: '异议' });
      assert.equal(noOrg.status, 201, 'an individual may object without an organisation');
      // The vendor sees the objections but not the objectors' contacts; the purchaser and admin do.
      const asVendor = await get(`/${id}`, 'vendor');
      assert.equal(asVendor.body.objections.length, 2);
      assert.equal('contact' in asVendor.body.objections[0], false);
      const asAdmin = await get(`/${id}`, 'admin');
      assert.equal(asAdmin.body.objections[0].contact, '13800000000');
    });
  });

  describe('POST /:id/objections/:oid/resolve', () => {
    let id: number;
    let oid: number;
    before(async () => {
      id = await caseIn('notice');
      oid = (await post(`/${id}/objections`, null, { name: '甲', organization: '乙', contact: '丙', content: '丁' })).body.id;
      at('2026-10-13T09:00:00+08:00');
    });

    it('401 → 403 → 404 → 422', async () => {
      assertError(await post(`/${id}/objections/${oid}/resolve`, null, { upheld: false, opinion: '不成立' }), 401);
      assertError(await post(`/${id}/objections/${oid}/resolve`, 'purchaser', { upheld: false, opinion: '不成立' }), 403);
      assertError(await post(`/${id}/objections/${oid}/resolve`, 'vendor', { upheld: false, opinion: '不成立' }), 403);
      assertError(await post(`/999999/objections/${oid}/resolve`, 'admin', { upheld: false, opinion: '不成立' }), 404);
      assertError(await post(`/${c.notice}/objections/${oid}/resolve`, 'admin', { upheld: false, opinion: '不成立' }), 404);
      assertFieldError(await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: 'maybe', opinion: '不成立' }), 'upheld');
      assertFieldError(await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: false, opinion: '' }), 'opinion');
    });

    it('200 dismissed, then 409 for resolving it again', async () => {
      const res = await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: false, opinion: '不成立' });
      assert.equal(res.status, 200);
      assert.equal(res.body.objections[0].status, 'dismissed');
      assertError(await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: true, opinion: '成立' }), 409);
    });
  });

  describe('POST /:id/approve', () => {
    it('401 → 403 → 404 → 409 (wrong state; period running)', async () => {
      assertError(await post(`/${c.notice}/approve`, null), 401);
      assertError(await post(`/${c.notice}/approve`, 'purchaser'), 403);
      // The approval is the finance department's (财政部门): the provincial department (admin) may no longer approve.
      assertError(await post(`/${c.notice}/approve`, 'admin'), 403);
      assertError(await post('/999999/approve', 'finance'), 404);
      assertError(await post(`/${c.draft}/approve`, 'finance'), 409);
      const running = await caseIn('notice');
      assertError(await post(`/${running}/approve`, 'finance'), 409);
    });
  });

  describe('POST /:id/negotiate', () => {
    it('401 → 403 → 404 → 409 → 422', async () => {
      const body = negotiation('3000000.00');
      assertError(await post(`/${c.approved}/negotiate`, null, body), 401);
      assertError(await post(`/${c.approved}/negotiate`, 'vendor', body), 403);
      assertError(await post(`/${c.approved}/negotiate`, 'purchaser2', body), 403);
      const wrong = await post(`/${c.notice}/negotiate`, 'purchaser', body);
      assertError(wrong, 409);
      assert.match(wrong.body.error.message, /公示中/);
      for (const amount of ['1e3', '12.345', '-1', '', 3000000]) assertFieldError(await post(`/${c.approved}/negotiate`, 'purchaser', { ...body, amount }), 'amount');
      assertFieldError(await post(`/${c.approved}/negotiate`, 'purchaser', { amount: '1.00' }), 'record');
      assertFieldError(await post(`/${c.approved}/negotiate`, 'purchaser', negotiation('1.00', { staff: [] })), 'record.staff');
      assertFieldError(await post(`/${c.approved}/negotiate`, 'purchaser', negotiation('1.00', { date: '2026-02-30' })), 'record.date');
      assertFieldError(await post(`/${c.approved}/negotiate`, 'purchaser', negotiation('1.00', { costNote: '' })), 'record.costNote');
      // Each item of the record is named by its own label, not the record's (a black-box audit, 2026-12-08).
      const place = await post(`/${c.approved}/negotiate`, 'purchaser', negotiation('1.00', { place: '' }));
      assertFieldError(place, 'record.place');
      assert.match(place.body.error.message, /^协商地点：/);
    });

    it('the negotiation took place between the approval and today (422 naming record.date, nothing written)', async () => {
      const id = await caseIn('approved'); // approved on 2026-10-13
      at('2026-10-15T09:00:00+08:00');
      const future = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-16' }));
      assertFieldError(future, 'record.date');
      assert.match(future.body.error.message, /^协商日期：不能晚于今天/);
      const before = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-12' }));
      assertFieldError(before, 'record.date');
      assert.match(before.body.error.message, /2026-10-13/);
      // Also when the price would have terminated the case: nothing happens.
      assertFieldError(await post(`/${id}/negotiate`, 'purchaser', negotiation('99999999.00', { date: '2026-10-16' })), 'record.date');
      const view = await get(`/${id}`, 'purchaser');
      assert.equal(view.body.status, 'approved');
      assert.equal(view.body.notices.length, 1, 'only the 公示');
      const ok = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-14' }));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.status, 'awarded');
    });
  });

  describe('POST /:id/contract', () => {
    it('401 → 403 → 404 → 409 → 422', async () => {
      at('2026-10-13T09:00:00+08:00');
      const body = { contractNo: 'HT-1', signedAt: '2026-10-13' };
      assertError(await post(`/${c.awarded}/contract`, null, body), 401);
      assertError(await post(`/${c.awarded}/contract`, 'admin', body), 403);
      assertError(await post(`/${c.awarded}/contract`, 'purchaser2', body), 403);
      assertError(await post(`/${c.approved}/contract`, 'purchaser', body), 409);
      assertFieldError(await post(`/${c.awarded}/contract`, 'purchaser', { ...body, signedAt: '2026-13-01' }), 'signedAt');
      assertFieldError(await post(`/${c.awarded}/contract`, 'purchaser', { ...body, signedAt: '2026-10-14' }), 'signedAt');
      assertFieldError(await post(`/${c.awarded}/contract`, 'purchaser', { ...body, contractNo: '' }), 'contractNo');
      assertFieldError(await post(`/${c.awarded}/contract`, 'purchaser', { ...body, contractNo: 'HT 1; DROP' }), 'contractNo');
    });

    it('the signing date lies between the award and today; a contract signed 3+ working days ago is published and marked late, not refused', async () => {
      const id = await caseIn('awarded'); // awarded on 2026-10-13
      const sign = (signedAt: string) => post(`/${id}/contract`, 'purchaser', { contractNo: `HT-D-${id}`, signedAt });
      at('2026-10-16T09:00:00+08:00'); // Friday
      const early = await sign('2026-10-12');
      assertFieldError(early, 'signedAt');
      assert.match(early.body.error.message, /签订日期：不能早于成交之日（2026-10-13）/);
      assert.equal((await get(`/${id}`, 'purchaser')).body.status, 'awarded', 'nothing written');
      const late = await sign('2026-10-13'); // Tuesday: its notice was due by Thursday 10-15
      assert.equal(late.status, 200, JSON.stringify(late.body));
      assert.equal(late.body.status, 'contracted');
      const noticeId = late.body.notices.find((n: { type: string }) => n.type === 'contract').id;
      const notice = (await t.http.get(`/api/v1/notices/${noticeId}`)).body;
      assert.equal(notice.content.late, true);
      assert.equal(notice.content.publishBy, '2026-10-15');
      assert.equal(notice.content.publishedOn, '2026-10-16');
    });

    it('accepts an ISO instant with offset as the signing time', async () => {
      const id = await caseIn('awarded');
      const res = await post(`/${id}/contract`, 'purchaser', { contractNo: 'HT-ISO-1', signedAt: '2026-10-13T08:30:00+08:00' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.signedAt, '2026-10-13');
    });
  });

  describe('POST /:id/accept and /:id/pay', () => {
    it('401 → 403 → 404 → 409 → 422', async () => {
      assertError(await post(`/${c.contracted}/accept`, null, ACCEPTANCE), 401);
      assertError(await post(`/${c.contracted}/accept`, 'vendor', ACCEPTANCE), 403);
      assertError(await post(`/${c.contracted}/accept`, 'purchaser2', ACCEPTANCE), 403);
      assertError(await post(`/${c.awarded}/accept`, 'purchaser', ACCEPTANCE), 409);
      assertFieldError(await post(`/${c.contracted}/accept`, 'purchaser', { ...ACCEPTANCE, note: 'x'.repeat(1001) }), 'note');
      assertError(await t.http.post(`/api/v1/first-purchases/${c.contracted}/accept`).set('Authorization', await token('purchaser')).set('Content-Type', 'application/json').send('"ok"'), 400);
      assertError(await post(`/${c.accepted}/pay`, null), 401);
      assertError(await post(`/${c.accepted}/pay`, 'admin'), 403);
      assertError(await post(`/${c.accepted}/pay`, 'purchaser2'), 403);
      assertError(await post(`/${c.contracted}/pay`, 'purchaser'), 409);
      assertFieldError(await post(`/${c.accepted}/pay`, 'purchaser', undefined, { 'Idempotency-Key': 'bad key with spaces' }), 'Idempotency-Key');
    });

    it('pay honours Idempotency-Key: a replay returns the first response, another body under the key is a 409', async () => {
      const id = await caseIn('accepted');
      const first = await post(`/${id}/pay`, 'purchaser', {}, { 'Idempotency-Key': `fp-pay-${id}` });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.status, 'paid');
      const replay = await post(`/${id}/pay`, 'purchaser', {}, { 'Idempotency-Key': `fp-pay-${id}` });
      assert.equal(replay.status, 200);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.deepEqual(replay.body, first.body);
      assertError(await post(`/${id}/pay`, 'purchaser', { other: 1 }, { 'Idempotency-Key': `fp-pay-${id}` }), 409);
      const settles = await ctx.db('ledger_transfers').where({ case_id: id, kind: 'settle' });
      assert.equal(settles.length, 1);
    });
  });

  it('GP Law art. 41, Regulations art. 45: acceptance keeps its team and report when given; API.md\'s bodiless accept and pay are answered too', async () => {
    const id = await caseIn('contracted');
    assertFieldError(await post(`/${id}/accept`, 'purchaser', { team: '张三' }), 'team');
    assertFieldError(await post(`/${id}/accept`, 'purchaser', { team: ['张三'], report: 7 }), 'report');
    assert.equal((await get(`/${id}`, 'purchaser')).body.status, 'contracted', 'nothing written');
    const accepted = await post(`/${id}/accept`, 'purchaser', ACCEPTANCE);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.status, 'accepted');
    assert.deepEqual(accepted.body.acceptance.team, ACCEPTANCE.team);
    assert.equal(accepted.body.acceptance.report, ACCEPTANCE.report);
    const paid = await t.http.post(`/api/v1/first-purchases/${id}/pay`).set('Authorization', await token('purchaser'));
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.status, 'paid');

    // As API.md writes the step: no body at all, then an empty one on another case.
    for (const body of [undefined, {}]) {
      const other = await caseIn('contracted');
      const req = t.http.post(`/api/v1/first-purchases/${other}/accept`).set('Authorization', await token('purchaser'));
      const res = body === undefined ? await req : await req.send(body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'accepted');
      assert.deepEqual(res.body.acceptance.team, [], 'no team recorded');
      assert.equal(res.body.acceptance.report, '', 'no report recorded');
      assert.match(res.body.acceptance.acceptedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
    }
  });

  it('MoF Order No. 74 art. 43 and API.md: a draft may be terminated too ("from any state before payment"), with no notice since none was published', async () => {
    const id = await caseIn('draft');
    assertFieldError(await post(`/${id}/terminate`, 'purchaser', { cause: 'other', explanation: '项目取消' }), 'cause');
    assertError(await post(`/${id}/terminate`, 'purchaser2', { cause: 'withdrawn', explanation: '项目取消' }), 403);
    const res = await post(`/${id}/terminate`, 'purchaser', { cause: 'withdrawn', explanation: '项目取消' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'terminated');
    assert.deepEqual(res.body.notices, [], 'nothing was public, so nothing is published');
    assertError(await post(`/${id}/terminate`, 'purchaser', { cause: 'withdrawn', explanation: '项目取消' }), 409);
  });

  describe('POST /:id/withdraw', () => {
    it('401 → 403 → 404 → 409 → 422', async () => {
      assertError(await post(`/${c.notice}/withdraw`, null, { reason: 'x' }), 401);
      assertError(await post(`/${c.notice}/withdraw`, 'vendor', { reason: 'x' }), 403);
      assertError(await post(`/${c.notice}/withdraw`, 'purchaser2', { reason: 'x' }), 403);
      assertError(await post(`/${c.awarded}/withdraw`, 'purchaser', { reason: 'x' }), 409);
      assertFieldError(await post(`/${c.notice}/withdraw`, 'purchaser', {}), 'reason');
    });
  });

  it('English error messages for an API caller who asks for them', async () => {
    const res = await t.http
      .post(`/api/v1/first-purchases/${c.notice}/submit`)
      .set('Authorization', await token('purchaser'))
      .set('Accept-Language', 'en');
    assertError(res, 409);
    assert.match(res.body.error.message, /notice period/);
  });
});
