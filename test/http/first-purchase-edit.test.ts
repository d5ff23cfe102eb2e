import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';
import { allocate, caseBody, clockedTokens, makeFpWorld, type FpWorld } from '../helpers/first-purchase';

type Who = keyof FpWorld['users'] | null;
const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

function assertError(res: Response, status: number, code?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  if (code) assert.equal(res.body.error.code, code);
  assert.ok(String(res.body.error.message).length > 0);
}

/**
 * A 政府首购 draft is the purchaser's to correct until its 公示 is published: `PATCH /api/v1/first-purchases/:id` with
 * the shape of creating it (checked as creating it is), and 修改草稿 on the case page. Once submitted it is the public
 * record (政府采购法 art. 38's items as published): 409.
 */
describe(`first purchase: editing a draft (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;
  let buyer: Agent;

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  async function call(method: 'get' | 'post' | 'patch', path: string, who: Who, body?: unknown): Promise<Response> {
    const req = t.http[method](`/api/v1/first-purchases${path}`);
    if (who) req.set('Authorization', await token(who));
    return body === undefined ? req : req.send(body as object);
  }
  const draft = async (who: Who = 'purchaser') => {
    const res = await call('post', '', who, caseBody(w.products.ct));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const row = async (id: number) => ctx.db('fp_cases').where({ id }).first();

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    await allocate(ctx.db, w.unit.id, 100_000_000_00, `test:fp-edit:${ENGINE}:alloc`);
    at('2026-09-29T10:00:00+08:00');
    buyer = await loginAgent(t.app, w.users.purchaser);
  });

  it('JSON: the purchaser corrects its draft — another product, budget, experts; the answer is the case; history and audit name what changed', async () => {
    const id = await draft();
    const experts = [
      { name: '陈医生', unit: '浙江大学医学院附属第一医院', title: '主任医师' },
      { name: '周工', unit: '浙江省医疗器械检验研究院', title: '高级工程师' },
      { name: '吴教授', unit: '浙江大学', title: '教授' },
    ];
    const res = await call('patch', `/${id}`, 'purchaser', caseBody(w.products.mr, { projectName: '1.5T MR采购项目', budget: '5100000.5', experts }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, id);
    assert.equal(res.body.status, 'draft');
    assert.equal(res.body.projectName, '1.5T MR采购项目');
    assert.equal(res.body.budget, '5100000.50');
    assert.equal(res.body.product.id, w.products.mr);
    assert.deepEqual(res.body.experts, experts);
    const kept = await row(id);
    assert.equal(kept.cert_id, w.certIds.mr, 'the certificate follows the product');
    assert.equal(res.body.history.at(-1).action, 'edit');
    const audit = await ctx.db('audit_log').where({ action: 'first_purchase.edit', entity_id: String(id) }).first();
    const [before, after] = [JSON.parse(audit.before), JSON.parse(audit.after)];
    assert.deepEqual([before.budget, after.budget], ['3500000.00', '5100000.50']);
    assert.deepEqual([before.projectName, after.projectName], ['64排CT采购项目', '1.5T MR采购项目']);
    assert.equal(after.productId, w.products.mr);
    assert.equal(after.reason, undefined, 'an unchanged field is not in the record');
    // Saved again as it is: nothing to record.
    const again = await call('patch', `/${id}`, 'purchaser', caseBody(w.products.mr, { projectName: '1.5T MR采购项目', budget: '5100000.50', experts }));
    assert.equal(again.status, 200);
    assert.equal(again.body.history.filter((h: { action: string }) => h.action === 'edit').length, 1);
  });

  it('JSON: 401 → 403 (another role, another unit) → 404 → 409 once submitted, each before the body is looked at; then 422 naming the field; nothing changes', async () => {
    const id = await draft();
    const bad = { ...caseBody(w.products.ct), projectName: '' };
    assertError(await call('patch', `/${id}`, null, bad), 401);
    assertError(await call('patch', `/${id}`, 'vendor', bad), 403);
    assertError(await call('patch', `/${id}`, 'admin', bad), 403);
    assertError(await call('patch', `/${id}`, 'purchaser2', bad), 403);
    assertError(await call('patch', '/999999', 'purchaser', bad), 404);
    const submitted = await draft();
    assert.equal((await call('post', `/${submitted}/submit`, 'purchaser')).status, 200);
    const late = await call('patch', `/${submitted}`, 'purchaser', bad);
    assertError(late, 409, 'invalid_state');
    assert.match(late.body.error.message, /只有草稿可以修改/);
    const named = await call('patch', `/${id}`, 'purchaser', bad);
    assertError(named, 422, 'validation_failed');
    assert.equal(named.body.error.field, 'projectName');
    const notEligible = await call('patch', `/${id}`, 'purchaser', caseBody(w.products.expired));
    assertError(notEligible, 422, 'validation_failed');
    assert.equal(notEligible.body.error.field, 'productId');
    const sameOpinion = caseBody(w.products.ct, { expertOpinion: caseBody(w.products.ct).reason });
    assert.equal((await call('patch', `/${id}`, 'purchaser', sameOpinion)).body.error.field, 'expertOpinion');
    const kept = await row(id);
    assert.deepEqual([kept.project_name, kept.product_id, kept.status], ['64排CT采购项目', w.products.ct, 'draft']);
    assert.equal(await ctx.db('audit_log').where({ action: 'first_purchase.edit', entity_id: String(id) }).first(), undefined);
  });

  it('page: 修改草稿 opens the form filled in; an empty field is refused beside it with what was typed kept; saving goes back to the case', async () => {
    const id = await draft();
    const casePage = await buyer.get(`/first-purchases/${id}`);
    assert.match(casePage.text, new RegExp(`href="/first-purchases/${id}/edit"`));
    const form = await buyer.get(`/first-purchases/${id}/edit`);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`action="/first-purchases/${id}/edit"`));
    assert.match(form.text, /name="projectName"[^>]*value="64排CT采购项目"/);
    assert.match(form.text, /name="budget"[^>]*value="3500000\.00"/);
    assert.match(form.text, new RegExp(`<option value="${w.products.ct}" selected>[^<]*· ¥3,200,000\\.00/台</option>`), 'each product with its listed price');
    assert.match(text(form.text), /保存修改/);
    const fields = { ...Object.fromEntries(Object.entries(caseBody(w.products.ct)).filter(([, v]) => typeof v === 'string')), productId: String(w.products.ct), 'experts[0][name]': '张主任', 'experts[0][unit]': '浙江省人民医院', 'experts[0][title]': '主任医师' };
    const refused = await buyer.post(`/first-purchases/${id}/edit`).type('form').send({ ...fields, projectName: '', reason: '改过的理由：该产品为唯一满足临床需求的国产设备', _csrf: csrfOf(form.text) });
    assert.equal(refused.status, 422);
    assert.match(refused.text, /id="f-name-err"/);
    assert.match(refused.text, /改过的理由/, 'what was typed stays');
    assert.equal((await row(id)).reason, caseBody(w.products.ct).reason);
    const saved = await buyer.post(`/first-purchases/${id}/edit`).type('form').send({ ...fields, projectName: '64排CT（二期）采购项目', _csrf: csrfOf(form.text) });
    assert.equal(saved.status, 302);
    assert.equal(saved.headers.location, `/first-purchases/${id}`);
    const after = await buyer.get(`/first-purchases/${id}`);
    assert.match(text(after.text), /草稿已修改/);
    assert.match(text(after.text), /64排CT（二期）采购项目/);
    assert.match(text(after.text), /修改项目内容（草稿）/, 'the history in words');
    assert.match(text(after.text), /修改了：项目名称/, 'naming the fields changed');
    const json = await call('get', `/${id}`, 'purchaser');
    assert.equal(json.body.history.at(-1).note, 'projectName,experts');
  });

  it('page: a budget below the listed price × quantity is said on the case before the price is agreed (art. 43(3)), and goes once the draft is corrected', async () => {
    // The 64排CT is listed at ¥3,200,000.00: two of them on a budget of ¥3,500,000.00.
    const res = await call('post', '', 'purchaser', caseBody(w.products.ct, { quantity: 2 }));
    const id = res.body.id as number;
    const page = text((await buyer.get(`/first-purchases/${id}`)).text);
    assert.match(page, /采购预算 ¥3,500,000\.00 低于该产品挂牌价合计 ¥6,400,000\.00（¥3,200,000\.00 × 2 台）/);
    assert.match(page, /第四十三条第三项/);
    assert.match(text((await buyer.get(`/first-purchases/${id}?lang=en`)).text), /\(¥3,200,000\.00 × 2 units\)/);
    await buyer.get(`/first-purchases/${id}?lang=zh-CN`);
    // Said to the purchaser, who can correct it — not to the supplier.
    const vendor = await loginAgent(t.app, w.users.vendor);
    assert.doesNotMatch((await vendor.get(`/first-purchases/${id}`)).text, /id="fp-budget-short"/);
    assert.equal((await call('get', `/${id}`, 'purchaser')).body.product.listPrice, '3200000.00');
    assert.equal((await call('patch', `/${id}`, 'purchaser', caseBody(w.products.ct, { quantity: 2, budget: '6400000' }))).status, 200);
    assert.doesNotMatch((await buyer.get(`/first-purchases/${id}`)).text, /id="fp-budget-short"/);
    // One at ¥3,500,000.00: enough, nothing said.
    assert.doesNotMatch((await buyer.get(`/first-purchases/${await draft()}`)).text, /id="fp-budget-short"/);
  });

  it('page: once the 公示 is published the case offers no edit, and the edit form answers 409; another unit is refused', async () => {
    const id = await draft();
    assert.equal((await call('post', `/${id}/submit`, 'purchaser')).status, 200);
    const published = (await buyer.get(`/first-purchases/${id}`)).text;
    assert.doesNotMatch(published, /\/edit"/);
    // One way for the purchaser to end it (终止采购活动, whose causes include its own withdrawal), not two side by side;
    // the department keeps its form to end a case.
    assert.match(published, /class="[^"]*step-terminate/);
    assert.doesNotMatch(published, /class="[^"]*step-withdraw/);
    const admin = await loginAgent(t.app, w.users.admin);
    assert.match((await admin.get(`/first-purchases/${id}`)).text, /class="[^"]*step-withdraw/);
    // The case page, saying why (not a bare error page); a stale tab's save the same.
    const late = await buyer.get(`/first-purchases/${id}/edit`);
    assert.equal(late.status, 409);
    assert.match(text(late.text), /只有草稿可以修改/);
    assert.match(late.text, /id="fp-history"/);
    const stale = await buyer.post(`/first-purchases/${id}/edit`).type('form').send({ projectName: '过期的标签页', _csrf: csrfOf(late.text) });
    assert.equal(stale.status, 409);
    assert.match(text(stale.text), /只有草稿可以修改/);
    assert.doesNotMatch(stale.text, /保存修改/);
    const other = await loginAgent(t.app, w.users.purchaser2);
    assert.equal((await other.get(`/first-purchases/${await draft()}/edit`)).status, 403);
  });
});
