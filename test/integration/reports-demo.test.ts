import assert from 'node:assert/strict';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import type { YearReport } from '../../src/reports/report';
import { testApp } from '../helpers/app';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';
import { decodeEntities } from '../helpers/html';

/** The report's first-unit paragraph of 2020 (DESIGN §8, issue 16 item 5), computed from the demo data. */
describe(`the 2020 report page on the demo data (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();


  it('GET /api/v1/reports/2020: every figure exactly as the report states it', async () => {
    const t = testApp(ctx.db);
    const res = await t.http.get('/api/v1/reports/2020');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = res.body as YearReport;
    assert.deepEqual(r.certifications.equipment, { total: 216, international: 2, domestic: 30, provincial: 184 });
    assert.equal(r.certifications.byKind.equipment, 216);
    assert.ok(r.certifications.byKind.material > 0 && r.certifications.byKind.software > 0, 'materials and software apart');
    assert.deepEqual(r.indicatorList, { entries: 63, certifiedByList: 8 });
    assert.deepEqual(r.awards, { amount: '76000000.00' });
    assert.deepEqual(r.insurance, { projects: 86, insuredValue: '2494000000.00', compensation: '55655000.00', yoy: { projects: '41.0', compensation: '58.9' } });
    assert.deepEqual(r.nationalInsurance, { projects: 8, insuredValue: '1867000000.00', compensation: '43860000.00' });
    assert.equal(r.boutique.count, 1097);
    const boutique = new Decimal(r.boutique.amount);
    assert.ok(boutique.gte('117500000') && boutique.lte('118499999.99'), r.boutique.amount);
    assert.deepEqual(r.firstPurchase, { count: 4, amount: '11200000.00' });
  });

  it('/reports/2020 writes the paragraph in the report’s words, linked from /stats, with the CSV', async () => {
    const t = testApp(ctx.db);
    const stats = decodeEntities((await t.http.get('/stats')).text);
    assert.match(stats, /<p id="public-report-link"><a href="\/reports\/2020">/);
    const res = await t.http.get('/reports/2020');
    assert.equal(res.status, 200);
    const html = decodeEntities(res.text);
    assert.match(html, /2020年新认定首台（套）装备216个，其中国际首台（套）2个、国内首台（套）30个、省内首台（套）184个。/);
    assert.match(html, /发布首台（套）关键技术指标清单63项，按清单标准认定8个；兑现认定奖励资金7600万元。/);
    assert.match(html, /确定86项首台（套）重大技术装备保险补偿项目，支持总价24.94亿元装备推广应用，保费补偿资金5565.5万元，同比增长58.9%。/);
    assert.match(html, /8个项目获得国家保险补偿资金4386万元，支持8台（套）价值18.67亿元的装备。/);
    assert.match(html, /精品馆成交1,097笔、金额1.18亿元；政府首购4笔、金额1120万元。/);
    const csv = await t.http.get('/reports/2020?format=csv').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
    const lines = (csv.body as string).split('\r\n');
    assert.ok(lines.includes('insurance.compensation,保费补偿资金,55655000.00,元'));
    assert.ok(lines.includes('insurance.yoy.compensation,保费补偿资金同比,58.9,%'));
  });

  it('/reports/2020 charts the figures (the compensation of 2016–2020 among them) and offers them as XLSX', async () => {
    const t = testApp(ctx.db);
    const html = decodeEntities((await t.http.get('/reports/2020')).text);
    assert.match(html, /<desc id="chart-levels-desc">2020年新认定首台（套）装备（按级别）：国际首台（套） 2；国内首台（套） 30；省内首台（套） 184。<\/desc>/);
    assert.match(html, /<desc id="chart-insurance-trend-desc">省级保险补偿资金（2016—2020年）：[^<]*2019 ¥35,025,000\.00（3502\.5万元）；2020 ¥55,655,000\.00（5565\.5万元）。<\/desc>/);
    assert.match(html, /<desc id="chart-insurance-schemes-desc">[^<]*省级保险补偿 ¥55,655,000\.00（5565\.5万元）；国家保险补偿 ¥43,860,000\.00（4386万元）。<\/desc>/);
    const res = await t.http.get('/reports/2020?format=xlsx').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    assert.equal(res.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const values = new Map<string, unknown>();
    wb.worksheets[0]!.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(3).value));
    assert.equal(values.get('insurance.projects'), 86);
    assert.equal(values.get('insurance.insuredValue'), 2494000000);
    assert.equal(values.get('insurance.compensation'), 55655000);
    assert.equal(values.get('insurance.yoy.compensation'), 58.9);
    assert.equal(values.get('nationalInsurance.compensation'), 43860000);
  });
});
