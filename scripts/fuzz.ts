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
 * per request: status, route, caller, the answer's beginning), --concurrency N (send N requests at once: every check
 * but "nothing written", which cannot tell whose write it saw; default 1), --inflight FILE (where the last requests
 * sent are written before each send, default in the temporary directory).
 *
 * The app runs in this process, so a request that blocks its event loop (an endless loop) would block the run too:
 * a watchdog thread notices when the loop has not turned for 20 s, prints that and the file of the requests in
 * flight and of a diagnostic report with the main thread's JavaScript stack, and kills the process (SIGKILL). If V8
 * itself gives up (an array grown past its limit), the in-flight file is there too.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

interface Args {
  seconds: number;
  db: 'sqlite' | 'postgres';
  seed: number;
  timeoutMs: number;
  routes: RegExp | null;
  out: string | null;
  trace: boolean;
  concurrency: number;
  inflight: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 60, db: 'sqlite', seed: Date.now() % 2_147_483_647, timeoutMs: 10_000, routes: null, out: null, trace: false, concurrency: 1, inflight: path.join(os.tmpdir(), `fuzz-inflight-${process.pid}.json`) };
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
      case '--concurrency':
        args.concurrency = Number(value());
        break;
      case '--inflight':
        args.inflight = value();
        break;
      case '--trace':
        args.trace = true;
        break;
      case '--help':
        console.log('npm run fuzz -- [--minutes N | --seconds N] [--db sqlite|postgres] [--seed N] [--timeout-ms N] [--routes REGEX] [--out FILE] [--trace] [--concurrency N] [--inflight FILE]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag} (try --help)`);
    }
  }
  if (!(args.seconds > 0)) throw new Error('--minutes/--seconds: expected a positive number');
  if (!Number.isInteger(args.seed)) throw new Error('--seed: expected an integer');
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 64) throw new Error('--concurrency: expected 1 to 64');
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
  const { execute, executeMany, describe } = await import('../test/fuzz/harness');
  const { ALL_CASES } = await import('../test/fuzz/corpus');
  type Outcome = Awaited<ReturnType<typeof execute>>;

  const started = Date.now();
  const watchdog = startWatchdog(args.inflight);
  console.log(`fuzz: ${args.db}, ${args.seconds} s, seed ${args.seed}, hang after ${args.timeoutMs} ms${args.concurrency > 1 ? `, ${args.concurrency} requests at a time (no write check)` : ''}`);
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

  /** What makes two failures the same defect: for most kinds the route and the cause; an oversized header is one
   * defect whichever page sent it (the header and the status name it). */
  const signature = (o: Outcome): string =>
    o.failures
      .map((f) => {
        if (f.kind === 'oversized-header') return `${f.kind} ${f.detail.replace(/ with \d+ bytes of headers; /, ' ').replace(/: \d+ characters.*$/, '')}`;
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
    writeFileSync(args.inflight, JSON.stringify({ corpus: c.name }));
    for (const o of await c.run(w)) record(o, true);
  }
  console.log(`corpus: ${ALL_CASES.length} cases, ${corpusSent} requests, ${failing} failing`);

  const deadline = started + args.seconds * 1000;
  const recent: unknown[][] = [];
  let batch = 0;
  let lastProgress = Date.now();
  while (!stopping && Date.now() < deadline) {
    // A batch of requests from its own seed (seed + batch number): the objects the requests name change as the run
    // goes on (fresh ones are made every 500 requests), so each batch is generated from the world as it is then.
    const requests = fc.sample(requestArb(routes, w), { seed: args.seed + batch, numRuns: 50 });
    for (let i = 0; i < requests.length && !stopping && Date.now() < deadline; i += args.concurrency) {
      const group = requests.slice(i, i + args.concurrency);
      // The last four groups: work a request started may go on after its answer (a streamed export, a batch).
      recent.push(group);
      if (recent.length > 4) recent.shift();
      writeFileSync(args.inflight, JSON.stringify(recent, null, 1));
      const outcomes = args.concurrency === 1 ? [await execute(w, group[0])] : await executeMany(w, group);
      for (const o of outcomes) {
        record(o, false);
        if (args.trace) console.log(`${o.response.status} ${o.request.route} ${o.request.role}/${o.request.auth} ${o.response.text.slice(0, 160).replace(/\s+/g, ' ')}${process.env.FUZZ_TRACE_REQ ? `\n    ${o.request.method} ${o.request.path.slice(0, 200)} ${JSON.stringify(o.wire.headers).slice(0, 300)} ${JSON.stringify(o.request.body).slice(0, 300)}` : ''}`);
      }
      if (Math.floor(sent / 50) !== Math.floor((sent - outcomes.length) / 50)) await w.ensureSessions();
      if (Math.floor(sent / 500) !== Math.floor((sent - outcomes.length) / 500)) await w.refresh();
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
  await watchdog.terminate();
  await w.close();
  await database.drop();

  const statuses = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? 'no answer' : s} ${n}`);
  console.log('');
  console.log(`engine            ${args.db}`);
  console.log(`seed              ${args.seed} (batch i was generated with seed ${args.seed} + i)`);
  console.log(`seconds           ${seconds.toFixed(1)}`);
  console.log(`in flight file    ${args.inflight} (the last requests sent)`);
  console.log(`concurrency       ${args.concurrency}${args.concurrency > 1 ? ' (nothing-written check off)' : ''}`);
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

/**
 * A thread that ends the process when the main event loop stops turning for 20 s (an endless loop in a request):
 * it cannot be reported from the main thread, which is the one stuck.
 */
function startWatchdog(inflight: string): Worker {
  // A diagnostic report on SIGUSR2 carries the main thread's JavaScript stack: where it is stuck.
  const report = path.join(os.tmpdir(), `fuzz-blocked-${process.pid}.json`);
  if (process.report) {
    process.report.directory = path.dirname(report);
    process.report.filename = path.basename(report);
    process.report.signal = 'SIGUSR2';
    process.report.reportOnSignal = true;
  }
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    let last = Date.now();
    let asked = 0;
    parentPort.on('message', () => { last = Date.now(); });
    setInterval(() => {
      if (Date.now() - last < 20000) return;
      if (!asked) {
        asked = Date.now();
        process.kill(process.pid, 'SIGUSR2');
        return;
      }
      if (Date.now() - asked < 5000) return;
      writeSync(2, '\\nfuzz: the event loop has not turned for 20 s: a request blocks it (an endless loop?). The requests in flight: ' + workerData.inflight + '; where the main thread was: ' + workerData.report + ' (javascriptStack)\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 1000);
  `;
  const worker = new Worker(code, { eval: true, workerData: { inflight, report } });
  const beat = setInterval(() => worker.postMessage(0), 1000);
  worker.on('exit', () => clearInterval(beat));
  worker.unref();
  return worker;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
