import { parse as parseCsv } from 'csv-parse/sync';
// exceljs takes ~0.3 s to load: required when a workbook is first read, not at start (nor in the demo loader).
import type ExcelJS from 'exceljs';
import { AppError } from '../errors';
import { inflateChecked, readZipDirectory, XmlTagTally, ZipGuardError, type ZipEntry, type ZipRefusal } from './zip-guard';

/**
 * Reading the annual list (CSV or XLSX) into rows of named cells. Everything that makes the *file* unusable — wrong
 * type, a broken workbook, a wrong header, too many rows — is an ImportFileError with a catalogue key, never a crash.
 */
export const IMPORT_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 5000 };

export class ImportFileError extends AppError {
  constructor(messageKey: string, params: Record<string, string | number> = {}) {
    super('validation_failed', messageKey, { ...params, field: 'file' }, 'file');
  }
}

/** Columns by their English key, with the Chinese headings an annual list uses. */
export const COLUMNS = {
  certNo: ['certno', '证书编号', '认定编号', '编号'],
  productName: ['productname', '产品名称'],
  enterpriseName: ['enterprisename', '企业名称', '申报单位', '单位名称'],
  creditCode: ['creditcode', '统一社会信用代码', '信用代码'],
  kind: ['kind', '类别', '类型'],
  level: ['level', '级别', '认定级别'],
  field: ['field', '领域', '所属领域'],
  year: ['year', '年度', '认定年度'],
  validUntil: ['validuntil', '有效期至', '有效期'],
  indicators: ['indicators', '关键技术指标', '技术指标'],
  keySupported: ['keysupported', '重点支持', '重点支持产品'],
} as const;
export type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil'];

const headingKey = (h: string) => h.normalize('NFKC').trim().toLowerCase().replace(/[\s_*]/g, '');

export interface SheetRow {
  /** The row's line in the file (1 = the header), as a person finds it in Excel. */
  line: number;
  cells: Partial<Record<Column, string>>;
}

export interface Sheet {
  type: 'csv' | 'xlsx';
  rows: SheetRow[];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]); // legacy .xls

export function detectType(name: string, data: Buffer): 'csv' | 'xlsx' {
  const base = name.split(/[\\/]/).pop() ?? '';
  const ext = base.includes('.') ? base.toLowerCase().split('.').pop()! : '';
  const zip = data.subarray(0, 4).equals(ZIP_MAGIC);
  if (data.subarray(0, 4).equals(OLE_MAGIC) || ext === 'xls') throw new ImportFileError('certification.import_xls');
  // A file sent without a name's extension (a script's nameless blob): known by its first bytes.
  if (ext === '') return zip ? 'xlsx' : data.includes(0) ? wrongType() : 'csv';
  if (ext === 'xlsx') {
    if (!zip) throw new ImportFileError('certification.import_broken_xlsx');
    return 'xlsx';
  }
  if (ext === 'csv' || ext === 'txt') {
    if (zip || data.includes(0)) throw new ImportFileError('certification.import_wrong_type');
    return 'csv';
  }
  return wrongType();
}

function wrongType(): never {
  throw new ImportFileError('certification.import_wrong_type');
}

/** UTF-8 (with or without BOM); a file saved by Chinese Excel as GB18030/GBK is read as such. */
export function decodeText(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    return new TextDecoder('gb18030').decode(data);
  }
}

function mapHeader(header: string[]): Map<number, Column> {
  const byKey = new Map<string, Column>();
  for (const [col, names] of Object.entries(COLUMNS) as Array<[Column, readonly string[]]>) for (const n of names) byKey.set(headingKey(n), col);
  const map = new Map<number, Column>();
  const unknown: string[] = [];
  header.forEach((h, i) => {
    if (!h.trim()) return;
    const col = byKey.get(headingKey(h));
    if (!col) unknown.push(h.trim());
    else if ([...map.values()].includes(col)) throw new ImportFileError('certification.import_header_duplicate', { column: h.trim() });
    else map.set(i, col);
  });
  const missing = REQUIRED.filter((c) => ![...map.values()].includes(c));
  if (missing.length || unknown.length) {
    // The message names only what is wrong: missing columns, unrecognised ones, or both.
    const key = missing.length && unknown.length ? 'import_bad_header' : missing.length ? 'import_bad_header_missing' : 'import_bad_header_unknown';
    throw new ImportFileError(`certification.${key}`, {
      missing: missing.join(', '),
      unknown: unknown.join(', '),
      expected: REQUIRED.join(', '),
    });
  }
  return map;
}

function toRows(header: string[], body: Array<{ line: number; values: string[] }>): SheetRow[] {
  const map = mapHeader(header);
  const rows: SheetRow[] = [];
  for (const { line, values } of body) {
    if (values.every((v) => !v.trim())) continue; // blank lines are not rows
    const cells: SheetRow['cells'] = {};
    for (const [i, col] of map) cells[col] = (values[i] ?? '').trim();
    rows.push({ line, cells });
    if (rows.length > IMPORT_LIMITS.maxRows) throw new ImportFileError('certification.import_too_many_rows', { max: IMPORT_LIMITS.maxRows });
  }
  if (!rows.length) throw new ImportFileError('certification.import_empty');
  return rows;
}

