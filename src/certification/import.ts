import type { Clock } from '../clock';
import { writeTransaction, type Db } from '../db';
import { AppError } from '../errors';
import { t, type Locale } from '../i18n';
import { shanghaiDay } from '../time';
import { zodToAppError } from '../web';
import { recordAudit } from '../audit';
import { readSheet, type Column, type SheetRow } from './import-parse';
import { findCertsByNos, insertCert, type CertRow } from './repo';
import { CertificationInput } from './schema';
import { applyCertChange, certFields, startCert, type AuditActor } from './service';

export type RowResult = 'added' | 'updated' | 'unchanged' | 'rejected';

export interface RowOutcome {
  line: number;
  certNo: string | null;
  result: RowResult;
  /** For a rejected row: which column, and why (a catalogue key and its parameters). */
  field?: string;
  messageKey?: string;
  params?: Record<string, string | number>;
}

export interface ImportOutcome {
  ok: boolean;
  written: boolean;
  fileType: 'csv' | 'xlsx' | null;
  counts: Record<RowResult, number>;
  rows: RowOutcome[];
  /** A problem with the file as a whole (type, header, size…): then there are no rows. */
  fileError?: AppError;
  delistedListings: number;
}

export type Progress = (phase: 'check' | 'write', done: number, total: number) => void;

const KIND_ALIASES: Record<string, string> = {
  equipment: 'equipment', 装备: 'equipment', 首台装备: 'equipment', 首台套装备: 'equipment', 首台套: 'equipment',
  material: 'material', 材料: 'material', 新材料: 'material', 首批次新材料: 'material', 首批次: 'material',
  software: 'software', 软件: 'software', 首版次软件: 'software', 首版次: 'software',
};
const LEVEL_ALIASES: Record<string, string> = {
  international: 'international', 国际: 'international', 国际首台套: 'international', 国际领先: 'international',
  domestic: 'domestic', 国内: 'domestic', 国内首台套: 'domestic', 国内领先: 'domestic',
  provincial: 'provincial', 省内: 'provincial', 省内首台套: 'provincial', 省级: 'provincial',
};
const alias = (table: Record<string, string>, v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  const k = v.normalize('NFKC').trim().toLowerCase().replace(/[\s()（）]/g, '');
  return table[k] ?? v;
};
const YES = new Set(['是', 'y', 'yes', 'true', '1', '√']);

/** One sheet row → the same input the admin's form sends, so the same schema checks it. */
function rowInput(cells: Partial<Record<Column, string>>): Record<string, unknown> {
  const year = cells.year?.replace(/\.0+$/, '').replace(/年$/, '');
  const until = cells.validUntil?.replace(/[./年月]/g, '-').replace(/日$/, '').replace(/^(\d{4})-(\d)-/, '$1-0$2-').replace(/-(\d)$/, '-0$1');
  return {
    certNo: cells.certNo,
    productName: cells.productName,
    enterpriseName: cells.enterpriseName,
    creditCode: cells.creditCode,
    kind: alias(KIND_ALIASES, cells.kind),
    level: alias(LEVEL_ALIASES, cells.level),
    field: cells.field,
    year,
    validUntil: until,
    indicators: cells.indicators ?? '',
    keySupported: cells.keySupported ? YES.has(cells.keySupported.trim().toLowerCase()) : false,
  };
}

const sameCert = (row: CertRow, input: CertificationInput): boolean => {
  const f = certFields(input);
  return (Object.keys(f) as Array<keyof typeof f>).every((k) => (typeof f[k] === 'boolean' ? Number(f[k]) === Number(row[k]) : f[k] === row[k]));
};

/**
 * Imports the annual certification list, all or nothing: every row is checked first (schema, duplicates inside the
 * file); if any row is rejected nothing is written and the report says why for each row. Otherwise new numbers are
 * added and known ones updated, in one transaction with an audit record per certificate.
 */
