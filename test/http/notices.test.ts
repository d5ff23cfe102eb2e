import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { EXPERTS, allocate, caseBody, clockedTokens, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';
import { decodeEntities } from '../helpers/html';
import { makeRecWorld, recommendedApplications, type RecWorld } from '../helpers/recognition';
import { csrfOf } from '../helpers/session';

const text = (res: Response) => decodeEntities(res.text);

/** The public notices (API.md `GET /api/v1/notices`, `/:id`) and their pages, with the objection form of a 公示. */
describe(`public notices (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;
  const n: Record<string, number> = {};
  const cases: Record<string, number> = {};

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  const post = async (path: string, who: keyof FpWorld['users'], body?: object) => {
    const req = t.http.post(`/api/v1/first-purchases${path}`).set('Authorization', await token(who));
    return body ? req.send(body) : req.send();
  };
  const noticeOf = async (caseId: number, type: string): Promise<number> =>
    (await ctx.db('notices').where({ case_id: caseId, type }).first('id')).id as number;

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    await allocate(ctx.db, w.unit.id, 50_000_000_00, `test:notices:${ENGINE}`);
    // A case that goes all the way to its contract, one terminated over budget, and one left in its notice period.
    at('2026-09-01T10:00:00+08:00');
    cases.done = (await post('', 'purchaser', caseBody(w.products.ct))).body.id;
    cases.over = (await post('', 'purchaser', caseBody(w.products.mr, { projectName: '1.5T MR采购项目', budget: '5000000' }))).body.id;
    for (const id of [cases.done, cases.over]) await post(`/${id}/submit`, 'purchaser');
    at('2026-09-10T10:00:00+08:00');
    for (const id of [cases.done, cases.over]) await post(`/${id}/approve`, 'finance');
    await post(`/${cases.done}/negotiate`, 'purchaser', negotiation('3280000.00', { date: '2026-09-10' }));
    await post(`/${cases.over}/negotiate`, 'purchaser', negotiation('5600000.00', { date: '2026-09-10' }));
    at('2026-09-11T10:00:00+08:00');
    await post(`/${cases.done}/contract`, 'purchaser', { contractNo: 'ZJRM-HT-2026-09', signedAt: '2026-09-11' });
    at('2026-09-29T10:00:00+08:00');
    cases.open = (await post('', 'purchaser', caseBody(w.products.ct, { projectName: '<script>alert(1)</script>64排CT二期' }))).body.id;
    await post(`/${cases.open}/submit`, 'purchaser');
    n.single = await noticeOf(cases.done, 'single_source');
    n.result = await noticeOf(cases.done, 'result');
    n.contract = await noticeOf(cases.done, 'contract');
    n.termination = await noticeOf(cases.over, 'termination');
    n.open = await noticeOf(cases.open, 'single_source');
  });

  describe('GET /api/v1/notices', () => {
    it('lists every notice, newest first, paged as {items,total,page,pageSize}', async () => {
      const res = await t.http.get('/api/v1/notices');
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ['items', 'page', 'pageSize', 'total']);
      assert.equal(res.body.total, 6);
      assert.equal(res.body.page, 1);
      assert.equal(res.body.pageSize, 20);
      const times = res.body.items.map((i: { publishedAt: string }) => i.publishedAt);
      assert.deepEqual([...times].sort().reverse(), times);
      for (const i of res.body.items) {
        assert.match(i.publishedAt, /\+08:00$/);
        for (const k of ['id', 'caseId', 'type', 'title', 'publishedAt', 'periodEndsAt', 'projectName', 'purchaserName']) assert.ok(k in i, k);
      }
      const page2 = await t.http.get('/api/v1/notices?pageSize=4&page=2');
      assert.equal(page2.body.items.length, 2);
      assert.equal(page2.body.total, 6);
    });

    it('filters by type', async () => {
      for (const [type, count] of [['single_source', 3], ['result', 1], ['contract', 1], ['termination', 1]] as const) {
        const res = await t.http.get(`/api/v1/notices?type=${type}`);
        assert.equal(res.status, 200);
        assert.equal(res.body.total, count, type);
        assert.ok(res.body.items.every((i: { type: string }) => i.type === type));
      }
      const single = await t.http.get('/api/v1/notices?type=single_source');
      assert.ok(single.body.items.every((i: { periodEndsAt: string | null }) => /T23:59:59\+08:00$/.test(String(i.periodEndsAt))));
    });

    it('422 naming the field for an unknown type or bad paging', async () => {
      for (const [q, field] of [['type=award', 'type'], ['pageSize=101', 'pageSize'], ['pageSize=0', 'pageSize'], ['page=abc', 'page']]) {
        const res = await t.http.get(`/api/v1/notices?${q}`);
        assert.equal(res.status, 422, q);
        assert.equal(res.body.error.field, field);
      }
      assert.match((await t.http.get('/api/v1/notices?type=award')).body.error.message, /^公告类型：/);
    });
  });

  describe('GET /api/v1/notices/:id', () => {
    it('404 for an unknown or malformed id', async () => {
      const messages = new Set<string>();
      for (const id of ['999999', 'abc', '0']) {
        const res = await t.http.get(`/api/v1/notices/${id}`);
        assert.equal(res.status, 404, id);
        messages.add(res.body.error.message);
      }
      assert.deepEqual([...messages], ['未找到该公告'], 'every unknown notice is a notice not found');
    });

    it('the 公示 holds every item the law requires (MoF Order 74 art. 38)', async () => {
      const res = await t.http.get(`/api/v1/notices/${n.single}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.type, 'single_source');
      const c = res.body.content;
      assert.equal(c.purchaser.name, '浙江省人民医院', 'purchaser');
      assert.equal(c.project.name, '64排CT采购项目', 'project name');
      assert.equal(c.project.content, '采购64排螺旋CT一台，含安装调试与三年保修', 'project content');
      assert.equal(c.project.budget, '3500000.00');
      assert.equal(c.goods.name, '64排CT', 'goods');
      assert.equal(c.goods.model, 'ScintCare CT 64');
      assert.equal(c.goods.description, '64 排螺旋 CT');
      assert.equal(c.goods.certificate.certNo, w.certNo);
      assert.match(c.reason, /唯一供应商/, 'reason for single source');
      assert.equal(c.supplier.name, w.vendor.name, "supplier's name");
      assert.equal(c.supplier.address, '浙江省宁波市测试路1号', "supplier's address");
      assert.deepEqual(c.experts, EXPERTS, "experts' names, units and titles");
      assert.match(c.expertOpinion, /唯一性/, "experts' opinion");
      assert.deepEqual(c.period, { publishedAt: '2026-09-01T10:00:00.000+08:00', startsOn: '2026-09-02', endsOn: '2026-09-08', endsAt: '2026-09-08T23:59:59+08:00', workingDays: 5 });
      assert.equal(c.contacts.purchaser, '张老师 0571-87666666', 'contacts');
      assert.equal(res.body.periodEndsAt, '2026-09-08T23:59:59+08:00');
      assert.equal(res.body.objectionsOpen, false);
    });

    it('the result, contract and termination notices hold their own content', async () => {
      const result = (await t.http.get(`/api/v1/notices/${n.result}`)).body;
      assert.equal(result.content.amount, '3280000.00');
      assert.equal(result.content.supplier.address, '浙江省宁波市测试路1号');
      assert.equal(result.content.goods.quantity, 1);
      assert.deepEqual(result.content.experts, EXPERTS);
      assert.equal(result.content.publishBy, '2026-09-14');
      const contract = (await t.http.get(`/api/v1/notices/${n.contract}`)).body;
      assert.equal(contract.content.contractNo, 'ZJRM-HT-2026-09');
      assert.equal(contract.content.signedOn, '2026-09-11');
      assert.equal(contract.content.amount, '3280000.00');
      assert.equal(contract.content.purchaser.name, '浙江省人民医院');
      assert.equal(contract.content.supplier.name, w.vendor.name);
      const termination = (await t.http.get(`/api/v1/notices/${n.termination}`)).body;
      assert.equal(termination.content.cause, 'over_budget');
      assert.equal(termination.content.amount, '5600000.00');
      assert.equal(termination.content.project.budget, '5000000.00');
      assert.equal(termination.content.project.name, '1.5T MR采购项目');
    });
  });

  describe('pages', () => {
    it('/notices lists the notices by type with their dates', async () => {
      const res = await t.http.get('/notices');
      assert.equal(res.status, 200);
      const html = text(res);
      assert.match(html, /单一来源公示/);
      assert.match(html, /成交结果公告/);
      assert.match(html, /浙江省人民医院64排CT采购项目单一来源采购公示/);
      assert.match(html, /2026-09-01/);
      const results = text(await t.http.get('/notices?type=result'));
      assert.match(results, /成交结果公告/);
      assert.doesNotMatch(results, /单一来源采购公示</);
      assert.equal((await t.http.get('/notices?type=nope')).status, 422);
      // The list holds both kinds of notice, and its words follow the kind shown (a workday pass, 2026-12-08: the
      // certification tab read "政府首购公告" over a text about single-source notices).
      assert.match(html, /<h1 class="page-title">公告公示<\/h1>/);
      const certification = text(await t.http.get('/notices?type=certification'));
      assert.match(certification, /拟认定名单的认定公示：公示期内/);
      assert.doesNotMatch(certification, /政府首购公告|单一来源采购）的公示/);
      assert.match(results, /首台（套）产品政府首购（单一来源采购）的公示/);
    });

    it('a 公示 page shows the content the law requires and, during the period, the objection form', async () => {
      at('2026-10-09T10:00:00+08:00');
      const res = await t.http.get(`/notices/${n.open}`);
      assert.equal(res.status, 200);
      const html = text(res);
      for (const s of ['浙江省人民医院', '64排CT', '采购64排螺旋CT一台', '浙江省宁波市测试路1号', w.vendor.name, ...EXPERTS.flatMap((e) => [e.name, e.unit, e.title]), '2026-09-30', '2026-10-12', '张老师', '0571-87666666', '浙江省杭州市上城区上塘路158号', '唯一性']) {
        assert.ok(html.includes(s), `page shows ${s}`);
      }
      assert.ok(!res.text.includes('<script>alert(1)</script>'), 'user text is escaped');
      assert.ok(html.includes('<script>alert(1)</script>64排CT二期'), 'and shown as text');
      assert.match(res.text, /name="content"/);
      assert.match(res.text, /action="\/notices\/\d+\/objections"/);
    });

    it('files an objection through the page form (with the CSRF token), and refuses without it', async () => {
      at('2026-10-12T20:00:00+08:00');
      const agent = request.agent(t.app.callback());
      const page = await agent.get(`/notices/${n.open}`);
      const without = await agent.post(`/notices/${n.open}/objections`).type('form').send({ name: '钱七', contact: '139', content: '异议' });
      assert.equal(without.status, 403);
      /** An objection missing its contact and content, sent from `referer` to the app at market.test. */
      const incomplete = (referer: string, csrf: string) =>
        agent.post(`/notices/${n.open}/objections`).set('Host', 'market.test').set('Referer', referer).type('form').send({ _csrf: csrf, name: '钱七', organization: '', contact: '', content: '' });
      const bad = await incomplete(`http://market.test/notices/${n.open}`, csrfOf(page.text));
      assert.equal(bad.status, 422);
      assert.match(text(bad), /联系方式：必填/);
      assert.match(bad.text, /value="钱七"/, 'the form comes back with what was typed');
      // That page sits at the form's POST address: its language switch goes back to the notice (the Referer).
      assert.match(bad.text, new RegExp(`class="lang-switch" href="/notices/${n.open}\\?lang(=|&#x3D;)en"`));
      const foreign = await incomplete(`http://elsewhere.example/notices/${n.open}`, csrfOf(bad.text));
      assert.equal(foreign.status, 422);
      assert.match(foreign.text, /class="lang-switch" href="\/\?lang(=|&#x3D;)en"/, 'another site’s Referer is not followed');
      const ok = await agent
        .post(`/notices/${n.open}/objections`)
        .type('form')
        .send({ _csrf: csrfOf(bad.text), name: '钱七', organization: '某医疗器械公司', contact: '13900000000', content: '该产品存在同类竞品' });
      assert.equal(ok.status, 302);
      assert.match(ok.headers.location, new RegExp(`/notices/${n.open}#objection$`));
      const after = await agent.get(`/notices/${n.open}`);
      assert.match(text(after), /异议已提交/);
      const rows = await ctx.db('objections').where({ case_id: cases.open });
      assert.equal(rows.length, 1);
      assert.equal(rows[0].organization, '某医疗器械公司');
    });

    it('after the period the page says objections are closed, and a late form post is a 409 that stores nothing', async () => {
      const agent = request.agent(t.app.callback());
      at('2026-10-12T23:50:00+08:00'); // the page is opened before midnight, the form sent after it
      const page = await agent.get(`/notices/${n.open}`);
      at('2026-10-13T00:00:05+08:00');
      const late = await agent.post(`/notices/${n.open}/objections`).type('form').send({ _csrf: csrfOf(page.text), name: '孙八', contact: '1', content: '逾期' });
      assert.equal(late.status, 409);
      assert.match(text(late), /公示期已于 2026-10-12 23:59:59 结束/);
      const closed = await agent.get(`/notices/${n.open}`);
      assert.match(text(closed), /不再受理异议/);
      assert.doesNotMatch(closed.text, /name="content"/);
      assert.equal((await ctx.db('objections').where({ case_id: cases.open })).length, 1);
    });

    it('result, contract and termination pages render their content; unknown notices are 404 pages', async () => {
      assert.match(text(await t.http.get(`/notices/${n.result}`)), /¥3,280,000\.00/);
      assert.match(text(await t.http.get(`/notices/${n.contract}`)), /ZJRM-HT-2026-09/);
      assert.match(text(await t.http.get(`/notices/${n.termination}`)), /协商确定的成交价格超过采购预算/);
      const missing = await t.http.get('/notices/999999');
      assert.equal(missing.status, 404);
      assert.match(missing.type, /html/);
    });

    it('the main navigation links the notices', async () => {
      assert.match((await t.http.get('/')).text, /href="\/notices"/);
    });
  });
});

