/**
 * The long fuzzing run (issue 12): `npm run fuzz -- --minutes 10 --db sqlite|postgres`.
 *
 * Starts the plugin in this process on a fresh, migrated database (a temporary SQLite file, or a new PostgreSQL
 * database beside TEST_PG_URL's, default postgres://postgres@127.0.0.1:5432/test, dropped afterwards), replays the
 * seed corpus (test/fuzz/corpus.ts), then sends generated requests to every registered route until the time is up,
 * checking each (no 5xx, no hang, the error shape, nothing written on a 4xx or a GET). Prints a report: requests
 * sent, counts by status, 5xx, hangs, seconds, and one reproduction per distinct failure. Exit 1 on any failure.
 *
 * Options: --minutes N (default 1) or --seconds N, --db sqlite|postgres (default sqlite), --seed N (default: from
 * the clock, printed), --timeout-ms N (a request's time before it counts as a hang, default 10000),
 * --routes REGEX (only routes matching), --out FILE (every failing request as JSON, for replay), --trace (a line
 * per request: status, route, caller, the answer's beginning).
 */
import { writeFileSync } from 'node:fs';

interface Args {
  seconds: number;
  db: 'sqlite' | 'postgres';
  seed: number;
  timeoutMs: number;
  routes: RegExp | null;
  out: string | null;
  trace: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 60, db: 'sqlite', seed: Date.now() % 2_147_483_647, timeoutMs: 10_000, routes: null, out: null, trace: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--minutes':
        args.seconds = Number(value()) * 60;
        break;
      case '--seconds':
        args.seconds = Number(value());
        break;
      case '--db': {
        const v = value();
        if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--db: expected sqlite or postgres, got '${v}'`);
        args.db = v;
        break;
      }
      case '--seed':
        args.seed = Number(value());
        break;
      case '--timeout-ms':
        args.timeoutMs = Number(value());
        break;
      case '--routes':
        args.routes = new RegExp(value());
        break;
      case '--out':
        args.out = value();
        break;
      case '--trace':
        args.trace = true;
        break;
      case '--help':
        console.log('npm run fuzz -- [--minutes N | --seconds N] [--db sqlite|postgres] [--seed N] [--timeout-ms N] [--routes REGEX] [--out FILE] [--trace]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag} (try --help)`);
    }
  }
  if (!(args.seconds > 0)) throw new Error('--minutes/--seconds: expected a positive number');
  if (!Number.isInteger(args.seed)) throw new Error('--seed: expected an integer');
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  // The test helpers read the engine from TEST_DB when they load: set it first, then load them.
  process.env.TEST_DB = args.db;
  const fc = (await import('fast-check')).default;
  const { freshDatabase } = await import('../test/helpers/db');
  const { migrateLatest } = await import('../src/db');
  const { FuzzWorld } = await import('../test/fuzz/world');
  const { fuzzedRoutes } = await import('../test/fuzz/routes');
  const { requestArb } = await import('../test/fuzz/generators');
  const { execute, describe } = await import('../test/fuzz/harness');
  const { ALL_CASES } = await import('../test/fuzz/corpus');
  type Outcome = Awaited<ReturnType<typeof execute>>;

  const started = Date.now();
  console.log(`fuzz: ${args.db}, ${args.seconds} s, seed ${args.seed}, hang after ${args.timeoutMs} ms`);
  const database = await freshDatabase();
  await migrateLatest(database.db);
  const w = await FuzzWorld.create(database.db, { timeoutMs: args.timeoutMs });
  const routes = fuzzedRoutes(w.app).filter((r) => !args.routes || args.routes.test(r));
  if (!routes.length) throw new Error('no route matches --routes');

  const byStatus = new Map<number, number>();
  const reached = new Set<string>();
  const distinct = new Map<string, { count: number; examples: Outcome[] }>();
  let sent = 0;
  let corpusSent = 0;
  let hangs = 0;
  let fivexx = 0;
  let failing = 0;
  const failedRequests: unknown[] = [];

  const signature = (o: Outcome): string =>
    o.failures
      .map((f) => {
        const detail = f.kind === '5xx' ? f.detail.replace(/^\d+ /, '').replace(/\d+/g, 'N').slice(0, 160) : f.kind.startsWith('wrote') ? f.detail.replace(/^\d+, /, '') : f.detail.replace(/\d+ ms/, '').slice(0, 80);
        return `${f.kind} ${o.request.route} ${o.request.method} ${detail}`;
      })
      .join(' | ');

  const record = (o: Outcome, corpus: boolean) => {
    sent++;
    if (corpus) corpusSent++;
    const status = o.response.timedOut ? 0 : o.response.status;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (status >= 200 && status < 400 && o.request.method === o.request.route.split(' ')[0]) reached.add(o.request.route);
    if (o.response.timedOut) hangs++;
    if (status >= 500) fivexx++;
    if (!o.failures.length) return;
    failing++;
    const key = signature(o);
    const entry = distinct.get(key) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 2) entry.examples.push(o);
    distinct.set(key, entry);
    if (args.out) failedRequests.push({ failures: o.failures, request: o.request, corpus });
  };

  let stopping = false;
  process.once('SIGINT', () => {
    stopping = true;
    console.log('\n(interrupted: finishing the current request, then the report)');
  });

  for (const c of ALL_CASES) {
    for (const o of await c.run(w)) record(o, true);
  }
  console.log(`corpus: ${ALL_CASES.length} cases, ${corpusSent} requests, ${failing} failing`);

  const deadline = started + args.seconds * 1000;
  let batch = 0;
  let lastProgress = Date.now();
  while (!stopping && Date.now() < deadline) {
    // A batch of requests from its own seed (seed + batch number): the objects the requests name change as the run
    // goes on (fresh ones are made every 500 requests), so each batch is generated from the world as it is then.
    const requests = fc.sample(requestArb(routes, w), { seed: args.seed + batch, numRuns: 50 });
    for (const req of requests) {
      if (stopping || Date.now() >= deadline) break;
      const o = await execute(w, req);
      record(o, false);
      if (args.trace) console.log(`${o.response.status} ${o.request.route} ${o.request.role}/${o.request.auth} ${o.response.text.slice(0, 160).replace(/\s+/g, ' ')}${process.env.FUZZ_TRACE_REQ ? `\n    ${o.request.method} ${o.request.path.slice(0, 200)} ${JSON.stringify(o.wire.headers).slice(0, 300)} ${JSON.stringify(o.request.body).slice(0, 300)}` : ''}`);
      if (sent % 50 === 0) await w.ensureSessions();
      if (sent % 500 === 0) await w.refresh();
    }
    batch++;
    if (Date.now() - lastProgress > 30_000) {
      lastProgress = Date.now();
      console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${sent} requests, ${failing} failing (${distinct.size} distinct), 5xx ${fivexx}, hangs ${hangs}`);
    }
  }

  await w.ensureSessions();
  const verify: string[] = [];
  for (const path of ['/api/v1/admin/ledger/verify', '/api/v1/admin/audit/verify']) {
    const res = await w.client.send({ method: 'GET', path, headers: { authorization: w.identities.admin.token ?? '' } });
    const ok = res.status === 200 && (JSON.parse(res.text) as { ok?: boolean }).ok === true;
    verify.push(`${path}: ${ok ? 'ok' : `NOT OK ${res.status} ${res.text.slice(0, 300)}`}`);
    if (!ok) failing++;
  }
  const seconds = (Date.now() - started) / 1000;
  await w.close();
  await database.drop();

  const statuses = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? 'no answer' : s} ${n}`);
  console.log('');
  console.log(`engine            ${args.db}`);
  console.log(`seed              ${args.seed} (batch i was generated with seed ${args.seed} + i)`);
  console.log(`seconds           ${seconds.toFixed(1)}`);
  console.log(`requests sent     ${sent} (corpus ${corpusSent}, generated ${sent - corpusSent}; ${(sent / seconds).toFixed(1)}/s)`);
  console.log(`by status         ${statuses.join(', ')}`);
  console.log(`5xx               ${fivexx}`);
  console.log(`hangs             ${hangs}`);
  console.log(`failing requests  ${failing} (${distinct.size} distinct)`);
  console.log(`routes            ${routes.length}, ${reached.size} of them answered 2xx/3xx at least once`);
  const never = routes.filter((r) => !reached.has(r));
  if (never.length) console.log(`  never 2xx/3xx:  ${never.join(', ')}`);
  console.log(`tables compared   ${w.businessTables.join(', ')}`);
  for (const v of verify) console.log(`verify            ${v}`);
  if (w.repairs.length) console.log(`harness repairs   ${w.repairs.length} (${[...new Set(w.repairs)].join('; ')})`);
  let i = 0;
  for (const [key, { count, examples }] of [...distinct.entries()].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`\n── failure ${++i}/${distinct.size} (${count}×): ${key}`);
    for (const o of examples) console.log(describe(o));
  }
  if (args.out) {
    writeFileSync(args.out, JSON.stringify(failedRequests, null, 1));
    console.log(`\nfailing requests written to ${args.out}`);
  }
  return failing ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
