import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Test } from 'supertest';
import { translator, type Translator } from '../../src/i18n';
import type { YearReport } from '../../src/reports/report';
import { reportXlsx } from '../../src/reports/xlsx';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

/** Reads a binary answer (supertest leaves unknown types unparsed). */
const binary = (req: Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

async function workbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** Every cell of a sheet by its value, keyed by the key in column A (the figures' sheet). */
function figures(sheet: ExcelJS.Worksheet): Map<string, ExcelJS.Row> {
  const out = new Map<string, ExcelJS.Row>();
  sheet.eachRow((row, n) => {
    if (n > 2) out.set(String(row.getCell(1).value), row);
  });
  return out;
}

const REPORT: YearReport = {
  year: 2019,
  certifications: { equipment: { total: 3, international: 1, domestic: 0, provincial: 2 }, byKind: { equipment: 3, material: 1, software: 0 } },
  indicatorList: { entries: 0, certifiedByList: 0 },
  awards: { amount: '0.00' },
  insurance: { projects: 1, insuredValue: '1.00', compensation: '1.00', yoy: { projects: '-50.0', compensation: null } },
  nationalInsurance: { projects: 0, insuredValue: '0.00', compensation: '0.00' },
  boutique: { count: 0, amount: '0.00' },
  firstPurchase: { count: 0, amount: '0.00' },
};

/** The year report's charts and its XLSX download (issue 16 item 5), beside the CSV. */
describe(`the year report's charts and XLSX (${ENGINE})`, function () {
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
    const admin = await bearer(t.http, (await makeUser(ctx.db, { role: 'admin' })).username);
    const r = await t.http.post('/api/v1/admin/national-insurance').set('Authorization', admin).send({ year: 2031, projectName: '国家项目', enterpriseName: '某企业', insuredValue: '150000000.50', subsidy: '3000000.25' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('the page draws its charts as SVG images with a title, a description reading every value, and a table — no script', async () => {
    const res = await t.http.get('/reports/2031');
    assert.equal(res.status, 200);
    const html = decodeEntities(res.text);
    assert.doesNotMatch(res.text, /<script/i);
    const svgs = [...html.matchAll(/<figure class="chart-figure report-chart" id="([^"]+)">([\s\S]*?)<\/figure>/g)];
    assert.deepEqual(
      svgs.map((m) => m[1]),
      ['chart-levels', 'chart-kinds', 'chart-insurance-trend', 'chart-insurance-schemes', 'chart-trades'],
    );
    for (const [, id, body] of svgs) {
      assert.match(body!, new RegExp(`<svg class="chart"[^>]* role="img" aria-labelledby="${id}-title ${id}-desc"`), id);
      assert.match(body!, new RegExp(`<title id="${id}-title">[^<]+</title>`), id);
      assert.match(body!, new RegExp(`<desc id="${id}-desc">[^<]+</desc>`), id);
      assert.match(body!, /<details>\s*<summary>图表数据表<\/summary>[\s\S]*<table class="data">/, id);
    }
    const levels = svgs[0]![2]!;
    assert.match(levels, /<desc id="chart-levels-desc">2031年新认定首台（套）装备（按级别）：国际首台（套） 1；国内首台（套） 0；省内首台（套） 2。<\/desc>/);
    // Bars are scaled to the largest: provincial (2) full width, international (1) half, domestic none.
    const widths = [...levels.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(widths, [150, 0, 300]);
    const schemes = svgs[3]![2]!;
    assert.match(schemes, /省级保险补偿 ¥0\.00（0元）；国家保险补偿 ¥3,000,000\.25（300万元）/);
    assert.match(schemes, /<th scope="row">国家保险补偿<\/th><td class="num">¥3,000,000\.25<br><small>300万元<\/small><\/td>/);
    assert.match(svgs[2]![2]!, /<desc id="chart-insurance-trend-desc">省级保险补偿资金（2027—2031年）：没有数据。<\/desc>/, 'no paid claims in five years');
    const en = decodeEntities((await t.http.get('/reports/2031?lang=en')).text);
    assert.match(en, /<title id="chart-levels-title">Equipment certified in 2031, by level<\/title>/);
    assert.match(en, /<a id="report-xlsx" href="\/reports\/2031\?format=xlsx" download>Download Excel \(XLSX\)<\/a>/);
  });

  it('the XLSX download sits beside the CSV: the figures as typed numbers with their units, and the paragraph', async () => {
    const page = decodeEntities((await t.http.get('/reports/2031')).text);
    assert.match(page, /<a id="report-csv"[^>]*>[^<]+<\/a>\s*· <a id="report-xlsx" href="\/reports\/2031\?format=xlsx" download>下载 Excel（XLSX）<\/a>/);
    for (const path of ['/reports/2031?format=xlsx', '/api/v1/reports/2031?format=xlsx']) {
      const res = await binary(t.http.get(path));
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(String(res.headers['content-disposition']), /attachment; filename="report-2031.xlsx"/);
      const wb = await workbook(res.body as Buffer);
      assert.deepEqual(wb.worksheets.map((s) => s.name), ['报告数据', '段落']);
      const sheet = wb.worksheets[0]!;
      assert.equal(sheet.getCell('A1').value, '2031 年首台（套）工作报告数据');
      assert.deepEqual((sheet.getRow(2).values as unknown[]).slice(1), ['字段', '指标', '数值', '单位', '报告写法']);
      const rows = figures(sheet);
      assert.equal(rows.size, 22, 'one row per figure');
      const equipment = rows.get('certifications.equipment.total')!;
      assert.equal(equipment.getCell(3).value, 3);
      assert.equal(equipment.getCell(3).type, ExcelJS.ValueType.Number);
      const national = rows.get('nationalInsurance.insuredValue')!;
      assert.equal(national.getCell(3).value, 150000000.5);
      assert.match(String(national.getCell(3).numFmt), /¥/);
      assert.equal(national.getCell(4).value, '元');
      assert.equal(national.getCell(5).value, '1.5亿元');
      assert.equal(rows.get('insurance.yoy.compensation')!.getCell(3).type, ExcelJS.ValueType.Null, 'no change after a year of nothing: empty');
      assert.match(String(wb.worksheets[1]!.getCell('A1').value), /^2031年新认定首台（套）装备3个/);
    }
    const en = await workbook((await binary(t.http.get('/api/v1/reports/2031?format=xlsx').set('Accept-Language', 'en'))).body as Buffer);
    assert.deepEqual(en.worksheets.map((s) => s.name), ['Report figures', 'Paragraph']);
  });

  it('an XLSX cell starting with = + - @ is stored as a text string, never a formula; a negative change is a number', async () => {
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1:A2)', '＝1+1'];
    let i = 0;
    const en = translator('en');
    // Every label the workbook writes comes from the catalogue: make each one hostile.
    const t: Translator = (key, params) => (key.startsWith('reports.fig_') || key.startsWith('reports.col_') ? hostile[i++ % hostile.length]! : en(key, params));
    const buf = await reportXlsx(t, REPORT);
    const wb = await workbook(buf);
    let texts = 0;
    for (const sheet of wb.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${sheet.name}!${cell.address}`);
          assert.equal(cell.formula, undefined, `${sheet.name}!${cell.address}`);
          if (typeof cell.value === 'string' && hostile.includes(cell.value)) {
            assert.equal(cell.type, ExcelJS.ValueType.String, cell.address);
            assert.equal(cell.numFmt, '@', `${cell.address} formatted as text`);
            texts++;
          }
        }),
      );
    }
    assert.ok(texts >= 22 + 4, `hostile labels written as text (${texts})`);
    const yoy = figures(wb.worksheets[0]!).get('insurance.yoy.projects')!.getCell(3);
    assert.equal(yoy.type, ExcelJS.ValueType.Number);
    assert.equal(yoy.value, -50);
    // The file itself: no formula element anywhere, the hostile text among the strings.
    const zip = await JSZip.loadAsync(buf);
    const xml = await Promise.all(Object.keys(zip.files).filter((f) => f.endsWith('.xml')).map((f) => zip.file(f)!.async('string')));
    assert.ok(xml.every((x) => !/<f[\s>]/.test(x)), 'no <f> element');
    assert.ok(xml.some((x) => x.includes('=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)')));
  });

  it('a format other than json, csv or xlsx is a 422 naming `format`', async () => {
    for (const path of ['/api/v1/reports/2031?format=pdf', '/api/v1/reports/2031?format=XLSX', '/api/v1/reports/2031?format=csv&format=xlsx']) {
      const res = await t.http.get(path);
      assert.equal(res.status, 422, path);
      assert.equal(res.body.error.field, 'format', path);
    }
    assert.equal((await t.http.get('/reports/2031?format=pdf')).status, 422);
    const json = await t.http.get('/reports/2031?format=json');
    assert.equal(json.status, 200);
    assert.equal(json.body.year, 2031);
  });
});
