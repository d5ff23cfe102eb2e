/**
 * `npm run bench:ledger`: settled payments per second, measured three ways on SQLite with the app's own durability
 * setting (WAL, synchronous=FULL — src/db/connection.ts), and printed as ratios to the ceiling:
 *
 * - ceiling: the same machine's raw rate of committing a one-row INSERT transaction, sequentially, through the same
 *   driver and the same connection settings, into a file on the same disk;
 * - service: OrderService.act(…, 'pay') called directly, one payment after another (each one transaction: the
 *   order's state change, its history row, its audit record, the ledger settlement with its trade fact and rollups);
 * - HTTP: `POST /api/v1/orders/:id/pay` against the real server in a child process, with autocannon.
 *
 * After the rounds, a profiled pass (not part of the rates) breaks one payment, one group commit of CALLERS callers'
 * payments and one ceiling transaction down into their calls to the SQLite driver — how many, and the time from each
 * call to its answer — and the JavaScript time between them: where a payment's time goes.
 *
 * Orders are placed, confirmed, delivered and accepted beforehand (not timed). On a shared machine the disk's fsync
 * time swings from one minute to the next, so the ceiling and the service are measured in alternating rounds and the
 * ratio is the median of the rounds' ratios; the HTTP run sits between two ceiling measurements. Writes a markdown
 * table to bench/results/ledger.md. A benchmark, not a test: nothing fails on a slow machine.
 *
 * Knobs: BENCH_PAYMENTS (2000 in all, per measurement), BENCH_ROUNDS (5), BENCH_CONNECTIONS (8), BENCH_KEEP=1 keeps
 * the database files, BENCH_CPU_PROF=<dir> profiles the HTTP run's server, BENCH_ONLY=http runs only the HTTP run,
 * BENCH_ONLY=steps only the order steps (place, confirm, deliver, accept), BENCH_ROUNDS times.
 * `npm run bench:ledger -- --db postgres://user@host:port/database` runs everything on PostgreSQL (databases created
 * beside that one, dropped at the end) and writes bench/results/ledger-postgres.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import knexFactory from 'knex';
import { hashPassword } from '../src/auth/passwords';
import { SystemClock } from '../src/clock';
import { createDb, migrateLatest, type Db } from '../src/db';
import { BudgetService } from '../src/ledger/budgets';
import { Ledger } from '../src/ledger/service';
import { OrderService } from '../src/orders/service';
import type { Actor } from '../src/web/state';
import { startServer } from '../test/helpers/server';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 16);
const ROOT = path.resolve(__dirname, '..');
// The app's default database lives in data/; the bench files sit beside it, on the same disk.
const DIR = path.join(ROOT, 'data', 'bench-ledger');
const RESULTS = path.join(ROOT, 'bench', 'results');

interface Cast {
  buyer: Actor;
  seller: Actor;
  productId: number;
}

async function cast(db: Db): Promise<Cast> {
  const now = new Date().toISOString();
  const hash = await hashPassword('bench-password');
  const [unit] = await db('purchasers').insert({ name: '压测采购单位', credit_code: '12330100MB0000001X', city: '杭州', type: 'hospital', created_at: now }).returning('id');
  const [vendor] = await db('vendors').insert({ name: '压测供应商有限公司', credit_code: '91330100MA0000001X', city: '宁波', status: 'approved', created_at: now }).returning('id');
  const unitId = Number((unit as { id: number }).id ?? unit);
  const vendorId = Number((vendor as { id: number }).id ?? vendor);
  const user = async (username: string, role: Actor['role'], purchaserId: number | null, vendorId: number | null): Promise<Actor> => {
    const [row] = await db('users').insert({ username, password_hash: hash, role, purchaser_id: purchaserId, vendor_id: vendorId, display_name: username, created_at: now }).returning('id');
    return { id: Number((row as { id: number }).id ?? row), username, role, displayName: username, purchaserId, vendorId };
  };
  const buyer = await user('bench-buyer', 'purchaser', unitId, null);
  const seller = await user('bench-seller', 'vendor', null, vendorId);
  const admin = await user('bench-admin', 'admin', null, null);
  const [product] = await db('products')
    .insert({ vendor_id: vendorId, title: '压测商品', field: '智能装备', kind: 'equipment', city: '宁波', price_fen: 100_00, unit: '台', stock: 10_000_000, status: 'approved', boutique: true, created_at: now, updated_at: now })
    .returning('id');
  await new BudgetService(db, new SystemClock()).allocate(admin, { purchaserId: unitId, amountFen: 1_000_000_000_00 });
  return { buyer, seller, productId: Number((product as { id: number }).id ?? product) };
}

/** `n` orders walked to `accepted`, ready to be paid. */
async function acceptedOrders(db: Db, c: Cast, n: number): Promise<number[]> {
  const orders = new OrderService(db, new SystemClock());
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await orders.place(c.buyer, [{ productId: c.productId, quantity: 1 }]);
    await orders.act(c.seller, id, 'confirm');
    await orders.act(c.seller, id, 'deliver');
    await orders.act(c.buyer, id, 'accept');
    ids.push(id);
  }
  return ids;
}

