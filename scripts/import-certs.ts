/**
 * `npm run import:certs -- <file.csv|file.xlsx> [--lang en]`: imports the annual certification list into the database
 * the app uses (DATABASE_URL, same default as the app), with a progress bar. The same rules as the admin's upload:
 * every row is checked first; if any row is rejected nothing is written. Prints the row report; exits 0 when the file
 * was imported, 1 when rows or the file were rejected, 2 when it could not run at all.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { SystemClock } from '../src/clock';
import { importCertifications, importReport } from '../src/certification/import';
import { createDb, migrateLatest } from '../src/db';
import { isLocale, t, type Locale } from '../src/i18n';
import { cliDatabaseUrl } from './cli-db';

function usage(): number {
  console.error('usage: npm run import:certs -- <file.csv|file.xlsx> [--lang zh-CN|en]');
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let locale: Locale = 'zh-CN';
  const langAt = args.indexOf('--lang');
  if (langAt >= 0) {
    const v = args[langAt + 1];
    if (!isLocale(v)) return usage();
    locale = v;
    args.splice(langAt, 2);
  }
  if (args.length !== 1 || args[0].startsWith('-')) return usage();
  const file = args[0];
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 2;
  }
  const databaseUrl = cliDatabaseUrl();
  if (databaseUrl === null) return 2;

  const db = createDb(databaseUrl);
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total} rows', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let phase: string | null = null;
  try {
    await migrateLatest(db);
    const outcome = await importCertifications(db, new SystemClock(), null, { name: path.basename(file), data }, (p, done, total) => {
      const label = p === 'check' ? 'checking' : 'writing ';
      if (phase !== label) {
        if (phase) bar.stop();
        phase = label;
        bar.start(total, 0, { phase: label });
      }
      bar.update(done);
    });
    if (phase) bar.stop();
    const report = importReport(outcome, locale);
    if (report.error) {
      console.error(report.error.message);
      return 1;
    }
    for (const r of report.rows.filter((x) => x.result === 'rejected')) console.log(`${t(locale, 'certification.line')} ${r.line}\t${r.certNo ?? ''}\t${r.reason}`);
    if (!report.written) {
      console.error(t(locale, 'certification.import_nothing_written', { n: report.rejected }));
      return 1;
    }
    console.log(t(locale, 'certification.import_done', { added: report.added, updated: report.updated, unchanged: report.unchanged, listings: report.delistedListings }));
    return 0;
  } finally {
    if (phase) bar.stop();
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`import could not run: ${(err as Error)?.message ?? String(err)}`);
    process.exit(2);
  },
);
