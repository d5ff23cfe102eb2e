/**
 * `npm test`: the whole suite — typecheck and lint, then the tests on SQLite and on PostgreSQL.
 *
 * Each engine's files are split into TEST_CHUNKS parts (default: half the machine's cores, at least one) of about
 * equal time, by the time each file took when last measured (test/durations.json; a file not in it counts as its
 * tier's median), and the parts of both engines run TEST_JOBS at a time (default: the machine's cores), each in a
 * process of its own, PostgreSQL's first — on two cores, the two passes side by side; on more, the cores stay busy
 * to the end instead of one engine's pass finishing minutes after the other. The parts of an
 * engine share the run's templates (the migrated database, the demo data — loaded once an engine,
 * test/helpers/db.ts `sharedTemplateOf`), dropped at the end, and axe's verdicts on identical pages
 * (test/helpers/browser.ts `runAxe`). One part prints as it goes, the others' output is held and printed whole when
 * the one printing is over. Typecheck and lint run side by side first. The exit code is non-zero when any part
 * fails; the summary at the end says which, and repeats what each failed part said of its failures, then how long
 * each part took. TEST_SEQUENTIAL=1 runs everything one after another, one process an engine (as `npm run typecheck
 * && npm run lint && npm run test:sqlite && npm run test:pg` would). TEST_DURATIONS_UPDATE=1 rewrites
 * test/durations.json from the run's times.
 *
 * When no PostgreSQL answers at the configured address, `npm run test:pg` starts a throwaway one of its own
 * (scripts/test-pg.ts); the PostgreSQL files then run in that one process.
 *
 * The typecheck is tsc's build into dist-test-run/ (`npm run build:test`): the passes then start the servers they
 * test from it (TEST_BUILD, test/helpers/server.ts `entryArgs`) — plain node starts them in about two thirds of the
 * time tsx takes, some thirty times a pass. The directory is removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropSharedTemplates } from '../test/helpers/db';
import { DEFAULT_PG_URL, probePostgres } from '../test/helpers/pg-server';
import { split, testFiles } from '../test/helpers/shards';

interface Part {
  name: string;
  /** An npm script and its arguments (`npm run --silent …`), or a command of its own. */
  args?: string[];
  command?: string[];
  env?: Record<string, string>;
}

const ROOT = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const running = new Set<ChildProcess>();

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    for (const child of running) child.kill(sig);
  });
}

/** Each part's whole output, kept so that the end of the run can repeat what failed (see `failures`). */
const outputs = new Map<string, Buffer[]>();

/** How long each part took, in seconds, by name. */
const took = new Map<string, number>();

/** Starts a part; its output is held until `release` is called, then goes straight out. */
function run(part: Part): { done: Promise<number>; release: () => void } {
  const started = Date.now();
  const [cmd, ...args] = part.command ?? [npm, 'run', '--silent', ...(part.args ?? [])];
  const child = spawn(cmd!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...part.env } });
  running.add(child);
  let held: Array<[NodeJS.WriteStream, Buffer]> = [];
  let streaming = false;
  const kept: Buffer[] = [];
  outputs.set(part.name, kept);
  const out = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    kept.push(chunk);
    if (streaming) stream.write(chunk);
    else held.push([stream, chunk]);
  };
  child.stdout?.on('data', out(process.stdout));
  child.stderr?.on('data', out(process.stderr));
  const done = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.once('error', (err) => {
      process.stderr.write(`${part.name}: ${err.message}\n`);
      resolve(1);
    });
  }).then((code) => {
    took.set(part.name, (Date.now() - started) / 1000);
    return code;
  });
  return {
    done,
    release() {
      if (streaming) return;
      process.stdout.write(`\n=== ${part.name} ===\n`);
      for (const [stream, chunk] of held) stream.write(chunk);
      held = [];
      streaming = true;
    },
  };
}

/**
 * Runs the parts `slots` at a time, in the order given, each as soon as a slot is free. One part prints as it goes;
 * the others' output is held and printed when the one printing is over — a finished part's whole, else a running
 * one's so far, then live. Returns each part's exit code, in the order given.
 */
