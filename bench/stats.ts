/**
 * `npm run bench:stats` — the statistics at scale, on fresh SQLite files of 10,000, 100,000 and 1,000,000 trades;
 * `STATS_BENCH_PG=postgres://user@host:port/db npm run bench:stats` runs the same on PostgreSQL, in a fresh database
 * per size created beside the one named (and dropped afterwards).
 *
 * The trade facts and their rollups are written in bulk, directly (this measures the queries, not the ledger): the
 * trades with a deterministic generator, `trade_rollup` by one GROUP BY, and the statistics cube by re-running its
 * migration (which backfills from the trades, exactly as on an existing database).
 *
 * Measures
 *  - the grouped statistics query, through StatsService.stats (the rows, last year's rows for the YoY, top 10
 *    vendors and purchasers, the registry figures): p50/p95 of 20 runs after 3 warm-ups. Target: p50 < 100 ms on
 *    1,000,000 trades and at most 3× the 10,000-trade time;
 *  - the CSV export of every trade, each run in a child process of its own so its peak RSS is its own. Target: peak
 *    RSS < 200 MB on 1,000,000 rows and within 1.3× of the 100,000-row peak; at least 100,000 rows/s.
 * Prints a table and writes bench/results/stats.md (stats-postgres.md). STATS_BENCH_SIZES=10000,100000 runs other
 * sizes; STATS_BENCH_KEEP=1 keeps the files (databases).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import knexFactory, { type Knex } from 'knex';
import { createDb, isPostgres, knexConfig, migrateLatest, type Db, type Executor } from '../src/db';
import { CITIES, FIELDS, LEVELS, PURCHASER_TYPES } from '../src/domain';
import { translator } from '../src/i18n';
import { StatsExporter } from '../src/stats/exports';
import { ExportQuerySchema, StatsQuerySchema } from '../src/stats/schema';
import { StatsService } from '../src/stats/service';
import { parseInput } from '../src/web/validate';

const CUBE_MIGRATIONS = ['20261127005000_stats_cube', '20261127005000_stats_cube_yearly'];
const FIRST_YEAR = 2015;
const YEARS = 10; // 2015–2024: the queries ask for 2020, in the middle of the history

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const KIND_OF: Record<string, string> = { 新材料: 'material', 软件: 'software' };

/** Units in proportion to the volume (a province has thousands of purchasing units), at least a realistic floor. */
function unitsFor(trades: number) {
  return { purchasers: Math.max(200, Math.min(3000, Math.round(trades / 300))), vendors: Math.max(50, Math.min(600, Math.round(trades / 1500))) };
}

/** One multi-row INSERT … VALUES (knex's SQLite insert of many rows builds a compound SELECT, limited to 500). */
async function insertValues(db: Executor, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const tuple = `(${cols.map(() => '?').join(',')})`;
  await db.raw(`INSERT INTO ${table} (${cols.join(',')}) VALUES ${rows.map(() => tuple).join(',')}`, rows.flatMap((r) => cols.map((c) => r[c] as Knex.Value)));
}

/** Where a size's trades live: a fresh SQLite file, or a fresh PostgreSQL database beside the one named. */
interface Target {
  url: string;
  drop(): Promise<void>;
}

