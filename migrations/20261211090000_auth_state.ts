import type { Knex } from 'knex';

/**
 * An authority version (issue 19): a counter that every committed change to who a caller is bumps — users (a role,
 * a status, a password, a unit), sessions (their data, a logout, a password change ending them) and bearer tokens
 * (revoked) — from whichever process or module wrote it. Each process caches session rows, users and tokens under it
 * (src/db/versioned-cache.ts, src/web/session.ts, src/auth/service.ts) and drops them all when it moves.
 *
 * Only found rows are cached, so an INSERT of a session or a token (a row nobody can have cached) does not bump; an
 * INSERT of a user does, since "no active user with this id" is cached too.
 *
 * SQLite: plain triggers (one writer at a time). PostgreSQL: as for the catalogue version
 * (20261127001000_catalogue_perf), a statement trigger marks the transaction and a DEFERRED constraint trigger bumps
 * the counter once, at commit, so that writers never deadlock on the counter row.
 */
const EVENTS: Record<string, string[]> = {
  users: ['INSERT', 'UPDATE', 'DELETE'],
  sessions: ['UPDATE', 'DELETE'],
  api_tokens: ['UPDATE', 'DELETE'],
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('auth_state').insert({ id: 1, version: 0 });
  if (knex.client.config.client === 'pg') {
    await knex.raw('CREATE TABLE auth_dirty (txid bigint PRIMARY KEY)');
    await knex.raw(`CREATE FUNCTION auth_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('auth_state.marked', true), '') <> '1' THEN
          PERFORM set_config('auth_state.marked', '1', true);
          INSERT INTO auth_dirty (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await knex.raw(`CREATE FUNCTION auth_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE auth_state SET version = version + 1 WHERE id = 1;
        DELETE FROM auth_dirty WHERE txid = NEW.txid;
        RETURN NULL;
      END $$`);
    for (const [table, events] of Object.entries(EVENTS)) {
      await knex.raw(`CREATE TRIGGER ${table}_auth_mark AFTER ${events.join(' OR ')} ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION auth_mark()`);
    }
    await knex.raw(`CREATE CONSTRAINT TRIGGER auth_dirty_bump AFTER INSERT ON auth_dirty
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION auth_bump()`);
  } else {
    for (const [table, events] of Object.entries(EVENTS)) {
      for (const event of events) {
        await knex.raw(`CREATE TRIGGER ${table}_auth_bump_${event.toLowerCase()} AFTER ${event} ON ${table}
          BEGIN UPDATE auth_state SET version = version + 1 WHERE id = 1; END`);
      }
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('SET CONSTRAINTS auth_dirty_bump IMMEDIATE');
    for (const table of Object.keys(EVENTS)) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_auth_mark ON ${table}`);
    await knex.raw('DROP TABLE IF EXISTS auth_dirty');
    await knex.raw('DROP FUNCTION IF EXISTS auth_mark()');
    await knex.raw('DROP FUNCTION IF EXISTS auth_bump()');
  } else {
    for (const [table, events] of Object.entries(EVENTS)) {
      for (const event of events) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_auth_bump_${event.toLowerCase()}`);
    }
  }
  await knex.schema.dropTableIfExists('auth_state');
}
