import { PassThrough, Readable } from 'node:stream';
import type { Db, Executor } from '../../db';
import { AppError } from '../../errors';
import type { Translator } from '../../i18n';
import { countTrades, tradePage, type DetailRow } from '../repo';
import type { ExportFormat, ExportQuery, StatsFilters } from '../schema';
import type { StatsService } from '../service';
import { csvChunks } from './csv';
import { ocdsChunks } from './ocds';
import { writeXlsx } from './xlsx';

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

  async *pages(filters: StatsFilters, first: DetailRow[] | null, onRows?: (n: number) => void): AsyncGenerator<DetailRow[]> {
    let page = first ?? (await tradePage(this.db, filters, null, this.pageSize));
    while (page.length) {
      yield page;
      onRows?.(page.length);
      if (page.length < this.pageSize) return;
      const last = page[page.length - 1];
      page = await tradePage(this.db, filters, { day: last.day, id: last.id }, this.pageSize);
    }
  }

  static filename(q: ExportQuery): string {
    return `trade-stats_${q.filters.from ?? 'start'}_${q.filters.to ?? 'now'}.${EXTENSIONS[q.format]}`;
  }

  /** Checks what can be checked before the first byte is sent (after it, an error can only cut the stream). */
  async open(q: ExportQuery, t: Translator, opts: ExportOptions): Promise<ExportFile> {
    const first = await tradePage(this.db, q.filters, null, this.pageSize);
    // An OCDS package needs at least one release.
    if (q.format === 'ocds' && !first.length) throw new AppError('not_found', 'stats.export_empty');
    const pages = this.pages(q.filters, first, opts.onRows);
    const file = { filename: StatsExporter.filename(q), contentType: CONTENT_TYPES[q.format] };
    switch (q.format) {
      case 'csv':
        return { ...file, body: Readable.from(csvChunks(pages, t), { objectMode: false }) };
      case 'ocds':
        return { ...file, body: Readable.from(ocdsChunks(pages, { uri: opts.uri, publishedDate: opts.now.toISOString(), ocidPrefix: opts.ocidPrefix }), { objectMode: false }) };
      case 'xlsx': {
        const summary = await this.stats.stats(q, t);
        const out = new PassThrough();
        writeXlsx(out, summary, pages, t, { rowsPerSheet: opts.rowsPerSheet }).catch((err: unknown) => out.destroy(err as Error));
        return { ...file, body: out };
      }
    }
  }
}
