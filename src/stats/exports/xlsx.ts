import { once } from 'node:events';
import type { Writable } from 'node:stream';
// exceljs takes ~0.3 s to load: required when a workbook is first written, not at start.
import type ExcelJS from 'exceljs';
import type { Translator } from '../../i18n';
import type { SheetRow } from '../repo';
import type { StatsResult } from '../service';
import { DETAIL_COLUMNS, SheetCells, detailHeaders, yuanNumber, yuanOfString } from './cells';

/** Excel's limit is 1,048,576 rows a sheet: the header plus this many trades, then a new detail sheet. */
export const MAX_DATA_ROWS = 1_048_575;

const YUAN_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00';
const PERCENT_FORMAT = '0.0"%";-0.0"%"';

export interface XlsxOptions {
  rowsPerSheet?: number;
}

const pct = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * The workbook, streamed with exceljs' WorkbookWriter: a summary sheet (the grouped table and its totals, plus the
 * registry's figures for whole years) and detail sheets of one row per trade. Amounts are numbers — yuan computed
 * exactly from whole fen — shown with a ¥ format. Waits for `out` to drain between pages, so a slow reader holds
 * back the database reads instead of filling memory.
 */
export async function writeXlsx(out: Writable, summary: StatsResult, pages: AsyncIterable<SheetRow[]>, t: Translator, opts: XlsxOptions = {}): Promise<void> {
  const limit = opts.rowsPerSheet ?? MAX_DATA_ROWS;
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = t('common.site_name');

  const sheet = wb.addWorksheet(t('stats.sheet_summary'));
  sheet.columns = [{ width: 28 }, { width: 12 }, { width: 22 }, { width: 14 }, { width: 14 }];
  sheet.addRow([t('stats.xlsx_title', { from: summary.filters.from ?? '…', to: summary.filters.to ?? '…' })]).commit();
  sheet.addRow([t(`stats.group_${summary.groupBy}`), t('stats.col_count'), t('stats.col_amount'), t('stats.col_yoy_count'), t('stats.col_yoy_amount')]).commit();
  const moneyRow = (cells: Array<string | number | null>) => {
    const row = sheet.addRow(cells);
    row.getCell(3).numFmt = YUAN_FORMAT;
    row.getCell(4).numFmt = PERCENT_FORMAT;
    row.getCell(5).numFmt = PERCENT_FORMAT;
    row.commit();
  };
  for (const r of summary.rows) moneyRow([r.label, r.count, yuanOfString(r.amount), pct(r.yoy?.count), pct(r.yoy?.amount)]);
  moneyRow([t('stats.total'), summary.total.count, yuanOfString(summary.total.amount), pct(summary.total.yoy?.count), pct(summary.total.yoy?.amount)]);
  const c = summary.certifications;
  if (c) {
    sheet.addRow([]).commit();
    sheet.addRow([t('stats.certs_heading', { years: c.fromYear === c.toYear ? String(c.fromYear) : `${c.fromYear}—${c.toYear}`, kind: t(`kinds.${c.kind}`) })]).commit();
    for (const [key, n] of [
      ['stats.certs_issued', c.issued],
      ['stats.certs_international', c.international],
      ['stats.certs_domestic', c.domestic],
      ['stats.certs_provincial', c.provincial],
    ] as const) {
      sheet.addRow([t(key), n]).commit();
    }
    if (c.byKind.length) {
      sheet.addRow([t('stats.certs_by_kind')]).commit();
      sheet.addRow([t('stats.col_kind_name'), t('stats.certs_issued'), t('stats.certs_international'), t('stats.certs_domestic'), t('stats.certs_provincial')]).commit();
      for (const k of c.byKind) sheet.addRow([t(`kinds.${k.kind}`), k.issued, k.international, k.domestic, k.provincial]).commit();
    }
  }
  sheet.commit();

  const headers = detailHeaders(t);
  const cells = new SheetCells(t);
  let sheetNo = 0;
  let detail: ExcelJS.Worksheet | null = null;
  let inSheet = 0;
  const newSheet = () => {
    detail?.commit();
    sheetNo++;
    detail = wb.addWorksheet(sheetNo === 1 ? t('stats.sheet_detail') : `${t('stats.sheet_detail')} ${sheetNo}`);
    detail.columns = DETAIL_COLUMNS.map((col) => ({ width: col === 'product' || col === 'purchaser' || col === 'vendor' ? 30 : col === 'amount' ? 18 : 12 }));
    detail.addRow(headers).commit();
    inSheet = 0;
  };
  newSheet();
  for await (const page of pages) {
    for (const r of page) {
      if (inSheet === limit) newSheet();
      const { text, amountFen } = cells.cells(r);
      const row = (detail as unknown as ExcelJS.Worksheet).addRow([...text, yuanNumber(amountFen)]);
      row.getCell(DETAIL_COLUMNS.length).numFmt = YUAN_FORMAT;
      row.commit();
      inSheet++;
    }
    if (out.writableNeedDrain) await once(out, 'drain');
  }
  (detail as unknown as ExcelJS.Worksheet).commit();
  await wb.commit();
}
