/**
 * Backup and restore of the app's database (`npm run backup`, `npm run restore`; docs/operations.md).
 *
 * SQLite: `VACUUM INTO` a temporary file beside the target — one read transaction, so the copy is a consistent
 * snapshot even while a server writes (WAL lets the writer go on) — then the copy is checked and renamed into place.
 * A restore copies the backup beside the database, checks the copy (integrity, the app's tables, the ledger and the
 * audit chain), makes sure nothing has the database open, and renames the copy over it (stale -wal/-shm removed):
 * the database is either the old one or the backup, never a mixture.
 *
 * PostgreSQL: `pg_dump -Fc` of a snapshot exported by a read-only REPEATABLE READ transaction in which the ledger and
 * audit verifications run too, so they check exactly what the dump holds; restore is `pg_restore --clean --if-exists`
 * in one transaction, so a broken or truncated dump changes nothing.
 *
 * Errors the operator must act on are `BackupError`s with a one-line message (no password is ever shown).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, constants as fsc, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { verifyAudit, type ChainReport } from '../audit';
import { SystemClock } from '../clock';
import { Ledger, type VerifyReport } from '../ledger';
import { createDb, type Executor } from '../db';

/** A backup or restore that could not be done; `message` is one line for the operator. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export type Engine = 'sqlite' | 'postgres';

export interface ChainsReport {
  ok: boolean;
  ledger: VerifyReport;
  audit: ChainReport;
}

export interface BackupResult {
  engine: Engine;
  /** The backup file written (absolute). */
  file: string;
  bytes: number;
  /** The ledger and audit verifications of what the backup holds. */
  verify: ChainsReport;
}

export interface RestoreResult {
  engine: Engine;
  /** The backup file read (absolute). */
  file: string;
  /** The database restored into, without any password. */
  target: string;
  /** The ledger and audit verifications of the restored database. */
  verify: ChainsReport;
}

/** Tables every backup of this app has; a file without them is not one. */
const REQUIRED_TABLES = ['knex_migrations', 'ledger_accounts', 'ledger_transfers', 'audit_log'];

export function engineOf(databaseUrl: string): Engine {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** The URL with its password, if any, replaced — fit for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  if (engineOf(databaseUrl) === 'sqlite') return databaseUrl;
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** `backups/<UTC timestamp>.sqlite3` or `.dump` (relative to the working directory). */
export function defaultBackupPath(databaseUrl: string, now = new Date(), dir = 'backups'): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return path.join(dir, `${stamp}${engineOf(databaseUrl) === 'sqlite' ? '.sqlite3' : '.dump'}`);
}

/** The ledger verify (`npm run ledger:verify`) and the audit-chain verify, on one database or transaction. */
export async function verifyChains(db: Executor): Promise<ChainsReport> {
  const ledger = await new Ledger(new SystemClock()).verify(db);
  const audit = await verifyAudit(db);
  return { ok: ledger.ok && audit.ok, ledger, audit };
}

