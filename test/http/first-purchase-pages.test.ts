import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { allocate, caseForm, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';

const text = (res: Response) => decodeEntities(res.text);

function createForm(productId: number, csrf: string, over: Record<string, string> = {}): string {
  // An empty expert row, as the form shows five: it is ignored.
  return new URLSearchParams({ ...caseForm(productId, over), _csrf: csrf, 'experts[3][name]': '', 'experts[3][unit]': '', 'experts[3][title]': '' }).toString();
}

/** The pages of the procedure: the purchaser's cases and form, the vendor's view, the admin's desk. */
describe(`first purchase pages (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let purchaser: Agent;
  let caseId: number;

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  /** Sessions idle out after 30 minutes of the clock: log in again after moving it. */
  const as = (who: keyof FpWorld['users']) => loginAgent(t.app, w.users[who]);

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    at('2026-09-29T10:00:00+08:00');
    await allocate(ctx.db, w.unit.id, 10_000_000_00, `test:pages:${ENGINE}`);
    purchaser = await as('purchaser');
  });

  it('anonymous visitors are sent to the login page; a vendor may not open the case form', async () => {
    const res = await t.http.get('/first-purchases');
    assert.equal(res.status, 302);
    assert.match(res.headers.location, /^\/login\?next=/);
    const vendor = await as('vendor');
    assert.equal((await vendor.get('/first-purchases/new')).status, 403);
  });

  it('the case form lists only products with a current certificate', async () => {
    const res = await purchaser.get(`/first-purchases/new?productId=${w.products.ct}`);
    assert.equal(res.status, 200);
    const html = text(res);
    assert.match(html, new RegExp(`<option value="${w.products.ct}" selected>64排CT`));
    assert.match(html, /1\.5T MR/);
    for (const title of ['旧款CT', '撤销证书的CT', '精品监护仪', '待审核CT', '借用证书的CT']) assert.ok(!html.includes(title), title);
  });

  it('a bad budget comes back as a 422 with the message beside the field and the typed values kept', async () => {
    const page = await purchaser.get('/first-purchases/new');
    const res = await purchaser.post('/first-purchases').type('form').send(createForm(w.products.ct, csrfOf(page.text), { budget: '1e3' }));
    assert.equal(res.status, 422);
    const html = text(res);
    assert.match(html, /采购预算：金额格式应为/);
    assert.match(html, /value="64排CT采购项目"/);
    assert.match(html, /value="王建国"/);
    assert.equal(Number((await ctx.db('fp_cases').count<{ n: number }[]>({ n: '*' }).first())?.n), 0, 'nothing written');
  });

  it('opens a case through the form (empty expert rows ignored) and shows it with the submit action', async () => {
    const page = await purchaser.get('/first-purchases/new');
    const res = await purchaser.post('/first-purchases').type('form').send(createForm(w.products.ct, csrfOf(page.text)));
    assert.equal(res.status, 302);
    caseId = Number(/\/first-purchases\/(\d+)$/.exec(res.headers.location)?.[1]);
    const row = await ctx.db('fp_cases').where({ id: caseId }).first();
    assert.equal(JSON.parse(row.experts).length, 3);
    const detail = await purchaser.get(res.headers.location);
    const html = text(detail);
    assert.match(html, /已保存为草稿/);
    assert.match(html, /草稿/);
    assert.match(detail.text, new RegExp(`action="/first-purchases/${caseId}/submit"`));
    assert.match(detail.text, /name="_csrf"/);
    // A draft is the unit's own until published: the vendor it names neither lists it nor opens it.
    const vendor = await as('vendor');
    assert.doesNotMatch(text(await vendor.get('/first-purchases')), /64排CT采购项目/);
    assert.equal((await vendor.get(`/first-purchases/${caseId}`)).status, 404);
  });

  it('submits it: the notice is published and the case is in its notice period', async () => {
    const page = await purchaser.get(`/first-purchases/${caseId}`);
    const res = await purchaser.post(`/first-purchases/${caseId}/submit`).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(res.status, 302);
    const html = text(await purchaser.get(`/first-purchases/${caseId}`));
    assert.match(html, /单一来源公示已发布/);
    assert.match(html, /公示中/);
    assert.match(html, /href="\/notices\/\d+"/);
    const list = text(await purchaser.get('/first-purchases'));
    assert.match(list, /64排CT采购项目/);
    assert.match(list, /公示至/);
  });

  it('another purchasing unit gets a 403; the vendor sees the case without action forms', async () => {
    const other = await as('purchaser2');
    assert.equal((await other.get(`/first-purchases/${caseId}`)).status, 403);
    assert.doesNotMatch(text(await other.get('/first-purchases')), /64排CT采购项目/);
    const vendor = await as('vendor');
    const res = await vendor.get(`/first-purchases/${caseId}`);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /<form method="post" action="\/first-purchases/);
    assert.match(text(await vendor.get('/first-purchases')), /64排CT采购项目/);
    assert.equal((await (await as('vendor2')).get(`/first-purchases/${caseId}`)).status, 403);
  });

  it('the finance department: approval before the period ends is refused on the page with the reason; admin may not approve', async () => {
    const admin = await as('admin');
    const adminPage = await admin.get(`/first-purchases/${caseId}`);
    assert.doesNotMatch(adminPage.text, /step-approve/, 'the admin (经信) has no approval form');
    assert.equal((await admin.post(`/first-purchases/${caseId}/approve`).type('form').send({ _csrf: csrfOf(adminPage.text) })).status, 403);
    const finance = await as('finance');
    const page = await finance.get(`/first-purchases/${caseId}`);
    assert.match(page.text, /disabled>/, 'the approve button is disabled with the reason');
    assert.match(text(page), /公示期尚未结束/);
    const res = await finance.post(`/first-purchases/${caseId}/approve`).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(res.status, 409);
    assert.match(text(res), /公示期尚未结束（至 2026-10-12 23:59:59）/);
  });

  it('the admin desk lists open objections and, after the period, the case awaiting approval; the admin resolves, finance approves by form with opinion and number', async () => {
    await t.http.post(`/api/v1/first-purchases/${caseId}/objections`).send({ name: '赵六', organization: '某公司', contact: '138', content: '不具唯一性' });
    at('2026-10-13T09:00:00+08:00');
    const admin = await as('admin');
    let desk = text(await admin.get('/admin/first-purchases'));
    assert.match(desk, /不具唯一性/);
    assert.match(desk, /1 项异议待处理/);
    // The list no longer says "公示至" a day gone by: the period is over, its objection waits.
    const listed = text(await admin.get('/first-purchases'));
    assert.match(listed, /公示期满，1 项异议待处理/);
    assert.doesNotMatch(listed, /公示至 2026-10-12/);
    const page = await admin.get(`/first-purchases/${caseId}`);
    const oid = (await ctx.db('objections').where({ case_id: caseId }).first()).id;
    assert.match(page.text, new RegExp(`action="/first-purchases/${caseId}/objections/${oid}/resolve"`));
    // A ruling without its opinion comes back with the message beside that objection's opinion box, the reply kept.
    const refused = await admin.post(`/first-purchases/${caseId}/objections/${oid}/resolve`).type('form').send({ _csrf: csrfOf(page.text), upheld: 'false', opinion: '', reply: '感谢来函' });
    assert.equal(refused.status, 422);
    assert.match(refused.text, new RegExp(`<textarea id="opinion-${oid}"[^>]*aria-invalid="true" aria-describedby="opinion-${oid}-err">\\s*</textarea>\\s*<span id="opinion-${oid}-err" class="field-error">[^<]*必填`));
    assert.match(refused.text, new RegExp(`<textarea id="reply-${oid}"[^>]*>感谢来函</textarea>`));
    const notADuplicate = await admin.post(`/first-purchases/${caseId}/objections/${oid}/mark`).type('form').send({ _csrf: csrfOf(page.text), disposition: 'duplicate', duplicateOf: 'abc' });
    assert.equal(notADuplicate.status, 422);
    assert.match(notADuplicate.text, new RegExp(`<input id="dup-${oid}"[^>]*value="abc" aria-invalid="true"[^>]*>\\s*<span id="dup-${oid}-err" class="field-error">`));
    assert.equal((await ctx.db('objections').where({ id: oid }).first()).status, 'open', 'nothing written by a refusal');
    const resolved = await admin.post(`/first-purchases/${caseId}/objections/${oid}/resolve`).type('form').send({ _csrf: csrfOf(page.text), upheld: 'false', opinion: '经补充论证，异议不成立' });
    assert.equal(resolved.status, 302);
    assert.match(text(await admin.get('/first-purchases')), /公示期满，待财政部门审批/);
    desk = text(await admin.get('/admin/first-purchases'));
    assert.match(desk, /公示期满、待财政部门审批的项目/);
    assert.doesNotMatch(desk, new RegExp(`action="/first-purchases/${caseId}/approve"`));
    const finance = await as('finance');
    const financeDesk = text(await finance.get('/finance'));
    assert.match(financeDesk, /64排CT采购项目/);
    const financePage = await finance.get(`/first-purchases/${caseId}`);
    assert.match(financePage.text, /id="ap-opinion"/);
    const approved = await finance
      .post(`/first-purchases/${caseId}/approve`)
      .type('form')
      .send({ _csrf: csrfOf(financePage.text), opinion: '同意采用单一来源方式采购', approvalNo: '浙财采监〔2026〕8号' });
    assert.equal(approved.status, 302);
    const shown = text(await admin.get(`/first-purchases/${caseId}`));
    assert.match(shown, /已审批/);
    assert.match(shown, /浙财采监〔2026〕8号/);
    assert.match(shown, /同意采用单一来源方式采购/);
  });

  it('the purchaser negotiates, signs, accepts and pays through the forms; a price with three decimals is a 422', async () => {
    const p = await as('purchaser');
    let page = await p.get(`/first-purchases/${caseId}`);
    const record = { 'record[date]': '2026-10-13', 'record[place]': '会议室', 'record[staff]': '张三\n李四、王五\n赵六：认为保修期应延长至五年', 'record[supplierRepresentative]': '钱七', 'record[costNote]': '成本 280 万元', 'record[comparablePrices]': '同型号合同价 328 万元', 'record[patents]': '探测器为供应商发明专利', 'record[agreedTerms]': '交货期 60 日，保修三年' };
    const bad = await p.post(`/first-purchases/${caseId}/negotiate`).type('form').send({ _csrf: csrfOf(page.text), amount: '3000000.001', ...record });
    assert.equal(bad.status, 422);
    assert.match(text(bad), /协商确定的成交价格：金额格式应为/, 'named as the form labels it');
    assert.match(bad.text, /value="3000000\.001"/);
    assert.match(bad.text, /<input id="n-amount"[^>]*aria-invalid="true" aria-describedby="n-amount-err">\s*<span id="n-amount-err" class="field-error">协商确定的成交价格：金额格式应为/, 'the message sits beside the amount');
    const lateDate = await p.post(`/first-purchases/${caseId}/negotiate`).type('form').send({ _csrf: csrfOf(bad.text), amount: '3000000', ...record, 'record[date]': '2099-01-01' });
    assert.equal(lateDate.status, 422);
    assert.match(lateDate.text, /<span id="n-date-err" class="field-error">协商日期：不能晚于今天<\/span>/);
    assert.doesNotMatch(lateDate.text, /id="n-amount-err"/, 'only the field at fault is marked');
    const ok = await p.post(`/first-purchases/${caseId}/negotiate`).type('form').send({ _csrf: csrfOf(bad.text), amount: '3000000', ...record });
    assert.equal(ok.status, 302);
    const staff = JSON.parse((await ctx.db('fp_cases').where({ id: caseId }).first()).negotiation).staff;
    assert.deepEqual(staff, [
      { name: '张三', confirmed: true, dissent: null },
      { name: '李四', confirmed: true, dissent: null },
      { name: '王五', confirmed: true, dissent: null },
      { name: '赵六', confirmed: true, dissent: '认为保修期应延长至五年' },
    ], 'one negotiator a line (or separated by 、), a dissent after the colon');
    page = await p.get(`/first-purchases/${caseId}`);
    assert.equal((await p.post(`/first-purchases/${caseId}/contract`).type('form').send({ _csrf: csrfOf(page.text), contractNo: 'HT-2026-1', signedAt: '2026-10-13' })).status, 302);
    page = await p.get(`/first-purchases/${caseId}`);
    assert.equal((await p.post(`/first-purchases/${caseId}/accept`).type('form').send({ _csrf: csrfOf(page.text), team: '张三\n李四', report: '验收合格', note: '合格' })).status, 302);
    page = await p.get(`/first-purchases/${caseId}`);
    // Paying asks for the tick beside the button (a workday pass, 2026-12-08: ¥3,000,000 went in one click): without it,
    // a 422 naming it, and nothing paid.
    assert.match(page.text, /<input type="checkbox" name="_confirm" value="on" required> 我已核对合同金额和收款供应商，确认付款结算/);
    const unticked = await p.post(`/first-purchases/${caseId}/pay`).type('form').send({ _csrf: csrfOf(page.text) });
    assert.equal(unticked.status, 422);
    assert.match(text(unticked), /请先勾选确认/);
    assert.equal((await ctx.db('fp_cases').where({ id: caseId }).first('status')).status, 'accepted');
    assert.equal((await p.post(`/first-purchases/${caseId}/pay`).type('form').send({ _csrf: csrfOf(page.text), _confirm: 'on' })).status, 302);
    const html = text(await p.get(`/first-purchases/${caseId}`));
    assert.match(html, /已付款结算/);
    assert.match(html, /¥3,000,000\.00/);
    for (const step of ['创建项目', '发布单一来源公示', '收到异议', '异议不成立', '审批通过', '协商成交', '签订合同', '验收', '付款结算']) assert.ok(html.includes(step), step);
  });

  it('a draft ended before its 公示 says no termination notice was due, not that one was published', async () => {
    const purchaser = await as('purchaser'); // signed in afresh: the clock has moved on since the first login
    const page = await purchaser.get('/first-purchases/new');
    const created = await purchaser.post('/first-purchases').type('form').send(createForm(w.products.ct, csrfOf(page.text)));
    assert.equal(created.status, 302, created.text.slice(0, 500));
    const id = Number(/\/first-purchases\/(\d+)$/.exec(created.headers.location)?.[1]);
    const draft = await purchaser.get(`/first-purchases/${id}`);
    const ended = await purchaser.post(`/first-purchases/${id}/terminate`).type('form').send({ _csrf: csrfOf(draft.text), cause: 'withdrawn', explanation: '需求取消' });
    assert.equal(ended.status, 302, ended.text.slice(0, 300));
    const after = text(await purchaser.get(`/first-purchases/${id}`));
    assert.match(after, /采购活动已终止（项目尚未公示，无需发布终止公告）/);
    assert.doesNotMatch(after, /并发布终止公告/);
    assert.equal((await ctx.db('notices').where({ case_id: id })).length, 0);
  });

  it('every page also renders in English', async () => {
    const p = await as('purchaser');
    for (const path of ['/first-purchases?lang=en', `/first-purchases/${caseId}?lang=en`, '/first-purchases/new?lang=en', '/notices?lang=en']) {
      const res = await p.get(path);
      assert.equal(res.status, 200, path);
    }
    assert.match((await p.get(`/first-purchases/${caseId}?lang=en`)).text, /Paid/);
  });
});
