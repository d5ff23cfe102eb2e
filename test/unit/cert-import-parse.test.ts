import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { cellText, decodeText, detectType, readSheet } from '../../src/certification/import-parse';
import { AppError } from '../../src/errors';

describe('certification import: reading the file', () => {
  it('detects the type by extension and content', () => {
    assert.equal(detectType('a.CSV', Buffer.from('x,y')), 'csv');
    assert.equal(detectType('a.xlsx', Buffer.from('PK\x03\x04....')), 'xlsx');
    for (const [name, data] of [
      ['a.pdf', '%PDF'],
      ['a.xlsx', 'plain text'],
      ['a.csv', 'PK\x03\x04zip'],
      ['a.xls', '\xd0\xcf\x11\xe0'],
      ['blob', '\xd0\xcf\x11\xe0'],
      ['blob', 'bin\x00ary'],
    ]) {
      assert.throws(() => detectType(name, Buffer.from(data, 'latin1')), AppError, name);
    }
  });

  it('knows a file sent without an extension (a nameless blob) by its first bytes', () => {
    assert.equal(detectType('blob', Buffer.from('证书编号,产品名称\n', 'utf8')), 'csv');
    assert.equal(detectType('', Buffer.from('x,y')), 'csv');
    assert.equal(detectType('upload', Buffer.from('PK\x03\x04....', 'latin1')), 'xlsx');
    assert.equal(detectType('dir.v2/blob', Buffer.from('x,y')), 'csv');
  });

  it('reads UTF-8 and GB18030 text', () => {
    assert.equal(decodeText(Buffer.from('证书编号', 'utf8')), '证书编号');
    // "中文" in GBK
    assert.equal(decodeText(Buffer.from([0xd6, 0xd0, 0xce, 0xc4])), '中文');
  });

  it('turns cells into text: dates as days, formulas by result, rich text joined', () => {
    assert.equal(cellText(new Date(Date.UTC(2030, 0, 5))), '2030-01-05');
    assert.equal(cellText(2026), '2026');
    assert.equal(cellText({ formula: 'A1', result: 7 } as never), '7');
    assert.equal(cellText({ richText: [{ text: '智能' }, { text: '装备' }] } as never), '智能装备');
    assert.equal(cellText(null), '');
  });

  it('maps English and Chinese headings; blank lines are skipped; a wrong header names what is missing', async () => {
    const sheet = await readSheet('a.csv', Buffer.from('证书编号,产品名称,企业名称,统一社会信用代码,类别,级别,领域,年度,有效期至\nA,B,C,D,E,F,G,H,I\n,,,,,,,,\n'));
    assert.equal(sheet.rows.length, 1);
    assert.equal(sheet.rows[0].line, 2);
    assert.equal(sheet.rows[0].cells.certNo, 'A');
    assert.equal(sheet.rows[0].cells.validUntil, 'I');
    await assert.rejects(readSheet('a.csv', Buffer.from('certNo,productName,extra\nA,B,C')), (e: AppError) => {
      assert.equal(e.messageKey, 'certification.import_bad_header');
      assert.match(String(e.params.missing), /enterpriseName/);
      assert.equal(e.params.unknown, 'extra');
      return true;
    });
    const all = '证书编号,产品名称,企业名称,统一社会信用代码,类别,级别,领域,年度,有效期至';
    await assert.rejects(readSheet('a.csv', Buffer.from(`${all},备注\nA,B,C,D,E,F,G,H,I,J`)), (e: AppError) => e.messageKey === 'certification.import_bad_header_unknown' && e.params.unknown === '备注');
    await assert.rejects(readSheet('a.csv', Buffer.from('证书编号,产品名称\nA,B')), (e: AppError) => e.messageKey === 'certification.import_bad_header_missing' && /creditCode/.test(String(e.params.missing)));
  });

  it('an XLSX cell far to the right (column XFD) is read as itself, not as sixteen thousand empty cells before it', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名录');
    ws.addRow(['证书编号', '产品名称', '企业名称', '统一社会信用代码', '类别', '级别', '领域', '年度', '有效期至']);
    ws.addRow(['A', 'B', 'C', 'D', 'E', 'F', 'G', '2026', new Date(Date.UTC(2030, 11, 31))]);
    ws.getCell('XFD2').value = '备注';
    const sheet = await readSheet('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    assert.deepEqual(
      sheet.rows.map((r) => [r.line, r.cells.certNo, r.cells.validUntil]),
      [[2, 'A', '2030-12-31']],
    );
    assert.equal(Object.keys(sheet.rows[0].cells).length, 9);
    ws.getCell('XFD1').value = '备注';
    await assert.rejects(readSheet('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer())), (e: AppError) => e.messageKey === 'certification.import_bad_header_unknown' && e.params.unknown === '备注');
  });
});
