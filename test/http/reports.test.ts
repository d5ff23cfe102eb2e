import assert from 'node:assert/strict';
import { translator } from '../../src/i18n';
import { reportCsv, safeCell } from '../../src/reports/presenters';
import { percentChange, type YearReport } from '../../src/reports/report';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

/** The year report (GET /api/v1/reports/:year, /reports/:year): any year, the path checked, the page and the CSV. */
describe(`the year report over HTTP (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2031-06-02T02:00:00Z'), { freeze: true });
    const vendor = await makeVendor(ctx.db, { city: '杭州' });
    await makeCert(ctx.db, vendor, { year: 2031, level: 'international', kind: 'equipment' });
    await makeCert(ctx.db, vendor, { year: 2031, level: 'provincial', kind: 'equipment' });
    await makeCert(ctx.db, vendor, { year: 2031, level: 'provincial', kind: 'equipment' });
    await makeCert(ctx.db, vendor, { year: 2031, level: 'domestic', kind: 'material' });
    await makeCert(ctx.db, vendor, { year: 2030, level: 'domestic', kind: 'equipment' });
    const admin = await bearer(t.http, (await makeUser(ctx.db, { role: 'admin' })).username);
    for (const [insuredValue, subsidy] of [['100000000', '2000000'], ['50000000.50', '1000000.25']]) {
      const r = await t.http
        .post('/api/v1/admin/national-insurance')
        .set('Authorization', admin)
        .send({ year: 2031, projectName: '国家项目', enterpriseName: '某企业', insuredValue, subsidy });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });

  it('answers any year with every figure of the paragraph, read from the records (public, no sign-in)', async () => {
    const res = await t.http.get('/api/v1/reports/2031');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as YearReport;
    assert.deepEqual(body, {
      year: 2031,
      certifications: { equipment: { total: 3, international: 1, domestic: 0, provincial: 2 }, byKind: { equipment: 3, material: 1, software: 0 } },
      indicatorList: { entries: 0, certifiedByList: 0 },
      awards: { amount: '0.00' },
      insurance: { projects: 0, insuredValue: '0.00', compensation: '0.00', yoy: { projects: null, compensation: null } },
      nationalInsurance: { projects: 2, insuredValue: '150000000.50', compensation: '3000000.25' },
      boutique: { count: 0, amount: '0.00' },
      firstPurchase: { count: 0, amount: '0.00' },
    });
    const earlier = await t.http.get('/api/v1/reports/2030');
    assert.equal(earlier.status, 200);
    assert.equal(earlier.body.certifications.equipment.total, 1);
    assert.equal(earlier.body.nationalInsurance.projects, 0);
  });

  it('a year that is not a four-digit year from 1900 to 2999 is 404 naming `year`, like any bad path parameter', async () => {
    for (const bad of ['abc', '20201', '202', '1899', '3000', '2020.5', '-2020', '%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90']) {
      const res = await t.http.get(`/api/v1/reports/${bad}`);
      assert.equal(res.status, 404, bad);
      assert.equal(res.body.error.code, 'not_found', bad);
      assert.equal(res.body.error.field, 'year', bad);
      const page = await t.http.get(`/reports/${bad}`);
      assert.equal(page.status, 404, bad);
    }
    const en = await t.http.get('/api/v1/reports/abc').set('Accept-Language', 'en');
    assert.match(en.body.error.message, /Year abc is not valid/);
  });

  it('the page states the figures in the report’s sentences (zh-CN) and English is one click away', async () => {
    const res = await t.http.get('/reports/2031');
    assert.equal(res.status, 200);
    const html = decodeEntities(res.text);
    assert.match(html, /2031年新认定首台（套）装备3个，其中国际首台（套）1个、国内首台（套）0个、省内首台（套）2个。/);
    assert.match(html, /2个项目获得国家保险补偿资金300万元，支持2台（套）价值1.5亿元的装备。/);
    assert.match(html, /<tr data-key="nationalInsurance.compensation">[\s\S]*?¥3,000,000.25[\s\S]*?300万元/);
    assert.match(html, /<a id="report-csv" href="\/reports\/2031\?format=csv"/);
    const lang = /class="lang-switch" href="([^"]+)"/.exec(res.text);
    assert.ok(lang, 'the language switch');
    const en = await t.http.get(decodeEntities(lang[1]));
    assert.equal(en.status, 200);
    const enHtml = decodeEntities(en.text);
    assert.match(enHtml, /In 2031, 3 first-unit equipment products were newly certified: 1 international, 0 domestic and 2 provincial firsts\./);
    assert.match(enHtml, /2 projects received 3 million yuan of national insurance compensation/);
  });

  it('the CSV download: UTF-8 with BOM, CRLF, one row per figure, on the page and the API alike', async () => {
    for (const path of ['/reports/2031?format=csv', '/api/v1/reports/2031?format=csv']) {
      const res = await t.http.get(path).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
      });
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.match(String(res.headers['content-disposition']), /attachment; filename="report-2031.csv"/);
      const text = res.body as string;
      assert.ok(text.startsWith('\uFEFF'), 'BOM');
      const lines = text.slice(1).split('\r\n');
      assert.equal(lines[0], '字段,指标,数值,单位');
      assert.ok(lines.includes('certifications.equipment.total,新认定首台（套）装备,3,个/项/笔'));
      assert.ok(lines.includes('nationalInsurance.insuredValue,国家保险补偿支持装备价值,150000000.50,元'));
      assert.ok(lines.includes('insurance.yoy.compensation,保费补偿资金同比,,%'));
      assert.equal(lines.length, 1 + 22 + 1);
    }
  });

  it('CSV cells are neutralised like the statistics’ exports; yoy follows the statistics’ rule', () => {
    assert.equal(safeCell('=1+1'), "'=1+1");
    assert.equal(safeCell('-12.5'), "'-12.5");
    assert.equal(safeCell('＋1'), "'＋1");
    assert.equal(safeCell('58.9'), '58.9');
    assert.equal(percentChange('55655000.00', '35025000.00'), '58.9');
    assert.equal(percentChange(86, 61), '41.0');
    assert.equal(percentChange(5, 5), '0.0');
    assert.equal(percentChange(5, 0), null);
    assert.equal(percentChange(1, 3), '-66.7');
    const report = {
      year: 2019,
      certifications: { equipment: { total: 0, international: 0, domestic: 0, provincial: 0 }, byKind: { equipment: 0, material: 0, software: 0 } },
      indicatorList: { entries: 0, certifiedByList: 0 },
      awards: { amount: '0.00' },
      insurance: { projects: 1, insuredValue: '1.00', compensation: '1.00', yoy: { projects: '-50.0', compensation: null } },
      nationalInsurance: { projects: 0, insuredValue: '0.00', compensation: '0.00' },
      boutique: { count: 0, amount: '0.00' },
      firstPurchase: { count: 0, amount: '0.00' },
    } satisfies YearReport;
    const csv = reportCsv(translator('en'), report);
    assert.ok(csv.includes("\r\ninsurance.yoy.projects,\"Projects, year on year\",'-50.0,%\r\n"), csv);
  });
});
