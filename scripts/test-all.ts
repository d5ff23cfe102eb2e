/**
 * `npm test`: the whole suite — typecheck and lint, then the tests on SQLite and on PostgreSQL.
 *
 * The two engines' passes are independent (each test makes its own databases) and spend much of their time waiting
 * on a database, so they run side by side: the SQLite pass prints as it goes, the PostgreSQL pass's output is held
 * and printed when the SQLite pass is over (then live). Typecheck and lint also run side by side. The exit code is
 * non-zero when any part fails; the summary at the end says which, and repeats what each failed part said of its
 * failures. TEST_SEQUENTIAL=1 runs everything one after another (as `npm run typecheck && npm run lint && npm run
 * test:sqlite && npm run test:pg` would).
 *
 * The typecheck is tsc's build into dist-test-run/ (`npm run build:test`): the passes then start the servers they
 * test from it (TEST_BUILD, test/helpers/server.ts `entryArgs`) — plain node starts them in about two thirds of the
 * time tsx takes, some thirty times a pass. The directory is removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

interface Part {
  name: string;
  args: string[];
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

/** Runs a part; `live` says whether its output goes straight out or is held until `release` is called. */
function run(part: Part, live: boolean): { done: Promise<number>; release: () => void } {
  const child = spawn(npm, ['run', '--silent', ...part.args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  running.add(child);
  let held: Array<[NodeJS.WriteStream, Buffer]> = [];
  let streaming = live;
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

async function together(parts: Part[]): Promise<Array<[string, number]>> {
  if (process.env.TEST_SEQUENTIAL === '1') {
    const codes: Array<[string, number]> = [];
    for (const p of parts) {
      process.stdout.write(`\n=== ${p.name} ===\n`);
      codes.push([p.name, await run(p, true).done]);
    }
    return codes;
  }
  process.stdout.write(`\n=== ${parts[0].name} ===\n`);
  const runs = parts.map((p, i) => run(p, i === 0));
  const codes: Array<[string, number]> = [];
  for (const [i, r] of runs.entries()) {
    r.release();
    codes.push([parts[i].name, await r.done]);
  }
  return codes;
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

async function main(): Promise<number> {
  rmSync(path.join(ROOT, BUILD), { recursive: true, force: true });
  const results: Array<[string, number]> = [];
  results.push(
    ...(await together([
      { name: 'typecheck (npm run build:test)', args: ['build:test'] },
      { name: 'lint', args: ['lint'] },
    ])),
  );
  // A suite run on code that does not compile or lint would only repeat the same failure at length.
  if (results.every(([, code]) => code === 0)) {
    process.env.TEST_BUILD = BUILD;
    results.push(
      ...(await together([
        { name: 'tests on SQLite (npm run test:sqlite)', args: ['test:sqlite'] },
        { name: 'tests on PostgreSQL (npm run test:pg)', args: ['test:pg'] },
      ])),
    );
  }
  rmSync(path.join(ROOT, BUILD), { recursive: true, force: true });
  for (const [name, code] of results) {
    if (code !== 0) process.stdout.write(`\n=== what failed in ${name} ===\n${failures(name).trimEnd()}\n`);
  }
  process.stdout.write('\n');
  for (const [name, code] of results) process.stdout.write(`${code === 0 ? 'passed' : 'FAILED'}: ${name}\n`);
  return results.every(([, code]) => code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
