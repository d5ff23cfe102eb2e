import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { ImportFileError, MAX_XLSX_UNPACKED_BYTES, declaredUnpackedSize, readSheet } from '../../src/certification/import-parse';

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名录');
  ws.addRow(['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil']);
  ws.addRow(['ZJ-STT-2026-0001', '五轴数控机床', '杭州某机床有限公司', '91350100M000100Y43', 'equipment', 'provincial', '数控机床', '2026', '2030-12-31']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('certificate import: a workbook is sized before it is unzipped', () => {
  it('reads the declared size of an honest workbook and imports it', async () => {
    const data = await workbook();
    const size = declaredUnpackedSize(data);
    assert.ok(size !== null && size > data.length && size < MAX_XLSX_UNPACKED_BYTES, String(size));
    const sheet = await readSheet('list.xlsx', data);
    assert.equal(sheet.rows.length, 1);
  });

  it('refuses a workbook whose entries claim to unpack to more than the limit (a zip bomb), naming the file field', async () => {
    const data = await workbook();
    // Raise the first central-directory entry's uncompressed size to 2 GiB − 1.
    const cd = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), data.length - 22);
    const first = data.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    assert.ok(first > 0 && cd >= first);
    data.writeUInt32LE(0x7fffffff, first + 24);
    await assert.rejects(readSheet('bomb.xlsx', data), (err: unknown) => err instanceof ImportFileError && err.messageKey === 'certification.import_unpacked_too_large' && err.field === 'file');
  });

  it('calls a zip without a readable central directory broken', async () => {
    const truncated = (await workbook()).subarray(0, 200);
    assert.equal(declaredUnpackedSize(truncated), null);
    await assert.rejects(readSheet('cut.xlsx', truncated), (err: unknown) => err instanceof ImportFileError && err.messageKey === 'certification.import_broken_xlsx');
  });
});
