import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { agentFor, loginAgent } from '../helpers/session';

type Row = { key: string; label: string; projects: number; insuredValue: string; compensation: string; share: string | null; previous: { projects: number; compensation: string }; yoy: { projects: string | null; compensation: string | null } };

/**
 * Insurance statistics (issue 16 item 5; API.md `GET /api/v1/admin/insurance-stats`): the paid claims of a year by
 * level, field, city or year, with the change on the year before, from claims that went through the real steps.
 */
describe(`insurance statistics over HTTP (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const users = {} as Record<'vendorA' | 'vendorB' | 'admin' | 'finance' | 'purchaser', string>;
  const tokens = new Map<string, string>();
  let n = 0;
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };
  const post = async (path: string, who: string, body?: unknown) => {
    const res = await t.http.post(path).set('Authorization', await tok(who)).send((body ?? {}) as object);
    assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; status: string; computed: { compensation: string } };
  };
  const get = async (path: string, who: string | null, lang?: string) => {
    const req = t.http.get(path);
    if (who) req.set('Authorization', await tok(who));
    if (lang) req.set('Accept-Language', lang);
    return req;
  };

  /** A claim walked draft → submitted → 初审 → 联审 → paid (or stopped at `until`). */
  async function claim(who: string, certNo: string, insuredValue: string, premium: string, policyStart: string, until: 'paid' | 'joint_review' | 'rejected' = 'paid') {
    const d = await post('/api/v1/vendor/insurance-claims', who, {
      certNo,
      policyNo: `STATS-${++n}`,
      insurer: '中国人民财产保险股份有限公司浙江省分公司',
      insuredValue,
      premium,
      policyStart,
      policyEnd: `${Number(policyStart.slice(0, 4)) + 1}${policyStart.slice(4)}`,
      policyYear: 1,
      unitOrdinal: 1,
      purchaserName: '浙江某某集团有限公司',
      contractNo: `HT-S-${n}`,
      nationalSubsidy: false,
    });
    await post(`/api/v1/vendor/insurance-claims/${d.id}/submit`, who);
    if (until === 'rejected') return post(`/api/v1/admin/insurance-claims/${d.id}/review`, users.admin, { passed: false, opinion: '保单与合同不符' });
    await post(`/api/v1/admin/insurance-claims/${d.id}/review`, users.admin, { passed: true, opinion: '材料齐全' });
    if (until === 'joint_review') return d;
    await post(`/api/v1/finance/insurance-claims/${d.id}/review`, users.finance, { passed: true, opinion: '同意补偿' });
    const paid = await post(`/api/v1/finance/insurance-claims/${d.id}/disburse`, users.finance);
    assert.equal(paid.status, 'paid');
    return paid;
  }

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const hz = await makeVendor(ctx.db, { city: '杭州' });
    const wz = await makeVendor(ctx.db, { city: '温州' });
    users.vendorA = (await makeUser(ctx.db, { role: 'vendor', vendor_id: hz.id })).username;
    users.vendorB = (await makeUser(ctx.db, { role: 'vendor', vendor_id: wz.id })).username;
    users.admin = (await makeUser(ctx.db, { role: 'admin' })).username;
    users.finance = (await makeUser(ctx.db, { role: 'finance' })).username;
    users.purchaser = (await makeUser(ctx.db, { role: 'purchaser' })).username;
    const intl = await makeCert(ctx.db, hz, { level: 'international', field: '数控机床', year: 2024, valid_until: '2030-12-31' });
    const prov = await makeCert(ctx.db, hz, { level: 'provincial', field: '智能装备', year: 2025, valid_until: '2030-12-31' });
    const dom = await makeCert(ctx.db, wz, { level: 'domestic', field: '智能装备', year: 2024, valid_until: '2030-12-31' });
    // 2025 (the year before): ¥90,000.00 + ¥160,000.00 under the 2021 rule (90% and 80% of the premium).
    await claim(users.vendorA, intl.cert_no, '8000000', '100000', '2025-02-01');
    await claim(users.vendorB, dom.cert_no, '10000000', '200000', '2025-03-01');
    // 2026: ¥135,000.00 (international), ¥56,000.00 (provincial, 70%), ¥240,000.00 (domestic); one in 联审, one rejected.
    await claim(users.vendorA, intl.cert_no, '10000000', '150000', '2026-01-10');
    await claim(users.vendorA, prov.cert_no, '5000000', '80000', '2026-01-15');
    await claim(users.vendorB, dom.cert_no, '20000000', '300000', '2026-02-01');
    await claim(users.vendorB, dom.cert_no, '9000000', '100000', '2026-02-10', 'joint_review');
    await claim(users.vendorA, intl.cert_no, '9000000', '100000', '2026-02-11', 'rejected');
    const national = await t.http
      .post('/api/v1/admin/national-insurance')
      .set('Authorization', await tok(users.admin))
      .send({ year: 2026, projectName: '国家首台套项目', enterpriseName: '某某装备有限公司', insuredValue: '300000000', subsidy: '6000000' });
    assert.equal(national.status, 201, JSON.stringify(national.body));
  });

  it('states the year’s paid claims with their change on the year before, the national scheme apart (contract shape)', async () => {
    const res = await get('/api/v1/admin/insurance-stats?year=2026', users.admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { rows, ...head } = res.body as { rows: Row[] } & Record<string, unknown>;
    assert.deepEqual(head, {
      year: 2026,
      projects: 3,
      insuredValue: '35000000.00',
      compensation: '431000.00',
      yoy: { projects: '50.0', compensation: '72.4' },
      previous: { year: 2025, projects: 2, insuredValue: '18000000.00', compensation: '250000.00' },
      national: { projects: 1, insuredValue: '300000000.00', compensation: '6000000.00' },
      groupBy: 'level',
    });
    assert.equal(rows.length, 3, 'every level, in order');
    assert.deepEqual(
      rows.map((r) => [r.key, r.label, r.projects, r.compensation, r.share, r.previous.compensation, r.yoy.projects, r.yoy.compensation]),
      [
        ['international', '国际首台（套）', 1, '135000.00', '31.3', '90000.00', '0.0', '50.0'],
        ['domestic', '国内首台（套）', 1, '240000.00', '55.7', '160000.00', '0.0', '50.0'],
        ['provincial', '省内首台（套）', 1, '56000.00', '13.0', '0.00', null, null],
      ],
    );
  });

  it('groups by field, by the enterprise’s city (largest first) and by year; finance reads them too', async () => {
    const field = (await get('/api/v1/admin/insurance-stats?year=2026&groupBy=field', users.finance)).body as { rows: Row[] };
    assert.deepEqual(
      field.rows.map((r) => [r.key, r.projects, r.insuredValue, r.compensation, r.yoy.projects, r.yoy.compensation]),
      [
        ['智能装备', 2, '25000000.00', '296000.00', '100.0', '85.0'],
        ['数控机床', 1, '10000000.00', '135000.00', '0.0', '50.0'],
      ],
    );
    const city = (await get('/api/v1/admin/insurance-stats?year=2026&groupBy=city', users.admin, 'en')).body as { rows: Row[] };
    assert.deepEqual(
      city.rows.map((r) => [r.key, r.label, r.projects, r.compensation, r.share, r.yoy.projects, r.yoy.compensation]),
      [
        ['温州', 'Wenzhou', 1, '240000.00', '55.7', '0.0', '50.0'],
        ['杭州', 'Hangzhou', 2, '191000.00', '44.3', '100.0', '112.2'],
      ],
    );
    const years = (await get('/api/v1/admin/insurance-stats?year=2026&groupBy=year', users.admin)).body as { rows: Row[] };
    assert.deepEqual(
      years.rows.map((r) => [r.key, r.projects, r.compensation, r.yoy.projects, r.yoy.compensation]),
      [
        ['2025', 2, '250000.00', null, null],
        ['2026', 3, '431000.00', '50.0', '72.4'],
      ],
    );
    const sum = (rows: Row[]) => rows.reduce((s, r) => s + Number(r.compensation.replace('.', '')), 0);
    assert.equal(sum(field.rows), 431000_00, 'the rows add up to the year');
    assert.equal(sum(city.rows), 431000_00);
  });

  it('a year without claims answers zeros; no year means the current year (Asia/Shanghai)', async () => {
    const empty = await get('/api/v1/admin/insurance-stats?year=2030&groupBy=city', users.admin);
    assert.equal(empty.status, 200);
    assert.equal(empty.body.projects, 0);
    assert.equal(empty.body.compensation, '0.00');
    assert.deepEqual(empty.body.yoy, { projects: null, compensation: null });
    assert.deepEqual(empty.body.rows, []);
    const current = await get('/api/v1/admin/insurance-stats', users.admin);
    assert.equal(current.body.year, 2026);
    assert.equal(current.body.compensation, '431000.00');
  });

  it('a bad year or grouping is a 422 naming the field, in the caller’s language; other roles may not read', async () => {
    for (const [q, field] of [
      ['year=abc', 'year'],
      ['year=1999', 'year'],
      ['year=2026.5', 'year'],
      ['groupBy=vendor', 'groupBy'],
      ['year=2026&groupBy=', null],
    ] as const) {
      const res = await get(`/api/v1/admin/insurance-stats?${q}`, users.admin);
      if (field === null) {
        assert.equal(res.status, 200, q);
        continue;
      }
      assert.equal(res.status, 422, `${q}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(Object.keys(res.body), ['error']);
      assert.equal(res.body.error.field, field, q);
    }
    const en = await get('/api/v1/admin/insurance-stats?groupBy=vendor', users.admin, 'en');
    assert.match(en.body.error.message, /Group by/);
    const zh = await get('/api/v1/admin/insurance-stats?year=abc', users.admin);
    assert.match(zh.body.error.message, /年度/);
    assert.equal((await get('/api/v1/admin/insurance-stats', null)).status, 401);
    for (const who of [users.purchaser, users.vendorA]) assert.equal((await get('/api/v1/admin/insurance-stats', who)).status, 403);
  });

  it('the page shows the table in zh-CN and English, errors beside their field; the department’s and finance’s desks link to it', async () => {
    const admin = await loginAgent(t.app, users.admin);
    const res = await admin.get('/admin/insurance-stats?year=2026&groupBy=city');
    assert.equal(res.status, 200);
    const html = decodeEntities(res.text);
    assert.match(html, /首台（套）保险补偿统计/);
    assert.match(html, /<tr data-key="province">[\s\S]*?<td class="num">3<\/td>[\s\S]*?¥431,000.00[\s\S]*?\+50.0%[\s\S]*?\+72.4%/);
    assert.match(html, /<tr data-key="national">[\s\S]*?¥6,000,000.00/);
    assert.match(html, /<tr data-key="温州">[\s\S]*?温州[\s\S]*?¥240,000.00[\s\S]*?55.7%/);
    assert.match(html, /<tr data-key="total">[\s\S]*?¥431,000.00/);
    assert.match(html, /<option value="city" selected>企业所在地市<\/option>/);
    const lang = /class="lang-switch" href="([^"]+)"/.exec(res.text);
    assert.ok(lang, 'the language switch');
    const en = decodeEntities((await admin.get(decodeEntities(lang[1]))).text);
    assert.match(en, /First-unit insurance compensation statistics/);
    assert.match(en, /<tr data-key="杭州">[\s\S]*?Hangzhou[\s\S]*?\+112.2%/);

    const bad = await admin.get('/admin/insurance-stats?year=20x6&lang=zh-CN');
    assert.equal(bad.status, 422);
    assert.match(decodeEntities(bad.text), /id="is-year-err" class="field-error">年度/);
    assert.doesNotMatch(bad.text, /id="is-rows"/);

    const finance = await loginAgent(t.app, users.finance);
    assert.equal((await finance.get('/admin/insurance-stats?groupBy=year')).status, 200);
    assert.match((await finance.get('/finance/insurance-claims')).text, /href="\/admin\/insurance-stats"/);
    assert.match((await admin.get('/admin/insurance-claims')).text, /href="\/admin\/insurance-stats"/);
    const vendor = await loginAgent(t.app, users.vendorA);
    assert.equal((await vendor.get('/admin/insurance-stats')).status, 403);
    assert.equal((await agentFor(t.app).get('/admin/insurance-stats')).status, 302);
  });
});
