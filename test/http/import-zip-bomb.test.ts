import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makeUser } from '../helpers/factories';

const MiB = 1024 * 1024;
const HEADER = ['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil'];

async function workbook(certNo: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名录');
  ws.addRow(HEADER);
  ws.addRow([certNo, '五轴数控机床', '杭州某机床有限公司', creditCode(8701), 'equipment', 'provincial', '智能装备', '2026', '2030-12-31']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `mib` MiB of zeros deflated without holding them: a sync-flushed MiB (byte-aligned, not final) repeated, then an empty final block. */
function deflatedZeros(mib: number): Buffer {
  const oneMib = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(mib).fill(oneMib), zlib.deflateRawSync(Buffer.alloc(0))]);
}

/**
 * A real workbook whose sheet is replaced by `sheet` (deflated), both headers of that entry declaring `declared`
 * bytes — the shape of the upload that took the server from 252 MB to 1.26 GB of RSS.
 */
async function bombOf(sheet: Buffer, declared: number): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await workbook('BOMB-1'));
  const records: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of Object.values(zip.files)) {
    if (f.dir) continue;
    const raw = await f.async('nodebuffer');
    const isSheet = f.name === 'xl/worksheets/sheet1.xml';
    const data = isSheet ? sheet : zlib.deflateRawSync(raw);
    const size = isSheet ? declared : raw.length;
    const crc = isSheet ? 0 : zlib.crc32(raw);
    const name = Buffer.from(f.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    records.push(local, name, data);
    central.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...records, cd, end]);
}

/** How many bytes a raw deflate stream really inflates to, counted chunk by chunk (nothing is kept). */
async function inflatedSize(deflated: Buffer): Promise<number> {
  let n = 0;
  const inflater = zlib.createInflateRaw();
  inflater.on('data', (chunk: Buffer) => (n += chunk.length));
  const done = new Promise((resolve, reject) => inflater.on('end', resolve).on('error', reject));
  inflater.end(deflated);
  await done;
  return n;
}

describe('XLSX zip bomb: a certificate import that inflates to gigabytes is refused with a 4xx, writes nothing and keeps memory bounded', () => {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asAdmin: string;

  const upload = (name: string, data: Buffer, lang?: string) => {
    const req = t.http.post('/api/v1/admin/certifications/import').set('Authorization', asAdmin);
    if (lang) req.set('Accept-Language', lang);
    return req.attach('file', data, name);
  };
  const written = async () => ({
    certifications: Number((await ctx.db('certifications').count<{ n: number }[]>({ n: '*' }).first())?.n),
    audit: Number((await ctx.db('audit_log').count<{ n: number }[]>({ n: '*' }).first())?.n),
  });

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const admin = await makeUser(ctx.db, { role: 'admin' });
    asAdmin = await bearer(t.http, admin.username);
  });

  it('a ~1 MB workbook whose sheet inflates to 1 GiB while its headers declare 2 KB: 422 naming the file, in the caller’s language, nothing written, RSS growth < 150 MB', async function () {
    this.timeout(120_000);
    const sheet = deflatedZeros(1024);
    assert.ok((await inflatedSize(sheet)) >= 1024 * MiB);
    const bomb = await bombOf(sheet, 2048);
    assert.ok(bomb.length > 0.9 * MiB && bomb.length < 1.5 * MiB, String(bomb.length));

    // Warm up the import path (modules, JIT, pools) with a normal workbook, so that only the bomb is measured.
    const warm = await upload('warm.xlsx', await workbook('WARM-1'));
    assert.equal(warm.status, 200, JSON.stringify(warm.body));
    const before = await written();

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let res;
    try {
      res = await upload('bomb.xlsx', bomb);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - rssBefore;
    assert.ok(growth < 150 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);

    assert.ok(res.status === 413 || res.status === 422, String(res.status));
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.equal(res.body.error.field, 'file');
    assert.match(res.body.error.message, /工作簿中有部件解压后超过 12 MB/);
    assert.equal(res.body.report.written, false);
    assert.deepEqual(await written(), before);

    const en = await upload('bomb.xlsx', bomb, 'en');
    assert.equal(en.status, 422);
    assert.deepEqual(Object.keys(en.body.error).sort(), ['code', 'field', 'message']);
    assert.equal(en.body.error.field, 'file');
    assert.match(en.body.error.message, /unpacks to more than 12 MB/);
    assert.deepEqual(await written(), before);
  });

  it('the same bomb declaring its true size is refused before inflating; a normal workbook still imports after', async function () {
    this.timeout(60_000);
    const before = await written();
    const honest = await upload('honest-bomb.xlsx', await bombOf(deflatedZeros(256), 256 * MiB));
    assert.equal(honest.status, 422);
    assert.equal(honest.body.error.field, 'file');
    assert.deepEqual(await written(), before);

    const ok = await upload('list.xlsx', await workbook('AFTER-1'));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.added, 1);
    assert.ok(await ctx.db('certifications').where({ cert_no: 'AFTER-1' }).first());
  });
});
