import { PassThrough, Readable } from 'node:stream';
import type { Db, Executor } from '../../db';
import { AppError } from '../../errors';
import type { Translator } from '../../i18n';
import { countTrades, detailPage, sheetPage, type Cursor, type SheetRow } from '../repo';
import type { ExportFormat, ExportQuery, StatsFilters } from '../schema';
import type { StatsService } from '../service';
import { apiTime } from '../../time';
import { csvChunks } from './csv';
import { ocdsChunks } from './ocds';

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Readable;
}

export interface ExportOptions {
  /** The package's own address (OCDS `uri`). */
  uri: string;
  now: Date;
  /** Progress: called with the number of trades in each page written. */
  onRows?: (n: number) => void;
  rowsPerSheet?: number;
  ocidPrefix?: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ocds: 'application/json; charset=utf-8',
};

const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', xlsx: 'xlsx', ocds: 'json' };

export const PAGE_SIZE = 2000;

/**
 * The downloads: every format streams the trades page by page (keyset pages in date order) into its writer, so
 * memory stays flat however many trades the range holds. A reader that stops reading stops the database reads.
 */
export class StatsExporter {
  constructor(
    private readonly db: Db | Executor,
    private readonly stats: StatsService,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  count(filters: StatsFilters): Promise<number> {
    return countTrades(this.db, filters);
  }

  /** Keyset pages until the range is exhausted; `first` is a page already read (to check for emptiness first). */
  async *pages<R extends SheetRow>(read: (after: Cursor | null) => Promise<R[]>, first: R[] | null, onRows?: (n: number) => void): AsyncGenerator<R[]> {
    let page = first ?? (await read(null));
    while (page.length) {
      // The next page is read while this one is written: the database works (on its own thread or server) while
      // JavaScript formats, and memory holds two pages at most.
      const last = page[page.length - 1];
      const next = page.length < this.pageSize ? null : read({ day: last.day, id: last.id });
      next?.catch(() => undefined); // a reader that stops early leaves it unawaited; the error, if any, is moot
      yield page;
      onRows?.(page.length);
      if (!next) return;
      page = await next;
    }
  }

  static filename(q: ExportQuery): string {
    return `trade-stats_${q.filters.from ?? 'start'}_${q.filters.to ?? 'now'}.${EXTENSIONS[q.format]}`;
  }

  /** Checks what can be checked before the first byte is sent (after it, an error can only cut the stream). */
  async open(q: ExportQuery, t: Translator, opts: ExportOptions): Promise<ExportFile> {
    const file = { filename: StatsExporter.filename(q), contentType: CONTENT_TYPES[q.format] };
    const readSheet = (after: Cursor | null) => sheetPage(this.db, q.filters, after, this.pageSize);
    switch (q.format) {
      case 'csv': {
        const pages = this.pages(readSheet, await readSheet(null), opts.onRows);
        return { ...file, body: Readable.from(csvChunks(pages, t), { objectMode: false }) };
      }
      case 'ocds': {
        const read = (after: Cursor | null) => detailPage(this.db, q.filters, after, this.pageSize);
        const first = await read(null);
        // An OCDS package needs at least one release.
        if (!first.length) throw new AppError('not_found', 'stats.export_empty');
        const chunks = ocdsChunks(this.pages(read, first, opts.onRows), { uri: opts.uri, publishedDate: apiTime(opts.now.toISOString()), ocidPrefix: opts.ocidPrefix });
        return { ...file, body: Readable.from(chunks, { objectMode: false }) };
      }
      case 'xlsx': {
        const [summary, first] = await Promise.all([this.stats.stats(q, t), readSheet(null)]);
        // exceljs (~30 MB resident) is loaded only when a workbook is asked for, not by every CSV download.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { writeXlsx } = require('./xlsx') as typeof import('./xlsx');
        const out = new PassThrough();
        writeXlsx(out, summary, this.pages(readSheet, first, opts.onRows), t, { rowsPerSheet: opts.rowsPerSheet }).catch((err: unknown) => out.destroy(err as Error));
        return { ...file, body: out };
      }
    }
  }
}
