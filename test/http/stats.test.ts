import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse } from 'csv-parse/sync';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { translator } from '../../src/i18n';
import { FakeClock } from '../../src/clock';
import { Ledger } from '../../src/ledger/service';
import { ROOT } from '../../src/paths';
import { rebuildTradeAggregates } from '../../src/stats/aggregates';
import { StatsExporter } from '../../src/stats/exports';
import { ExportQuerySchema } from '../../src/stats/schema';
import { StatsService } from '../../src/stats/service';
import { parseInput } from '../../src/web/validate';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makePurchaser, makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { factsOf, makeTrade, type TradeSpec } from '../helpers/stats-trades';

/** The OCDS 1.1.5 schemas, kept with the tests (test/fixtures/ocds/README.md). */
const OCDS_DIR = path.join(ROOT, 'test', 'fixtures', 'ocds');
const RELEASE_SCHEMA_ID = 'https://standard.open-contracting.org/schema/1__1__5/release-schema.json';

// Product titles a spreadsheet would run as formulas, and ones that need CSV quoting.
const NASTY_TITLES = ['=1+2', '+SUM(A1:A2)', '-2+3', '@A1', '\tTAB开头', '\r回车开头', '逗号,引号"换行\n第二行', '＝全角等号'];
// Titles that exercise the exports' read path (each row arrives as one JSON array): escapes, backslashes, a line
// separator, characters outside the BMP, a title that is itself JSON.
const EXACT_TITLES = ['反斜杠\\n不是换行 \\u0041', '行分隔\u2028段分隔\u2029', '𠀀𪚥 🚑 医疗设备', '["json", null, 1]', 'null'];

function assertFieldError(res: Response, field: string): void {
  assert.equal(res.status, 422, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'validation_failed');
  assert.equal(res.body.error.field, field);
  assert.ok(res.body.error.message.length > 0);
}

/** A supertest parser that keeps the body as one Buffer (downloads are not text we want decoded). */
const binary = ((res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}) as unknown as (res: Response, cb: (err: Error | null, body: unknown) => void) => void;