export async function importCertifications(
  db: Db,
  clock: Clock,
  actor: AuditActor,
  file: { name: string; data: Buffer },
  progress: Progress = () => {},
): Promise<ImportOutcome> {
  const counts: Record<RowResult, number> = { added: 0, updated: 0, unchanged: 0, rejected: 0 };
  let sheet;
  try {
    sheet = await readSheet(file.name, file.data);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { ok: false, written: false, fileType: null, counts, rows: [], fileError: err, delistedListings: 0 };
  }
  const checked: Array<{ row: SheetRow; input?: CertificationInput; outcome: RowOutcome }> = [];
  const firstLine = new Map<string, number>();
  sheet.rows.forEach((row, i) => {
    const data = rowInput(row.cells);
    const parsed = CertificationInput.safeParse(data);
    const certNo = parsed.success ? parsed.data.certNo : (row.cells.certNo?.normalize('NFKC').trim() ?? null) || null;
    const outcome: RowOutcome = { line: row.line, certNo, result: 'rejected' };
    let input: CertificationInput | undefined;
    if (!parsed.success) {
      const e = zodToAppError(parsed.error, data);
      Object.assign(outcome, { field: e.field, messageKey: e.messageKey, params: e.params });
    } else if (firstLine.has(parsed.data.certNo)) {
      const first = firstLine.get(parsed.data.certNo) as number;
      Object.assign(outcome, { field: 'certNo', messageKey: 'certification.import_duplicate_in_file', params: { field: 'certNo', line: first } });
    } else {
      firstLine.set(parsed.data.certNo, row.line);
      input = parsed.data;
    }
    checked.push({ row, input, outcome });
    progress('check', i + 1, sheet.rows.length);
  });

  const existing = new Map<string, CertRow>();
  const nos = [...firstLine.keys()];
  for (let i = 0; i < nos.length; i += 500) for (const c of await findCertsByNos(db, nos.slice(i, i + 500))) existing.set(c.cert_no, c);
  for (const c of checked) {
    if (!c.input) continue;
    const before = existing.get(c.input.certNo);
    c.outcome.result = !before ? 'added' : sameCert(before, c.input) ? 'unchanged' : 'updated';
  }
  for (const c of checked) counts[c.outcome.result]++;
  const rows = checked.map((c) => c.outcome);
  if (counts.rejected > 0) return { ok: false, written: false, fileType: sheet.type, counts, rows, delistedListings: 0 };

  let delisted = 0;
  // Retried from the start when another writer got in the way (writeTransaction), so the count starts again too.
  await writeTransaction(db, async (trx) => {
    delisted = 0;
    const now = clock.now().toISOString();
    const today = shanghaiDay(clock.now());
    let done = 0;
    for (const c of checked) {
      const input = c.input as CertificationInput;
      if (c.outcome.result === 'added') {
        const fields = certFields(input);
        const cert = await insertCert(trx, { ...fields, status: fields.valid_until < today ? 'expired' : 'valid', created_at: now, updated_at: now });
        await startCert(trx, clock, actor, cert);
        const { id: _id, created_at: _c, updated_at: _u, ...after } = cert;
        await recordAudit(trx, clock, { actor, action: 'certification.import_add', entity: 'certification', entityId: cert.id, after });
      } else if (c.outcome.result === 'updated') {
        const before = (await findCertsByNos(trx, [input.certNo]))[0];
        delisted += (await applyCertChange(trx, clock, actor, before, certFields(input), 'certification.import_update')).delisted;
      }
      progress('write', ++done, checked.length);
    }
  });
  return { ok: true, written: true, fileType: sheet.type, counts, rows, delistedListings: delisted };
}

/** The report as JSON / for a page or the terminal, in one language. */
export interface ImportReport {
  ok: boolean;
  written: boolean;
  fileType: 'csv' | 'xlsx' | null;
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  delistedListings: number;
  error: { code: string; message: string; field: string } | null;
  rows: Array<{ line: number; certNo: string | null; result: RowResult; field: string | null; reason: string | null }>;
}

export function importReport(o: ImportOutcome, locale: Locale): ImportReport {
  const fieldLabel = (f: string) => {
    const key = `fields.${f}`;
    const label = t(locale, key);
    return label === key ? f : label;
  };
  return {
    ok: o.ok,
    written: o.written,
    fileType: o.fileType,
    ...o.counts,
    delistedListings: o.delistedListings,
    error: o.fileError
      ? { code: o.fileError.code, message: t(locale, o.fileError.messageKey, { ...o.fileError.params, field: fieldLabel('file') }), field: 'file' }
      : null,
    rows: o.rows.map((r) => ({
      line: r.line,
      certNo: r.certNo,
      result: r.result,
      field: r.field ?? null,
      reason: r.messageKey ? t(locale, r.messageKey, { ...r.params, field: fieldLabel(String(r.field ?? '')) }) : null,
    })),
  };
}
