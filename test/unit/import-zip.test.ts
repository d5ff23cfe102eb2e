import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { ImportFileError, XLSX_LIMITS, checkXlsx, readSheet } from '../../src/certification/import-parse';
import { XmlTagTally, ZipGuardError, inflateChecked, readZipDirectory } from '../../src/certification/zip-guard';

const MiB = 1024 * 1024;

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名录');
  ws.addRow(['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil']);
  ws.addRow(['ZJ-STT-2026-0001', '五轴数控机床', '杭州某机床有限公司', '91350100M000100Y43', 'equipment', 'provincial', '数控机床', '2026', '2030-12-31']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** One part of a hand-built zip: its deflated (or stored) bytes and what its headers claim. */
interface Part {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** The true inflated size and CRC, unless the headers should say something else. */
  size: number;
  crc: number;
  /** What the central directory (and, unless `localSize` says otherwise, the local header) declares. */
  declaredSize?: number;
  localSize?: number;
}

const part = (name: string, content: Buffer | string, method: 0 | 8 = 8): Part => {
  const raw = Buffer.from(content);
  return { name, method, data: method === 8 ? zlib.deflateRawSync(raw) : raw, size: raw.length, crc: zlib.crc32(raw) };
};

/** A zip of these parts, written byte by byte so that its headers can lie. */
function zipOf(parts: Part[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const declared = p.declaredSize ?? p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(p.method ?? 8, 8);
    local.writeUInt32LE(p.crc, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(p.localSize ?? declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(p.method ?? 8, 10);
    central.writeUInt32LE(p.crc, 16);
    central.writeUInt32LE(p.data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, p.data);
    centrals.push(central, name);
    offset += local.length + name.length + p.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * `mib` MiB of zeros, deflated without ever holding them: one MiB deflated with a sync flush (byte-aligned, not
 * final) repeated, then an empty final block — about 1 KB per MiB, the ratio a zip bomb reaches.
 */
function deflatedZeros(mib: number): Buffer {
  const oneMib = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(mib).fill(oneMib), zlib.deflateRawSync(Buffer.alloc(0))]);
}

/** The parts of a real workbook, so that a bomb can be slipped in among them. */
async function partsOf(xlsx: Buffer): Promise<Part[]> {
  const zip = await JSZip.loadAsync(xlsx);
  const parts: Part[] = [];
  for (const f of Object.values(zip.files)) if (!f.dir) parts.push(part(f.name, await f.async('nodebuffer')));
  return parts;
}

const refusedWith = (key: string) => (err: unknown) => {
  assert.ok(err instanceof ImportFileError, String(err));
  assert.equal(err.messageKey, key, err.message);
  assert.equal(err.field, 'file');
  return true;
};

describe('certificate import: a workbook is checked by what it really inflates to (XLSX zip bomb)', () => {
  it('a normal workbook passes the check and imports', async () => {
    const data = await workbook();
    await checkXlsx(data);
    const sheet = await readSheet('list.xlsx', data);
    assert.equal(sheet.rows.length, 1);
    assert.equal(sheet.rows[0].cells.certNo, 'ZJ-STT-2026-0001');
  });

  it('so does the same workbook re-zipped with data descriptors, stored, or by this hand-built writer', async () => {
    const zip = await JSZip.loadAsync(await workbook());
    for (const data of [
      await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', streamFiles: true }),
      await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' }),
      zipOf(await partsOf(await workbook())),
    ]) {
      assert.equal((await readSheet('list.xlsx', data)).rows.length, 1);
    }
  });

  it('refuses a sheet of 300 MB of zeros whose headers declare 2 KB, after inflating at most the per-part limit', async () => {
    const parts = await partsOf(await workbook());
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml') as Part;
    Object.assign(sheet, { data: deflatedZeros(300), declaredSize: 2048 });
    const bomb = zipOf(parts);
    assert.ok(bomb.length < 400 * 1024, String(bomb.length));
    await assert.rejects(readSheet('bomb.xlsx', bomb), refusedWith('certification.import_zip_entry_too_large'));

    // The counter, not the headers, stopped it: no more than the limit and one chunk came out of the inflater.
    let seen = 0;
    const entries = readZipDirectory(bomb, XLSX_LIMITS.maxEntries);
    await assert.rejects(
      inflateChecked(bomb, entries, XLSX_LIMITS, (_e, chunk) => (seen += chunk.length)),
      (err: unknown) => err instanceof ZipGuardError && err.reason === 'entry_too_large' && err.entry === 'xl/worksheets/sheet1.xml',
    );
    assert.ok(seen <= XLSX_LIMITS.maxEntryBytes + 64 * 1024, String(seen));
  });

  it('refuses one honestly declaring 300 MB before inflating anything', async () => {
    const data = zipOf([{ name: 'xl/worksheets/sheet1.xml', data: deflatedZeros(300), size: 300 * MiB, crc: 0 }]);
    let seen = 0;
    await assert.rejects(
      inflateChecked(data, readZipDirectory(data, 10), XLSX_LIMITS, (_e, chunk) => (seen += chunk.length)),
      (err: unknown) => err instanceof ZipGuardError && err.reason === 'entry_too_large',
    );
    assert.equal(seen, 0);
    // The size the headers of a real workbook claim (2 GiB − 1 here) is refused the same way.
    const claims = await workbook();
    claims.writeUInt32LE(0x7fffffff, 22); // the first local header
    claims.writeUInt32LE(0x7fffffff, claims.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24); // its central entry
    await assert.rejects(readSheet('claims.xlsx', claims), refusedWith('certification.import_zip_entry_too_large'));
  });

  it('counts across parts: honest parts up to just under the total, then one declaring 1 KB that inflates 1 MB more', async () => {
    const zeros = { data: deflatedZeros(1), size: MiB, crc: zlib.crc32(Buffer.alloc(MiB)) };
    const parts = await partsOf(await workbook());
    for (let i = 0; i < 15; i++) parts.push({ name: `xl/media/image${i}.bin`, ...zeros });
    const noise = randomBytes(MiB);
    parts.push({ ...part('xl/media/last.bin', noise), declaredSize: 1024 });
    const data = zipOf(parts);
    await assert.rejects(readSheet('many.xlsx', data), refusedWith('certification.import_unpacked_too_large'));
    await assert.rejects(
      inflateChecked(data, readZipDirectory(data, XLSX_LIMITS.maxEntries), XLSX_LIMITS),
      (err: unknown) => err instanceof ZipGuardError && err.reason === 'total_too_large' && err.entry === 'xl/media/last.bin',
    );
  });

  it('refuses more parts than any workbook has, before inflating any', async () => {
    const parts = await partsOf(await workbook());
    for (let i = parts.length; i <= XLSX_LIMITS.maxEntries; i++) parts.push(part(`customXml/item${i}.xml`, '<a/>'));
    await assert.rejects(readSheet('parts.xlsx', zipOf(parts)), refusedWith('certification.import_zip_too_many_entries'));
  });

  it('refuses a part compressed far more than any sheet is (the ratio), even with honest headers', async () => {
    const parts = await partsOf(await workbook());
    parts.push({ name: 'xl/media/image1.png', data: deflatedZeros(8), size: 8 * MiB, crc: 0 });
    await assert.rejects(readSheet('ratio.xlsx', zipOf(parts)), refusedWith('certification.import_zip_ratio'));
  });

  it('refuses headers that lie about a size: central, local, or both against the data', async () => {
    const base = await partsOf(await workbook());
    const sheetAt = base.findIndex((p) => p.name === 'xl/worksheets/sheet1.xml');
    const lie = (over: Partial<Part>) => zipOf(base.map((p, i) => (i === sheetAt ? { ...p, ...over } : p)));
    const sheet = base[sheetAt];
    for (const data of [
      lie({ declaredSize: sheet.size - 1 }), // both headers say one byte less
      lie({ declaredSize: sheet.size + 1 }), // or one more
      lie({ localSize: sheet.size + 1000 }), // the local header disagrees with the central one
      lie({ crc: (sheet.crc ^ 1) >>> 0 }), // the data is not what the CRC says
      lie({ data: Buffer.concat([sheet.data, Buffer.from('trailing')]) }), // bytes after the deflate stream
    ]) {
      await assert.rejects(readSheet('lie.xlsx', data), refusedWith('certification.import_zip_mismatch'));
    }
  });

  it('refuses a broken or crafted directory as a damaged workbook', async () => {
    const good = await workbook();
    // Two entries of one name, the second pointed back at the first one's bytes (how overlapping bombs reuse a kernel).
    const sheet = part('xl/worksheets/sheet1.xml', '<worksheet/>');
    const overlapping = zipOf([...(await partsOf(good)).filter((p) => p.name !== sheet.name), sheet, sheet]);
    const centralOf = (n: number) => {
      let at = overlapping.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      for (let i = 0; i < n; i++) at = overlapping.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
      return at;
    };
    const entries = readZipDirectory(overlapping, 100).length;
    overlapping.writeUInt32LE(overlapping.readUInt32LE(centralOf(entries - 2) + 42), centralOf(entries - 1) + 42);
    assert.throws(() => readZipDirectory(overlapping, 100), (err: unknown) => err instanceof ZipGuardError && err.reason === 'broken' && /overlap/.test(err.message));
    for (const data of [
      good.subarray(0, 200), // cut short: no directory
      Buffer.concat([good, Buffer.from('junk')]), // bytes after the end record
      Buffer.concat([Buffer.from('PK\x03\x04prefix', 'latin1'), good]), // bytes before the archive (offsets no longer match)
      overlapping,
    ]) {
      await assert.rejects(readSheet('broken.xlsx', data), refusedWith('certification.import_broken_xlsx'));
    }
  });

  it('refuses a workbook whose XML holds more rows or elements than exceljs may be given', async () => {
    const parts = await partsOf(await workbook());
    const withSheet = (xml: string) => zipOf(parts.map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? part(p.name, xml) : p)));
    const head = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    const rows = Array.from({ length: XLSX_LIMITS.maxRowElements + 1 }, (_, i) => `<row r="${i + 1}"/>`).join('');
    await assert.rejects(readSheet('rows.xlsx', withSheet(`${head}${rows}</sheetData></worksheet>`)), refusedWith('certification.import_too_many_rows'));
    const cells = Array.from({ length: XLSX_LIMITS.maxElements }, (_, i) => `<c r="A${i}"/>`).join('');
    await assert.rejects(readSheet('cells.xlsx', withSheet(`${head}<row r="1">${cells}</row></sheetData></worksheet>`)), refusedWith('certification.import_xlsx_too_complex'));
  });

  it('counts XML start tags and rows across chunk boundaries, with or without a prefix', () => {
    const xml = Buffer.from('<?xml version="1.0"?><!-- <row> --><x:worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><x:row/><rows/><ro/>\n<row\n></x:worksheet>');
    for (const size of [1, 2, 3, 7, xml.length]) {
      const tally = new XmlTagTally();
      for (let i = 0; i < xml.length; i += size) tally.feed(xml.subarray(i, i + size));
      // worksheet, sheetData, row, c, v, x:row, rows, ro, row — and the comment's "<row" counts too (never fewer).
      assert.equal(tally.elements, 10, `chunks of ${size}`);
      assert.equal(tally.rows, 4, `chunks of ${size}`);
    }
  });
});