/** One line describing a verification, e.g. `ledger: 120 transfers, balanced, chain intact; audit: 480 records, chain intact`. */
export function describeChains(r: ChainsReport): string {
  const ledger = r.ledger.ok
    ? `ledger: ${r.ledger.transfers} transfers, balanced, chain intact`
    : `ledger FAILED: ${[
        !r.ledger.chainIntact && `the hash chain breaks at transfer ${r.ledger.firstBadTransfer}`,
        !r.ledger.balancesMatch && 'stored balances differ from the transfers',
        !r.ledger.balanced && 'balances do not sum to zero',
        !r.ledger.nonNegative && 'an account other than the treasury is below zero',
      ]
        .filter(Boolean)
        .join(', ')}`;
  const audit = r.audit.ok ? `audit: ${r.audit.records} records, chain intact` : `audit FAILED: the hash chain breaks at record ${r.audit.firstBadRecord}`;
  return `${ledger}; ${audit}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Files

/** `CODE: message`, one line: knex's `<sql> - ` prefix and the driver's repeated code taken off. */
const errText = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  const message = String(e?.message ?? err).split('\n')[0].split(' - ').pop() as string;
  return (e?.code ? `${e.code}: ` : '') + message.replace(/^[A-Z_]+: /, '');
};

/** A new, empty file beside `target` that only this call uses (created exclusively; fails clearly if not writable). */
function tempBeside(target: string, purpose: string, what: string): string {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${purpose}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(tmp, '', { flag: 'wx' });
  } catch (err) {
    throw new BackupError(`cannot write ${what} ${target}: ${errText(err)}`);
  }
  return tmp;
}

function removeQuietly(...files: string[]): void {
  for (const f of files) rmSync(f, { force: true });
}

/** The file's data and then its directory entry on disk, so a rename survives a crash. */
function fsyncFileAndDir(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    const dfd = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the rename is still atomic.
  }
}

function checkNewTarget(target: string): void {
  if (existsSync(target)) throw new BackupError(`${target} already exists: name a new file (a backup never overwrites one)`);
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite

function sqliteFile(databaseUrl: string): string {
  const file = databaseUrl.slice('sqlite:'.length);
  if (file === ':memory:' || file === '') throw new BackupError('DATABASE_URL names an in-memory SQLite database: there is nothing to back up or restore');
  return path.resolve(file);
}

/** knex on one SQLite file as it is: no pragmas (the app's factory would switch it to WAL). */
function plainSqlite(file: string): Knex {
  return knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
}

/** Structure first (the file is a sound SQLite database of this app), then the two chains. */
async function checkSqliteCopy(file: string, label: string): Promise<ChainsReport> {
  const db = plainSqlite(file);
  try {
    let rows: Array<Record<string, string>>;
    try {
      rows = await db.raw('PRAGMA integrity_check');
    } catch (err) {
      throw new BackupError(`${label} is not a usable SQLite backup: ${errText(err)}`);
    }
    const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok');
    if (problems.length) throw new BackupError(`${label} is damaged: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
    const tables = new Set((await db('sqlite_master').where({ type: 'table' }).select('name')).map((r: { name: string }) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length) throw new BackupError(`${label} is not a backup of this application (no ${missing.join(', ')} table)`);
    return await verifyChains(db);
  } finally {
    await db.destroy();
    removeQuietly(`${file}-wal`, `${file}-shm`, `${file}-journal`);
  }
}

async function backupSqlite(databaseUrl: string, target: string): Promise<BackupResult> {
  const source = sqliteFile(databaseUrl);
  if (!existsSync(source)) throw new BackupError(`the database file ${source} does not exist`);
  checkNewTarget(target);
  const tmp = tempBeside(target, 'partial', 'the backup to');
  try {
    // The app's own connection setup (WAL, busy timeout): VACUUM INTO reads one snapshot while writers go on.
    const db = createDb(databaseUrl);
    try {
      await db.raw('VACUUM INTO ?', [tmp]);
    } catch (err) {
      throw new BackupError(`backup of ${source} failed: ${errText(err)}`);
    } finally {
      await db.destroy();
    }
    const verify = await checkSqliteCopy(tmp, `the new backup of ${source}`);
    fsyncFileAndDir(tmp);
    checkNewTarget(target);
    renameSync(tmp, target);
    fsyncFileAndDir(target);
    return { engine: 'sqlite', file: target, bytes: statSync(target).size, verify };
  } finally {
    removeQuietly(tmp);
  }
}

/** A raw sqlite3 call as a promise. */
function sqliteRun(conn: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.run(sql, (err) => (err ? reject(err) : resolve())));
}

/**
 * Takes the database file for ourselves: an exclusive lock held until `release`. Fails when any other connection
 * (a running server, a CLI tool) has the file open — in WAL mode every open connection holds a shared lock.
 */
