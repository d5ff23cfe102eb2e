import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createDb, migrateLatest, type Db } from '../../src/db';
import { DEFAULT_PG_URL, hostPort, isAlive } from './pg-server';

/** Which engine this run tests: `TEST_DB=sqlite` (default) or `TEST_DB=postgres`. */
export const ENGINE: 'sqlite' | 'postgres' = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
/**
 * How long a test that loads the whole demo data may take: a guard against a hang, not a speed check (the load goes
 * through the services and takes from a few seconds to well over a minute, by machine and engine; speed is measured
 * in bench/, never asserted).
 */
export const DEMO_LOAD_TIMEOUT = 600_000;
/**
 * The PostgreSQL beside which each test creates its databases. `npm run test:pg` (scripts/test-pg.ts) sets TEST_PG_URL
 * to the server it chose: the configured one, or a throwaway one it started when none answered.
 */
export const PG_ADMIN_URL = process.env.TEST_PG_URL || DEFAULT_PG_URL;

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database of the engine under test: a temporary SQLite file, or a new PostgreSQL database created
 * beside `test` (so parallel runs never share state) — empty, or a copy of `template`. Not migrated: see `migratedDb`.
 */
export async function freshDatabase(template?: string): Promise<TestDatabase> {
  if (ENGINE === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fum-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite3')}`;
    const db = createDb(url);
    return {
      url,
      db,
      async drop() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `fum_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
    // Nothing in a test database outlives the run, so its commits need not wait for the disk (a setting of this
    // database alone, for every connection to it, the servers under test included; the throwaway server of
    // scripts/test-pg.ts runs with fsync off altogether). A crash of the server under test (a process's, never
    // PostgreSQL's) loses nothing either way.
    await admin.raw(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ENOTFOUND') {
      throw new Error(`no PostgreSQL answers at ${hostPort(PG_ADMIN_URL)} (${code}): run the PostgreSQL tests with \`npm run test:pg -- <files>\`, which starts a throwaway server when none answers`, { cause: err });
    }
    throw err;
  } finally {
    await admin.destroy();
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      const a = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    },
  };
}

/*
 * Templates: a database prepared once per test process, or once per `npm test` for all its processes of an engine
 * (SHARED_TEMPLATES below) — migrated; or migrated and holding the demo data, see demo-db.ts — that no test touches, of which each test gets its own copy — the SQLite file copied, or a PostgreSQL
 * database created with it as TEMPLATE — instead of running the same minutes of preparation again and again.
 */
export type Template = { engine: 'sqlite'; file: string; dir: string } | { engine: 'postgres'; name: string };
const templates: Array<Promise<Template>> = [];

/** Makes a template out of a prepared test database: it must not be used any more (its connection is closed here). */
export async function templateOf(prepare: () => Promise<TestDatabase>): Promise<Template> {
  const made = makeTemplate(prepare);
  templates.push(made);
  (globalThis as { [k: symbol]: unknown })[Symbol.for('fum.test.templateCleanup')] = dropTemplates;
  return made;
}

/**
 * Where `npm test` lets its test processes share templates (scripts/test-all.ts runs each engine's files in more than
 * one process, and sets this to a directory of its own for the run): the first process to need a template prepares
 * it, the others wait for it, and the runner drops them all at the end (`dropSharedTemplates`). Unset — a single
 * `npm run test:sqlite`, `test:pg` or mocha — each process prepares its own, as `templateOf` does.
 */
export const SHARED_TEMPLATES = process.env.TEST_SHARED_TEMPLATES || '';

