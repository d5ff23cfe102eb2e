import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrateLatest, type Db } from '../../src/db';
import { freshDatabase, type TestDatabase } from './db';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface ServerOptions {
  /** A database to use as is. Without it a fresh one of the engine under test (TEST_DB) is made, and dropped on stop. */
  databaseUrl?: string;
  /** Load the demo data on an empty database (DEMO_DATA). Default false. */
  demoData?: boolean;
  /** Runs against the migrated fresh database before the server starts (e.g. factories). Ignored with databaseUrl. */
  prepare?: (db: Db) => Promise<void>;
  /** Extra environment (FAKE_CLOCK, NODE_ENV…). PORT is always 0. */
  env?: Record<string, string>;
  /** The entry point, relative to the project root. Default src/server.ts; `scripts/start.mjs` is `npm start` itself. */
  entry?: string;
  /** Extra node flags, e.g. ['--cpu-prof'] to profile the server. */
  nodeArgs?: string[];
  /** How long to wait for the "Listening on" line. Default 120 s (the demo seed takes a while). */
  startTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://localhost:41234 */
  url: string;
  port: number;
  databaseUrl: string;
  /** This helper's own connection to the database it made (null with `databaseUrl`): to inspect or add data. */
  db: Db | null;
  child: ChildProcess;
  /** What the process printed so far: stdout carries the pino log lines (at LOG_LEVEL), stderr start-up failures. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), then drop the database if this helper made it. */
  stop(): Promise<void>;
}

/**
 * How to run an entry point: from the compiled build that `npm test` makes before its passes (TEST_BUILD, the
 * directory tsc wrote; it starts in about two thirds of the time), else through tsx — a test file run on its own
 * always runs the sources as they are.
 */
export function entryArgs(entry: string): string[] {
  // Plain JavaScript (scripts/start.mjs, what `npm start` runs) needs neither.
  if (entry.endsWith('.mjs') || entry.endsWith('.js')) return [entry];
  const build = process.env.TEST_BUILD;
  return build ? [path.resolve(PROJECT_ROOT, build, entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', entry];
}

/**
 * The variables `npm start` sets before it runs scripts/start.mjs (package.json's start script, `NAME=${NAME:-value}`:
 * the value unless the environment has one), so that a server started here runs as `npm start` runs it.
 */
export function startScriptEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const script = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const out: Record<string, string> = {};
  for (const m of script.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=\$\{\1:-([^}]*)\}/g)) out[m[1]!] = env[m[1]!] ?? m[2]!;
  return out;
}

/**
 * Starts the real standalone server in a child process — the same entry `npm start` runs, with PORT=0 — and
 * resolves once it prints `Listening on http://localhost:PORT`. One process, under tsx or from the test build
 * (`entryArgs`). scripts/start.mjs (`npm start`'s entry) gets the variables `npm start` sets (`startScriptEnv`).
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  let owned: TestDatabase | null = null;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    owned = await freshDatabase();
    try {
      await migrateLatest(owned.db);
      if (options.prepare) await options.prepare(owned.db);
    } catch (err) {
      await owned.drop();
      throw err;
    }
    databaseUrl = owned.url;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.entry === 'scripts/start.mjs' ? startScriptEnv() : {}),
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ...options.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DEMO_DATA: options.demoData ? '1' : '0',
  };
  delete env.TEST_DB;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entryArgs(options.entry ?? 'src/server.ts')], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-200_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (owned) {
      // The server has closed its connections; PostgreSQL drops WITH (FORCE) anyway.
      await owned.drop();
      owned = null;
    }
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within ${options.startTimeoutMs ?? 120_000} ms\n${err}`)), options.startTimeoutMs ?? 120_000);
      let listening = false;
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out = (out + d).slice(-200_000);
        // Looked for until found: a server logging every request (LOG_LEVEL=info) must not cost this process a scan of
        // the whole kept tail per chunk (the benchmarks' load generator runs here).
        const m = listening ? null : /Listening on http:\/\/localhost:(\d+)/.exec(out);
        if (m) {
          listening = true;
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code ?? signal}) before listening\n${out}${err}`));
      });
    });
    return { url: `http://localhost:${port}`, port, databaseUrl, db: owned ? owned.db : null, child, stdout: () => out, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * `node <args>` from the project root with `env` over the environment, resolved once it prints "Listening on": its URL
 * and a stop (SIGTERM, then wait for the exit). For tests of the ways to start the server (npm start, the build).
 */
export async function listeningProcess(args: string[], env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Listening on (http:\/\/localhost:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}${err}`)));
    });
    return { url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