function readCsv(data: Buffer): SheetRow[] {
  const text = decodeText(data).replace(/^\uFEFF/, '');
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new ImportFileError('certification.import_bad_csv', { line: line ?? '?' });
  }
  if (!records.length) throw new ImportFileError('certification.import_empty');
  const [header, ...rest] = records;
  return toRows(
    header,
    rest.map((values, i) => ({ line: i + 2, values })),
  );
}

/** A cell's value as text: dates as YYYY-MM-DD, whole numbers without ".0", formulas by their result. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const o = v as unknown as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((r) => r.text).join('');
  if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
  if (typeof o.text === 'string') return o.text;
  return '';
}

/**
 * What an XLSX may hold, counted on what it really inflates to before exceljs sees it (zip-guard.ts). An honest
 * annual list of 5000 rows × 11 columns with long indicators inflates to about 5.5 MB in some 170 000 XML elements.
 * exceljs builds the whole workbook in memory, and grows with the elements and rows far more than with the bytes
 * (≈ 300 bytes per element; 8 MB of bare `<row>`s took 200 MB), so those are bounded too: the worst workbook within
 * all these limits measured ≈ 130 MB of RSS growth, where an honest 5000-row list takes ≈ 65 MB.
 */
export const XLSX_LIMITS = {
  maxEntries: 200,
  maxEntryBytes: 12 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
  /** XML start tags across all parts. */
  maxElements: 400_000,
  /** `<row>` elements across all sheets: the rows allowed, twice over for formatted blank rows and other sheets. */
  maxRowElements: 2 * (IMPORT_LIMITS.maxRows + 1),
} as const;

const ZIP_REFUSALS: Record<ZipRefusal, () => ImportFileError> = {
  broken: () => new ImportFileError('certification.import_broken_xlsx'),
  too_many_entries: () => new ImportFileError('certification.import_zip_too_many_entries', { max: XLSX_LIMITS.maxEntries }),
  entry_too_large: () => new ImportFileError('certification.import_zip_entry_too_large', { maxMb: XLSX_LIMITS.maxEntryBytes / 1024 / 1024 }),
  total_too_large: () => new ImportFileError('certification.import_unpacked_too_large', { maxMb: XLSX_LIMITS.maxTotalBytes / 1024 / 1024 }),
  ratio: () => new ImportFileError('certification.import_zip_ratio', { max: XLSX_LIMITS.maxRatio }),
  mismatch: () => new ImportFileError('certification.import_zip_mismatch'),
};

/**
 * Streams every part of the workbook through the inflater, counting what really comes out (bytes per part and in
 * all, compression ratio, XML elements and rows) and refusing past the limits — a zip bomb is stopped after at most
 * `maxEntryBytes` of inflation, with nothing kept in memory. Resolves when exceljs may open the file.
 */
export async function checkXlsx(data: Buffer): Promise<void> {
  try {
    const entries = readZipDirectory(data, XLSX_LIMITS.maxEntries);
    const tally = new XmlTagTally();
    let current: ZipEntry | null = null;
    await inflateChecked(data, entries, XLSX_LIMITS, (entry, chunk) => {
      if (entry !== current) {
        tally.reset();
        current = entry;
      }
      tally.feed(chunk);
      if (tally.rows > XLSX_LIMITS.maxRowElements) throw new ImportFileError('certification.import_too_many_rows', { max: IMPORT_LIMITS.maxRows });
      if (tally.elements > XLSX_LIMITS.maxElements) throw new ImportFileError('certification.import_xlsx_too_complex', { max: XLSX_LIMITS.maxElements });
    });
  } catch (err) {
    if (err instanceof ZipGuardError) throw ZIP_REFUSALS[err.reason]();
    throw err;
  }
}

async function readXlsx(data: Buffer): Promise<SheetRow[]> {
  await checkXlsx(data);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new ImportFileError('certification.import_broken_xlsx');
  }
  const ws = wb.worksheets[0];
  if (!ws || ws.actualRowCount === 0) throw new ImportFileError('certification.import_empty');
  if (ws.actualRowCount > IMPORT_LIMITS.maxRows + 1) throw new ImportFileError('certification.import_too_many_rows', { max: IMPORT_LIMITS.maxRows });
  const lines: Array<{ line: number; values: string[] }> = [];
  ws.eachRow({ includeEmpty: false }, (row, line) => {
    // Only the cells present, at their columns: the gaps stay holes (read as ''), so a lone cell far to the right
    // (column XFD) costs one value, not sixteen thousand empty ones.
    const values: string[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      values[col - 1] = cellText(cell.value);
    });
    lines.push({ line, values });
  });
  if (!lines.length) throw new ImportFileError('certification.import_empty');
  const [header, ...rest] = lines;
  return toRows(header.values, rest);
}

export async function readSheet(name: string, data: Buffer): Promise<Sheet> {
  if (data.length === 0) throw new ImportFileError('certification.import_empty');
  if (data.length > IMPORT_LIMITS.maxBytes) throw new ImportFileError('certification.import_too_large', { maxMb: IMPORT_LIMITS.maxBytes / 1024 / 1024 });
  const type = detectType(name, data);
  return { type, rows: type === 'csv' ? readCsv(data) : await readXlsx(data) };
}