/** `-- --db postgres://user@host:port/database`: the same runs on PostgreSQL, in databases created beside that one. */
const PG_URL = (() => {
  const i = process.argv.indexOf('--db');
  const url = i >= 0 ? process.argv[i + 1] : undefined;
  return url?.startsWith('postgres') ? url : undefined;
})();
const pgDatabases: string[] = [];

async function freshDb(name: string): Promise<{ db: Db; url: string }> {
  if (PG_URL) {
    const database = `bench_ledger_${name}_${Date.now().toString(36)}`;
    const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${database}`);
    await admin.destroy();
    pgDatabases.push(database);
    const u = new URL(PG_URL);
    u.pathname = `/${database}`;
    const db = createDb(u.toString());
    await migrateLatest(db);
    return { db, url: u.toString() };
  }
  const file = path.join(DIR, `${name}.sqlite3`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const url = `sqlite:${file}`;
  const db = createDb(url);
  await migrateLatest(db);
  return { db, url };
}

async function dropPgDatabases(): Promise<void> {
  if (!PG_URL || process.env.BENCH_KEEP === '1') return;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  for (const database of pgDatabases.splice(0)) await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.destroy();
}

/** The ceiling's own database: one table, one-row INSERT transactions. */
async function ceilingDb(): Promise<Db> {
  const { db } = await freshDb('ceiling');
  await db.schema.createTable('bench_ceiling', (t) => {
    t.increments('id');
    t.string('v', 64).notNullable();
  });
  return db;
}

/** `n` jobs by `callers` concurrent callers, each starting its next job when its last one is answered: jobs/s. */
async function rate(n: number, callers: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const caller = async () => {
    while (next < n) await job(next++);
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: callers }, caller));
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

let ceilingRows = 0;
const ceiling = (db: Db, n: number, callers = 1): Promise<number> =>
  rate(n, callers, () => db.transaction((trx) => trx('bench_ceiling').insert({ v: `row ${ceilingRows++}` })));

/** Time per call to the SQLite driver, by kind of statement, until `stop()`. */
interface DriverProfile {
  calls: Map<string, { n: number; ms: number }>;
  /** Puts the connection's own methods back. */
  stop: () => void;
}

/** `BEGIN`, `COMMIT`, `select orders`, `insert into trades`, `update ledger_accounts`… */
function statementKind(sql: string): string {
  const text = sql.replace(/[`"]/g, '').trim();
  const select = /^select\b.*?\bfrom\s+\(?\s*(?:select\b.*?\bfrom\s+)?(\w+)/is.exec(text);
  if (select) return `select ${select[1]}`;
  return /^(insert into \w+|update \w+|delete from \w+|\w+)/i.exec(text)?.[1] ?? text.slice(0, 30);
}

/** Wraps the connection's `all`/`run` (the two methods knex calls, after the statement cache) with a stopwatch. */
async function profileDriver(db: Db): Promise<DriverProfile> {
  type Method = (sql: string, ...rest: unknown[]) => unknown;
  const calls = new Map<string, { n: number; ms: number }>();
  const conn = (await db.client.acquireConnection()) as Record<'all' | 'run', Method>;
  db.client.releaseConnection(conn);
  const originals = { all: conn.all, run: conn.run };
  for (const method of ['all', 'run'] as const) {
    const original = originals[method].bind(conn);
    conn[method] = (sql: string, ...rest: unknown[]) => {
      const callback = rest.pop() as (this: unknown, ...a: unknown[]) => void;
      const started = process.hrtime.bigint();
      return original(sql, ...rest, function (this: unknown, ...a: unknown[]) {
        const kind = statementKind(sql);
        const c = calls.get(kind) ?? { n: 0, ms: 0 };
        c.n++;
        c.ms += Number(process.hrtime.bigint() - started) / 1e6;
        calls.set(kind, c);
        return callback.apply(this, a);
      });
    };
  }
  return { calls, stop: () => Object.assign(conn, originals) };
}

interface Breakdown {
  /** Per transaction: driver calls, their total time, the COMMIT's share, and the rest (JavaScript, event loop). */
  calls: number;
  totalMs: number;
  driverMs: number;
  commitMs: number;
  byKind: Array<[string, number]>;
}

/**
 * Runs `work` n times (one caller after another, or `callers` at once) under the driver profile, and gives the times
 * per transaction: divided by n, or by `divisor()` (the number of commits a concurrent pass made).
 */
async function breakdown(db: Db, n: number, work: (i: number) => Promise<unknown>, callers = 1, divisor?: () => number): Promise<Breakdown> {
  const profile = await profileDriver(db);
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < n) await work(next++);
  }));
  profile.stop();
  const transactions = divisor ? divisor() : n;
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6 / transactions;
  const all = [...profile.calls];
  const per = (ms: number) => ms / transactions;
  return {
    calls: all.reduce((s, [, c]) => s + c.n, 0) / transactions,
    totalMs,
    driverMs: per(all.reduce((s, [, c]) => s + c.ms, 0)),
    commitMs: per(profile.calls.get('COMMIT')?.ms ?? 0),
    byKind: all.sort((a, b) => b[1].ms - a[1].ms).map(([k, c]) => [k, per(c.ms)]),
  };
}

