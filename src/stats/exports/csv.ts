import { stringify } from 'csv-stringify/sync';
import type { Translator } from '../../i18n';
import type { SheetRow } from '../repo';
import { SheetCells, detailHeaders, safeCell, yuanText } from './cells';

const BOM = '\uFEFF';

// RFC 4180: CRLF between records; a field with a comma, a quote or any line break is quoted, quotes doubled.
const OPTIONS = { record_delimiter: '\r\n', quoted_match: ['\r', '\n'] };
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV record. A record none of whose fields needs quoting is its fields joined by commas — exactly what
 * csv-stringify writes for it — and skips the library's per-field machinery (most trades: it is the hot path of a
 * million-row export); any other goes through csv-stringify.
 */
export function csvRecord(fields: string[]): string {
  for (const f of fields) if (NEEDS_QUOTES.test(f)) return stringify([fields], OPTIONS);
  return `${fields.join(',')}\r\n`;
}

/**
 * The CSV, one page of trades at a time: UTF-8 with a BOM (so Excel reads the Chinese), a header row, then one
 * row per trade. Every text cell is neutralised against formula injection; the amount is a plain decimal we format.
 */
export async function* csvChunks(pages: AsyncIterable<SheetRow[]>, t: Translator): AsyncGenerator<string> {
  const cells = new SheetCells(t);
  yield BOM + csvRecord(detailHeaders(t).map(safeCell));
  for await (const page of pages) {
    let chunk = '';
    for (const r of page) {
      const fields = cells.texts(r);
      for (let i = 0; i < fields.length; i++) fields[i] = safeCell(fields[i]);
      fields.push(yuanText(r.amountFen));
      chunk += csvRecord(fields);
    }
    yield chunk;
  }
}
