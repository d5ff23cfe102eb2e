import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeUser } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { REC_FIELD, makeRecWorld, recommendedApplications, type RecWorld } from '../helpers/recognition';
import { csrfFor, loginAgent, type Agent } from '../helpers/session';

/** A form as a browser sends it: repeated names for checkboxes and rows, the CSRF token in `_csrf`. */
function form(fields: Array<[string, string]>, csrf: string): string {
  const p = new URLSearchParams();
  for (const [k, v] of fields) p.append(k, v);
  p.append('_csrf', csrf);
  return p.toString();
}

/**
 * The department's pages of issue 15 items 2 and 5: the expert pool (list, add, edit, deactivate), the indicator
 * list's editing with its history, and a round's objections ruled on a page — each form with its CSRF token, every
 * refusal shown beside its field in the reader's language, nothing written by a refused form.
 */
describe(`recognition admin pages (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  let agent: Agent;
  const post = async (path: string, fields: Array<[string, string]>, from = path) => agent.post(path).type('form').send(form(fields, await csrfFor(agent, from)));

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    w = await makeRecWorld(ctx.db, { experts: 4 });
    agent = await loginAgent(t.app, w.users.admin);
  });

  describe('the expert pool (专家库)', () => {
    it('lists the pool and adds an expert with two fields and a login; the new expert’s page says so', async () => {
      const page = decodeEntities((await agent.get('/admin/experts')).text);
      assert.match(page, /<h1 class="page-title">专家库<\/h1>/);
      assert.match(page, /专家0/);
      const login = await makeUser(ctx.db, { role: 'expert' });
      const res = await post('/admin/experts', [['name', '王工'], ['unit', '浙江工业大学'], ['title', '教授'], ['fields', REC_FIELD], ['fields', '船舶'], ['username', login.username]]);
      assert.equal(res.status, 302, res.text);
      const row = await ctx.db('experts').where({ name: '王工' }).first();
      assert.deepEqual(JSON.parse(row.fields), [REC_FIELD, '船舶']);
      assert.equal(row.user_id, login.id);
      assert.equal(res.headers.location, `/admin/experts/${row.id}`);
      const detail = decodeEntities((await agent.get(res.headers.location)).text);
      assert.match(detail, /已将 王工 加入专家库。/);
      assert.match(detail, /data-state="active">在库/);
    });

    it('a refused form: each problem beside its field (Chinese, then English), what was typed kept, nothing written', async () => {
      const before = (await ctx.db('experts').count({ n: '*' }).first())!.n;
      const res = await post('/admin/experts', [['name', ''], ['unit', '某研究院'], ['title', '研究员'], ['username', 'nobody-here']]);
      assert.equal(res.status, 422);
      const html = decodeEntities(res.text);
      assert.match(html, /<input id="ex-name" name="name" required maxlength="50" value="" aria-invalid="true" aria-describedby="ex-name-err">\s*<span id="ex-name-err" class="field-error">[^<]+<\/span>/);
      assert.match(html, /<span id="ex-fields-err" class="field-error">[^<]+<\/span>/);
      assert.match(html, /value="某研究院"/);
      assert.equal((await ctx.db('experts').count({ n: '*' }).first())!.n, before);
      // An expert's unit and title are named as the form names them (not a unit of measure and a product's name).
      const blank = decodeEntities((await post('/admin/experts', [['name', '王五'], ['unit', ''], ['title', ''], ['fields', REC_FIELD]])).text);
      assert.match(blank, /<span id="ex-unit-err" class="field-error">工作单位：[^<]+<\/span>/);
      assert.match(blank, /<span id="ex-title-err" class="field-error">职称：[^<]+<\/span>/);
      const api = await t.http.post('/api/v1/admin/experts').set('Authorization', await bearer(t.http, w.users.admin)).send({ name: '王五', unit: '', title: '教授', fields: [REC_FIELD] });
      assert.equal(api.status, 422);
      assert.deepEqual([api.body.error.field, api.body.error.message.startsWith('工作单位')], ['unit', true]);
      // The username is checked once the rest is right: an account that is not an expert's is named.
      const english = await loginAgent(t.app, w.users.admin);
      await english.get('/admin/experts?lang=en');
      const vendorLogin = await english.post('/admin/experts').type('form').send(form([['name', 'Li'], ['unit', 'Some institute'], ['title', 'Professor'], ['fields', REC_FIELD], ['username', w.users.vendor]], await csrfFor(english, '/admin/experts')));
      assert.equal(vendorLogin.status, 422);
      assert.match(decodeEntities(vendorLogin.text), new RegExp(`<span id="ex-username-err" class="field-error">[^<]*there is no expert account with the username ${w.users.vendor}</span>`));
      assert.equal((await ctx.db('experts').count({ n: '*' }).first())!.n, before);
    });

    it('a form without its CSRF token is refused (403) and writes nothing', async () => {
      const res = await agent.post('/admin/experts').type('form').send(form([['name', '无令牌'], ['unit', 'u'], ['title', 't'], ['fields', REC_FIELD]], 'wrong'));
      assert.equal(res.status, 403);
      assert.equal(await ctx.db('experts').where({ name: '无令牌' }).first(), undefined);
    });

    it('edits unit and fields with history shown; a blank title is refused beside the field; deactivating and reactivating are on record', async () => {
      const e = w.experts[0]!;
      const path = `/admin/experts/${e.id}`;
      const bad = await post(path, [['name', '专家0'], ['unit', '浙江大学'], ['title', ''], ['fields', REC_FIELD]]);
      assert.equal(bad.status, 422);
      assert.match(decodeEntities(bad.text), /<span id="ee-title-err" class="field-error">[^<]+<\/span>/);
      assert.equal((await ctx.db('experts').where({ id: e.id }).first()).unit, e.unit, 'nothing written');
      const ok = await post(path, [['name', '专家0'], ['unit', '浙江大学'], ['title', '教授'], ['fields', REC_FIELD], ['fields', '船舶']]);
      assert.equal(ok.status, 302);
      const html = decodeEntities((await agent.get(path)).text);
      assert.match(html, /已保存 专家0 的修改。/);
      assert.match(html, new RegExp(`工作单位：${e.unit} → 浙江大学`));
      assert.match(html, /评审领域：数控机床 → 数控机床、船舶/);
      const off = await post(`${path}/active`, [['active', 'false']], path);
      assert.equal(off.status, 302);
      const after = decodeEntities((await agent.get(path)).text);
      assert.match(after, /专家0 已停用，不再被抽取。/);
      assert.match(after, /data-state="inactive"/);
      assert.match(after, /状态：在库 → 已停用/);
      assert.equal((await ctx.db('experts').where({ id: e.id }).first()).active ? 1 : 0, 0);
      assert.equal((await post(`${path}/active`, [['active', 'true']], path)).status, 302);
    });

    it('other roles are refused (403) and an unknown expert is 404', async () => {
      const vendor = await loginAgent(t.app, w.users.vendor);
      assert.equal((await vendor.get('/admin/experts')).status, 403);
      assert.equal((await agent.get('/admin/experts/999999')).status, 404);
    });
  });

  describe('the indicator list (清单)', () => {
    const rows = (...r: Array<[string, string, string, string]>): Array<[string, string]> =>
      r.flatMap(([name, cmp, threshold, unit]) => [['ind_name', name], ['ind_comparator', cmp], ['ind_threshold', threshold], ['ind_unit', unit]] as Array<[string, string]>);

    it('adds an entry from the rows filled in (blank rows left out), then edits a threshold with the change on record', async () => {
      const res = await post('/admin/indicator-list', [['year', '2026'], ['field', REC_FIELD], ['product', '精密磨床'], ...rows(['圆度', '<=', '0.5', 'μm'], ['', '>=', '', ''], ['砂轮线速度', '>=', '60', 'm/s'])]);
      assert.equal(res.status, 302, res.text);
      const entry = await ctx.db('indicator_list').where({ product: '精密磨床' }).first();
      assert.deepEqual(JSON.parse(entry.indicators), [
        { name: '圆度', comparator: '<=', threshold: 0.5, unit: 'μm' },
        { name: '砂轮线速度', comparator: '>=', threshold: 60, unit: 'm/s' },
      ]);
      const path = `/admin/indicator-list/${entry.id}`;
      assert.equal(res.headers.location, path);
      const edit = await post(path, [['year', '2026'], ['field', REC_FIELD], ['product', '精密磨床'], ...rows(['圆度', '<=', '0.3', 'μm'], ['砂轮线速度', '>=', '60', 'm/s'])]);
      assert.equal(edit.status, 302);
      const html = decodeEntities((await agent.get(path)).text);
      assert.match(html, /已保存清单条目“精密磨床”。/);
      assert.match(html, /<td>修改<\/td><td>2026 · 数控机床 · 精密磨床：圆度 ≤ 0.5μm；砂轮线速度 ≥ 60m\/s<\/td><td>2026 · 数控机床 · 精密磨床：圆度 ≤ 0.3μm；砂轮线速度 ≥ 60m\/s<\/td>/);
      assert.match(html, /<td>新增<\/td>/);
      // The public list shows the new threshold.
      assert.match(decodeEntities((await t.http.get('/indicator-list?year=2026')).text), /圆度 ≤ 0.3μm/);
    });

    it('a bad threshold is shown beside its own row (a blank row before it does not shift it); nothing written', async () => {
      const before = (await ctx.db('indicator_list').count({ n: '*' }).first())!.n;
      const res = await post('/admin/indicator-list', [['year', '2026'], ['field', REC_FIELD], ['product', '坏门槛'], ...rows(['圆度', '<=', '0.5', 'μm'], ['', '>=', '', ''], ['转速', '>=', 'fast', 'r/min'])]);
      assert.equal(res.status, 422);
      const html = decodeEntities(res.text);
      assert.match(html, /<input id="il-new-ind-3-threshold" name="ind_threshold" inputmode="decimal" maxlength="20" value="fast"[^>]*aria-invalid="true"[^>]*>\s*<span id="il-new-ind-3-threshold-err" class="field-error">[^<]+<\/span>/);
      assert.doesNotMatch(html, /il-new-ind-1-threshold-err/);
      assert.equal((await ctx.db('indicator_list').count({ n: '*' }).first())!.n, before);
      const english = await loginAgent(t.app, w.users.admin);
      await english.get('/admin/indicator-list?lang=en');
      const none = await english.post('/admin/indicator-list').type('form').send(form([['year', '20x6'], ['field', ''], ['product', 'No rows']], await csrfFor(english, '/admin/indicator-list')));
      assert.equal(none.status, 422);
      const en = decodeEntities(none.text);
      assert.match(en, /<p id="il-new-ind-err" class="field-error">Key technical indicators: required<\/p>/);
      assert.match(en, /<span id="il-new-year-err" class="field-error">[^<]+<\/span>/);
      assert.match(en, /<span id="il-new-field-err" class="field-error">[^<]+<\/span>/);
    });
  });

  describe('a round’s objections (公示 异议)', () => {
    let roundId: number;
    let apps: number[];
    let named: number;
    let unnamed: number;

    before(async () => {
      const token = (u: string) => bearer(t.http, u);
      apps = (await recommendedApplications(t.http, w, token, 2)).ids;
      const admin = await token(w.users.admin);
      const round = await t.http.post('/api/v1/admin/certification-rounds').set('Authorization', admin).send({ year: 2026, applicationIds: apps });
      assert.equal(round.status, 201, JSON.stringify(round.body));
      roundId = round.body.id;
      const file = (body: Record<string, unknown>) => t.http.post(`/api/v1/certification-rounds/${roundId}/objections`).send({ name: '异议人', organization: '某公司', contact: '0571-1', content: '指标存疑', ...body });
      named = (await file({ applicationId: apps[1] })).body.id;
      unnamed = (await file({ content: '整体存疑' })).body.id;
    });

    it('the round page shows the open objections, and finalizing is refused while the period runs and while any is open (DESIGN §8)', async () => {
      const html = decodeEntities((await agent.get(`/admin/certification-rounds/${roundId}`)).text);
      assert.match(html, /data-open-objections="2"/);
      assert.match(html, /<span id="rp-refusal" class="hint" data-refusal>公示期至 /);
      t.clock.set(new Date('2026-03-20T02:00:00Z'), { freeze: true });
      agent = await loginAgent(t.app, w.users.admin); // the session idled out over the period
      const after = decodeEntities((await agent.get(`/admin/certification-rounds/${roundId}`)).text);
      assert.match(after, /<span id="rp-refusal" class="hint" data-refusal>尚有 2 件异议未处理<\/span>/);
      assert.doesNotMatch(after, new RegExp(`action="/admin/certification-rounds/${roundId}/finalize"`));
      // The desk says so too, and the service refuses the finalize form itself.
      assert.match(decodeEntities((await agent.get('/admin/applications')).text), /2 件异议待处理/);
      const refused = await post(`/admin/certification-rounds/${roundId}/finalize`, [], '/admin/applications');
      assert.equal(refused.status, 409);
      assert.equal((await ctx.db('cert_rounds').where({ id: roundId }).first()).status, 'notice');
    });

    it('a ruling without an opinion, or upholding an objection that named no application without choosing one, is refused beside the field', async () => {
      const path = (oid: number) => `/admin/certification-rounds/${roundId}/objections/${oid}/resolve`;
      const page = `/admin/certification-rounds/${roundId}`;
      const noOpinion = await post(path(named), [['upheld', 'true'], ['opinion', '']], page);
      assert.equal(noOpinion.status, 422);
      assert.match(decodeEntities(noOpinion.text), new RegExp(`<span id="ob-${named}-opinion-err" class="field-error">[^<]+</span>`));
      const noApp = await post(path(unnamed), [['upheld', 'true'], ['opinion', '成立'], ['applicationId', '']], page);
      assert.equal(noApp.status, 422);
      assert.match(decodeEntities(noApp.text), new RegExp(`<span id="ob-${unnamed}-app-err" class="field-error">[^<]*异议成立须指明本批次中的申请</span>`));
      assert.match(decodeEntities(noApp.text), new RegExp(`<textarea id="ob-${unnamed}-opinion"[^>]*>成立</textarea>`), 'the opinion typed is kept');
      assert.deepEqual((await ctx.db('cert_objections').where({ round_id: roundId }).pluck('status')).sort(), ['open', 'open']);
    });

    it('upholding takes the named application out of the round; dismissing records the reply; then the round is finalized', async () => {
      const page = `/admin/certification-rounds/${roundId}`;
      const up = await post(`${page}/objections/${named}/resolve`, [['upheld', 'true'], ['opinion', '检测报告与指标不符']], page);
      assert.equal(up.status, 302, up.text);
      assert.equal((await ctx.db('cert_applications').where({ id: apps[1] }).first()).status, 'rejected');
      const down = await post(`${page}/objections/${unnamed}/resolve`, [['upheld', 'false'], ['opinion', '未提供依据，不成立']], page);
      assert.equal(down.status, 302);
      const html = decodeEntities((await agent.get(page)).text);
      assert.match(html, /经复核，异议不成立，处理意见已记录。/);
      assert.match(html, /data-open-objections="0"/);
      assert.match(html, /<dt>处理意见<\/dt><dd>未提供依据，不成立<\/dd>/);
      assert.match(html, new RegExp(`action="/admin/certification-rounds/${roundId}/finalize"`));
      assert.match(html, /<p class="hint" id="rp-finalize-hint">完成认定后，名单内 \d+ 项申请[^<]*有效期 3 年[^<]*不能撤回。<\/p>/);
      // A second ruling on the same objection is refused (409), the first one stands.
      assert.equal((await post(`${page}/objections/${named}/resolve`, [['upheld', 'false'], ['opinion', '再议']], page)).status, 409);
      const fin = await post(`${page}/finalize`, [], page);
      assert.equal(fin.status, 302);
      assert.equal((await ctx.db('cert_rounds').where({ id: roundId }).first()).status, 'finalized');
      assert.equal((await ctx.db('cert_applications').where({ id: apps[0] }).first()).status, 'certified');
    });
  });
});
