import { stringify } from 'csv-stringify/sync';
import type { Translator } from '../../i18n';
import type { DetailRow } from '../repo';
import { detailCells, detailHeaders, safeCell, yuanText } from './cells';

const BOM = '\uFEFF';

// RFC 4180: CRLF between records; a field with a comma, a quote or any line break is quoted, quotes doubled.
const OPTIONS = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

/**
 * The CSV, one page of trades at a time: UTF-8 with a BOM (so Excel reads the Chinese), a header row, then one
 * row per trade. Every text cell is neutralised against formula injection; the amount is a plain decimal we format.
 */
export async function* csvChunks(pages: AsyncIterable<DetailRow[]>, t: Translator): AsyncGenerator<string> {
  yield BOM + stringify([detailHeaders(t).map(safeCell)], OPTIONS);
  for await (const page of pages) {
    yield stringify(
      page.map((r) => {
        const { text, amountFen } = detailCells(r, t);
        return [...text.map(safeCell), yuanText(amountFen)];
      }),
      OPTIONS,
    );
  }
}
