import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createDb, migrateLatest, type Db } from '../../src/db';
import { DEFAULT_PG_URL, hostPort } from './pg-server';

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
 * beside `test` (so parallel runs never share state). Not migrated: see `migratedDb`.
 */
export async function freshDatabase(): Promise<TestDatabase> {
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
    await admin.raw(`CREATE DATABASE ${name}`);
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

export async function migratedDb(): Promise<TestDatabase> {
  const t = await freshDatabase();
  await migrateLatest(t.db);
  return t;
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