async function createTarget(dir: string, pgUrl: string | undefined, size: number): Promise<Target> {
  if (!pgUrl) return { url: `sqlite:${path.join(dir, `trades-${size}.sqlite3`)}`, drop: async () => undefined };
  const name = `stats_bench_${size}`;
  const server = async (sql: string) => {
    const admin = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
    try {
      await admin.raw(sql);
    } finally {
      await admin.destroy();
    }
  };
  await server(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => server(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function generate(url: string, trades: number): Promise<void> {
  // One connection, so the session settings below hold for every statement of the load.
  const db = knexFactory({ ...knexConfig(url), pool: { min: 1, max: 1 } });
  const pg = isPostgres(db);
  try {
    await migrateLatest(db);
    // No per-row triggers during the load: the statistics cubes go (their migrations backfill them afterwards) and
    // any other trigger on `trades` (the rollup's) is set aside and put back; the rollup is filled by one GROUP BY.
    for (const name of [...CUBE_MIGRATIONS].reverse()) await db.migrate.down({ name: `${name}${path.extname(__filename)}` });
    let triggers: Array<{ name: string; sql: string }> = [];
    if (pg) {
      // Bulk load: no wait for the WAL flush; `replica` skips user triggers and foreign keys (the ledger transfers the
      // trades point at are not generated) for this session only.
      await db.raw('SET synchronous_commit = off');
      await db.raw('SET session_replication_role = replica');
    } else {
      // Bulk load: no per-row fsync, no foreign keys (the ledger transfers the trades point at are not generated).
      await db.raw('PRAGMA synchronous = OFF');
      await db.raw('PRAGMA foreign_keys = OFF');
      triggers = await db.raw("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'trades'");
      for (const tr of triggers) await db.raw(`DROP TRIGGER ${tr.name}`);
    }
    const r = rng(20201231 + trades);
    const now = '2026-01-05T02:00:00.000Z';
    const units = unitsFor(trades);
    const purchasers = Array.from({ length: units.purchasers }, (_, i) => ({
      id: i + 1,
      name: `基准采购单位${i + 1}`,
      credit_code: `12330000${pad(i + 1, 10)}`,
      city: CITIES[i % CITIES.length].name,
      type: PURCHASER_TYPES[i % PURCHASER_TYPES.length],
      created_at: now,
    }));
    const vendors = Array.from({ length: units.vendors }, (_, i) => ({
      id: i + 1,
      name: `基准供应商${i + 1}有限公司`,
      credit_code: `91330000${pad(i + 1, 10)}`,
      city: CITIES[(i * 7) % CITIES.length].name,
      status: 'approved',
      created_at: now,
    }));
    for (let i = 0; i < purchasers.length; i += 500) await insertValues(db, 'purchasers', purchasers.slice(i, i + 500));
    for (let i = 0; i < vendors.length; i += 500) await insertValues(db, 'vendors', vendors.slice(i, i + 500));
    const vendorField = vendors.map((_, i) => FIELDS[i % FIELDS.length].name);
    const BATCH = 1000;
    const days = YEARS * 365;
    for (let start = 0; start < trades; start += 50 * BATCH) {
      await db.transaction(async (trx) => {
        for (let b = start; b < Math.min(trades, start + 50 * BATCH); b += BATCH) {
          const rows = [];
          for (let i = b; i < Math.min(trades, b + BATCH); i++) {
            // In time order, as the ledger writes them: ids ascend with the day.
            const d = new Date(Date.UTC(FIRST_YEAR, 0, 1) + Math.floor((i * days) / trades) * 86400000);
            const day = d.toISOString().slice(0, 10);
            // Purchasers and vendors by a skewed draw: a few buy (and sell) much more than the rest.
            const p = purchasers[Math.floor(r() ** 2 * purchasers.length)];
            const vi = Math.floor(r() ** 2 * vendors.length);
            const v = vendors[vi];
            const first = r() < 0.02;
            const refund = !first && r() < 0.01;
            const field = vendorField[vi];
            const amount = Math.round(10 ** (4 + r() * 4)) * 100 + Math.floor(r() * 100);
            rows.push({
              transfer_id: i + 1,
              channel: first ? 'first_purchase' : 'boutique',
              day,
              year: Number(day.slice(0, 4)),
              month: day.slice(0, 7),
              count_delta: refund ? -1 : 1,
              amount_fen: refund ? -amount : amount,
              purchaser_id: p.id,
              purchaser_city: p.city,
              purchaser_type: p.type,
              vendor_id: v.id,
              vendor_city: v.city,
              order_id: first ? null : i + 1,
              case_id: first ? i + 1 : null,
              product_id: null,
              product_title: `${field}基准产品${vi % 40}`,
              cert_no: first || r() < 0.4 ? `ZJSTT-${day.slice(0, 4)}-${pad(vi, 4)}` : null,
              level: first || r() < 0.4 ? LEVELS[Math.floor(r() * 3)] : null,
              field,
              kind: KIND_OF[field] ?? 'equipment',
            });
          }
          await insertValues(trx, 'trades', rows);
        }
      });
    }
    await db.raw(`INSERT INTO trade_rollup (month, year, channel, field, level, kind, purchaser_city, vendor_city, purchaser_type, purchaser_id, vendor_id, trade_count, amount_fen)
      SELECT month, year, channel, field, COALESCE(level, ''), kind, purchaser_city, vendor_city, purchaser_type, purchaser_id, vendor_id, SUM(count_delta), SUM(amount_fen)
      FROM trades GROUP BY month, year, channel, field, COALESCE(level, ''), kind, purchaser_city, vendor_city, purchaser_type, purchaser_id, vendor_id`);
    for (const tr of triggers) await db.raw(tr.sql);
    if (pg) await db.raw('SET session_replication_role = origin');
    for (const name of CUBE_MIGRATIONS) await db.migrate.up({ name: `${name}${path.extname(__filename)}` });
    if (pg) await db.raw('VACUUM ANALYZE');
    else await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await db.destroy();
  }
}

const QUERIES: Array<[string, Record<string, string>]> = [
  ['2020 by month', { from: '2020-01-01', to: '2020-12-31', groupBy: 'month' }],
  ['2020 by field', { from: '2020-01-01', to: '2020-12-31', groupBy: 'field' }],
  ['2020 by vendor', { from: '2020-01-01', to: '2020-12-31', groupBy: 'vendor' }],
  ['2020-03-15…11-20 by city (partial months)', { from: '2020-03-15', to: '2020-11-20', groupBy: 'city' }],
  ['2020 数控机床 × domestic by city (rollup)', { from: '2020-01-01', to: '2020-12-31', field: '数控机床', level: 'domestic', groupBy: 'city' }],
  ['all years by year', { groupBy: 'year' }],
];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function timeQueries(url: string): Promise<Map<string, { p50: number; p95: number }>> {
  const db: Db = createDb(url);
  const service = new StatsService(db);
  const t = translator('zh-CN');
  const out = new Map<string, { p50: number; p95: number }>();
  try {
    for (const [name, params] of QUERIES) {
      const q = parseInput(StatsQuerySchema, params);
      const times: number[] = [];
      for (let i = 0; i < 23; i++) {
        const t0 = performance.now();
        await service.stats(q, t);
        if (i >= 3) times.push(performance.now() - t0);
      }
      out.set(name, { p50: percentile(times, 50), p95: percentile(times, 95) });
    }
  } finally {
    await db.destroy();
  }
  return out;
}

interface ExportRun {
  rows: number;
  ms: number;
  /** CPU time of the whole process (JavaScript and SQLite's worker threads): what the rate would be on idle cores. */
  cpuMs: number;
  bytes: number;
  maxRssMb: number;
}

/** Child mode: export every trade of the database as CSV to the null device; print rows, time and peak RSS as JSON. */
async function exportChild(url: string): Promise<void> {
  const db = createDb(url);
  try {
    const exporter = new StatsExporter(db, new StatsService(db));
    let rows = 0;
    let bytes = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const out = await exporter.open(parseInput(ExportQuerySchema, { format: 'csv' }), translator('zh-CN'), { uri: 'urn:bench', now: new Date(), onRows: (n) => (rows += n) });
    out.body.on('data', (c: Buffer | string) => (bytes += c.length));
    await pipeline(out.body, createWriteStream(os.devNull));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const result: ExportRun = { rows, ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(JSON.stringify(result));
  } finally {
    await db.destroy();
  }
}

function runExport(url: string): ExportRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--export-child', url], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`export child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ExportRun;
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const n = (x: number) => x.toLocaleString('en-US');

async function main(): Promise<void> {
  if (process.argv[2] === '--export-child') return exportChild(process.argv[3]);
  const sizes = (process.env.STATS_BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  const pgUrl = process.env.STATS_BENCH_PG || undefined;
  const engine = pgUrl ? 'PostgreSQL (fresh databases)' : 'SQLite (fresh files)';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stats-bench-'));
  const targets = new Map<number, Target>();
  try {
    for (const size of sizes) {
      const target = await createTarget(dir, pgUrl, size);
      targets.set(size, target);
      const t0 = performance.now();
      await generate(target.url, size);
      console.error(`generated ${n(size)} trades in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const urlOf = (size: number) => (targets.get(size) as Target).url;
    const timings = new Map<number, Map<string, { p50: number; p95: number }>>();
    for (const size of sizes) timings.set(size, await timeQueries(urlOf(size)));
    const exports = new Map<number, ExportRun>();
    for (const size of sizes.filter((s) => s >= 100000)) exports.set(size, runExport(urlOf(size)));

    const small = Math.min(...sizes);
    const large = Math.max(...sizes);
    const lines: string[] = [];
    lines.push(`# Statistics benchmark`, '');
    lines.push(
      `${new Date().toISOString()} · Node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} (load average ${os.loadavg()[0].toFixed(1)} at the end) · ${engine}, trades over ${FIRST_YEAR}–${FIRST_YEAR + YEARS - 1}; purchasers and vendors grow with the volume (${sizes.map((x) => `${n(x)}: ${unitsFor(x).purchasers}/${unitsFor(x).vendors}`).join(', ')})`,
      '',
    );
    lines.push('## Grouped statistics query (StatsService.stats: rows, YoY, top 10 vendors and purchasers), ms', '');
    lines.push(`| query | ${sizes.map((s) => `${n(s)} p50 / p95`).join(' | ')} | ${n(large)} ÷ ${n(small)} (p50) |`);
    lines.push(`|---|${sizes.map(() => '---:').join('|')}|---:|`);
    for (const [name] of QUERIES) {
      const cells = sizes.map((s) => {
        const x = timings.get(s)?.get(name) as { p50: number; p95: number };
        return `${fmt(x.p50)} / ${fmt(x.p95)}`;
      });
      const ratio = (timings.get(large)?.get(name)?.p50 ?? 0) / (timings.get(small)?.get(name)?.p50 ?? 1);
      lines.push(`| ${name} | ${cells.join(' | ')} | ${ratio.toFixed(2)}× |`);
    }
    const headline = QUERIES[0][0];
    const mainLarge = timings.get(large)?.get(headline)?.p50 ?? Infinity;
    const mainRatio = mainLarge / (timings.get(small)?.get(headline)?.p50 ?? 1);
    lines.push('', `Target (“${headline}”): p50 < 100 ms on ${n(large)} → ${fmt(mainLarge)} ms ${mainLarge < 100 ? 'PASS' : 'FAIL'}; ≤ 3× the ${n(small)} time → ${mainRatio.toFixed(2)}× ${mainRatio <= 3 ? 'PASS' : 'FAIL'}`, '');
    if (exports.size) {
      lines.push('## CSV export of every trade (a child process per run)', '');
      lines.push('| trades | time s | rows/s | CPU s | rows per CPU-second | MB written | peak RSS MB |');
      lines.push('|---:|---:|---:|---:|---:|---:|---:|');
      for (const e of exports.values()) {
        lines.push(
          `| ${n(e.rows)} | ${(e.ms / 1000).toFixed(2)} | ${n(Math.round(e.rows / (e.ms / 1000)))} | ${(e.cpuMs / 1000).toFixed(2)} | ${n(Math.round(e.rows / (e.cpuMs / 1000)))} | ${(e.bytes / 1e6).toFixed(1)} | ${e.maxRssMb.toFixed(0)} |`,
        );
      }
      const big = exports.get(large);
      const mid = exports.get(100000);
      if (big && mid) {
        const rssRatio = big.maxRssMb / mid.maxRssMb;
        const rate = big.rows / (big.ms / 1000);
        const cpuRate = big.rows / (big.cpuMs / 1000);
        lines.push(
          '',
          `Targets: peak RSS < 200 MB → ${big.maxRssMb.toFixed(0)} MB ${big.maxRssMb < 200 ? 'PASS' : 'FAIL'}; within 1.3× of the 100,000-row peak → ${rssRatio.toFixed(2)}× ${rssRatio <= 1.3 ? 'PASS' : 'FAIL'}; ≥ 100,000 rows/s → ${n(Math.round(rate))} ${rate >= 100000 ? 'PASS' : 'FAIL'} (${n(Math.round(cpuRate))} rows per CPU-second: the rate where the cores are not shared)`,
        );
      }
    }
    const report = lines.join('\n') + '\n';
    console.log(report);
    const results = path.join(__dirname, 'results');
    mkdirSync(results, { recursive: true });
    const out = path.join(results, pgUrl ? 'stats-postgres.md' : 'stats.md');
    writeFileSync(out, report);
    console.error(`written ${path.relative(process.cwd(), out)}`);
  } finally {
    if (process.env.STATS_BENCH_KEEP) console.error(`kept ${pgUrl ? [...targets.values()].map((t) => new URL(t.url).pathname.slice(1)).join(', ') : dir}`);
    else {
      for (const t of targets.values()) await t.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
