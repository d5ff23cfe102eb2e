import Decimal from 'decimal.js';
// exceljs takes ~0.3 s to load: required when a workbook is first written, not at start.
import type ExcelJS from 'exceljs';
import type { Translator } from '../i18n';
import { figureKind, figureRows, sentences } from './presenters';
import type { YearReport } from './report';

const FORMATS = { count: '#,##0', money: '"¥"#,##0.00;-"¥"#,##0.00', percent: '0.0"%";-0.0"%"' } as const;
/** Excel's text number format: a cell so formatted stays text when a person edits it. */
const TEXT = '@';

/**
 * Writes a text cell as a string — never a formula, whatever it starts with (= + - @ …): exceljs makes a formula only
 * of a `{formula}` value, and the cell is formatted as text so that editing it in a spreadsheet does not evaluate it
 * either. The figures themselves are numbers, typed as such.
 */
function text(cell: ExcelJS.Cell, value: string): void {
  cell.value = value;
  cell.numFmt = TEXT;
}

/**
 * The year report as a workbook: a sheet of the figures (the JSON path, the figure, its value as a number with the
 * unit's format, the unit, the report's 亿/万 form) and a sheet of the paragraph, sentence by sentence.
 */
export async function reportXlsx(t: Translator, r: YearReport): Promise<Buffer> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = t('common.site_name');
  const sheet = wb.addWorksheet(t('reports.sheet_figures'));
  sheet.columns = [{ width: 40 }, { width: 34 }, { width: 22 }, { width: 10 }, { width: 16 }];
  text(sheet.getCell('A1'), t('reports.title', { year: r.year }));
  const head = sheet.getRow(2);
  [t('reports.col_key'), t('reports.col_figure'), t('reports.col_value'), t('reports.col_unit'), t('reports.col_large')].forEach((h, i) => text(head.getCell(i + 1), h));
  head.font = { bold: true };
  figureRows(t, r).forEach((f, i) => {
    const row = sheet.getRow(3 + i);
    const kind = figureKind(f.key);
    text(row.getCell(1), f.key);
    text(row.getCell(2), f.label);
    const value = row.getCell(3);
    // A figure with no value (a year-on-year change after a year of nothing) stays empty, as in the CSV.
    if (f.value !== '') {
      value.value = new Decimal(f.value).toNumber();
      value.numFmt = FORMATS[kind];
    }
    text(row.getCell(4), t(`reports.unit_${kind}`));
    text(row.getCell(5), f.words);
  });
  const paragraph = wb.addWorksheet(t('reports.sheet_paragraph'));
  paragraph.columns = [{ width: 120 }];
  sentences(t, r).forEach((s, i) => text(paragraph.getCell(i + 1, 1), s));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
