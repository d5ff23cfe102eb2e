import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import ExcelJS from 'exceljs';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makeCert, makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { csrfOf, loginAgent } from '../helpers/session';

const HEADER = 'certNo,productName,enterpriseName,creditCode,kind,level,field,year,validUntil,indicators';

describe('certification registry', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asAdmin: string;
  let asVendor: string;
  let vendor: Awaited<ReturnType<typeof makeVendor>>;

  const cert = (over: Record<string, unknown> = {}) => ({
    certNo: 'ZJ-2026-0001',
    productName: '64排CT',
    enterpriseName: vendor.name,
    creditCode: vendor.credit_code,
    kind: 'equipment',
    level: 'domestic',
    field: 'medical_equipment',
    year: 2026,
    validUntil: '2029-12-31',
    indicators: ['探测器排数 64'],
    ...over,
  });

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    vendor = await makeVendor(ctx.db);
    const ad = await makeUser(ctx.db, { role: 'admin' });
    const uv = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendor.id });
    asAdmin = await bearer(t.http, ad.username);
    asVendor = await bearer(t.http, uv.username);
  });

  describe('POST /api/v1/admin/certifications', () => {
    it('401, 403 for a vendor, 422 per field, 201, 409 for a duplicate number', async () => {
      assert.equal((await t.http.post('/api/v1/admin/certifications').send(cert())).status, 401);
      assert.equal((await t.http.post('/api/v1/admin/certifications').set('Authorization', asVendor).send(cert())).status, 403);
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ creditCode: '91330100MA2XXXXXX1' }, 'creditCode'],
        [{ kind: 'robot' }, 'kind'],
        [{ level: 'galactic' }, 'level'],
        [{ field: '火星装备' }, 'field'],
        [{ validUntil: '2029-02-30' }, 'validUntil'],
        [{ validUntil: '2025-12-31' }, 'validUntil'],
        [{ year: 'twenty' }, 'year'],
        [{ certNo: 'ZJ 2026' }, 'certNo'],
      ];
      for (const [over, field] of bad) {
        const res = await t.http.post('/api/v1/admin/certifications').set('Authorization', asAdmin).send(cert(over));
        assert.equal(res.status, 422, JSON.stringify(over));
        assert.equal(res.body.error.field, field, JSON.stringify(over));
      }
      const ok = await t.http.post('/api/v1/admin/certifications').set('Authorization', asAdmin).send(cert());
      assert.equal(ok.status, 201);
      assert.equal(ok.body.status, 'valid');
      assert.equal(ok.body.field, '高端医疗装备');
      assert.deepEqual(ok.body.indicators, ['探测器排数 64']);
      const dup = await t.http.post('/api/v1/admin/certifications').set('Authorization', asAdmin).send(cert());
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.field, 'certNo');
      const mine = await t.http.get('/api/v1/vendor/certifications').set('Authorization', asVendor);
      assert.ok(mine.body.items.some((c: { certNo: string }) => c.certNo === 'ZJ-2026-0001'));
    });
  });

  describe('edit and revoke keep listings consistent', () => {
    it('a new level reaches the listings; a past end date expires the certificate and delists', async () => {
      const c = await makeCert(ctx.db, vendor, { level: 'provincial' });
      const p = await makeProduct(ctx.db, vendor, { cert: c });
      const lvl = await t.http.patch(`/api/v1/admin/certifications/${c.id}`).set('Authorization', asAdmin).send({ level: 'international' });
      assert.equal(lvl.status, 200);
      assert.equal((await ctx.db('products').where({ id: p.id }).first()).level, 'international');
      const exp = await t.http.patch(`/api/v1/admin/certifications/${c.id}`).set('Authorization', asAdmin).send({ validUntil: '2026-03-01' });
      assert.equal(exp.body.status, 'expired');
      assert.equal(exp.body.delistedListings, 1);
      const row = await ctx.db('products').where({ id: p.id }).first();
      assert.equal(row.status, 'delisted');
      assert.equal(row.delist_cause, 'cert_expired');
    });

    it('revoke needs a reason, never deletes, delists, and the vendor is told why', async () => {
      const c = await makeCert(ctx.db, vendor);
      const p = await makeProduct(ctx.db, vendor, { cert: c, title: '1.5T MR' });
      const none = await t.http.post(`/api/v1/admin/certifications/${c.id}/revoke`).set('Authorization', asAdmin).send({});
      assert.equal(none.status, 422);
      assert.equal((await t.http.post(`/api/v1/admin/certifications/${c.id}/revoke`).set('Authorization', asVendor).send({ reason: 'x' })).status, 403);
      const res = await t.http.post(`/api/v1/admin/certifications/${c.id}/revoke`).set('Authorization', asAdmin).send({ reason: '申报材料不实' });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'revoked');
      assert.equal(res.body.revokedReason, '申报材料不实');
      assert.equal(res.body.delistedListings, 1);
      assert.ok(await ctx.db('certifications').where({ id: c.id }).first());
      assert.equal((await t.http.get(`/api/v1/products/${p.id}`)).status, 404);
      const mine = await t.http.get('/api/v1/vendor/products').set('Authorization', asVendor);
      const item = mine.body.items.find((i: { id: number }) => i.id === p.id);
      assert.equal(item.status, 'delisted');
      assert.equal(item.delistCause, 'cert_revoked');
      assert.equal(item.reviewReason, '申报材料不实');
      assert.equal((await t.http.post(`/api/v1/admin/certifications/${c.id}/revoke`).set('Authorization', asAdmin).send({ reason: 'again' })).status, 409);
      const audit = await ctx.db('audit_log').where({ action: 'product.delist_by_certificate', entity_id: String(p.id) }).first();
      assert.ok(audit);
    });

    it('POST /expire marks overdue certificates expired and delists their listings', async () => {
      const c = await makeCert(ctx.db, vendor, { valid_until: '2026-02-28' });
      const p = await makeProduct(ctx.db, vendor, { cert: c });
      const res = await t.http.post('/api/v1/admin/certifications/expire').set('Authorization', asAdmin);
      assert.equal(res.status, 200);
      assert.ok(res.body.expired >= 1);
      assert.equal((await ctx.db('certifications').where({ id: c.id }).first()).status, 'expired');
      assert.equal((await ctx.db('products').where({ id: p.id }).first()).delist_cause, 'cert_expired');
    });
  });

  describe('POST /api/v1/admin/certifications/import', () => {
    const upload = (name: string, data: Buffer | string, auth = asAdmin) =>
      t.http.post('/api/v1/admin/certifications/import').set('Authorization', auth).attach('file', Buffer.from(data), name);
    const row = (n: number, over: Partial<Record<string, string>> = {}) => {
      const v = { certNo: `IMP-${n}`, productName: `导入产品${n}`, enterprise: '导入企业', code: creditCode(8000 + n), kind: 'equipment', level: 'provincial', field: '智能装备', year: '2026', until: '2029-12-31', ind: '精度 0.01mm；寿命 10 年', ...over };
      return `${v.certNo},${v.productName},${v.enterprise},${v.code},${v.kind},${v.level},${v.field},${v.year},${v.until},${v.ind}`;
    };
    const count = async () => Number((await ctx.db('certifications').where('cert_no', 'like', 'IMP-%').count<{ n: number }[]>({ n: '*' }).first())?.n);

    it('401 / 403 / 422 without a file', async () => {
      assert.equal((await t.http.post('/api/v1/admin/certifications/import').attach('file', Buffer.from('x'), 'a.csv')).status, 401);
      assert.equal((await upload('a.csv', `${HEADER}\n${row(1)}`, asVendor)).status, 403);
      const none = await t.http.post('/api/v1/admin/certifications/import').set('Authorization', asAdmin).field('x', '1');
      assert.equal(none.status, 422);
      assert.equal(none.body.error.field, 'file');
    });

    it('refused uploads leave no temporary file behind', async () => {
      // formidable keeps the extension, so this test's uploads are recognisable among the system's temporary files.
      const ext = `.fum${process.pid}`;
      const ours = () => readdirSync(os.tmpdir()).filter((f) => f.endsWith(ext));
      assert.equal((await upload(`a${ext}`, `${HEADER}\n${row(1)}`, asVendor)).status, 403);
      assert.equal((await t.http.post('/api/v1/admin/certifications/import').attach('file', Buffer.from('x'), `b${ext}`)).status, 401);
      assert.equal((await t.http.post('/api/v1/vendors').attach('file', Buffer.from('x'), `c${ext}`)).status, 422);
      assert.equal((await upload(`d${ext}`, 'x')).status, 422);
      assert.deepEqual(ours(), []);
    });

    it('a request with two files leaves neither behind, whoever sends it and wherever: a 422 naming the second file', async () => {
      const ext = `.fum2${process.pid}`;
      const ours = () => readdirSync(os.tmpdir()).filter((f) => f.endsWith(ext));
      const big = Buffer.alloc(200 * 1024, 'a');
      // Anonymous, to an address that does not exist, and to the import as the department, small files and large ones.
      const sent = [
        await t.http.post('/api/v1/nonexistent').attach('a', Buffer.from('x'), `a${ext}`).attach('b', Buffer.from('y'), `b${ext}`),
        await t.http.post('/api/v1/auth/token').attach('a', big, `c${ext}`).attach('b', big, `d${ext}`),
        await t.http.post('/api/v1/admin/certifications/import').set('Authorization', asAdmin).attach('file', Buffer.from(`${HEADER}\n${row(1)}`), `e${ext}`).attach('other', big, `f${ext}`),
      ];
      for (const res of sent) {
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'validation_failed');
      }
      assert.equal(sent[2].body.error.field, 'other');
      assert.match(sent[2].body.error.message, /一次只能上传一个文件/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(ours(), []);
      assert.equal(await count(), 0, 'nothing imported');
    });

    it('a file with any bad row writes nothing and reports each row', async () => {
      const csv = [HEADER, row(1), row(2, { code: '91330100MA2XXXXXX1' }), row(3, { level: '银河级' }), row(1, { productName: '重复' }), row(4, { until: '2029/02/30' })].join('\n');
      const res = await upload('list.csv', csv);
      assert.equal(res.status, 422);
      assert.equal(res.body.error.field, 'file');
      const r = res.body.report;
      assert.equal(r.written, false);
      assert.equal(r.rejected, 4);
      assert.deepEqual(
        r.rows.map((x: { line: number; result: string; field: string | null }) => [x.line, x.result, x.field]),
        [
          [2, 'added', null],
          [3, 'rejected', 'creditCode'],
          [4, 'rejected', 'level'],
          [5, 'rejected', 'certNo'],
          [6, 'rejected', 'validUntil'],
        ],
      );
      assert.match(r.rows[3].reason, /第 2 行/);
      assert.equal(await count(), 0);
    });

    it('a good CSV (UTF-8 with BOM, Chinese labels) is added; importing it again updates only what changed', async () => {
      const csv = `\uFEFF${HEADER}\n${row(1, { kind: '首台（套）装备', level: '国内' })}\n${row(2)}\n\n`;
      const res = await upload('list.csv', csv);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.added, 2);
      assert.equal(await count(), 2);
      const c1 = await ctx.db('certifications').where({ cert_no: 'IMP-1' }).first();
      assert.equal(c1.level, 'domestic');
      assert.deepEqual(JSON.parse(c1.indicators), ['精度 0.01mm', '寿命 10 年']);
      const again = await upload('list.csv', `${HEADER}\n${row(1, { kind: 'equipment', level: 'domestic' })}\n${row(2, { productName: '导入产品2（改）' })}\n${row(3)}`);
      assert.equal(again.status, 200);
      assert.deepEqual([again.body.added, again.body.updated, again.body.unchanged], [1, 1, 1]);
      assert.ok(await ctx.db('audit_log').where({ action: 'certification.import_update' }).first());
    });

    it('a CSV sent as a nameless blob (no extension) is known by its content and imported', async () => {
      const res = await upload('blob', `${HEADER}\n${row(71)}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.fileType, 'csv');
      assert.equal(res.body.added, 1);
      const binary = await upload('blob', Buffer.from([0x00, 0x01, 0x02, 0x03]));
      assert.equal(binary.status, 422);
      assert.equal(binary.body.error.field, 'file');
    });

    it('XLSX with the official Chinese headings and real date cells', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('2026');
      ws.addRow(['证书编号', '产品名称', '企业名称', '统一社会信用代码', '类别', '级别', '领域', '年度', '有效期至', '关键技术指标']);
      ws.addRow(['IMP-X1', '70英尺双体动力豪华游艇', '舟山游艇有限公司', creditCode(8101), '装备', '国际', '船舶', 2026, new Date(Date.UTC(2030, 11, 31)), '航速 25 节']);
      ws.addRow(['IMP-X2', 'CH-4 中航时固定翼无人机航空应急测绘系统', '某航空公司', creditCode(8102), '首台（套）装备', '省内首台（套）', '航空装备', 2026, '2030-06-30', '']);
      const data = Buffer.from(await wb.xlsx.writeBuffer());
      const res = await upload('2026年认定名录.xlsx', data);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.fileType, 'xlsx');
      assert.equal(res.body.added, 2);
      const x1 = await ctx.db('certifications').where({ cert_no: 'IMP-X1' }).first();
      assert.equal(x1.valid_until, '2030-12-31');
      assert.equal(x1.level, 'international');
      assert.equal(x1.field, '船舶');
    });

    it('unusable files: wrong type, old .xls, broken XLSX, wrong header, malformed CSV, empty, too many rows — each a 422 naming the problem', async () => {
      const cases: Array<[string, Buffer | string, RegExp]> = [
        ['report.pdf', '%PDF-1.4 ...', /\.csv 或 \.xlsx/],
        ['old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), /\.xls/],
        ['broken.xlsx', Buffer.from('PK\x03\x04 definitely not a zip'), /XLSX 文件已损坏/],
        ['notzip.xlsx', 'certNo,productName', /XLSX 文件已损坏/],
        ['wrong.csv', 'number,name,company\nA,B,C', /缺少列：certNo/],
        ['quotes.csv', `${HEADER}\n"IMP-9,unterminated`, /CSV 格式错误/],
        ['empty.csv', `${HEADER}\n`, /没有数据行/],
        ['zero-bytes.csv', Buffer.alloc(0), /没有数据行/],
        ['many.csv', [HEADER, ...Array.from({ length: 5001 }, (_, i) => row(10000 + i))].join('\n'), /最多 5000 行/],
      ];
      for (const [name, data, message] of cases) {
        const res = await upload(name, data);
        assert.equal(res.status, 422, name);
        assert.equal(res.body.error.field, 'file', name);
        assert.match(res.body.error.message, message, name);
        assert.equal(res.body.report.written, false);
      }
    });

    it('the import page shows the row report (and needs the CSRF token)', async () => {
      const ad = await makeUser(ctx.db, { role: 'admin' });
      const agent = await loginAgent(t.app, ad.username);
      const form = await agent.get('/admin/certifications/import');
      assert.equal(form.status, 200);
      const res = await agent
        .post('/admin/certifications/import')
        .field('_csrf', csrfOf(form.text))
        .attach('file', Buffer.from(`${HEADER}\n${row(50, { code: 'BAD' })}\n${row(52)}`), 'bad.csv');
      assert.equal(res.status, 422);
      assert.match(res.text, /拒绝/);
      assert.match(res.text, /统一社会信用代码无效/);
      assert.match(res.text, /可新增（未写入）/, 'the good row says it was not written');
      assert.doesNotMatch(res.text, />新增</);
      const noCsrf = await agent.post('/admin/certifications/import').attach('file', Buffer.from(`${HEADER}\n${row(51)}`), 'ok.csv');
      assert.equal(noCsrf.status, 403);
      for (const path of ['/admin/certifications', '/admin/certifications/new', '/admin/certifications?status=valid&q=IMP']) {
        assert.equal((await agent.get(path)).status, 200, path);
      }
      const c = await ctx.db('certifications').where({ cert_no: 'IMP-1' }).first();
      const detail = await agent.get(`/admin/certifications/${c.id}`);
      assert.equal(detail.status, 200);
      const bad = await agent.post(`/admin/certifications/${c.id}`).type('form').send({ _csrf: csrfOf(detail.text), productName: '', creditCode: c.credit_code, kind: 'equipment', level: 'domestic', field: '智能装备', year: '2026', validUntil: '2029-12-31', indicators: '' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /产品名称：必填/);
    });
  });
});
