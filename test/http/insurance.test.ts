import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';
import { agentFor, csrfFor, loginAgent } from '../helpers/session';

const assertError = (res: Response, status: number, field?: string) => {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  if (field) assert.equal(res.body.error.field, field, JSON.stringify(res.body));
  assert.ok(String(res.body.error.message).length > 0);
};

/** Insurance compensation over HTTP (API.md "First-unit insurance compensation (保险补偿)"): every state and refusal. */
describe(`insurance compensation over HTTP (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const users = {} as Record<'vendor' | 'vendor2' | 'admin' | 'finance' | 'purchaser', string>;
  const tokens = new Map<string, string>();
  let vendorA: { id: number; name: string; credit_code: string };
  let certs: Record<'intl' | 'prov' | 'old' | 'other' | 'expired', { cert_no: string }>;
  let n = 0;
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
  const body = (over: Record<string, unknown> = {}) => ({
    certNo: certs.intl.cert_no,
    policyNo: `PICC-2026-${++n}`,
    insurer: '中国人民财产保险股份有限公司浙江省分公司',
    insuredValue: '10000000.00',
    premium: '150000.00',
    policyStart: '2026-01-10',
    policyEnd: '2027-01-09',
    policyYear: 1,
    unitOrdinal: 1,
    purchaserName: '浙江某某集团有限公司',
    contractNo: `HT-${n}`,
    nationalSubsidy: false,
    ...over,
  });
  const draft = async (over: Record<string, unknown> = {}, who = users.vendor) => {
    const res = await call('post', '/api/v1/vendor/insurance-claims', who, body(over));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; claimNo: string; status: string; computed: Record<string, unknown> };
  };
  const step = (desk: 'vendor' | 'admin' | 'finance', id: number, name: string, b?: unknown, headers?: Record<string, string>) =>
    call('post', `/api/v1/${desk}/insurance-claims/${id}/${name}`, users[desk], b, headers);

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    vendorA = await makeVendor(ctx.db, { city: '杭州' });
    const vendorB = await makeVendor(ctx.db, { city: '温州', name: '别家 SECRET-B 有限公司' });
    users.vendor = (await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorA.id })).username;
    users.vendor2 = (await makeUser(ctx.db, { role: 'vendor', vendor_id: vendorB.id })).username;
    users.admin = (await makeUser(ctx.db, { role: 'admin' })).username;
    users.finance = (await makeUser(ctx.db, { role: 'finance' })).username;
    users.purchaser = (await makeUser(ctx.db, { role: 'purchaser' })).username;
    certs = {
      intl: await makeCert(ctx.db, vendorA, { level: 'international', year: 2025, valid_until: '2030-12-31' }),
      prov: await makeCert(ctx.db, vendorA, { level: 'provincial', year: 2025, valid_until: '2028-12-31' }),
      old: await makeCert(ctx.db, vendorA, { level: 'domestic', year: 2019, valid_until: '2022-05-19', status: 'expired' }),
      expired: await makeCert(ctx.db, vendorA, { level: 'domestic', year: 2021, valid_until: '2025-12-31', status: 'expired' }),
      other: await makeCert(ctx.db, vendorB, { level: 'international' }),
    };
  });

  it('a draft shows the computed compensation and the rule version (201); the preview writes nothing', async () => {
    const before = await count('insurance_claims');
    const p = await call('post', '/api/v1/vendor/insurance-claims/preview', users.vendor, body());
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual({ ...p.body.computed, refusals: undefined, explanation: undefined }, { countedPremium: '150000.00', percent: 90, compensation: '135000.00', ruleVersion: '2021', rateCap: '200000.00', uncut: '135000.00', cut: null, eligible: true, refusals: undefined, explanation: undefined });
    assert.equal(await count('insurance_claims'), before);
    const d = await draft();
    assert.equal(d.status, 'draft');
    assert.match(d.claimNo, /^ZJBX-2026-\d{6}$/);
    assert.equal(d.computed.compensation, '135000.00');
    assert.equal(d.computed.ruleVersion, '2021');
    // Before 2021: the pre-2021 version (3% cap, 80%), under a certificate expired since but valid at the start.
    const old = await draft({ certNo: certs.old.cert_no, policyStart: '2020-04-01', policyEnd: '2021-03-31', premium: '400000.00' });
    assert.deepEqual([old.computed.ruleVersion, old.computed.countedPremium, old.computed.percent, old.computed.compensation], ['pre-2021', '300000.00', 80, '240000.00']);
  });

  it('walks draft → submitted → 初审 → 联审 (payoutDueAt 30 days) → paid through the subsidy fund, idempotently; not a trade', async () => {
    const d = await draft();
    const s = await step('vendor', d.id, 'submit');
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.status, 'submitted');
    const a = await step('admin', d.id, 'review', { passed: true, opinion: '材料齐全' });
    assert.equal(a.body.status, 'joint_review', JSON.stringify(a.body));
    const f = await step('finance', d.id, 'review', { passed: true, opinion: '同意补偿' });
    assert.equal(f.body.status, 'approved', JSON.stringify(f.body));
    assert.equal(f.body.payoutDueAt, '2026-04-01T10:00:00+08:00');
    const desk = await call('get', '/api/v1/finance/desk', users.finance);
    assert.ok(desk.body.insurance.payoutsDue.some((c: { id: number }) => c.id === d.id));
    // The finance page's one click that pays says whom and how much.
    const financePage = await (await loginAgent(t.app, users.finance)).get(`/finance/insurance-claims/${d.id}`);
    assert.match(financePage.text, new RegExp(`从保险补偿资金账户向 ${vendorA.name} 拨付补偿资金 ¥135,000\\.00`));
    const trades = await count('trades');
    const key = { 'Idempotency-Key': `pay-${d.id}` };
    const p1 = await step('finance', d.id, 'disburse', undefined, key);
    assert.equal(p1.status, 200, JSON.stringify(p1.body));
    assert.equal(p1.body.status, 'paid');
    const p2 = await step('finance', d.id, 'disburse', undefined, key);
    assert.equal(p2.status, 200);
    assert.equal(p2.body.transferId, p1.body.transferId);
    // Idempotent by the claim (API.md): asked again without a key, the paid claim, and nothing moves a second time.
    const p3 = await step('finance', d.id, 'disburse');
    assert.equal(p3.status, 200, JSON.stringify(p3.body));
    assert.equal(p3.body.status, 'paid');
    assert.equal(p3.body.transferId, p1.body.transferId);
    assert.equal(await count('trades'), trades);
    const moved = await ctx.db('ledger_transfers').whereIn('idempotency_key', [`insurance:${d.id}:fund`, `insurance:${d.id}:pay`]).orderBy('id');
    assert.deepEqual(moved.map((m: { kind: string; amount_fen: number | string }) => [m.kind, Number(m.amount_fen)]), [['fund_subsidy', 135_000_00], ['pay_subsidy', 135_000_00]]);
    const vendorAcc = await ctx.db('ledger_accounts').where({ code: `vendor:${vendorA.id}` }).first();
    assert.ok(Number(vendorAcc.balance_fen) >= 135_000_00);
    const financeAgent = await loginAgent(t.app, users.finance);
    const claimPage = (await financeAgent.get(`/finance/insurance-claims/${d.id}`)).text;
    assert.match(claimPage, /拨付 — ¥135,000\.00/, 'the payout in the history as money');
    // What the reviewers check the claim against: the certificate's product and how long it is valid.
    const cert = await ctx.db('certifications').where({ cert_no: certs.intl.cert_no }).first('product_name', 'valid_until');
    assert.ok(claimPage.includes(`${cert.product_name} · 证书有效期至 ${cert.valid_until}`), 'the certificate\'s product and validity');
    // Finance's claims page keeps what it has paid, latest first, to be found again.
    const record = (await financeAgent.get('/finance/insurance-claims')).text;
    const paidSection = record.slice(record.indexOf('id="if-paid"'));
    assert.match(paidSection, new RegExp(`href="/finance/insurance-claims/${d.id}">${p1.body.claimNo}</a>`));
    assert.match(paidSection, /¥135,000\.00/);
    const history = (await call('get', `/api/v1/insurance-claims/${d.id}`, users.vendor)).body.history.map((h: { action: string }) => h.action);
    assert.deepEqual(history, ['create', 'submit', 'admin_review', 'finance_review', 'finance_disburse']);
  });

  it('rejected claims say why; the vendor corrects and resubmits; rejected at 联审 too; each desk lists the claim while it waits on it', async () => {
    const todo = async (who: 'admin' | 'vendor', path: string) => {
      const html = (await (await loginAgent(t.app, users[who])).get(path)).text;
      return [...html.matchAll(/<tr class="todo[^"]*">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    };
    const d = await draft();
    // A draft waits on its vendor (a workday pass, 2026-12-08: the vendor's desk did not list claims).
    assert.ok((await todo('vendor', '/vendor?section=todo')).some((r) => r.includes('保险补偿申请尚未提交')));
    const submitted = await step('vendor', d.id, 'submit');
    // Submitted, it waits for the department's 初审: on its desk (it was not), by its number.
    assert.ok((await todo('admin', '/admin?section=todo')).some((r) => r.includes('保险补偿申请待初审') && r.includes(submitted.body.claimNo)), 'on the admin desk');
    assertError(await step('admin', d.id, 'review', { passed: false }), 422, 'opinion');
    const r = await step('admin', d.id, 'review', { passed: false, opinion: '购销合同缺少签章页' });
    assert.equal(r.body.status, 'rejected');
    assert.deepEqual(r.body.rejection, { by: 'admin', opinion: '购销合同缺少签章页' });
    // Sent back, it waits on the vendor again, with the review's words; no longer on the department's desk.
    assert.ok((await todo('vendor', '/vendor?section=todo')).some((row) => row.includes('保险补偿申请被退回') && row.includes('购销合同缺少签章页')));
    assert.ok(!(await todo('admin', '/admin?section=todo')).some((row) => row.includes(submitted.body.claimNo)));
    assertError(await step('vendor', d.id, 'submit'), 409);
    const c = await step('vendor', d.id, 'correct', body({ policyNo: `FIX-${d.id}`, premium: '160000.00' }));
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.status, 'draft');
    assert.equal(c.body.computed.compensation, '144000.00');
    assert.equal((await step('vendor', d.id, 'submit')).body.status, 'submitted');
    await step('admin', d.id, 'review', { passed: true, opinion: '已补齐' });
    const f = await step('finance', d.id, 'review', { passed: false, opinion: '保费发票与保单不符' });
    assert.deepEqual([f.body.status, f.body.rejection.by], ['rejected', 'finance']);
  });

  it('refuses at submission, naming the field: another’s certificate, not valid at the start, year > 3, unit > 3, national subsidy; twice → 409', async () => {
    assertError(await call('post', '/api/v1/vendor/insurance-claims', users.vendor, body({ certNo: certs.other.cert_no })), 422, 'certNo');
    assertError(await call('post', '/api/v1/vendor/insurance-claims', users.vendor, body({ certNo: 'NO-SUCH' })), 422, 'certNo');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ certNo: certs.expired.cert_no }, 'certNo'],
      [{ policyYear: 4 }, 'policyYear'],
      [{ unitOrdinal: 4 }, 'unitOrdinal'],
      [{ nationalSubsidy: true }, 'nationalSubsidy'],
    ];
    for (const [over, field] of cases) {
      const d = await draft(over);
      assert.equal(d.computed.eligible, false);
      const res = await step('vendor', d.id, 'submit');
      assertError(res, 422, field);
      assert.equal((await call('get', `/api/v1/insurance-claims/${d.id}`, users.vendor)).body.status, 'draft', 'nothing written');
    }
    const first = await draft({ policyNo: 'TWICE-1' });
    await step('vendor', first.id, 'submit');
    const again = await draft({ policyNo: 'TWICE-1', premium: '1000.00' });
    assert.equal(again.computed.eligible, false);
    assertError(await step('vendor', again.id, 'submit'), 409, 'policyNo');
    // Another policy year of the same policy is fine.
    assert.equal((await step('vendor', (await draft({ policyNo: 'TWICE-1', policyYear: 2 })).id, 'submit')).body.status, 'submitted');
    // Once the first is rejected, the policy-year may be claimed again.
    await step('admin', first.id, 'review', { passed: false, opinion: '退回' });
    assert.equal((await step('vendor', again.id, 'submit')).body.status, 'submitted');
  });

  it('cuts a claim to what is left of the yearly cap and says so (2021 rule)', async () => {
    const big = { certNo: certs.intl.cert_no, policyStart: '2027-01-05', policyEnd: '2028-01-04', insuredValue: '300000000.00', premium: '3000000.00' };
    const a = await draft({ ...big });
    assert.equal(a.computed.compensation, '2700000.00');
    await step('vendor', a.id, 'submit');
    const b = await draft({ ...big });
    await step('vendor', b.id, 'submit');
    const c = await draft({ ...big });
    assert.deepEqual(c.computed.cut, { cap: '5000000.00', usedThisYear: '5000000.00', left: '0.00' });
    assert.equal((await call('get', `/api/v1/insurance-claims/${b.id}`, users.vendor)).body.computed.compensation, '2300000.00');
    const seen = (await call('get', `/api/v1/insurance-claims/${b.id}`, users.vendor)).body.computed;
    assert.match(seen.explanation, /2700000\.00/);
    assertError(await step('vendor', c.id, 'submit'), 409, 'premium');
  });

  it('validates every input with a field-named 422 in the caller’s language', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ insuredValue: 100 }, 'insuredValue'],
      [{ premium: '-1' }, 'premium'],
      [{ policyStart: '2026-02-30' }, 'policyStart'],
      [{ policyEnd: '2025-01-01' }, 'policyEnd'],
      [{ policyYear: 0 }, 'policyYear'],
      [{ insurer: '' }, 'insurer'],
      [{ nationalSubsidy: 'perhaps' }, 'nationalSubsidy'],
    ];
    for (const [over, field] of bad) assertError(await call('post', '/api/v1/vendor/insurance-claims', users.vendor, body(over)), 422, field);
    const zh = await call('post', '/api/v1/vendor/insurance-claims', users.vendor, body({ insurer: '' }));
    assert.match(zh.body.error.message, /保险公司/);
    const en = await call('post', '/api/v1/vendor/insurance-claims?lang=en', users.vendor, body({ insurer: '' }), { 'Accept-Language': 'en' });
    assert.match(en.body.error.message, /Insurer/);
    // The order of the dates is what is wrong, not their format.
    const order = await call('post', '/api/v1/vendor/insurance-claims', users.vendor, body({ policyEnd: '2025-01-01' }));
    assert.equal(order.body.error.message, '保险止期：止期须晚于起期');
  });

  it('the vendor sees only its own claims (another’s: 403, not yours); purchasers may not', async () => {
    const d = await draft();
    assertError(await call('get', `/api/v1/insurance-claims/${d.id}`, users.vendor2), 403);
    assertError(await step('vendor', d.id, 'submit').then(() => call('post', `/api/v1/vendor/insurance-claims/${d.id}/submit`, users.vendor2)), 403);
    assertError(await call('get', `/api/v1/insurance-claims/${d.id}`, users.purchaser), 403);
    const mine = await call('get', '/api/v1/vendor/insurance-claims', users.vendor2);
    assert.ok(!JSON.stringify(mine.body).includes(d.claimNo));
  });

  it('rules: admin adds and edits a version with history; a submitted claim keeps its version', async () => {
    const d = await draft({ policyStart: '2029-02-01', policyEnd: '2030-01-31' });
    assert.equal((await step('vendor', d.id, 'submit')).body.status, 'submitted');
    const add = await call('post', '/api/v1/admin/insurance-rules', users.admin, { version: '2029', fromYear: 2029, rateCap: '1.5', percents: { international: [60, 50, 40], domestic: [50, 40, 30], provincial: [40, 30, 20] }, yearlyCap: '3000000' });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    assertError(await call('post', '/api/v1/admin/insurance-rules', users.admin, { version: '2029b', fromYear: 2029, rateCap: '1', percents: { international: [1, 1, 1], domestic: [1, 1, 1], provincial: [1, 1, 1] } }), 409, 'fromYear');
    assertError(await call('post', '/api/v1/admin/insurance-rules', users.admin, { version: 'x', fromYear: 2030, rateCap: '1', percents: { international: [1, 1, 101], domestic: [1, 1, 1], provincial: [1, 1, 1] } }), 422, 'percents.international.2');
    const edit = await call('patch', `/api/v1/admin/insurance-rules/${add.body.id}`, users.admin, { version: '2029', fromYear: 2029, rateCap: '1.5', percents: { international: [65, 55, 45], domestic: [50, 40, 30], provincial: [40, 30, 20] }, yearlyCap: '' });
    assert.equal(edit.status, 200, JSON.stringify(edit.body));
    assert.equal(edit.body.yearlyCap, null);
    const detail = await call('get', `/api/v1/admin/insurance-rules/${add.body.id}`, users.admin);
    assert.deepEqual(detail.body.history.map((h: { action: string }) => h.action), ['create', 'update']);
    const kept = await call('get', `/api/v1/insurance-claims/${d.id}`, users.vendor);
    assert.equal(kept.body.computed.ruleVersion, '2021');
    const fresh = await draft({ policyStart: '2029-03-01', policyEnd: '2030-02-28' });
    assert.deepEqual([fresh.computed.ruleVersion, fresh.computed.percent, fresh.computed.countedPremium], ['2029', 65, '150000.00']);
    const rules = await call('get', '/api/v1/insurance-rules', null);
    assert.deepEqual([rules.body.items.length, rules.body.total, rules.body.page, rules.body.pageSize], [3, 3, 1, 20], 'paged as every list');
    const second = await call('get', '/api/v1/insurance-rules?page=2&pageSize=2', null);
    assert.deepEqual([second.body.items.length, second.body.total], [1, 3]);
    assertError(await call('get', '/api/v1/insurance-rules?pageSize=101', null), 422, 'pageSize');
  });

  it('national records are entered by the department and kept apart', async () => {
    const r = await call('post', '/api/v1/admin/national-insurance', users.admin, { year: 2020, projectName: '国家项目', enterpriseName: '某企业', insuredValue: '100000000', subsidy: '2000000' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assertError(await call('post', '/api/v1/admin/national-insurance', users.admin, { year: 2020, projectName: '', enterpriseName: 'x', insuredValue: '1', subsidy: '1' }), 422, 'projectName');
    const list = await call('get', '/api/v1/admin/national-insurance?year=2020', users.admin);
    assert.deepEqual(list.body.years, [{ year: 2020, projects: 1, units: 1, insuredValue: '100000000.00', subsidy: '2000000.00' }]);
    assert.deepEqual([list.body.items.length, list.body.total, list.body.page, list.body.pageSize], [1, 1, 1, 20], 'paged as every list');
    assertError(await call('get', '/api/v1/admin/national-insurance?page=0', users.admin), 422, 'page');
  });

  it('pages: the vendor previews and saves a claim, errors beside their fields; the desks render in both languages', async () => {
    const agent = await loginAgent(t.app, users.vendor);
    const csrf = await csrfFor(agent);
    const form = { ...body(), policyYear: '1', unitOrdinal: '1', nationalSubsidy: 'false', _csrf: csrf };
    // The certificate is chosen among the vendor's own (a workday pass, 2026-12-08: it was typed).
    const blank = await agent.get('/vendor/insurance-claims');
    assert.match(blank.text, /<select id="c-certNo" name="certNo"/);
    assert.match(blank.text, new RegExp(`<option value="${form.certNo}">${form.certNo} · `));
    const preview = await agent.post('/vendor/insurance-claims').type('form').send({ ...form, action: 'preview' });
    assert.equal(preview.status, 200);
    assert.match(preview.text, /135,000\.00/);
    const bad = await agent.post('/vendor/insurance-claims').type('form').send({ ...form, premium: 'abc', action: 'save' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="c-premium-err" class="field-error">保费/);
    const saved = await agent.post('/vendor/insurance-claims').type('form').send({ ...form, action: 'save' });
    assert.equal(saved.status, 302);
    const page = await agent.get(saved.headers.location as string);
    assert.equal(page.status, 200);
    assert.match(page.text, /<dd>2021 年起规则<\/dd>/, 'the rule version in words');
    assert.match(page.text, /<dd>第 1 年<\/dd>/, 'the policy year as an ordinal, not a bare number');
    assert.match(page.text, /<dd>第 1 台（套）<\/dd>/);
    assert.match((await agent.get('/vendor/insurance-claims')).text, /<td>第 1 年<\/td>/);
    const english = (await agent.get(`${saved.headers.location as string}?lang=en`)).text;
    assert.match(english, /<dd>year 1<\/dd>/);
    assert.match(english, /<dd>rules from 2021<\/dd>/);
    const submit = await agent.post(`${saved.headers.location as string}/submit`).type('form').send({ _csrf: await csrfFor(agent) });
    assert.equal(submit.status, 302);
    for (const [who, path] of [['admin', '/admin/insurance-claims'], ['admin', '/admin/insurance-rules'], ['admin', '/admin/national-insurance'], ['finance', '/finance/insurance-claims'], ['finance', '/finance']] as const) {
      const a = await loginAgent(t.app, users[who]);
      for (const lang of ['zh-CN', 'en']) {
        const res = await a.get(`${path}?lang=${lang}`);
        assert.equal(res.status, 200, `${path} ${lang}: ${res.text.slice(0, 300)}`);
        if (path === '/admin/insurance-rules') {
          // The percent of each policy year is labelled as the vendor's claim form counts them: years 1–3, not 0–2.
          const year = lang === 'en' ? /year 0\b/i : /第 0 年/;
          assert.ok(!year.test(res.text), `${lang}: no year 0`);
          assert.match(res.text, lang === 'en' ? /year 3\b/i : /第 3 年/);
        }
      }
    }
    const anon = agentFor(t.app);
    assert.equal((await anon.get('/vendor/insurance-claims')).status, 302);
  });
});
