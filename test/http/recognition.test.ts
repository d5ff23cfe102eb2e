import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { csrfOf, loginAgent } from '../helpers/session';
import { decodeEntities } from '../helpers/html';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { LIST_ENTRY, REC_FIELD, applicationBody, makeRecWorld, type RecWorld } from '../helpers/recognition';

function assertError(res: Response, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  if (code) assert.equal(res.body.error.code, code);
  assert.ok(String(res.body.error.message).length > 0);
}
const assertField = (res: Response, field: string) => {
  assertError(res, 422, 'validation_failed');
  assert.equal(res.body.error.field, field, JSON.stringify(res.body));
};

/** The certification lifecycle over HTTP (API.md "First-unit policy … (认定)"): every step and its refusals. */
describe(`certification lifecycle over HTTP (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  const tokens = new Map<string, string>();
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };
  const call = async (method: 'get' | 'post' | 'patch', path: string, who: string | null, body?: unknown, headers: Record<string, string> = {}) => {
    const req = t.http[method](path);
    if (who) req.set('Authorization', await tok(who));
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return body === undefined ? req : req.send(body as object);
  };
  const count = async (table: string) => Number((await ctx.db(table).count({ n: '*' }).first())?.n ?? 0);
  let entryId: number;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    w = await makeRecWorld(ctx.db);
  });

  const newApp = async (over: Record<string, unknown> = {}, who = w.users.vendor) => {
    const res = await call('post', '/api/v1/vendor/applications', who, applicationBody({ listEntryId: entryId, ...over }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const toReview = async (over: Record<string, unknown> = {}) => {
    const id = await newApp(over);
    assert.equal((await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor)).status, 200);
    assert.equal((await call('post', `/api/v1/admin/applications/${id}/screen`, w.users.admin, { passed: true, opinion: '材料齐全' })).status, 200);
    return id;
  };

  describe('the indicator list (清单)', () => {
    it('admin adds an entry (201); the public reads it by year and field', async () => {
      const res = await call('post', '/api/v1/admin/indicator-list', w.users.admin, LIST_ENTRY);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      entryId = res.body.id;
      assert.deepEqual(res.body.indicators[0], { name: '定位精度', comparator: '<=', threshold: 0.005, unit: 'mm' });
      const list = await call('get', `/api/v1/indicator-list?year=2026&field=${encodeURIComponent(REC_FIELD)}`, null);
      assert.equal(list.status, 200);
      assert.ok(list.body.items.some((e: { id: number }) => e.id === entryId));
      assert.equal((await call('get', '/api/v1/indicator-list?year=2019', null)).body.total, 0);
    });

    it('401/403 for others; 422 naming the field', async () => {
      assertError(await call('post', '/api/v1/admin/indicator-list', null, LIST_ENTRY), 401);
      assertError(await call('post', '/api/v1/admin/indicator-list', w.users.vendor, LIST_ENTRY), 403);
      assertField(await call('post', '/api/v1/admin/indicator-list', w.users.admin, { ...LIST_ENTRY, indicators: [{ name: 'x', comparator: '>', threshold: 1, unit: '' }] }), 'indicators.0.comparator');
      assertField(await call('post', '/api/v1/admin/indicator-list', w.users.admin, { ...LIST_ENTRY, indicators: [{ name: 'x', comparator: '>=', threshold: 'abc', unit: '' }] }), 'indicators.0.threshold');
      assertField(await call('post', '/api/v1/admin/indicator-list', w.users.admin, { ...LIST_ENTRY, field: '火星' }), 'field');
      assertField(await call('post', '/api/v1/admin/indicator-list', w.users.admin, { ...LIST_ENTRY, indicators: [] }), 'indicators');
      assertField(await call('get', '/api/v1/indicator-list?year=abc', null), 'year');
    });

    it('an edit keeps the history', async () => {
      const res = await call('patch', `/api/v1/admin/indicator-list/${entryId}`, w.users.admin, { ...LIST_ENTRY, product: '五轴联动数控机床（修订）' });
      assert.equal(res.status, 200);
      const detail = await call('get', `/api/v1/admin/indicator-list/${entryId}`, w.users.admin);
      assert.deepEqual(detail.body.history.map((h: { action: string }) => h.action), ['create', 'update']);
      await call('patch', `/api/v1/admin/indicator-list/${entryId}`, w.users.admin, LIST_ENTRY);
    });
  });

  describe('the expert pool (专家库)', () => {
    it('admin adds an expert, with or without an expert account; 422 naming the field', async () => {
      const res = await call('post', '/api/v1/admin/experts', w.users.admin, { name: '新专家', unit: '某研究院', title: '研究员', fields: ['cnc_machine_tools', '船舶'] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.fields, ['数控机床', '船舶']);
      assertField(await call('post', '/api/v1/admin/experts', w.users.admin, { name: '', unit: 'u', title: 't', fields: ['船舶'] }), 'name');
      assertField(await call('post', '/api/v1/admin/experts', w.users.admin, { name: 'n', unit: 'u', title: 't', fields: [] }), 'fields');
      const vendorUser = await ctx.db('users').where({ username: w.users.vendor }).first('id');
      assertField(await call('post', '/api/v1/admin/experts', w.users.admin, { name: 'n', unit: 'u', title: 't', fields: ['船舶'], userId: vendorUser.id }), 'userId');
      assertError(await call('post', '/api/v1/admin/experts', w.users.vendor, { name: 'n', unit: 'u', title: 't', fields: ['船舶'] }), 403);
      // Out of the field under test again, so the draws below know the pool exactly.
      await call('post', `/api/v1/admin/experts/${res.body.id}/active`, w.users.admin, { active: false });
      assert.ok((await call('get', '/api/v1/admin/experts', w.users.admin)).body.total >= 9);
    });
  });

  describe('applications', () => {
    it('a vendor creates a draft of its own enterprise: 201 {id, applicationNo, status:"draft"}', async () => {
      const res = await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ listEntryId: entryId }));
      assert.equal(res.status, 201);
      assert.equal(res.body.status, 'draft');
      assert.match(res.body.applicationNo, /^ZJRD-2026-\d{6}$/);
      assert.equal(res.body.vendor.id, w.vendorA.id);
    });

    it('422 naming the field; 403 for other roles', async () => {
      assertField(await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ productName: '' })), 'productName');
      assertField(await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ levelClaimed: 'galactic' })), 'levelClaimed');
      assertField(await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ listEntryId: 999999 })), 'listEntryId');
      const otherField = await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ listEntryId: entryId, field: '船舶' }));
      assertField(otherField, 'listEntryId');
      // Both fields named once each, in the caller's language.
      assert.equal(otherField.body.error.message, '清单条目：所选条目属于“数控机床”领域，与申请的领域“船舶”不一致，请选择本领域的条目');
      const inEnglish = await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ listEntryId: entryId, field: '船舶' }), { 'Accept-Language': 'en' });
      assert.match(inEnglish.body.error.message, /belongs to the field “CNC machine tools”, not to “Ships”/);
      assertField(await call('post', '/api/v1/vendor/applications', w.users.vendor, applicationBody({ indicators: [{ name: '定位精度', value: 'x' }] })), 'indicators.0.value');
      assertError(await call('post', '/api/v1/vendor/applications', w.users.admin, applicationBody()), 403);
      assertError(await call('post', '/api/v1/vendor/applications', null, applicationBody()), 401);
    });

    it('submit on the standard track: an indicator below its threshold is a 422 naming it, and nothing is written', async () => {
      const id = await newApp({ indicators: [{ name: '定位精度', value: '0.004' }, { name: '主轴转速', value: 18000 }] });
      const before = await count('cert_application_history');
      const res = await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor);
      assertField(res, 'indicators.1.value');
      assert.match(res.body.error.message, /主轴转速/);
      assert.equal(await count('cert_application_history'), before);
      assert.equal((await call('get', `/api/v1/applications/${id}`, w.users.vendor)).body.status, 'draft');
      const missing = await newApp({ indicators: [{ name: '定位精度', value: '0.004' }] });
      const res2 = await call('post', `/api/v1/vendor/applications/${missing}/submit`, w.users.vendor);
      assertField(res2, 'indicators');
      assert.match(res2.body.error.message, /主轴转速/);
    });

    it('the vendor corrects its draft (PATCH, the shape of creating it): the missing indicator added, it submits; on record; never after submitting', async () => {
      const id = await newApp({ indicators: [{ name: '定位精度', value: '0.004' }] });
      assertField(await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor), 'indicators');
      const before = await count('cert_application_history');
      const body = applicationBody({ listEntryId: entryId, model: 'VMC-5X-2', indicators: [{ name: '定位精度', value: '0.004' }, { name: '主轴转速', value: 24000 }] });
      // Others: another vendor 403, the department 403 (not its draft to write), nobody 401, no such draft 404.
      assertError(await call('patch', `/api/v1/vendor/applications/${id}`, w.users.vendor2, body), 403);
      assertError(await call('patch', `/api/v1/vendor/applications/${id}`, w.users.admin, body), 403);
      assertError(await call('patch', `/api/v1/vendor/applications/${id}`, null, body), 401);
      assertError(await call('patch', '/api/v1/vendor/applications/999999', w.users.vendor, body), 404);
      assertField(await call('patch', `/api/v1/vendor/applications/${id}`, w.users.vendor, { ...body, productName: '' }), 'productName');
      assert.equal(await count('cert_application_history'), before, 'nothing written by a refusal');
      const res = await call('patch', `/api/v1/vendor/applications/${id}`, w.users.vendor, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.model, 'VMC-5X-2');
      assert.deepEqual(res.body.missing, []);
      assert.equal(res.body.history.at(-1).action, 'edit');
      const audit = await ctx.db('audit_log').where({ action: 'recognition.edit', entity_id: id }).first();
      assert.ok(audit, 'the edit is in the audit log');
      assert.equal((await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor)).status, 200);
      assertError(await call('patch', `/api/v1/vendor/applications/${id}`, w.users.vendor, body), 409);
    });

    it('the new application form asks for the level and the field instead of choosing the first for the vendor', async () => {
      const agent = await loginAgent(t.app, w.users.vendor);
      const page = await agent.get('/vendor/applications');
      assert.match(page.text, /<select id="ra-level"[^>]*><option value="">请选择申报级别<\/option>/);
      assert.match(page.text, /<select id="ra-field"[^>]*><option value="">请选择所属领域<\/option>/);
      const res = await agent.post('/vendor/applications').type('form').send({ _csrf: csrfOf(page.text), productName: '未选级别的产品', model: 'X-1', kind: 'equipment', field: '', levelClaimed: '', indicators: '', description: '' });
      assert.equal(res.status, 422);
      const said = decodeEntities(res.text);
      assert.match(said, /申报级别：必填/);
      assert.match(said, /所属领域：必填|领域：必填/);
      // Named as the form labels it (the same word the listing form uses).
      assert.match(said, /<label for="ra-desc">产品介绍<\/label>/);
      assert.match(said, /产品介绍：必填/);
      assert.equal(await ctx.db('cert_applications').where({ product_name: '未选级别的产品' }).first(), undefined);
    });

    it('the draft’s page offers 修改草稿; the form comes filled in, a refused field is shown beside it, a saved one leads back to the draft', async () => {
      const id = await newApp({ indicators: [{ name: '定位精度', value: '0.004' }] });
      const agent = await loginAgent(t.app, w.users.vendor);
      const page = await agent.get(`/vendor/applications/${id}`);
      assert.match(page.text, new RegExp(`href="/vendor/applications/${id}/edit"`));
      // A required indicator not given is said to be not given, not to fall short; one given is judged.
      const rows = [...page.text.matchAll(/<ul class="indicator-checks">([\s\S]*?)<\/ul>/g)].map((m) => decodeEntities(m[1]!.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' '));
      const checks = rows.join(' | ');
      assert.match(checks, /定位精度: 0\.004\s?mm （清单要求 ≤ 0\.005\s?mm） 符合/);
      assert.match(checks, /主轴转速: 未填写 （清单要求 ≥ 20000\s?r\/min）/);
      assert.doesNotMatch(checks, /未达到/);
      const form = await agent.get(`/vendor/applications/${id}/edit`);
      assert.equal(form.status, 200);
      assert.match(form.text, /定位精度 (=|&#x3D;) 0\.004/);
      // The chosen list entry's thresholds beside the values they are checked against, and the way to the whole list.
      const requires = decodeEntities(/<div class="hint" id="ra-entry-req">([\s\S]*?)<\/div>/.exec(form.text)?.[1] ?? '');
      assert.match(requires, /五轴联动数控机床/);
      assert.match(requires, /定位精度 ≤ 0\.005\s?mm/);
      assert.match(requires, /主轴转速 ≥ 20000\s?r\/min/);
      assert.match(form.text, new RegExp(`href="/indicator-list\\?year(=|&#x3D;)2026&amp;field(=|&#x3D;)${encodeURIComponent(REC_FIELD)}" target="_blank" rel="noopener"`));
      const token = csrfOf(form.text);
      const fields = { _csrf: token, productName: '五轴联动卧式加工中心', model: 'VMC-5X', kind: 'equipment', field: REC_FIELD, levelClaimed: 'domestic', listEntryId: String(entryId), indicators: '定位精度 = 0.004\n主轴转速 = 24000', description: '改正后的说明' };
      const bad = await agent.post(`/vendor/applications/${id}/edit`).type('form').send({ ...fields, model: '' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /class="field-error">[^<]*必填/);
      const saved = await agent.post(`/vendor/applications/${id}/edit`).type('form').send(fields);
      assert.equal(saved.status, 302, saved.text.slice(0, 300));
      assert.equal(saved.headers.location, `/vendor/applications/${id}`);
      const after = (await call('get', `/api/v1/applications/${id}`, w.users.vendor)).body;
      assert.deepEqual(after.missing, []);
      assert.equal(after.description, '改正后的说明');
      assert.equal((await agent.get(`/vendor/applications/${id}/edit`).set('Accept-Language', 'zh-CN')).status, 200);
      // Another vendor may not open it.
      const other = await loginAgent(t.app, w.users.vendor2);
      assert.equal((await other.get(`/vendor/applications/${id}/edit`)).status, 403);
    });

    it('a bad indicator line is named by its number and text beside the box; a name given twice is told as such', async () => {
      const id = await newApp({ indicators: [{ name: '定位精度', value: '0.004' }] });
      const agent = await loginAgent(t.app, w.users.vendor);
      const token = csrfOf((await agent.get(`/vendor/applications/${id}/edit`)).text);
      const fields = { _csrf: token, productName: '五轴联动卧式加工中心', model: 'VMC-5X', kind: 'equipment', field: REC_FIELD, levelClaimed: 'domestic', listEntryId: String(entryId), description: '说明' };
      const bad = await agent.post(`/vendor/applications/${id}/edit`).type('form').send({ ...fields, indicators: '定位精度 = 0.004\n\n主轴转速 约两万四' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /<textarea id="ra-ind"[^>]*aria-invalid="true" aria-describedby="ra-ind-err ra-ind-hint"/);
      assert.match(bad.text, /<span id="ra-ind-err" class="field-error">指标值第 2 行“主轴转速 约两万四”：请按“名称 (=|&#x3D;) 数值”填写/, 'the empty line is not counted');
      assert.match(bad.text, /主轴转速 约两万四<\/textarea>/, 'what was typed is kept');
      const notNumber = await agent.post(`/vendor/applications/${id}/edit`).type('form').send({ ...fields, indicators: '定位精度 = 千分之四' });
      assert.match(notNumber.text, /指标值第 1 行“定位精度 (=|&#x3D;) 千分之四”/);
      const twice = await agent.post(`/vendor/applications/${id}/edit`).type('form').send({ ...fields, indicators: '定位精度 = 0.004\n定位精度 = 0.003' });
      assert.equal(twice.status, 422);
      assert.match(twice.text, /同一指标名称只能填写一次/);
      const json = await call('patch', `/api/v1/vendor/applications/${id}`, w.users.vendor, applicationBody({ listEntryId: entryId, indicators: [{ name: '定位精度', value: '0.004' }, { name: '主轴转速', value: 'abc' }] }));
      assertField(json, 'indicators.1.value');
      assert.equal((await call('get', `/api/v1/applications/${id}`, w.users.vendor)).body.indicators.length, 1, 'nothing written');
    });

    it('submit → submitted; again → 409; another vendor → 403; the free track has no thresholds', async () => {
      const id = await newApp();
      assertError(await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor2), 403);
      const res = await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'submitted');
      assertError(await call('post', `/api/v1/vendor/applications/${id}/submit`, w.users.vendor), 409);
      const free = await newApp({ listEntryId: null, indicators: [{ name: '主轴转速', value: 1 }] });
      assert.equal((await call('post', `/api/v1/vendor/applications/${free}/submit`, w.users.vendor)).body.track, 'free');
      const mine = await call('get', '/api/v1/vendor/applications', w.users.vendor2);
      assert.equal(mine.body.total, 0);
    });

    it('形式审查: rejected needs an opinion (422); rejected or passed', async () => {
      const a = await newApp();
      await call('post', `/api/v1/vendor/applications/${a}/submit`, w.users.vendor);
      assertField(await call('post', `/api/v1/admin/applications/${a}/screen`, w.users.admin, { passed: false }), 'opinion');
      assertError(await call('post', `/api/v1/admin/applications/${a}/screen`, w.users.vendor, { passed: true }), 403);
      const rej = await call('post', `/api/v1/admin/applications/${a}/screen`, w.users.admin, { passed: false, opinion: '缺少检测报告' });
      assert.equal(rej.body.status, 'rejected');
      assert.equal(rej.body.screenOpinion, '缺少检测报告');
      const b = await toReview();
      assert.equal((await call('get', `/api/v1/applications/${b}`, w.users.admin)).body.status, 'expert_review');
    });
  });

  describe('expert review', () => {
    it('the draw: 3–7 (422), never the applicant’s own unit, on record; again → 409; too few eligible → 409', async () => {
      const id = await toReview();
      assertField(await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 2 }), 'count');
      assertField(await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 8 }), 'count');
      // 8 experts in the field, one of them from vendor A: 7 eligible; 7 works, but first show 409 via a pool too small.
      await ctx.db('experts').whereIn('id', w.experts.slice(0, 2).map((e) => e.id)).update({ active: false });
      const few = await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 7 });
      assertError(few, 409, 'conflict');
      assert.equal(await count('cert_draws'), 0);
      await ctx.db('experts').whereIn('id', w.experts.slice(0, 2).map((e) => e.id)).update({ active: true });
      const res = await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 5 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.experts.length, 5);
      assert.ok(res.body.experts.every((e: { unit: string; username: string }) => e.unit !== w.vendorA.name && typeof e.username === 'string'));
      assert.equal(res.body.draws.length, 1);
      assert.equal(res.body.draws[0].pool.length, 7);
      assertError(await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 3 }), 409);
    });

    it('a conflict is recorded even with nobody left to replace the expert (回避); a panel below 3 cannot recommend until topped up (补抽)', async () => {
      const id = await toReview();
      const drawn = (await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 3 })).body.experts as Array<{ id: number; username: string }>;
      const [e1, e2, e3] = drawn.map((d) => d.username) as [string, string, string];
      // Every other eligible expert leaves the pool.
      const others = w.experts.filter((e) => !drawn.some((d) => d.id === e.id)).map((e) => e.id);
      await ctx.db('experts').whereIn('id', others).update({ active: false });
      try {
        // Before a panel is short there is nothing to top up: 409.
        assertError(await call('post', `/api/v1/admin/applications/${id}/top_up`, w.users.admin), 409);
        const declared = await call('post', `/api/v1/expert/reviews/${id}`, e3, { conflict: true, opinion: '与申请单位有合作关系' });
        assert.equal(declared.status, 200, JSON.stringify(declared.body));
        assert.equal(declared.body.replacementDrawn, false);
        const gone = await call('get', `/api/v1/applications/${id}`, e3);
        assertError(gone, 403);
        assert.match(gone.body.error.message, /您已对该申请声明回避/, 'told why, not that it was never drawn to them');
        // The department finds it on its desk and in the queue while the other two still score.
        const admin1 = await loginAgent(t.app, w.users.admin);
        const appNo = (await call('get', `/api/v1/applications/${id}`, w.users.admin)).body.applicationNo as string;
        assert.ok((await admin1.get('/admin')).text.includes(appNo), 'a short panel is a to-do on the desk');
        assert.match(decodeEntities((await admin1.get('/admin/applications')).text), new RegExp(`${appNo}[^<]*</a> — 2 位专家中已有 0 位评分 <strong class="panel-short">评审专家不足 3 位，需补抽`));
        let admin = (await call('get', `/api/v1/applications/${id}`, w.users.admin)).body;
        assert.deepEqual(admin.reviews.map((r: { status: string }) => r.status).sort(), ['assigned', 'assigned', 'conflict']);
        assert.equal(admin.draws.length, 1, 'no replacement draw');
        for (const who of [e1, e2]) assert.equal((await call('post', `/api/v1/expert/reviews/${id}`, who, { score: 82, recommendLevel: 'provincial', opinion: '较好' })).status, 200);
        // Two experts cannot recommend; topping up waits for the pool (409 naming how few, nothing drawn).
        const short = await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin);
        assertError(short, 409);
        assert.match(short.body.error.message, /仅剩 2 位/);
        const empty = await call('post', `/api/v1/admin/applications/${id}/top_up`, w.users.admin);
        assertError(empty, 409, 'conflict');
        assert.equal((await call('get', `/api/v1/applications/${id}`, w.users.admin)).body.draws.length, 1);
        // The pool grows: the department tops the panel up to 3; once is enough.
        await ctx.db('experts').whereIn('id', others).update({ active: true });
        const topped = await call('post', `/api/v1/admin/applications/${id}/top_up`, w.users.admin);
        assert.equal(topped.status, 200, JSON.stringify(topped.body));
        assertError(await call('post', `/api/v1/admin/applications/${id}/top_up`, w.users.admin), 409);
        admin = (await call('get', `/api/v1/applications/${id}`, w.users.admin)).body;
        assert.equal(admin.draws.length, 2);
        assert.equal(admin.draws[1].reason, 'replacement');
        const added = admin.reviews.find((r: { status: string }) => r.status === 'assigned').expert.username as string;
        assert.ok(![e1, e2, e3].includes(added));
        assert.equal((await call('post', `/api/v1/expert/reviews/${id}`, added, { score: 78, recommendLevel: 'provincial', opinion: '符合' })).status, 200);
        const rec = await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin);
        assert.equal(rec.status, 200, JSON.stringify(rec.body));
        assert.equal(rec.body.status, 'recommended');
        // The history says it in words.
        const page = decodeEntities((await (await loginAgent(t.app, w.users.admin)).get(`/admin/applications/${id}`)).text);
        assert.ok(page.includes('无专家可替补') && page.includes('补抽专家'), 'history in words');
      } finally {
        await ctx.db('experts').whereIn('id', others).update({ active: true });
      }
    });

    it('experts see only what was drawn to them; scores hidden until their own; a conflict draws a replacement; mean ≥ 70 → recommended at the majority level', async () => {
      const id = await toReview();
      const drawn = (await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 3 })).body.experts as Array<{ id: number; username: string }>;
      const outsider = w.experts.find((e) => !drawn.some((d) => d.id === e.id) && e.unit !== w.vendorA.name)!;
      assertError(await call('get', `/api/v1/applications/${id}`, outsider.username), 403);
      assertError(await call('post', `/api/v1/expert/reviews/${id}`, outsider.username, { score: 80, recommendLevel: 'domestic', opinion: '好' }), 403);
      assertError(await call('post', `/api/v1/expert/reviews/${id}`, w.users.admin, { score: 80, recommendLevel: 'domestic', opinion: '好' }), 403);
      const [e1, e2, e3] = drawn.map((d) => d.username) as [string, string, string];
      // GET /api/v1/vendor/applications (API.md): own (vendor), any (admin), assigned (expert).
      const listed = async (who: string) => ((await call('get', '/api/v1/vendor/applications?pageSize=100', who)).body.items as Array<{ id: number }>).map((a) => a.id);
      assert.ok((await listed(e1)).includes(id), 'a drawn expert lists it');
      assert.ok(!(await listed(outsider.username)).includes(id), 'an expert not drawn does not');
      assert.ok((await listed(w.users.admin)).includes(id), 'the department lists every application');
      assertError(await call('get', '/api/v1/vendor/applications', w.users.finance), 403);
      const mine = await call('get', '/api/v1/expert/reviews', e1);
      assert.ok(mine.body.items.some((r: { applicationId: number }) => r.applicationId === id));
      // A list as every list (API.md conventions): total, page, pageSize 1–100 (default 20), out of range a 422.
      assert.deepEqual([mine.body.total >= 1, mine.body.page, mine.body.pageSize], [true, 1, 20]);
      const one = await call('get', '/api/v1/expert/reviews?pageSize=1&page=1', e1);
      assert.deepEqual([one.body.items.length, one.body.total, one.body.pageSize], [1, mine.body.total, 1]);
      assertField(await call('get', '/api/v1/expert/reviews?pageSize=101', e1), 'pageSize');
      assertField(await call('get', '/api/v1/expert/reviews?pageSize=0', e1), 'pageSize');
      assertField(await call('get', '/api/v1/expert/reviews?page=0', e1), 'page');
      assertField(await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 101, recommendLevel: 'domestic', opinion: '好' }), 'score');
      assertField(await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 80, opinion: '好' }), 'recommendLevel');
      assertField(await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 80, recommendLevel: 'domestic' }), 'opinion');
      // A yes/no sent as text is named in words, not by its key (a black-box audit, 2026-12-08).
      const conflictText = await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 90, recommendLevel: 'domestic', opinion: 'x', conflict: 'yes' });
      assertField(conflictText, 'conflict');
      assert.match(conflictText.body.error.message, /^利益冲突回避声明：/);
      assert.equal((await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 80, recommendLevel: 'domestic', opinion: '技术先进' })).status, 200);
      assertError(await call('post', `/api/v1/expert/reviews/${id}`, e1, { score: 90, recommendLevel: 'domestic', opinion: '再评' }), 409);
      // e2 has not scored: sees only its own (empty) row, not e1's score.
      const seen = await call('get', `/api/v1/applications/${id}`, e2);
      assert.equal(seen.status, 200);
      assert.ok(seen.body.reviews.every((r: { score: number | null }) => r.score === null));
      // recommend before every score → 409
      assertError(await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin), 409);
      // e3 declares a conflict: a replacement is drawn at once, and e3 no longer sees the application.
      const conflict = await call('post', `/api/v1/expert/reviews/${id}`, e3, { conflict: true });
      assert.equal(conflict.status, 200, JSON.stringify(conflict.body));
      assertError(await call('get', `/api/v1/applications/${id}`, e3), 403);
      assert.ok(!(await listed(e3)).includes(id), 'an expert who declared a conflict no longer lists it');
      const admin = (await call('get', `/api/v1/applications/${id}`, w.users.admin)).body;
      assert.equal(admin.draws.length, 2);
      assert.equal(admin.draws[1].reason, 'replacement');
      const replacement = admin.reviews.find((r: { status: string; expert: { username: string } }) => r.status === 'assigned' && r.expert.username !== e2).expert.username as string;
      await call('post', `/api/v1/expert/reviews/${id}`, e2, { score: 60, recommendLevel: 'provincial', opinion: '一般' });
      // e2 has scored now and sees e1's score, never e1's name.
      const after = (await call('get', `/api/v1/applications/${id}`, e2)).body;
      assert.ok(after.reviews.some((r: { score: number; expert: unknown }) => r.score === 80 && r.expert === null));
      await call('post', `/api/v1/expert/reviews/${id}`, replacement, { score: 75, recommendLevel: 'domestic', opinion: '较好' });
      // The vendor does not see the experts' names before the round.
      const res = await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'recommended');
      assert.equal(res.body.recommendedLevel, 'domestic');
      assert.equal(res.body.meanScore, '71.67');
      const vendorView = (await call('get', `/api/v1/applications/${id}`, w.users.vendor)).body;
      assert.equal(vendorView.reviews.length, 3);
      assert.ok(vendorView.reviews.every((r: { expert: unknown }) => r.expert === null));
      // The history on the pages names the scores and the conflict in words, in either language, never as message keys.
      for (const [path, who] of [[`/admin/applications/${id}`, w.users.admin], [`/vendor/applications/${id}`, w.users.vendor]] as const) {
        for (const lang of ['zh-CN', 'en']) {
          const page = await t.http.get(`${path}?lang=${lang}`).set('Authorization', await tok(who));
          assert.equal(page.status, 200);
          assert.ok(!/\b(audit|recognition)\.[a-z_]+/.test(page.text.replace(/<(script|link|meta)[^>]*>/g, '')), `${path} ${lang}: ${page.text.match(/\b(audit|recognition)\.[a-z_]+/)?.[0]}`);
          for (const words of lang === 'en' ? ['Expert review scored', 'Expert declared a conflict'] : ['专家评分', '专家声明回避']) assert.ok(page.text.includes(words), `${path} ${lang}: ${words}`);
        }
      }
    });

    it('a refused form names each field as the form labels it: the expert\'s 意见 and 建议级别, the department\'s 审查意见', async () => {
      const id = await toReview();
      const drawn = (await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 3 })).body.experts as Array<{ username: string }>;
      const expert = await loginAgent(t.app, drawn[0]!.username);
      const page = await expert.get(`/expert/reviews/${id}`);
      assert.equal(page.status, 200);
      // The reviewer reads each value with its unit beside the list's requirement, and whether it meets it.
      const shown = decodeEntities(page.text.replace(/<[^>]+>/g, ''));
      assert.match(shown, /定位精度: 0\.004mm （清单要求 ≤ 0\.005mm） 符合/);
      assert.match(shown, /主轴转速: 24000r\/min （清单要求 ≥ 20000r\/min） 符合/);
      assert.match(shown, /标准认定 — 五轴联动数控机床|五轴联动数控机床/);
      const refused = await expert.post(`/expert/reviews/${id}`).type('form').send({ _csrf: csrfOf(page.text), score: '80', recommendLevel: '', opinion: '' });
      assert.equal(refused.status, 422);
      assert.match(refused.text, /class="field-error">建议级别：必填</);
      assert.match(refused.text, /id="rv-opinion-err" class="field-error">意见：必填</);
      // Declaring a conflict is folded away with what it does, and its reason goes on record.
      assert.match(page.text, /<details class="step-danger">\s*<summary>声明回避<\/summary>/);
      assert.match(page.text, /不能再查看或评审本申请。此操作不能撤回。/);
      const second = await loginAgent(t.app, drawn[1]!.username);
      const secondPage = await second.get(`/expert/reviews/${id}`);
      const declared = await second.post(`/expert/reviews/${id}`).type('form').send({ _csrf: csrfOf(secondPage.text), conflict: 'true', opinion: '本人曾任申请单位技术顾问' });
      assert.equal(declared.status, 302, declared.text.slice(0, 300));
      const row = await ctx.db('cert_reviews as r').join('experts as e', 'e.id', 'r.expert_id').join('users as u', 'u.id', 'e.user_id').where({ 'r.application_id': id, 'u.username': drawn[1]!.username }).first('r.status', 'r.opinion');
      assert.deepEqual([row.status, row.opinion], ['conflict', '本人曾任申请单位技术顾问']);
      // The department's 形式审查 of another application: refused without its opinion.
      const other = await newApp();
      assert.equal((await call('post', `/api/v1/vendor/applications/${other}/submit`, w.users.vendor)).status, 200);
      const admin = await loginAgent(t.app, w.users.admin);
      const adminPage = await admin.get(`/admin/applications/${other}`);
      const screened = await admin.post(`/admin/applications/${other}/screen`).type('form').send({ _csrf: csrfOf(adminPage.text), passed: 'false', opinion: '' });
      assert.equal(screened.status, 422);
      assert.match(screened.text, /id="s-opinion-err" class="field-error">审查意见：必填</);
    });

    it('mean below 70 → rejected', async () => {
      const id = await toReview();
      const drawn = (await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: 3 })).body.experts as Array<{ username: string }>;
      for (const d of drawn) await call('post', `/api/v1/expert/reviews/${id}`, d.username, { score: 65, recommendLevel: 'provincial', opinion: '不足' });
      assert.equal((await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin)).body.status, 'rejected');
    });
  });

  describe('rounds, 公示, certificates and awards', () => {
    let app1: number;
    let app2: number;
    let round: { id: number; noticeId: number; periodEndsAt: string };

    const recommended = async (scores: number[], level: string) => {
      const id = await toReview();
      const drawn = (await call('post', `/api/v1/admin/applications/${id}/experts`, w.users.admin, { count: scores.length })).body.experts as Array<{ username: string }>;
      for (const [i, d] of drawn.entries()) await call('post', `/api/v1/expert/reviews/${id}`, d.username, { score: scores[i], recommendLevel: level, opinion: '推荐' });
      assert.equal((await call('post', `/api/v1/admin/applications/${id}/recommend`, w.users.admin)).body.status, 'recommended');
      return id;
    };

    it('publishing a round: only recommended applications (409), 201 {id, noticeId, periodEndsAt} with a public certification notice', async () => {
      app1 = await recommended([80, 85, 90], 'domestic');
      app2 = await recommended([70, 75, 72], 'provincial');
      const draft = await newApp();
      assertError(await call('post', '/api/v1/admin/certification-rounds', w.users.admin, { year: 2026, applicationIds: [app1, draft] }), 409);
      assertField(await call('post', '/api/v1/admin/certification-rounds', w.users.admin, { year: 2026, applicationIds: [] }), 'applicationIds');
      assertField(await call('post', '/api/v1/admin/certification-rounds', w.users.admin, { year: 2026, applicationIds: [999999] }), 'applicationIds.0');
      assertError(await call('post', '/api/v1/admin/certification-rounds', w.users.vendor, { year: 2026, applicationIds: [app1] }), 403);
      assert.equal((await call('get', `/api/v1/applications/${app1}`, w.users.vendor)).body.status, 'recommended');
      const res = await call('post', '/api/v1/admin/certification-rounds', w.users.admin, { year: 2026, applicationIds: [app1, app2] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      round = res.body;
      assert.ok(round.noticeId > 0);
      // 2026-03-02 is a Monday: five full working days from the next working day end Monday 2026-03-09.
      assert.equal(round.periodEndsAt, '2026-03-09T23:59:59+08:00');
      const notice = await call('get', `/api/v1/certification-notices/${round.noticeId}`, null);
      assert.equal(notice.body.type, 'certification');
      assert.equal(notice.body.objectionsOpen, true);
      assert.equal(notice.body.content.list.length, 2);
      assert.equal((await call('get', '/api/v1/certification-notices', null)).body.items[0].type, 'certification');
      // The department's list of rounds is paged as every list.
      const rounds = await call('get', '/api/v1/admin/certification-rounds?pageSize=1', w.users.admin);
      assert.deepEqual([rounds.body.items.length, rounds.body.total >= 1, rounds.body.page, rounds.body.pageSize], [1, true, 1, 1]);
      assertField(await call('get', '/api/v1/admin/certification-rounds?pageSize=0', w.users.admin), 'pageSize');
      assertField(await call('get', '/api/v1/admin/certification-rounds?page=abc', w.users.admin), 'page');
      assertError(await call('get', '/api/v1/admin/certification-rounds', w.users.vendor), 403);
      // The vendor now sees the experts' names.
      assert.ok((await call('get', `/api/v1/applications/${app1}`, w.users.vendor)).body.reviews.every((r: { expert: unknown }) => r.expert !== null));
    });

    it('objections as for single source: anyone during the period (422 naming fields), finalize 409 before the period and while one is open', async () => {
      assertField(await call('post', `/api/v1/certification-rounds/${round.id}/objections`, null, { name: '', organization: 'o', contact: 'c', content: 'x' }), 'name');
      assertField(await call('post', `/api/v1/certification-rounds/${round.id}/objections`, null, { name: 'n', organization: 'o', contact: 'c', content: 'x', applicationId: 999999 }), 'applicationId');
      const o = await call('post', `/api/v1/certification-rounds/${round.id}/objections`, null, { name: '异议人', organization: '某公司', contact: '0571-1', content: '指标存疑', applicationId: app2 });
      assert.equal(o.status, 201);
      assertError(await call('post', `/api/v1/admin/certification-rounds/${round.id}/finalize`, w.users.admin), 409);
      t.clock.set(new Date('2026-03-10T02:00:00Z'), { freeze: true });
      tokens.clear();
      assertError(await call('post', `/api/v1/certification-rounds/${round.id}/objections`, null, { name: 'n', organization: 'o', contact: 'c', content: 'late' }), 409);
      assertError(await call('post', `/api/v1/admin/certification-rounds/${round.id}/finalize`, w.users.admin), 409);
      assertField(await call('post', `/api/v1/admin/certification-rounds/${round.id}/objections/${o.body.id}/resolve`, w.users.admin, { upheld: true }), 'opinion');
      const r = await call('post', `/api/v1/admin/certification-rounds/${round.id}/objections/${o.body.id}/resolve`, w.users.admin, { upheld: true, opinion: '指标数据与检测报告不符' });
      assert.equal(r.status, 200);
      assert.equal((await call('get', `/api/v1/applications/${app2}`, w.users.vendor)).body.status, 'rejected');
    });

    it('finalize: a valid certificate in the registry the vendor lists at once, and its award due (funded, not a trade)', async () => {
      const trades = await count('trades');
      const res = await call('post', `/api/v1/admin/certification-rounds/${round.id}/finalize`, w.users.admin);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertError(await call('post', `/api/v1/admin/certification-rounds/${round.id}/finalize`, w.users.admin), 409);
      const a = (await call('get', `/api/v1/applications/${app1}`, w.users.vendor)).body;
      assert.equal(a.status, 'certified');
      assert.match(a.certNo, /^ZJ-STT-2026-\d{4}$/, 'a registry number, not one that reads like the application\'s');
      const cert = await ctx.db('certifications').where({ cert_no: a.certNo }).first();
      assert.equal(cert.status, 'valid');
      assert.equal(cert.level, 'domestic');
      assert.equal(cert.valid_until, '2029-03-09');
      assert.equal(cert.credit_code, w.vendorA.credit_code);
      const certs = await call('get', '/api/v1/vendor/certifications', w.users.vendor);
      assert.ok(JSON.stringify(certs.body).includes(a.certNo));
      const listing = await call('post', '/api/v1/vendor/products', w.users.vendor, { certNo: a.certNo, title: '五轴联动卧式加工中心', model: 'VMC-5X', description: '', price: '1000000.00', unit: '台', stock: 1 });
      assert.equal(listing.status, 201, JSON.stringify(listing.body));
      assert.equal(await count('trades'), trades);
    });

    it('finance: awards due (admin 403), paid once through the ledger (idempotent), the books verify', async () => {
      assertError(await call('get', '/api/v1/finance/awards', w.users.admin), 403);
      const due = await call('get', '/api/v1/finance/awards', w.users.finance);
      assert.equal(due.status, 200);
      const award = due.body.items.find((x: { applicationNo: string }) => x.applicationNo);
      assert.equal(award.amount, '1000000.00');
      assert.equal(award.vendor.id, w.vendorA.id);
      assert.equal(award.dueAt, '2026-04-09T10:00:00+08:00');
      assertError(await call('post', `/api/v1/finance/awards/${award.id}/pay`, w.users.admin), 403);
      const key = { 'Idempotency-Key': `award-${ENGINE}-1` };
      const paid = await call('post', `/api/v1/finance/awards/${award.id}/pay`, w.users.finance, undefined, key);
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      assert.equal(paid.body.status, 'paid');
      const replay = await call('post', `/api/v1/finance/awards/${award.id}/pay`, w.users.finance, undefined, key);
      assert.deepEqual(replay.body, paid.body);
      // Idempotent by the award (API.md): asked again without a key, the paid award as it was, and nothing moves.
      const again = await call('post', `/api/v1/finance/awards/${award.id}/pay`, w.users.finance);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, paid.body);
      assertError(await call('post', '/api/v1/finance/awards/999999/pay', w.users.finance), 404);
      const vendorAcc = await ctx.db('ledger_accounts').where({ code: `vendor:${w.vendorA.id}` }).first();
      assert.equal(Number(vendorAcc.balance_fen), 1_000_000_00);
      const fund = await ctx.db('ledger_accounts').where({ code: 'award_fund' }).first();
      assert.equal(Number(fund.balance_fen), 0);
      const verify = await call('get', '/api/v1/admin/ledger/verify', w.users.admin);
      assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
      assert.equal((await call('get', '/api/v1/finance/awards', w.users.finance)).body.total, 0);
    });

    it('award amounts by level are a setting (admin; 422 naming the field)', async () => {
      assertField(await call('post', '/api/v1/admin/certification-awards', w.users.admin, { international: '1e3', domestic: '1', provincial: '1' }), 'international');
      const res = await call('post', '/api/v1/admin/certification-awards', w.users.admin, { international: '5000000', domestic: '1000000', provincial: '200000' });
      assert.deepEqual(res.body, { international: '5000000.00', domestic: '1000000.00', provincial: '200000.00' });
      assertError(await call('get', '/api/v1/admin/certification-awards', w.users.finance), 403);
    });
  });
  describe('the application page', () => {
    it('its history reads as steps and statuses in the reader’s language, not as codes', async () => {
      const id = await toReview();
      const zh = await t.http.get(`/vendor/applications/${id}`).set('Authorization', await tok(w.users.vendor));
      assert.equal(zh.status, 200);
      for (const text of ['创建认定申请', '提交认定申请', '认定申请形式审查', '专家评审']) assert.ok(zh.text.includes(text), text);
      assert.ok(!/(create|submit|screen) → (draft|submitted|expert_review)/.test(zh.text), 'no codes');
      const en = await t.http.get(`/vendor/applications/${id}?lang=en`).set('Authorization', await tok(w.users.vendor));
      assert.ok(!/(create|submit|screen) → (draft|submitted|expert_review)/.test(en.text), 'no codes in English either');
      assert.ok(!en.text.includes('创建认定申请'), 'no Chinese step names in English');
    });
  });
});
