/**
 * `npm run export:stats -- --from 2020-01-01 --to 2020-12-31 --format xlsx --out report.xlsx`
 *
 * Exports the trade statistics of the database the app uses (DATABASE_URL, same default as the app) to a file, with a
 * progress bar on stderr. The same filters as the admin page and `GET /api/v1/admin/stats/export`:
 *   --from / --to YYYY-MM-DD (Asia/Shanghai, inclusive), --channel boutique|first_purchase, --field, --level, --kind,
 *   --city (with --cityOf purchaser|vendor), --vendorCity, --purchaserType, --groupBy (the XLSX summary sheet),
 *   --format csv|xlsx|ocds (default csv), --out FILE (default: the download's name; '-' for stdout), --lang zh-CN|en.
 * Exit status: 0 done, 2 bad arguments or configuration, 1 anything else.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { SystemClock } from '../src/clock';
import { createDb } from '../src/db';
import { AppError } from '../src/errors';
import { isLocale, t as translate, translator } from '../src/i18n';
import { StatsExporter } from '../src/stats/exports';
import { ExportQuerySchema, type ExportQuery } from '../src/stats/schema';
import { StatsService } from '../src/stats/service';
import { parseInput } from '../src/web/validate';
import { cliDatabaseUrl } from './cli-db';

const FILTERS = ['from', 'to', 'channel', 'field', 'level', 'kind', 'city', 'cityOf', 'vendorCity', 'purchaserType', 'groupBy', 'format'] as const;

class UsageError extends Error {}

function readArgs(argv: string[]): { query: ExportQuery; out: string | null; lang: 'zh-CN' | 'en'; quiet: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(FILTERS.map((k) => [k, { type: 'string' as const }])),
        out: { type: 'string', short: 'o' },
        lang: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const lang = (v.lang as string | undefined) ?? 'zh-CN';
  if (!isLocale(lang)) throw new UsageError(`--lang: expected zh-CN or en, got '${lang}'`);
  const raw = Object.fromEntries(FILTERS.filter((k) => typeof v[k] === 'string' && v[k] !== '').map((k) => [k, v[k]]));
  try {
    const query = parseInput(ExportQuerySchema, { format: 'csv', ...raw });
    return { query, out: (v.out as string | undefined) ?? null, lang, quiet: Boolean(v.quiet) };
  } catch (err) {
    if (err instanceof AppError) throw new UsageError(`--${err.field}: ${translate(lang, err.messageKey, { ...err.params, field: err.field })}`);
    throw err;
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const databaseUrl = cliDatabaseUrl();
  if (databaseUrl === null) return 2;
  const db = createDb(databaseUrl);
  try {
    const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
    if (pending.length) {
      console.error(`the database has ${pending.length} pending migration(s): start the app once (npm start) to migrate it`);
      return 2;
    }
    const stats = new StatsService(db);
    const exporter = new StatsExporter(db, stats);
    const { query, lang, quiet } = args;
    const outName = args.out ?? StatsExporter.filename(query);
    const total = await exporter.count(query.filters);
    const bar = quiet || outName === '-' ? null : new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} trades | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic);
    bar?.start(total, 0);
    const now = new SystemClock().now();
    const file = await exporter
      .open(query, translator(lang), {
        uri: `urn:x-first-unit-marketplace:stats:${query.filters.from ?? 'start'}:${query.filters.to ?? 'now'}:${now.getTime()}`,
        now,
        onRows: (n) => bar?.increment(n),
      })
      .catch((err: unknown) => {
        bar?.stop();
        throw err;
      });
    await pipeline(file.body, outName === '-' ? process.stdout : createWriteStream(outName));
    bar?.stop();
    if (outName !== '-') console.error(`${total} trades → ${outName}`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      console.error(translate(args.lang, err.messageKey, err.params));
      return 1;
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`export failed: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