async function pool(parts: Part[], slots: number): Promise<Array<[string, number]>> {
  interface Started {
    part: Part;
    run: ReturnType<typeof run>;
    finished: boolean;
  }
  const queue = [...parts];
  const started: Started[] = [];
  const printed = new Set<Started>();
  let printer: Started | undefined;
  const codes = new Map<string, number>();
  const choosePrinter = () => {
    while (!printer || printer.finished) {
      if (printer) printed.add(printer);
      printer = started.find((s) => s.finished && !printed.has(s)) ?? started.find((s) => !printed.has(s));
      if (!printer) return;
      printer.run.release();
    }
  };
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const entry: Started = { part, run: run(part), finished: false };
      started.push(entry);
      choosePrinter();
      codes.set(part.name, await entry.run.done);
      entry.finished = true;
      choosePrinter();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, slots) }, worker));
  return parts.map((p) => [p.name, codes.get(p.name) ?? 1]);
}

/**
 * What a failed part said about its failures: mocha's "N failing" section (each failed test's title and error), or,
 * when there is none (a typecheck, a lint, a pass that stopped early), its last lines. The two passes run side by side
 * and the PostgreSQL one prints last, so without this the reason the SQLite pass failed would be a long way up.
 */
function failures(name: string): string {
  // eslint-disable-next-line no-control-regex
  const text = Buffer.concat(outputs.get(name) ?? []).toString('utf8').replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s*\d+ failing\s*$/.test(line));
  const shown = start >= 0 ? lines.slice(start) : lines.slice(-40);
  const LIMIT = 400;
  return shown.length > LIMIT ? [...shown.slice(0, LIMIT), `… (${shown.length - LIMIT} more lines above in this log)`].join('\n') : shown.join('\n');
}

/** Where `npm run build:test` writes (package.json), relative to the project root. */
const BUILD = 'dist-test-run';

const DURATIONS = path.join(ROOT, 'test', 'durations.json');
const REPORTER = path.join(ROOT, 'test', 'helpers', 'file-times-reporter.ts');

/** test/durations.json: each test file's seconds on each engine, when last measured. */
type Durations = Record<string, { sqlite?: number; postgres?: number }>;