/** exceljs types its input as an ArrayBuffer. */
const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe(`statistics over HTTP (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: string;
  let purchaserAuth: string;
  let vendorAuth: string;
  const specs: TradeSpec[] = [];
  let vendorName = '';

  before(async () => {
    const db = ctx.db;
    t = testApp(db);
    const p1 = await makePurchaser(db, { name: '杭州市第一人民医院', city: '杭州', type: 'hospital' });
    const p2 = await makePurchaser(db, { name: "=cmd|' /C calc'!A0", city: '温州', type: 'school' });
    vendorName = '宁波"精工",有限公司<script>alert(1)</script>';
    const v1 = await makeVendor(db, { name: vendorName, city: '宁波' });
    const v2 = await makeVendor(db, { name: '杭州医疗装备有限公司', city: '杭州' });
    await makeUser(db, { role: 'admin', username: 'stats-admin' });
    await makeUser(db, { role: 'purchaser', purchaser_id: p1.id, username: 'stats-purchaser' });
    await makeUser(db, { role: 'vendor', vendor_id: v1.id, username: 'stats-vendor' });
    const cert = await makeCert(db, v2, { level: 'domestic', field: '高端医疗装备', cert_no: 'ZJSTT-2019-0042', year: 2019 });
    const ct = await makeProduct(db, v2, { cert, title: '64排CT', price_fen: 2_800_000_00 });
    const now = '2020-01-01T00:00:00.000Z';
    const [order] = await db('orders').insert({ order_no: 'ZJJP-2020-000042', purchaser_id: p1.id, vendor_id: v1.id, status: 'paid', total_fen: 1, created_at: now, updated_at: now }).returning('id');
    const orderId = typeof order === 'object' ? (order as { id: number }).id : (order as number);
    const [fpCase] = await db('fp_cases')
      .insert({
        purchaser_id: p1.id,
        product_id: ct.id,
        vendor_id: v2.id,
        cert_id: cert.id,
        project_name: '杭州市第一人民医院64排CT采购项目',
        budget_fen: 3_000_000_00,
        reason: '首台（套）产品政府首购',
        experts: '[]',
        contact: '0571-88880000',
        status: 'paid',
        amount_fen: 2_800_000_00,
        contract_no: 'HT-2020-001',
        signed_at: '2020-08-20', // as the service stores it: the signing day
        created_at: now,
        updated_at: now,
      })
      .returning('id');
    const caseId = typeof fpCase === 'object' ? (fpCase as { id: number }).id : (fpCase as number);
    const P1 = { id: p1.id, city: p1.city, type: p1.type };
    const P2 = { id: p2.id, city: p2.city, type: p2.type };
    const V1 = { id: v1.id, city: v1.city };
    const V2 = { id: v2.id, city: v2.city };
    const boutique = { channel: 'boutique', vendor: V1, field: '智能装备', level: null, kind: 'equipment' } as const;
    specs.push({ ...boutique, at: '2019-05-10T02:00:00Z', purchaser: P1, amountFen: 12_000_000 });
    NASTY_TITLES.forEach((title, i) => specs.push({ ...boutique, at: `2020-0${1 + (i % 9)}-1${i}T02:00:00Z`, purchaser: i % 2 ? P2 : P1, amountFen: 1_234_567 + i * 100_001, productTitle: title }));
    EXACT_TITLES.forEach((title, i) => specs.push({ ...boutique, at: `2020-1${i % 3}-2${i}T02:00:00Z`, purchaser: P1, amountFen: 700_001 + i, productTitle: title }));
    specs.push({ ...boutique, at: '2020-03-03T02:00:00Z', purchaser: P1, amountFen: 5_000_000_00, productTitle: '智能上下料机器人', orderId });
    specs.push({ ...boutique, at: '2020-04-04T02:00:00Z', purchaser: P1, amountFen: 5_000_000_00, productTitle: '智能上下料机器人', orderId, refund: true });
    specs.push({
      channel: 'first_purchase',
      at: '2020-09-01T02:00:00Z',
      purchaser: P1,
      vendor: V2,
      amountFen: 2_800_000_00,
      field: '高端医疗装备',
      level: 'domestic',
      kind: 'equipment',
      productTitle: '64排CT',
      productId: ct.id,
      certNo: cert.cert_no,
      caseId,
    });
    for (const s of specs) await makeTrade(db, t.clock, s);
    t.clock.set(new Date('2026-03-01T02:00:00Z'));
    admin = await bearer(t.http, 'stats-admin');
    purchaserAuth = await bearer(t.http, 'stats-purchaser');
    vendorAuth = await bearer(t.http, 'stats-vendor');
  });

  const in2020 = () => specs.filter((s) => s.at.startsWith('2020'));
  const netFen = (list: TradeSpec[]) => list.reduce((s, x) => s + (x.refund ? -x.amountFen : x.amountFen), 0);
  const netCount = (list: TradeSpec[]) => list.reduce((s, x) => s + (x.refund ? -1 : 1), 0);

  describe('access', () => {
    const ADMIN_ONLY = ['/api/v1/admin/stats', '/api/v1/admin/stats/export?format=csv', '/api/v1/admin/stats/export?format=xlsx', '/api/v1/admin/stats/export?format=ocds'];

    it('401 for anonymous callers of every admin statistics route', async () => {
      for (const url of ADMIN_ONLY) {
        const res = await t.http.get(url);
        assert.equal(res.status, 401, url);
        assert.equal(res.body.error.code, 'unauthenticated');
      }
    });

    it('403 for purchasers and vendors', async () => {
      for (const auth of [purchaserAuth, vendorAuth]) {
        for (const url of [...ADMIN_ONLY, '/admin/stats', '/admin/stats/export?format=csv']) {
          const res = await t.http.get(url).set('Authorization', auth);
          assert.equal(res.status, 403, url);
        }
      }
    });

    it('the admin page sends anonymous visitors to the login page', async () => {
      const res = await t.http.get('/admin/stats?from=2020-01-01');
      assert.equal(res.status, 302);
      assert.match(res.headers.location, /^\/login\?next=%2Fadmin%2Fstats/);
    });

    it('the public summary and its page need no login', async () => {
      assert.equal((await t.http.get('/api/v1/stats/summary')).status, 200);
      assert.equal((await t.http.get('/stats')).status, 200);
    });
  });

  describe('bad filters → 422 naming the field', () => {
    const cases: Array<[string, string]> = [
      ['from=2020-12-31&to=2020-01-01', 'to'],
      ['groupBy=weekday', 'groupBy'],
      ['from=2020-13-01', 'from'],
      ['to=2020-02-30', 'to'],
      ['from=20200101', 'from'],
      ['channel=mall', 'channel'],
      ['level=galactic', 'level'],
      ['kind=car', 'kind'],
      ['field=%E7%81%AB%E7%AE%AD', 'field'],
      ['city=shanghai', 'city'],
      ['cityOf=moon', 'cityOf'],
      ['from=2020-01-01&from=2020-02-01', 'from'],
      ['city=%E6%9D%AD%E5%B7%9E&cityOf=vendor&vendorCity=%E5%AE%81%E6%B3%A2', 'vendorCity'],
    ];
    for (const [qs, field] of cases) {
      it(`${qs} → ${field}`, async () => {
        assertFieldError(await t.http.get(`/api/v1/admin/stats?${qs}`).set('Authorization', admin), field);
        assertFieldError(await t.http.get(`/api/v1/admin/stats/export?format=csv&${qs}`).set('Authorization', admin), field);
      });
    }

    it('format missing or unknown', async () => {
      assertFieldError(await t.http.get('/api/v1/admin/stats/export').set('Authorization', admin), 'format');
      assertFieldError(await t.http.get('/api/v1/admin/stats/export?format=pdf').set('Authorization', admin), 'format');
    });

    it('the page shows the error and a 422, not a 500', async () => {
      const res = await t.http.get('/admin/stats?from=2020-13-01').set('Authorization', admin);
      assert.equal(res.status, 422);
      assert.match(res.text, /role="alert"/);
    });
  });

  describe('GET /api/v1/admin/stats', () => {
    it('{rows:[{key,count,amount,yoy}], total:{count,amount}} with money strings', async () => {
      const res = await t.http.get('/api/v1/admin/stats?from=2020-01-01&to=2020-12-31&groupBy=channel').set('Authorization', admin);
      assert.equal(res.status, 200);
      for (const k of ['rows', 'total']) assert.ok(k in res.body, k);
      const list = in2020();
      const byChannel = (c: string) => list.filter((s) => s.channel === c);
      assert.deepEqual(
        res.body.rows.map((r: { key: string; count: number; amount: string }) => [r.key, r.count, r.amount]),
        [
          ['first_purchase', 1, '2800000.00'],
          ['boutique', netCount(byChannel('boutique')), new Decimal(netFen(byChannel('boutique'))).dividedBy(100).toFixed(2)],
        ],
      );
      for (const r of res.body.rows) {
        assert.deepEqual(Object.keys(r).slice(0, 4), ['key', 'label', 'count', 'amount']);
        assert.ok('yoy' in r);
      }
      assert.equal(res.body.rows[0].yoy, null, 'no first purchase in 2019');
      assert.deepEqual(res.body.total, { count: netCount(list), amount: new Decimal(netFen(list)).dividedBy(100).toFixed(2), yoy: res.body.total.yoy });
      assert.equal(typeof res.body.total.amount, 'string');
    });

    it('a range with a start and no end runs to today, and is compared with the same days a year earlier (not with everything since)', async () => {
      t.clock.set(new Date('2021-06-01T02:00:00Z'));
      try {
        for (const groupBy of ['channel', 'purchaser']) {
          const open = await t.http.get(`/api/v1/admin/stats?from=2020-06-01&groupBy=${groupBy}`).set('Authorization', admin);
          const closed = await t.http.get(`/api/v1/admin/stats?from=2020-06-01&to=2021-06-01&groupBy=${groupBy}`).set('Authorization', admin);
          assert.equal(open.status, 200);
          assert.deepEqual(open.body.rows, closed.body.rows, groupBy);
          assert.deepEqual(open.body.total, closed.body.total, groupBy);
        }
      } finally {
        t.clock.set(new Date('2026-03-01T02:00:00Z'));
      }
    });

    it('cityOf=vendor groups by the vendor city; vendorCity filters by it', async () => {
      const res = await t.http.get('/api/v1/admin/stats?groupBy=city&cityOf=vendor').set('Authorization', admin);
      assert.deepEqual(res.body.rows.map((r: { key: string }) => r.key).sort(), ['宁波', '杭州'].sort());
      const only = await t.http.get('/api/v1/admin/stats?vendorCity=hangzhou&groupBy=vendor').set('Authorization', admin);
      assert.deepEqual(only.body.rows.map((r: { label: string }) => r.label), ['杭州医疗装备有限公司']);
    });
  });

  describe('CSV export', () => {
    let res: Response;
    before(async () => {
      res = await t.http.get('/api/v1/admin/stats/export?format=csv&from=2020-01-01&to=2020-12-31').set('Authorization', admin).buffer(true).parse(binary);
    });

    it('is a download: text/csv, Content-Disposition attachment with a .csv name', () => {
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
      assert.match(res.headers['content-disposition'], /^attachment; filename="trade-stats_2020-01-01_2020-12-31\.csv"/);
    });

    it('UTF-8 with a BOM, CRLF records, one row per trade, parsed back exactly', () => {
      const buf = res.body as Buffer;
      assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const text = buf.toString('utf8');
      assert.ok(text.includes('\r\n'));
      const rows: string[][] = parse(text, { bom: true, relax_column_count: false });
      const [header, ...data] = rows;
      assert.deepEqual(header.slice(0, 3), ['成交日期', '渠道', '类型']);
      assert.equal(header[header.length - 1], '金额（元）');
      assert.equal(data.length, in2020().length);
      const amounts = data.map((r) => new Decimal(r[r.length - 1]).times(100).toNumber());
      assert.equal(amounts.reduce((s, x) => s + x, 0), netFen(in2020()));
      const refund = data.find((r) => r[2] === '退款');
      assert.ok(refund && refund[refund.length - 1] === '-5000000.00', 'a refund is a negative amount, not neutralised');
      const fp = data.find((r) => r[1] === '政府首购');
      assert.ok(fp);
      assert.equal(fp[3].startsWith('FP-'), true);
      // An order's trades carry its number people read, not a database id (API.md "Numbers people read").
      assert.deepEqual(data.filter((r) => r[3] === 'ZJJP-2020-000042').map((r) => r[2]), ['结算', '退款']);
      assert.ok(!data.some((r) => /^ORD-/.test(r[3])), 'no ORD-<id> reference');
      assert.equal(fp[9], 'ZJSTT-2019-0042');
      assert.equal(fp[10], '国内首台（套）');
    });

    it('neutralises formula injection in every text cell and quotes per RFC 4180', () => {
      const rows: string[][] = parse((res.body as Buffer).toString('utf8'), { bom: true });
      const products = rows.slice(1).map((r) => r[8]);
      assert.ok(products.includes("'=1+2"));
      assert.ok(products.includes("'+SUM(A1:A2)"));
      assert.ok(products.includes("'-2+3"));
      assert.ok(products.includes("'@A1"));
      assert.ok(products.includes("'\tTAB开头"));
      assert.ok(products.includes("'\r回车开头"));
      assert.ok(products.includes("'＝全角等号"));
      assert.ok(products.includes('逗号,引号"换行\n第二行'), 'commas, quotes and newlines survive the round trip');
      for (const title of EXACT_TITLES) assert.ok(products.includes(title), `${JSON.stringify(title)} survives exactly`);
      const purchasers = rows.slice(1).map((r) => r[4]);
      assert.ok(purchasers.includes("'=cmd|' /C calc'!A0"));
      for (const row of rows.slice(1)) {
        for (const cell of row.slice(0, -1)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
      }
      assert.ok(rows.slice(1).some((r) => r[6] === vendorName));
    });
  });

  describe('XLSX export', () => {
    let wb: ExcelJS.Workbook;
    before(async () => {
      const res = await t.http.get('/api/v1/admin/stats/export?format=xlsx&from=2020-01-01&to=2020-12-31&groupBy=channel').set('Authorization', admin).buffer(true).parse(binary);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(res.headers['content-disposition'], /filename="trade-stats_2020-01-01_2020-12-31\.xlsx"/);
      wb = new ExcelJS.Workbook();
      await wb.xlsx.load(arrayBuffer(res.body as Buffer));
    });

    it('a summary sheet with the grouped table and totals', () => {
      assert.deepEqual(
        wb.worksheets.map((s) => s.name),
        ['汇总', '明细'],
      );
      const sheet = wb.getWorksheet('汇总') as ExcelJS.Worksheet;
      const labels = sheet.getColumn(1).values.filter(Boolean) as string[];
      assert.ok(labels.includes('政府首购') && labels.includes('精品馆直购') && labels.includes('合计'));
      const fpRow = sheet.getRows(1, sheet.rowCount)?.find((r) => r.getCell(1).value === '政府首购') as ExcelJS.Row;
      assert.equal(fpRow.getCell(2).value, 1);
      assert.equal(fpRow.getCell(3).value, 2800000);
      assert.match(fpRow.getCell(3).numFmt, /¥/);
    });

    it('a detail sheet: one row per trade, amounts as numbers with a ¥ format, exact to the fen', () => {
      const sheet = wb.getWorksheet('明细') as ExcelJS.Worksheet;
      const rows = (sheet.getRows(2, sheet.rowCount - 1) ?? []).filter((r) => r.hasValues);
      assert.equal(rows.length, in2020().length);
      let sumFen = 0;
      for (const r of rows) {
        const cell = r.getCell(14);
        assert.equal(typeof cell.value, 'number');
        assert.match(cell.numFmt, /¥/);
        sumFen += new Decimal(cell.value as number).times(100).toNumber();
      }
      assert.equal(sumFen, netFen(in2020()));
      assert.ok(rows.some((r) => r.getCell(9).value === '=1+2'), 'a text cell stays text (xlsx types it; no formula)');
      assert.ok(rows.every((r) => typeof r.getCell(9).value === 'string'));
    });

    it('starts a new detail sheet when one is full', async () => {
      const service = new StatsService(ctx.db);
      const exporter = new StatsExporter(ctx.db, service, 3);
      const q = parseInput(ExportQuerySchema, { format: 'xlsx', from: '2020-01-01', to: '2020-12-31' });
      const file = await exporter.open(q, translator('en'), { uri: 'urn:test', now: new Date(), rowsPerSheet: 4 });
      const chunks: Buffer[] = [];
      for await (const c of file.body) chunks.push(c as Buffer);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(arrayBuffer(Buffer.concat(chunks)));
      const n = in2020().length;
      assert.deepEqual(
        book.worksheets.map((s) => s.name),
        ['Summary', ...Array.from({ length: Math.ceil(n / 4) }, (_, i) => (i === 0 ? 'Trades' : `Trades ${i + 1}`))],
      );
      const dataRows = book.worksheets.slice(1).reduce((s, w) => s + w.rowCount - 1, 0);
      assert.equal(dataRows, n);
    });
  });

  describe('OCDS export', () => {
    let pkg: { releases: Array<Record<string, unknown>> } & Record<string, unknown>;
    before(async () => {
      const res = await t.http.get('/api/v1/admin/stats/export?format=ocds&from=2020-01-01&to=2020-12-31').set('Authorization', admin);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.match(res.headers['content-disposition'], /\.json"/);
      pkg = res.body;
    });

    it('validates against the OCDS 1.1 release package schema (offline, draft 4)', () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
      ajv.addFormat('uri', { validate: (s: string) => URL.canParse(s) });
      ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
      const release = JSON.parse(readFileSync(path.join(OCDS_DIR, 'release-schema.json'), 'utf8'));
      assert.equal(release.id, RELEASE_SCHEMA_ID);
      ajv.addSchema(release, RELEASE_SCHEMA_ID);
      const validate = ajv.compile(JSON.parse(readFileSync(path.join(OCDS_DIR, 'release-package-schema.json'), 'utf8')));
      const ok = validate(pkg);
      assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    });

    it('every instant in the package is in +08:00, as every instant of the API is (docs/contract.md; a black-box audit found UTC "Z" here)', () => {
      const instants = JSON.stringify(pkg).match(/"\d{4}-\d{2}-\d{2}T[^"]*"/g) ?? [];
      assert.ok(instants.length > pkg.releases.length, `${instants.length} instants`);
      for (const i of instants) assert.match(i, /\+08:00"$/);
      assert.match(String(pkg.publishedDate), /\+08:00$/);
    });

    it('one release per trade; a first purchase is direct, 单一来源（政府首购）, with award, contract and transactions', () => {
      assert.equal(pkg.version, '1.1');
      assert.equal(pkg.releases.length, in2020().length);
      for (const r of pkg.releases) assert.match(String(r.ocid), /^ocds-[a-z0-9]{6}-/);
      const fp = pkg.releases.find((r) => (r.tender as { procurementMethodDetails?: string } | undefined)?.procurementMethodDetails === '单一来源（政府首购）') as Record<string, never>;
      assert.ok(fp, 'the first purchase release');
      assert.equal(fp.tender['procurementMethod'], 'direct');
      assert.equal(fp.tender['title'], '杭州市第一人民医院64排CT采购项目');
      assert.deepEqual(fp.tag, ['tender', 'award', 'contract', 'implementation']);
      const award = (fp.awards as Array<Record<string, unknown>>)[0];
      assert.deepEqual(award.value, { amount: 2800000, currency: 'CNY' });
      const contract = (fp.contracts as Array<Record<string, unknown>>)[0];
      assert.equal(contract.id, 'HT-2020-001');
      assert.equal(contract.dateSigned, '2020-08-20T00:00:00+08:00');
      assert.equal(contract.awardID, award.id);
      const tx = (contract.implementation as { transactions: Array<Record<string, unknown>> }).transactions[0];
      assert.deepEqual(tx.value, { amount: 2800000, currency: 'CNY' });
      const roles = Object.fromEntries((fp.parties as Array<{ name: string; roles: string[] }>).map((p) => [p.name, p.roles]));
      assert.deepEqual(roles['杭州市第一人民医院'], ['buyer', 'procuringEntity', 'payer']);
      assert.deepEqual(roles['杭州医疗装备有限公司'], ['supplier', 'payee']);
      const boutique = pkg.releases.filter((r) => (r.tender as { procurementMethodDetails?: string } | undefined)?.procurementMethodDetails?.includes('精品馆'));
      assert.ok(boutique.length > 0);
    });

    it('a refund is a later release of the same process, money flowing back', () => {
      const refunds = pkg.releases.filter((r) => (r.tag as string[]).includes('implementationUpdate'));
      assert.equal(refunds.length, 1);
      const settled = pkg.releases.filter((r) => r.ocid === refunds[0].ocid);
      assert.equal(settled.length, 2);
      assert.match(String(refunds[0].ocid), /-ZJJP-2020-000042$/, 'the order’s releases share its number');
      const tx = ((refunds[0].contracts as Array<Record<string, never>>)[0].implementation as { transactions: Array<Record<string, { id: string }>> }).transactions[0];
      assert.match(tx.payer.id, /^vendor-/);
      assert.match(tx.payee.id, /^purchaser-/);
    });

    it('an empty range has no release to publish: 404, not an invalid package', async () => {
      const res = await t.http.get('/api/v1/admin/stats/export?format=ocds&from=2001-01-01&to=2001-12-31').set('Authorization', admin);
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
    });
  });

  describe('the statistics page', () => {
    it('renders the table, SVG charts with title and desc, and tables beside them; escapes every name', async () => {
      const res = await t.http.get('/admin/stats?from=2020-01-01&to=2020-12-31&groupBy=vendor').set('Authorization', admin);
      assert.equal(res.status, 200);
      const html = res.text;
      assert.ok(!html.includes('<script>alert(1)</script>'), 'a vendor name is never markup');
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      assert.equal(svgs.length, 5, 'count, amount, field, level, city');
      for (const svg of svgs) {
        assert.match(svg, /role="img"/);
        assert.match(svg, /<title id="[^"]+">[^<]+<\/title>/);
        assert.match(svg, /<desc id="[^"]+">[^<]+<\/desc>/);
        assert.doesNotMatch(svg, /<script|on\w+=/i);
      }
      assert.ok(html.includes('¥2,800,000.00'));
      assert.ok(decodeEntities(html).includes('280万元'));
      assert.match(decodeEntities(html), /id="export-csv" href="\/admin\/stats\/export\?[^"]*format=csv/);
      assert.ok(html.includes('id="preset-2020"'));
    });

    it('the 2020 preset shows the certification figures from the registry', async () => {
      const res = await t.http.get('/admin/stats?from=2020-01-01&to=2020-12-31&groupBy=channel').set('Authorization', admin);
      assert.match(res.text, /data-figure="issued">0</);
      const y2019 = await t.http.get('/admin/stats?from=2019-01-01&to=2019-12-31').set('Authorization', admin);
      assert.match(y2019.text, /data-figure="issued">1</);
      assert.match(y2019.text, /data-figure="domestic">1</);
    });

    it('in English too', async () => {
      const res = await t.http.get('/admin/stats?lang=en&groupBy=field').set('Authorization', admin);
      assert.equal(res.status, 200);
      assert.ok(res.text.includes('Share of the amount by field'));
    });
  });

  describe('the public summary', () => {
    it('totals by year and by field, no unit names', async () => {
      const res = await t.http.get('/api/v1/stats/summary?year=2020');
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.years.map((y: { year: number }) => y.year),
        [2019, 2020],
      );
      assert.equal(res.body.year, 2020);
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes('医院') && !text.includes('有限公司'));
      const page = await t.http.get('/stats?year=2020');
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes('杭州市第一人民医院'));
      assert.match(page.text, /<svg[^>]+role="img"/);
    });

    it('the channels apart as the report states them, never added together (issue 14 item 14)', async () => {
      const res = await t.http.get('/api/v1/stats/summary');
      assert.deepEqual(Object.keys(res.body).sort(), ['channels', 'demo', 'year', 'years']);
      assert.deepEqual(Object.keys(res.body.channels).sort(), ['boutique', 'first_purchase']);
      assert.equal(res.body.demo, false);
      const first = res.body.channels.first_purchase;
      assert.deepEqual(first.years.map((y: { year: number; count: number; amount: string }) => [y.year, y.count, y.amount]), [[2020, 1, '2800000.00']]);
      assert.equal(first.total.amount, '2800000.00');
      for (const y of res.body.years) assert.deepEqual(Object.keys(y).sort(), ['through', 'year']);
      const page = decodeEntities((await t.http.get('/stats')).text);
      assert.match(page, /data-channel="boutique">精品馆直购累计成交/);
      assert.match(page, /data-channel="first_purchase">政府首购累计成交 1 笔，金额 <strong>¥2,800,000\.00<\/strong> \(280万元\)/);
      assert.doesNotMatch(page, /class="stats-grand-total">累计成交/);
      // One money rule: a year without first purchases reads 0元 beside 280万元, not 0.00元.
      assert.match(page, /<tr data-year="2019">[\s\S]*?data-cell="first-large">0元</);
      assert.doesNotMatch(page, /0\.00元/);
    });

    it('422 for a bad year', async () => {
      assertFieldError(await t.http.get('/api/v1/stats/summary?year=20x0'), 'year');
    });
  });
});

describe(`statistics: the aggregates rebuilt from the dimension table (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();

  /** Every row of the three aggregates, in a stable order, without their ids. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const db = ctx.db;
    const clean = (rows: Array<Record<string, unknown>>) =>
      rows.map(({ id: _id, ...r }) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && /count|fen|year|_id$/.test(k) ? Number(v) : v])));
    return {
      rollup: clean(await db('trade_rollup').orderBy(['month', 'channel', 'field', 'level', 'kind', 'purchaser_city', 'vendor_city', 'purchaser_type', 'purchaser_id', 'vendor_id'])),
      cube: clean(await db('trade_cube').orderBy(['dim', 'month', 'channel', 'value'])),
      cubeYear: clean(await db('trade_cube_year').orderBy(['dim', 'year', 'channel', 'value'])),
    };
  }

  it('derives the same rollup, cubes and triggers as the migrations installed', async () => {
    const db = ctx.db;
    const clock = new FakeClock();
    const P1 = { id: 1, city: '杭州', type: 'hospital' };
    const P2 = { id: 2, city: '温州', type: 'school' };
    const V1 = { id: 1, city: '宁波' };
    const base = { channel: 'boutique', vendor: V1, field: '智能装备', level: null, kind: 'equipment' } as const;
    const first: TradeSpec[] = [
      { ...base, at: '2019-05-10T02:00:00Z', purchaser: P1, amountFen: 12_000_000 },
      { ...base, at: '2020-03-03T02:00:00Z', purchaser: P2, amountFen: 5_000_000, kind: 'software' },
      { ...base, at: '2020-04-04T02:00:00Z', purchaser: P2, amountFen: 5_000_000, kind: 'software', refund: true },
      { ...base, channel: 'first_purchase', at: '2020-09-01T02:00:00Z', purchaser: P1, amountFen: 280_000_000, field: '高端医疗装备', level: 'domestic' },
    ];
    for (const s of first) await makeTrade(db, clock, s);
    const byMigrations = await snapshot();
    assert.ok(byMigrations.rollup.length >= 3 && byMigrations.cube.length > 10, JSON.stringify(byMigrations.rollup));

    await rebuildTradeAggregates(db);
    assert.deepEqual(await snapshot(), byMigrations, 'rebuilt from trades, the aggregates are the ones the triggers kept');

    // The rebuilt triggers keep counting: a later trade lands where rebuilding from the trades puts it.
    await makeTrade(db, clock, { ...base, at: '2020-09-15T02:00:00Z', purchaser: P1, amountFen: 1_000_000, level: 'provincial' });
    await makeTrade(db, clock, { ...base, at: '2019-05-20T02:00:00Z', purchaser: P1, amountFen: 3_000_000 });
    const byTriggers = await snapshot();
    await rebuildTradeAggregates(db);
    assert.deepEqual(await snapshot(), byTriggers);
    const level = (await db('trade_cube').where({ dim: 'level', month: '2020-09', value: 'provincial' }).first()) as { trade_count: number; amount_fen: number | string };
    assert.deepEqual([Number(level.trade_count), Number(level.amount_fen)], [1, 1_000_000]);
    const none = (await db('trade_cube_year').where({ dim: 'level', year: 2019, value: '' }).first()) as { trade_count: number; amount_fen: number | string };
    assert.deepEqual([Number(none.trade_count), Number(none.amount_fen)], [2, 15_000_000]);
  });

  it('a batch of settlements in one statement (group commit) counts as its trades one by one would, also where two share every dimension', async () => {
    const db = ctx.db;
    const clock = new FakeClock();
    const ledger = new Ledger(clock);
    clock.set(new Date('2021-06-08T02:00:00Z'), { freeze: true });
    const P1 = { id: 1, city: '杭州', type: 'hospital' };
    const V1 = { id: 1, city: '宁波' };
    const same = { channel: 'boutique', vendor: V1, field: '智能装备', level: 'provincial', kind: 'equipment', purchaser: P1, at: '2021-06-08T02:00:00Z' } as const;
    const batch: TradeSpec[] = [
      { ...same, amountFen: 700_000 },
      { ...same, amountFen: 300_000 },
      { ...same, amountFen: 50_000, field: '高端医疗装备', level: 'domestic' },
    ];
    const total = batch.reduce((n, b) => n + b.amountFen, 0);
    await db.transaction(async (trx) => {
      await ledger.allocate(trx, P1.id, total, 'stats-batch-alloc', null);
      await ledger.reserve(trx, P1.id, total, {}, 'stats-batch-reserve', null);
      await ledger.settleAll(trx, batch.map((b, i) => ({ amountFen: b.amountFen, ref: {}, trade: factsOf(b), key: `stats-batch-settle-${i}`, actorId: null })));
    });
    const byTriggers = await snapshot();
    await rebuildTradeAggregates(db);
    assert.deepEqual(await snapshot(), byTriggers, 'the triggers folded the batch as a rebuild from the trades does');
    const level = (await db('trade_cube').where({ dim: 'level', month: '2021-06', channel: 'boutique', value: 'provincial' }).first()) as { trade_count: number; amount_fen: number | string };
    assert.deepEqual([Number(level.trade_count), Number(level.amount_fen)], [2, 1_000_000]);
    const all = (await db('trade_cube_year').where({ dim: 'all', year: 2021, channel: 'boutique' }).first()) as { trade_count: number; amount_fen: number | string };
    assert.deepEqual([Number(all.trade_count), Number(all.amount_fen)], [3, total]);
  });
});