const PROFILED = Number(process.env.BENCH_PROFILED ?? 300);

interface Round {
  ceiling: number;
  service: number;
  /** The same with CALLERS concurrent callers (the ceiling's commits still one at a time: SQLite has one writer). */
  ceilingConcurrent: number;
  serviceConcurrent: number;
  /** Payments per commit in the concurrent run (group commit). */
  perBatch: number;
}

/** Payments through the service, in rounds alternating with the ceiling: each round's rates and their ratio. */
async function serviceRounds(
  top: Db,
): Promise<{ rounds: Round[]; verified: boolean; payment: Breakdown | null; batch: Breakdown | null; commit: Breakdown | null; fallbacks: number }> {
  const { db } = await freshDb('service');
  const c = await cast(db);
  const ids = await acceptedOrders(db, c, 2 * PAYMENTS + 2 * PROFILED);
  const profiled = ids.splice(2 * PAYMENTS);
  const grouped = profiled.splice(PROFILED);
  const orders = new OrderService(db, new SystemClock());
  const queue = orders.payments;
  if (!queue) throw new Error('no payments queue');
  const per = Math.ceil(PAYMENTS / ROUNDS);
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const chunk = ids.slice(2 * r * per, (2 * r + 1) * per);
    const together = ids.slice((2 * r + 1) * per, (2 * r + 2) * per);
    if (!chunk.length || !together.length) break;
    const ceilingRate = await ceiling(top, chunk.length);
    const service = await rate(chunk.length, 1, (i) => orders.act(c.buyer, chunk[i], 'pay'));
    const ceilingConcurrent = await ceiling(top, together.length, CALLERS);
    const before = { ...queue.stats };
    const serviceConcurrent = await rate(together.length, CALLERS, (i) => orders.act(c.buyer, together[i], 'pay'));
    const batches = queue.stats.batches - before.batches;
    const batched = queue.stats.batched - before.batched;
    // Payments that ran alone (the first of a burst, fallbacks) count as batches of one.
    const alone = together.length - batched;
    rounds.push({ ceiling: ceilingRate, service, ceilingConcurrent, serviceConcurrent, perBatch: together.length / (batches + alone) });
  }
  // The driver profile wraps the sqlite3 connection's methods: on PostgreSQL the profiled transactions just run.
  const payment = PG_URL ? null : await breakdown(db, profiled.length, (i) => orders.act(c.buyer, profiled[i], 'pay'));
  const commit = PG_URL ? null : await breakdown(top, profiled.length, () => top.transaction((trx) => trx('bench_ceiling').insert({ v: `row ${ceilingRows++}` })));
  // The same for a group commit's batch: CALLERS callers at once, divided by the commits they made.
  const before = { ...queue.stats };
  const commits = () => queue.stats.batches - before.batches + grouped.length - (queue.stats.batched - before.batched);
  const batch = PG_URL ? null : await breakdown(db, grouped.length, (i) => orders.act(c.buyer, grouped[i], 'pay'), CALLERS, commits);
  if (PG_URL) for (const id of [...profiled, ...grouped]) await orders.act(c.buyer, id, 'pay');
  const verified = (await new Ledger(new SystemClock()).verify(db)).ok && (await db('orders').where({ status: 'paid' }).count({ n: '*' }).first())?.n === ids.length + profiled.length + grouped.length;
  await db.destroy();
  return { rounds, verified, payment, batch, commit, fallbacks: queue.stats.fallbacks };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const STEP_ORDERS = Number(process.env.BENCH_STEP_ORDERS ?? 500);