async function lockExclusively(file: string): Promise<{ release(): Promise<void> }> {
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err) => (err ? reject(err) : resolve(c)));
  });
  const release = () => new Promise<void>((resolve) => conn.close(() => resolve()));
  try {
    await sqliteRun(conn, 'PRAGMA busy_timeout = 500');
    await sqliteRun(conn, 'PRAGMA locking_mode = EXCLUSIVE');
    await sqliteRun(conn, 'BEGIN EXCLUSIVE');
  } catch (err) {
    await release();
    const busy = (err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED';
    throw new BackupError(
      busy ? `${file} is in use (a server or another tool has it open): stop it, then restore` : `cannot take ${file} for the restore: ${errText(err)}`,
    );
  }
  return { release };
}

async function restoreSqlite(databaseUrl: string, backupFile: string): Promise<RestoreResult> {
  const target = sqliteFile(databaseUrl);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    throw new BackupError(`cannot create the directory of ${target}: ${errText(err)}`);
  }
  const tmp = tempBeside(target, 'restore', 'the database beside');
  try {
    try {
      copyFileSync(backupFile, tmp, fsc.COPYFILE_FICLONE);
    } catch (err) {
      throw new BackupError(`cannot copy ${backupFile} beside ${target}: ${errText(err)}`);
    }
    const copied = await checkSqliteCopy(tmp, backupFile);
    if (!copied.ok) throw new BackupError(`${backupFile} does not verify (${describeChains(copied)}): nothing restored`);
    fsyncFileAndDir(tmp);
    const lock = existsSync(target) ? await lockExclusively(target) : null;
    try {
      // The old database's write-ahead log must not be replayed into the restored file.
      removeQuietly(`${target}-wal`, `${target}-shm`, `${target}-journal`);
      renameSync(tmp, target);
      fsyncFileAndDir(target);
    } finally {
      await lock?.release();
    }
    removeQuietly(`${target}-wal`, `${target}-shm`, `${target}-journal`);
  } finally {
    removeQuietly(tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`);
  }
  const db = createDb(databaseUrl);
  try {
    return { engine: 'sqlite', file: backupFile, target: databaseUrl, verify: await verifyChains(db) };
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

interface ToolRun {
  code: number | null;
  stderr: string;
}

/** Connection for the client tools: the URL without its password (that goes in PGPASSWORD, not on the command line). */
function pgConnection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  try {
    const u = new URL(databaseUrl);
    if (u.password) {
      env.PGPASSWORD = decodeURIComponent(u.password);
      u.password = '';
    }
    return { url: u.toString(), env };
  } catch {
    return { url: databaseUrl, env };
  }
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new BackupError(`${tool} not found: install the PostgreSQL client tools (pg_dump, pg_restore) of the server's major version or later and put them on PATH`)
          : new BackupError(`cannot run ${tool}: ${errText(err)}`),
      ),
    );
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The first line that says what went wrong (pg tools print `pg_dump: error: …`), without passwords. */
function toolError(run: ToolRun): string {
  const lines = run.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /error|fatal/i.test(l)) ?? lines[0] ?? `exit code ${run.code}`;
  return line.replace(/postgres(ql)?:\/\/[^\s"']*/g, (u) => redactUrl(u));
}

/** Fails with the one-line message before anything is written when the tool is not installed. */
async function requireTool(tool: string): Promise<void> {
  const r = await runTool(tool, ['--version']);
  if (r.code !== 0) throw new BackupError(`${tool} does not run (${toolError(r)})`);
}

async function checkPgArchive(file: string, label: string): Promise<void> {
  const r = await runTool('pg_restore', ['--list', file]);
  if (r.code !== 0) throw new BackupError(`${label} is not a usable pg_dump archive: ${toolError(r)}`);
}

/**
 * Why the PostgreSQL client tools here cannot back up or restore this server, or null when they can: pg_dump refuses
 * a server of a newer major version than its own, so that is checked first, in one clear line.
 */
export async function pgToolsProblem(databaseUrl: string): Promise<string | null> {
  try {
    await requireTool('pg_dump');
    await requireTool('pg_restore');
  } catch (err) {
    return (err as Error).message;
  }
  const version = await new Promise<string>((resolve) => {
    const child = spawn('pg_dump', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(out));
  });
  const tools = Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1] ?? 0);
  const db = createDb(databaseUrl);
  try {
    const row = (await db.raw('SHOW server_version_num')) as { rows: Array<{ server_version_num: string }> };
    const server = Math.floor(Number(row.rows[0].server_version_num) / 10000);
    return tools >= server ? null : `pg_dump ${tools} cannot back up a PostgreSQL ${server} server: install the PostgreSQL client tools of version ${server} or later and put them on PATH`;
  } finally {
    await db.destroy();
  }
}