/** A certification round's 拟认定名单 公示 (issue 15) among the public notices, with its objection form and limits. */
describe(`public notices: certification rounds (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  const tokens = new Map<string, string>();
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };
  let round: { id: number; noticeId: number; periodEndsAt: string };
  let apps: number[];
  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });

  before(async () => {
    t = testApp(ctx.db);
    at('2026-03-02T10:00:00+08:00');
    w = await makeRecWorld(ctx.db);
    apps = (await recommendedApplications(t.http, w, tok, 2)).ids;
    const res = await t.http.post('/api/v1/admin/certification-rounds').set('Authorization', await tok(w.users.admin)).send({ year: 2026, applicationIds: apps });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    round = res.body;
  });

  it('GET /api/v1/notices?type=certification lists the round’s notice (roundId, no case); the round’s noticeId is its id there', async () => {
    const res = await t.http.get('/api/v1/notices?type=certification');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 1);
    const item = res.body.items[0];
    assert.equal(item.id, round.noticeId);
    assert.equal(item.type, 'certification');
    assert.equal(item.roundId, round.id);
    assert.equal(item.caseId, null);
    assert.equal(item.periodEndsAt, round.periodEndsAt);
    assert.equal((await t.http.get('/api/v1/notices?type=single_source')).body.total, 0);
    assert.equal((await t.http.get('/api/v1/notices')).body.total, 1);
  });

  it('GET /api/v1/notices/:id: the 拟认定名单, the period, objections open, the applications an objection may name', async () => {
    const res = await t.http.get(`/api/v1/notices/${round.noticeId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.objectionsOpen, true);
    assert.equal(res.body.roundStatus, 'notice');
    assert.equal(res.body.caseStatus, null);
    assert.deepEqual(
      (res.body.content.list as Array<{ applicationId: number; level: string; track: string }>).map((a) => [a.applicationId, a.level, a.track]),
      apps.map((id) => [id, 'domestic', 'standard']),
    );
    assert.equal(res.body.content.period.workingDays, 5);
    assert.deepEqual(res.body.applications.map((a: { id: number }) => a.id), apps);
    // The recognition module's own address for it answers the same notice.
    assert.equal((await t.http.get(`/api/v1/certification-notices/${round.noticeId}`)).body.id, round.noticeId);
  });

  it('/notices lists it under its tab; /notices/:id shows the list and the objection form; the old page address moves there', async () => {
    const list = await t.http.get('/notices?type=certification');
    assert.equal(list.status, 200);
    assert.match(text(list), /认定公示/);
    assert.match(list.text, new RegExp(`href="/notices/${round.noticeId}"`));
    assert.match(text(list), /浙江省经济和信息化厅/);
    const page = await t.http.get(`/notices/${round.noticeId}`);
    assert.equal(page.status, 200);
    assert.match(text(page), /拟认定名单/);
    assert.match(text(page), /五轴联动卧式加工中心 1 VMC-5X/);
    assert.match(page.text, /name="applicationId"/);
    assert.match(page.text, new RegExp(`action="/notices/${round.noticeId}/objections"`));
    const moved = await t.http.get(`/certification-notices/${round.noticeId}`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, `/notices/${round.noticeId}`);
    const en = await t.http.get(`/notices/${round.noticeId}?lang=en`);
    assert.match(en.text, /Proposed certifications/);
  });

  it('files an objection through the page form (CSRF; naming an application of the round), 422 beside the field, 403 without the token', async () => {
    const agent = request.agent(t.app.callback());
    const page = await agent.get(`/notices/${round.noticeId}`);
    const without = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ name: '钱七', organization: '某公司', contact: '139', content: '异议' });
    assert.equal(without.status, 403);
    const bad = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ _csrf: csrfOf(page.text), name: '钱七', organization: '', contact: '', content: '', applicationId: String(apps[1]) });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="obj-contact-err"/);
    assert.match(bad.text, new RegExp(`<option value="${apps[1]}" selected>`), 'the chosen application stays chosen');
    const wrong = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ _csrf: csrfOf(bad.text), name: '钱七', organization: '某公司', contact: '139', content: '异议', applicationId: '999999' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /id="obj-app-err"/);
    const ok = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ _csrf: csrfOf(wrong.text), name: '钱七', organization: '某公司', contact: '13900000000', content: '该产品的主轴转速实测不足', applicationId: String(apps[1]) });
    assert.equal(ok.status, 302, ok.text);
    assert.match(ok.headers.location, new RegExp(`/notices/${round.noticeId}#objection$`));
    const rows = await ctx.db('cert_objections').where({ round_id: round.id });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].application_id, apps[1]);
    const after = await agent.get(`/notices/${round.noticeId}`);
    assert.match(text(after), /异议已提交/);
    assert.match(text(after), /正在处理/);
    assert.doesNotMatch(text(after), /13900000000/, 'who objected is never public');
  });

  it('the single-source limits hold for a round: the 6th anonymous objection from one address within the hour is a 429 that writes nothing', async () => {
    const before = (await ctx.db('cert_objections').where({ round_id: round.id })).length; // 1, from the page form
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.http.post(`/api/v1/certification-rounds/${round.id}/objections`).send({ name: `异议人${i}`, organization: '某公司', contact: '1', content: '异议' });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.ok(res.headers['retry-after']);
        assert.equal(res.body.error.code, 'too_many_attempts');
      }
    }
    assert.deepEqual(statuses, [201, 201, 201, 201, 429]);
    assert.equal((await ctx.db('cert_objections').where({ round_id: round.id })).length, before + 4);
    // The page form counts against the same round.
    const agent = request.agent(t.app.callback());
    const page = await agent.get(`/notices/${round.noticeId}`);
    const limited = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ _csrf: csrfOf(page.text), name: '周九', organization: '某公司', contact: '1', content: '异议' });
    assert.equal(limited.status, 429);
  });

  it('after the period the page says objections are closed and a late post is a 409; the finalized round’s notice stays listed', async () => {
    const agent = request.agent(t.app.callback());
    at(new Date(new Date(round.periodEndsAt).getTime() - 600_000).toISOString());
    const page = await agent.get(`/notices/${round.noticeId}`); // opened before the end, sent after it
    at(new Date(new Date(round.periodEndsAt).getTime() + 5_000).toISOString());
    const late = await agent.post(`/notices/${round.noticeId}/objections`).type('form').send({ _csrf: csrfOf(page.text), name: '孙八', organization: '某公司', contact: '1', content: '逾期' });
    assert.equal(late.status, 409);
    assert.match(text(late), /公示期/);
    const closed = await t.http.get(`/notices/${round.noticeId}`);
    assert.doesNotMatch(closed.text, /name="content"/);
    tokens.clear(); // the clock moved past the tokens' lifetime
    const admin = { Authorization: await tok(w.users.admin) };
    for (const o of await ctx.db('cert_objections').where({ round_id: round.id, status: 'open' })) {
      const upheld = o.application_id === apps[1];
      const res = await t.http.post(`/api/v1/admin/certification-rounds/${round.id}/objections/${o.id}/resolve`).set(admin).send({ upheld, opinion: upheld ? '经复核，主轴转速不达标' : '不成立' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const fin = await t.http.post(`/api/v1/admin/certification-rounds/${round.id}/finalize`).set(admin);
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
    const detail = await t.http.get(`/api/v1/notices/${round.noticeId}`);
    assert.equal(detail.body.roundStatus, 'finalized');
    assert.equal(detail.body.objectionsOpen, false);
    assert.ok(detail.body.objections.every((o: { answered: boolean }) => o.answered));
    assert.equal((await t.http.get('/api/v1/notices?type=certification')).body.total, 1);
  });
});