/**
 * The other order writes (issue 19 target 3): CALLERS callers each placing an order and taking it through confirm,
 * deliver and accept (four writes, each group-committed: placing with its own queue, the three steps with theirs),
 * STEP_ORDERS orders in all, beside the ceiling's CALLERS callers just before: writes/s and the ratio.
 */
async function orderSteps(top: Db): Promise<{ rate: number; ceiling: number; ok: boolean }> {
  const { db } = await freshDb('steps');
  const c = await cast(db);
  const orders = new OrderService(db, new SystemClock());
  const ceilingRate = await ceiling(top, 4 * STEP_ORDERS, CALLERS);
  const placed: number[] = [];
  const orderRate = await rate(STEP_ORDERS, CALLERS, async () => {
    const { id } = await orders.place(c.buyer, [{ productId: c.productId, quantity: 1 }]);
    await orders.act(c.seller, id, 'confirm');
    await orders.act(c.seller, id, 'deliver');
    await orders.act(c.buyer, id, 'accept');
    placed.push(id);
  });
  const accepted = Number((await db('orders').where({ status: 'accepted' }).count({ n: '*' }).first())?.n ?? 0);
  console.log(`  ${STEP_ORDERS} orders in ${(STEP_ORDERS / orderRate).toFixed(2)} s; placing ${JSON.stringify(orders.placements.stats)}; steps ${JSON.stringify(orders.steps.stats)}`);
  await db.destroy();
  return { rate: 4 * orderRate, ceiling: ceilingRate, ok: accepted === STEP_ORDERS && placed.length === STEP_ORDERS };
}

/**
 * autocannon with `amount`: the requests, and the seconds from the start to the last answer by our own clock.
 * autocannon's own `duration` is taken at its next one-second tick after the last answer, so a run of 2.2 s reported
 * 3.01 s — the HTTP rate came out as `amount` / a whole number of seconds (664/s for 2,000 payments, whatever the
 * server did).
 */
function hammerAll(opts: autocannon.Options): Promise<{ result: autocannon.Result; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    const instance = autocannon(opts, (err, result) => (err ? reject(err as Error) : resolve({ result, seconds: (last - started) / 1000 })));
    instance.on('response', () => (last = performance.now()));
  });
}