/** What a process that prepared a shared template leaves for the others (and for the runner, to drop it). */
interface SharedTemplateFile {
  template: Template;
  /** The PostgreSQL server it lives on (for the runner's DROP DATABASE). */
  adminUrl?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A template shared by the test processes of one `npm test` (SHARED_TEMPLATES), by name and engine: prepared once by
 * whichever process asks first (it holds `<name>-<engine>.lock`, made with O_EXCL), read by the others from
 * `<name>-<engine>.template.json` once it is there. Without SHARED_TEMPLATES, this process's own (`templateOf`).
 * `dir`: where the run keeps them (SHARED_TEMPLATES unless a test gives another).
 */
export async function sharedTemplateOf(name: string, prepare: () => Promise<TestDatabase>, timeoutMs: number, dir = SHARED_TEMPLATES): Promise<Template> {
  if (!dir) return templateOf(prepare);
  const base = path.join(dir, `${name}-${ENGINE}`);
  const ready = `${base}.template.json`;
  const failed = `${base}.failed`;
  let lock: number | null = null;
  try {
    lock = openSync(`${base}.lock`, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (lock !== null) {
    writeFileSync(lock, String(process.pid));
    closeSync(lock);
    try {
      const made = await makeTemplate(prepare);
      const file: SharedTemplateFile = { template: made, ...(made.engine === 'postgres' ? { adminUrl: PG_ADMIN_URL } : {}) };
      writeFileSync(`${ready}.${process.pid}`, JSON.stringify(file));
      renameSync(`${ready}.${process.pid}`, ready);
      return made;
    } catch (err) {
      writeFileSync(failed, (err as Error).stack ?? String(err));
      throw err;
    }
  }
  // Another process is preparing it: wait for its result, as long as that process lives.
  const since = Date.now();
  for (;;) {
    if (existsSync(ready)) return (JSON.parse(readFileSync(ready, 'utf8')) as SharedTemplateFile).template;
    if (existsSync(failed)) throw new Error(`the shared template ${name} (${ENGINE}) failed in another test process:\n${readFileSync(failed, 'utf8')}`);
    const owner = Number(readFileSync(`${base}.lock`, 'utf8') || '0');
    if (owner > 0 && !isAlive(owner) && !existsSync(ready)) throw new Error(`the test process ${owner} preparing the shared template ${name} (${ENGINE}) exited before it was ready`);
    if (Date.now() - since > timeoutMs) throw new Error(`waited ${timeoutMs} ms for the shared template ${name} (${ENGINE})`);
    await sleep(200);
  }
}

/**
 * Drops every shared template of a run (`npm test`'s runner, when its test processes are done): the SQLite files'
 * directories, the PostgreSQL databases. Returns what it could not drop, as messages.
 */
export async function dropSharedTemplates(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
    try {
      const { template, adminUrl } = JSON.parse(readFileSync(path.join(dir, entry), 'utf8')) as SharedTemplateFile;
      await dropTemplate(template, adminUrl);
    } catch (err) {
      problems.push(`${entry}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** Prepares a database and turns it into a template (its connection closed, so that it can be copied). */
async function makeTemplate(prepare: () => Promise<TestDatabase>): Promise<Template> {
  const t = await prepare();
  // Everything in the main file (SQLite: the WAL written back), and no connection left open on a template.
  if (ENGINE === 'sqlite') await t.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await t.db.destroy();
  if (ENGINE === 'sqlite') {
    const file = t.url.slice('sqlite:'.length);
    return { engine: 'sqlite', file, dir: path.dirname(file) };
  }
  return { engine: 'postgres', name: new URL(t.url).pathname.slice(1) };
}

/** A copy of the template, the caller's own to change and drop. */
export async function copyOf(tpl: Template): Promise<TestDatabase> {
  if (tpl.engine === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fum-test-'));
    const file = path.join(dir, 'test.sqlite3');
    copyFileSync(tpl.file, file);
    const db = createDb(`sqlite:${file}`);
    return {
      url: `sqlite:${file}`,
      db,
      async drop() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  return freshDatabase(tpl.name);
}

/** Drops every template this process made (the root hook in tiers.ts calls it at the end of the run). */
async function dropTemplates(): Promise<void> {
  const all = await Promise.all(templates.splice(0).map((t) => t.catch(() => null)));
  for (const tpl of all) if (tpl) await dropTemplate(tpl);
}

/** Removes a template: its SQLite file's directory, or its PostgreSQL database on the server at `adminUrl`. */
async function dropTemplate(tpl: Template, adminUrl = PG_ADMIN_URL): Promise<void> {
  if (tpl.engine === 'sqlite') {
    rmSync(tpl.dir, { recursive: true, force: true });
    return;
  }
  const a = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await a.raw(`DROP DATABASE IF EXISTS ${tpl.name} WITH (FORCE)`);
  } finally {
    await a.destroy();
  }
}

let migrated: Promise<Template> | undefined;

/** A fresh database with every migration run (a copy of this process's migrated template). */
export async function migratedDb(): Promise<TestDatabase> {
  migrated ??= sharedTemplateOf(
    'migrated',
    async () => {
      const t = await freshDatabase();
      await migrateLatest(t.db);
      return t;
    },
    120_000,
  );
  return copyOf(await migrated);
}

/**
 * Registers before/after hooks that give the enclosing `describe` a migrated database of its own.
 * Use: `const ctx = useMigratedDb(); … ctx.db`.
 */
export function useMigratedDb(): { db: Db; url: string } {
  const holder = {} as { db: Db; url: string; t?: TestDatabase };
  before(async function () {
    this.timeout(60000);
    holder.t = await migratedDb();
    holder.db = holder.t.db;
    holder.url = holder.t.url;
  });
  after(async () => {
    await holder.t?.drop();
  });
  return holder;
}
