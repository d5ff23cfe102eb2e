import type { Knex } from 'knex';

/**
 * A catalogue version that changes with every committed write to what the public catalogue shows (products,
 * certifications, vendors), so that catalogue reads can be cached and a cache entry is never served after the data
 * under it changed — whichever process or module wrote it (src/catalogue/cache.ts).
 *
 * SQLite: plain triggers bump the counter (one writer at a time, so the single counter row costs nothing in
 * contention).
 *
 * PostgreSQL: bumping the counter inside each writing statement would make writers deadlock (A locks product 1 and
 * the counter, B locks product 2 and waits for the counter, A waits for product 2). So a statement trigger only marks
 * the transaction in `catalogue_dirty` (no shared row), and a DEFERRED constraint trigger on that mark bumps the
 * counter once, at commit, when the transaction holds every other lock it will take: writers may queue there, never
 * deadlock, and the bump becomes visible atomically with the data. The deferred event sits on `catalogue_dirty`, not
 * on the catalogue tables, so a migration may still update products and then alter them in one transaction.
 */
const TABLES = ['products', 'certifications', 'vendors'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalogue_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('catalogue_state').insert({ id: 1, version: 0 });
  if (knex.client.config.client === 'pg') {
    await knex.raw('CREATE TABLE catalogue_dirty (txid bigint PRIMARY KEY)');
    await knex.raw(`CREATE FUNCTION catalogue_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('catalogue.marked', true), '') <> '1' THEN
          PERFORM set_config('catalogue.marked', '1', true);
          INSERT INTO catalogue_dirty (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await knex.raw(`CREATE FUNCTION catalogue_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE catalogue_state SET version = version + 1 WHERE id = 1;
        DELETE FROM catalogue_dirty WHERE txid = NEW.txid;
        RETURN NULL;
      END $$`);
    for (const table of TABLES) {
      await knex.raw(`CREATE TRIGGER ${table}_catalogue_mark AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION catalogue_mark()`);
    }
    await knex.raw(`CREATE CONSTRAINT TRIGGER catalogue_dirty_bump AFTER INSERT ON catalogue_dirty
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalogue_bump()`);
  } else {
    for (const table of TABLES) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        await knex.raw(`CREATE TRIGGER ${table}_catalogue_bump_${event.toLowerCase()} AFTER ${event} ON ${table}
          BEGIN UPDATE catalogue_state SET version = version + 1 WHERE id = 1; END`);
      }
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    // Run bumps still pending in this transaction (e.g. from a later migration's rollback) before dropping them.
    await knex.raw('SET CONSTRAINTS catalogue_dirty_bump IMMEDIATE');
    for (const table of TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_mark ON ${table}`);
    await knex.raw('DROP TABLE IF EXISTS catalogue_dirty');
    await knex.raw('DROP FUNCTION IF EXISTS catalogue_mark()');
    await knex.raw('DROP FUNCTION IF EXISTS catalogue_bump()');
  } else {
    for (const table of TABLES) {
      for (const event of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_bump_${event}`);
    }
  }
  await knex.schema.dropTableIfExists('catalogue_state');
}