async function backupPostgres(databaseUrl: string, target: string): Promise<BackupResult> {
  const problem = await pgToolsProblem(databaseUrl);
  if (problem) throw new BackupError(problem);
  checkNewTarget(target);
  const tmp = tempBeside(target, 'partial', 'the backup to');
  const conn = pgConnection(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    // One snapshot for the dump and for the verifications: they check exactly what the dump holds.
    const trx = await db.transaction();
    let verify: ChainsReport;
    try {
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const { rows } = await trx.raw('SELECT pg_export_snapshot() AS snapshot');
      const dump = runTool('pg_dump', ['--format=custom', `--snapshot=${rows[0].snapshot}`, `--file=${tmp}`, `--dbname=${conn.url}`], conn.env);
      // Both settle before either is judged, so a failed dump never leaves the verification running on a closed pool.
      const [dumped, checked] = await Promise.allSettled([dump, verifyChains(trx)]);
      if (dumped.status === 'rejected') throw dumped.reason;
      if (dumped.value.code !== 0) throw new BackupError(`pg_dump of ${redactUrl(databaseUrl)} failed: ${toolError(dumped.value)}`);
      if (checked.status === 'rejected') throw checked.reason;
      verify = checked.value;
    } finally {
      await trx.rollback().catch(() => undefined);
    }
    await checkPgArchive(tmp, `the new backup of ${redactUrl(databaseUrl)}`);
    fsyncFileAndDir(tmp);
    checkNewTarget(target);
    renameSync(tmp, target);
    fsyncFileAndDir(target);
    return { engine: 'postgres', file: target, bytes: statSync(target).size, verify };
  } finally {
    await db.destroy();
    removeQuietly(tmp);
  }
}

async function restorePostgres(databaseUrl: string, backupFile: string): Promise<RestoreResult> {
  await requireTool('pg_restore');
  await checkPgArchive(backupFile, backupFile);
  const conn = pgConnection(databaseUrl);
  // One transaction: a dump that breaks off half-way (truncated, damaged) rolls back and leaves the database as it was.
  const r = await runTool(
    'pg_restore',
    ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${conn.url}`, backupFile],
    conn.env,
  );
  if (r.code !== 0) throw new BackupError(`restore of ${backupFile} into ${redactUrl(databaseUrl)} failed, nothing changed: ${toolError(r)}`);
  const db = createDb(databaseUrl);
  try {
    return { engine: 'postgres', file: backupFile, target: redactUrl(databaseUrl), verify: await verifyChains(db) };
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/**
 * Writes a consistent backup of the database at `databaseUrl` to `target` (a new file; its directory must exist),
 * safe while a server is writing. Resolves with what the backup holds and its verification (which may have failed:
 * the caller reports it); throws `BackupError` when no backup was written.
 */
export async function backupDatabase(databaseUrl: string, target: string): Promise<BackupResult> {
  const file = path.resolve(target);
  return engineOf(databaseUrl) === 'sqlite' ? backupSqlite(databaseUrl, file) : backupPostgres(databaseUrl, file);
}

/**
 * Replaces the database at `databaseUrl` with the backup in `backupFile` and verifies the result. Throws
 * `BackupError` — with the database untouched — for a missing, damaged or foreign file, a SQLite database in use,
 * or (SQLite) a backup whose ledger or audit chain does not verify.
 */
export async function restoreDatabase(databaseUrl: string, backupFile: string): Promise<RestoreResult> {
  const file = path.resolve(backupFile);
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new BackupError(`cannot read the backup ${file}: ${errText(err)}`);
  }
  return engineOf(databaseUrl) === 'sqlite' ? restoreSqlite(databaseUrl, file) : restorePostgres(databaseUrl, file);
}