function readDurations(): Durations {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8')) as Durations;
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  rmSync(path.join(ROOT, BUILD), { recursive: true, force: true });
  const results: Array<[string, number]> = [];
  const sequential = process.env.TEST_SEQUENTIAL === '1';
  results.push(
    ...(await pool(
      [
        { name: 'typecheck (npm run build:test)', args: ['build:test'] },
        { name: 'lint', args: ['lint'] },
      ],
      sequential ? 1 : 2,
    )),
  );
  // A suite run on code that does not compile or lint would only repeat the same failure at length.
  const shared = mkdtempSync(path.join(os.tmpdir(), 'fum-run-'));
  try {
    if (results.every(([, code]) => code === 0)) {
      process.env.TEST_BUILD = BUILD;
      /** Each part's file of times (test/helpers/file-times-reporter.ts), and its engine. */
      const timesOf = new Map<string, 'sqlite' | 'postgres'>();
      const slots = sequential ? 1 : Math.max(1, Number.parseInt(process.env.TEST_JOBS ?? String(os.availableParallelism()), 10) || 1);
      // One process a core: on two cores, one an engine (more parts cost more than their better balance saves there:
      // docs/benchmarks.md, "The test suite's time").
      const chunks = sequential ? 1 : Math.max(1, Number.parseInt(process.env.TEST_CHUNKS ?? String(Math.floor(slots / 2)), 10) || 1);
      // The PostgreSQL files share one server, and so its templates, only when it is the configured one: a throwaway
      // server (scripts/test-pg.ts, when none answers) is one process's own.
      const pgUrl = process.env.TEST_PG_URL || DEFAULT_PG_URL;
      const pgShared = (await probePostgres(pgUrl)).ok;
      const seconds = readDurations();
      // axe's verdicts on the pages the browser tests check, shared by the run's processes (test/helpers/browser.ts).
      const axe = path.join(shared, 'axe');
      mkdirSync(axe);
      const files = testFiles(ROOT);
      const byEngine: Part[][] = [];
      const engines = [
        { engine: 'PostgreSQL', key: 'postgres', n: pgShared ? chunks : 1, script: 'test:pg' },
        { engine: 'SQLite', key: 'sqlite', n: chunks, script: 'test:sqlite' },
      ] as const;
      for (const { engine, key, n, script } of engines) {
        const weights = Object.fromEntries(Object.entries(seconds).flatMap(([f, t]) => (t[key] === undefined ? [] : [[f, t[key]]])));
        const shares = split(files, n, weights);
        const parts: Part[] = [];
        byEngine.push(parts);
        for (const [i, share] of shares.entries()) {
          const times = path.join(shared, `times-${key}-${i + 1}.json`);
          const name = `tests on ${engine}${shares.length > 1 ? `, part ${i + 1} of ${shares.length} (${share.length} files)` : ''} (npm run ${script})`;
          timesOf.set(times, key);
          const env: Record<string, string> = { TEST_FILE_TIMES: times, TEST_AXE_VERDICTS: axe, ...(key === 'sqlite' || pgShared ? { TEST_SHARED_TEMPLATES: shared } : {}) };
          const reporter = `--reporter=${REPORTER}`;
          parts.push(
            key === 'sqlite'
              ? { name, command: [process.execPath, require.resolve('mocha/bin/mocha.js'), ...share, reporter], env: { ...env, TEST_DB: 'sqlite' } }
              : { name, args: [script, '--', ...share, reporter], env: pgShared ? { ...env, TEST_PG_URL: pgUrl } : env },
          );
        }
      }
      // The engines' parts alternate, PostgreSQL's (the longer) first.
      const parts = Array.from({ length: Math.max(...byEngine.map((p) => p.length)) }, (_, i) => byEngine.map((p) => p[i])).flat().filter((p): p is Part => p !== undefined);
      results.push(...(await pool(parts, slots)));
      if (process.env.TEST_DURATIONS_UPDATE === '1') writeDurations(timesOf);
      const checked = readdirSync(axe).filter((f) => f.endsWith('.json')).length;
      const reused = existsSync(path.join(axe, 'reused.log')) ? readFileSync(path.join(axe, 'reused.log'), 'utf8').split('\n').filter(Boolean).length : 0;
      process.stdout.write(`\naxe: ${checked} pages checked, ${reused} checks answered by the verdict on the same page in another part\n`);
    }
  } finally {
    for (const problem of await dropSharedTemplates(shared).catch((err: Error) => [err.message])) process.stderr.write(`dropping a shared template: ${problem}\n`);
    rmSync(shared, { recursive: true, force: true });
    rmSync(path.join(ROOT, BUILD), { recursive: true, force: true });
  }
  for (const [name, code] of results) {
    if (code !== 0) process.stdout.write(`\n=== what failed in ${name} ===\n${failures(name).trimEnd()}\n`);
  }
  process.stdout.write('\n');
  for (const [name, code] of results) process.stdout.write(`${code === 0 ? 'passed' : 'FAILED'}: ${name}${took.has(name) ? ` — ${took.get(name)!.toFixed(0)} s` : ''}\n`);
  return results.every(([, code]) => code === 0) ? 0 : 1;
}

/** test/durations.json from this run's times (what `split` weighs), a line a file. */
function writeDurations(timesOf: Map<string, 'sqlite' | 'postgres'>): void {
  const all: Durations = {};
  for (const [file, engine] of timesOf) {
    if (!existsSync(file)) continue;
    for (const [test, s] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>)) (all[test] ??= {})[engine] = Math.round(s * 10) / 10;
  }
  const lines = Object.keys(all)
    .sort()
    .map((f) => `  ${JSON.stringify(f)}: { "sqlite": ${all[f]!.sqlite ?? 0}, "postgres": ${all[f]!.postgres ?? 0} }`);
  writeFileSync(DURATIONS, `{\n${lines.join(',\n')}\n}\n`);
  process.stdout.write(`test/durations.json: ${lines.length} files' times written\n`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