async function http(): Promise<{ rate: number; p50: number; p99: number; ok: number; verified: boolean }> {
  const { db, url } = await freshDb('http');
  const c = await cast(db);
  const ids = await acceptedOrders(db, c, PAYMENTS);
  await db.destroy();
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const prof = process.env.BENCH_CPU_PROF;
  const server = await startServer({ entry: 'scripts/start.mjs', databaseUrl: url, env: { LOG_LEVEL: 'warn' }, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [] });
  try {
    const login = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench-buyer', password: 'bench-password' }),
    });
    const { token } = (await login.json()) as { token: string };
    let next = 0;
    const { result, seconds } = await hammerAll({
      url: server.url,
      connections: CONNECTIONS,
      amount: ids.length,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [{ method: 'POST', body: '{}', setupRequest: (req) => ({ ...req, path: `/api/v1/orders/${ids[next++ % ids.length]}/pay` }) }],
    });
    const check = createDb(url);
    const verified = (await new Ledger(new SystemClock()).verify(check)).ok;
    const paid = await check('orders').where({ status: 'paid' }).count({ n: '*' }).first();
    await check.destroy();
    return { rate: result['2xx'] / seconds, p50: result.latency.p50, p99: result.latency.p99, ok: Number(paid?.n ?? 0), verified };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  console.log(`bench:ledger — ${PAYMENTS} payments per measurement in ${ROUNDS} rounds, ${PG_URL ? 'PostgreSQL' : 'SQLite WAL + synchronous=FULL'}, ${os.cpus().length} CPUs (load ${os.loadavg()[0].toFixed(2)})`);
  if (process.env.BENCH_ONLY === 'http') {
    const api = await http();
    console.log(`HTTP only: ${api.rate.toFixed(0)} payments/s (p50 ${api.p50} ms, p99 ${api.p99} ms), ${api.ok} paid, ledger verifies: ${api.verified}`);
    rmSync(DIR, { recursive: true, force: true });
    await dropPgDatabases();
    return;
  }
  const top = await ceilingDb();
  if (process.env.BENCH_ONLY === 'steps') {
    for (let round = 1; round <= ROUNDS; round++) {
      const steps = await orderSteps(top);
      console.log(`order steps, round ${round}: ${steps.rate.toFixed(0)} writes/s (${CALLERS} callers; ceiling of ${CALLERS} callers just before ${steps.ceiling.toFixed(0)} commits/s), every order accepted: ${steps.ok}`);
    }
    await top.destroy();
    rmSync(DIR, { recursive: true, force: true });
    await dropPgDatabases();
    return;
  }
  const svc = await serviceRounds(top);
  for (const [i, r] of svc.rounds.entries()) {
    console.log(
      `round ${i + 1}: ceiling ${r.ceiling.toFixed(0)} commits/s, service ${r.service.toFixed(0)} payments/s → ${((r.service / r.ceiling) * 100).toFixed(1)}%; ` +
        `${CALLERS} callers: ceiling ${r.ceilingConcurrent.toFixed(0)}, service ${r.serviceConcurrent.toFixed(0)} (${r.perBatch.toFixed(1)} per commit) → ${((r.serviceConcurrent / r.ceilingConcurrent) * 100).toFixed(1)}%`,
    );
  }
  const steps = await orderSteps(top);
  const ceilingBefore = await ceiling(top, 500);
  const api = await http();
  const ceilingAfter = await ceiling(top, 500);
  await top.destroy();
  const ceilingMedian = median([...svc.rounds.map((r) => r.ceiling), ceilingBefore, ceilingAfter]);
  const serviceMedian = median(svc.rounds.map((r) => r.service));
  const serviceRatio = median(svc.rounds.map((r) => r.service / r.ceiling));
  const ceilingConcurrent = median(svc.rounds.map((r) => r.ceilingConcurrent));
  const serviceConcurrent = median(svc.rounds.map((r) => r.serviceConcurrent));
  const concurrentRatio = median(svc.rounds.map((r) => r.serviceConcurrent / r.ceilingConcurrent));
  const perBatch = median(svc.rounds.map((r) => r.perBatch));
  const httpRatio = api.rate / ((ceilingBefore + ceilingAfter) / 2);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ms = (x: number) => x.toFixed(3);
  // Statements sent side by side (src/db/concurrently.ts) overlap: their times then add up to more than the total,
  // and the JavaScript between calls cannot be told apart ('—').
  const row = (name: string, b: Breakdown) =>
    `| ${name} | ${ms(b.totalMs)} | ${b.calls.toFixed(0)} | ${ms(b.driverMs)} | ${ms(b.commitMs)} | ${ms(b.driverMs - b.commitMs)} | ${b.totalMs >= b.driverMs ? ms(b.totalMs - b.driverMs) : '—'} |`;
  console.log(`HTTP: ${api.rate.toFixed(0)} payments/s (ceiling around it ${ceilingBefore.toFixed(0)} / ${ceilingAfter.toFixed(0)} commits/s)`);
  const table = [
    `# bench:ledger — ${new Date().toISOString()}`,
    '',
    `${PG_URL ? 'PostgreSQL (the server\'s own durability settings)' : 'SQLite, journal_mode=WAL, synchronous=FULL (the app\'s setting)'}; ${PAYMENTS} payments through the service in ${ROUNDS} rounds alternating with the ceiling, ${PAYMENTS} through HTTP; ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)} at the end.`,
    '',
    '| measurement | per second (median) | vs ceiling |',
    '|---|---:|---:|',
    `| ceiling: commit a one-row INSERT transaction | ${ceilingMedian.toFixed(0)} | 100% |`,
    `| service: OrderService.act(pay), sequential | ${serviceMedian.toFixed(0)} | ${pct(serviceRatio)} (median of the rounds' ratios) |`,
    `| ceiling, ${CALLERS} concurrent callers | ${ceilingConcurrent.toFixed(0)} | 100% |`,
    `| service, ${CALLERS} concurrent callers (group commit: ${perBatch.toFixed(1)} payments per commit) | ${serviceConcurrent.toFixed(0)} | ${pct(concurrentRatio)} (median of the rounds' ratios) |`,
    `| HTTP: POST /api/v1/orders/:id/pay, ${CONNECTIONS} connections (p50 ${api.p50} ms, p99 ${api.p99} ms) | ${api.rate.toFixed(0)} | ${pct(httpRatio)} (vs the ceiling measured around it) |`,
    `| service, ${CALLERS} callers: place, confirm, deliver, accept (writes, each group-committed) | ${steps.rate.toFixed(0)} | ${pct(steps.rate / steps.ceiling)} (vs ${steps.ceiling.toFixed(0)} commits/s of ${CALLERS} callers just before) |`,
    '',
    `Rounds (ceiling commits/s → service payments/s): ${svc.rounds.map((r) => `${r.ceiling.toFixed(0)} → ${r.service.toFixed(0)}`).join('; ')}.`,
    `With ${CALLERS} callers: ${svc.rounds.map((r) => `${r.ceilingConcurrent.toFixed(0)} → ${r.serviceConcurrent.toFixed(0)}`).join('; ')}.`,
    '',
    `Where the time goes (a profiled pass of ${PROFILED} transactions each, after the rounds; ms per transaction; a driver call's time runs from the call to its answer; a payment's independent writes are sent side by side, so their times overlap and may add up to more than the total):`,
    '',
    '| transaction | total | driver calls | in the driver | of which COMMIT | other calls | JavaScript between calls |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...(svc.payment && svc.commit && svc.batch
      ? [
          row('payment (OrderService.act pay)', svc.payment),
          row(`a batch of ${CALLERS} callers' payments (per commit)`, svc.batch),
          row('ceiling (one-row INSERT)', svc.commit),
          '',
          `A payment's calls, ms each: ${svc.payment.byKind.map(([k, v]) => `${k} ${ms(v)}`).join('; ')}.`,
          '',
          `A batch's calls, ms per commit: ${svc.batch.byKind.map(([k, v]) => `${k} ${ms(v)}`).join('; ')}.`,
        ]
      : ['| (the driver profile is taken on SQLite only) | | | | | | |']),
    '',
    `Target: service ≥ 50% of the ceiling. Ledger verified after the service run: ${svc.verified}; after the HTTP run: ${api.verified} (${api.ok} orders paid). Order steps: every order accepted: ${steps.ok}. Batches redone payment by payment: ${svc.fallbacks}.`,
    '',
  ].join('\n');
  writeFileSync(path.join(RESULTS, PG_URL ? 'ledger-postgres.md' : 'ledger.md'), table);
  console.log(`\n${table}`);
  if (process.env.BENCH_KEEP !== '1') rmSync(DIR, { recursive: true, force: true });
  await dropPgDatabases();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await dropPgDatabases().catch(() => undefined);
  process.exit(1);
});
