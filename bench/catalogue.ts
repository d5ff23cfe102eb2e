/**
 * `npm run bench:catalogue`: 100,000 products in a fresh SQLite file, the real server in a child process, and
 * autocannon against a bare Koa JSON route (the ceiling, its own process), the search API with facets, the search
 * results page and product detail pages. Prints req/s, p50, p99 and the ratio to the ceiling; writes the table to
 * bench/results/catalogue.md. A benchmark, not a test: nothing here fails on a slow machine.
 *
 * Knobs: BENCH_PRODUCTS (100000), BENCH_CONNECTIONS (50), BENCH_DURATION seconds per target (10), BENCH_KEEP=1 keeps
 * the database file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDb, migrateLatest } from '../src/db';
import { startServer, type RunningServer } from '../test/helpers/server';
import { generateCatalogue } from './generate';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const Q = encodeURIComponent('机床');

interface Row {
  name: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function hammer(base: string, name: string, paths: string[], duration = DURATION): Promise<Row> {
  let i = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return {
    name,
    path: paths.length === 1 ? paths[0] : `${paths[0]} … (${paths.length} paths)`,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function table(rows: Row[], ceiling: number): string {
  const head = '| target | path | req/s | p50 ms | p99 ms | vs ceiling | non-2xx | errors |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${r.name} | \`${r.path}\` | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${((100 * r.rps) / ceiling).toFixed(1)}% | ${r.non2xx} | ${r.errors} |`);
  return [head, sep, ...lines].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fum-bench-'));
  const databaseUrl = `sqlite:${path.join(dir, 'bench.sqlite3')}`;
  const servers: RunningServer[] = [];
  try {
    const db = createDb(databaseUrl);
    await migrateLatest(db);
    let t = Date.now();
    const made = await generateCatalogue(db, PRODUCTS);
    console.log(`generated ${made.products} products, ${made.certifications} certificates, ${made.vendors} vendors in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const hits = await db('products').where('status', 'approved').andWhere('search_text', 'like', '%机床%').count<{ n: number }[]>({ n: '*' });
    const sample = await db('products').where('status', 'approved').select('id').orderByRaw('(id * 7919) % 1000003').limit(1000);
    await db.destroy();
    console.log(`机床 matches ${hits[0].n} products (${((100 * Number(hits[0].n)) / made.products).toFixed(1)}%)`);

    t = Date.now();
    const ceiling = await startServer({ databaseUrl, entry: 'bench/ceiling-server.ts' });
    servers.push(ceiling);
    const app = await startServer({
      databaseUrl,
      env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0' },
    });
    servers.push(app);
    console.log(`servers up in ${((Date.now() - t) / 1000).toFixed(1)} s; ${CONNECTIONS} connections, ${DURATION} s per target`);

    const detailPaths = sample.map((r: { id: number }) => `/products/${r.id}`);
    const targets: Array<[string, string, string[]]> = [
      ['ceiling: bare Koa JSON', ceiling.url, ['/']],
      ['search API with facets', app.url, [`/api/v1/products?q=${Q}`]],
      ['search results page', app.url, [`/products?q=${Q}`]],
      ['product detail page', app.url, detailPaths],
    ];
    const rows: Row[] = [];
    for (const [name, base, paths] of targets) {
      await hammer(base, `${name} (warm-up)`, paths, 2);
      const row = await hammer(base, name, paths);
      console.log(`${name}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms`);
      rows.push(row);
    }
    const out = table(rows, rows[0].rps);
    const header = [
      '# Catalogue benchmark',
      '',
      `${new Date().toISOString()} · ${made.products} products (机床 matches ${hits[0].n}) · SQLite · ${CONNECTIONS} connections · ${DURATION} s per target after a 2 s warm-up · Node ${process.version} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), shared with autocannon`,
      '',
      'Targets: product detail page ≥ 25% of the ceiling, search API with facets ≥ 10%, p99 under 100 ms for all.',
      '',
    ].join('\n');
    console.log(`\n${out}\n`);
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, 'results', 'catalogue.md'), `${header}${out}\n`);
    console.log('written to bench/results/catalogue.md');
  } finally {
    for (const s of servers.reverse()) await s.stop();
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${databaseUrl}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
