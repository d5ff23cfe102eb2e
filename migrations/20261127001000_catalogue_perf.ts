import type { Knex } from 'knex';

/**
 * A catalogue version that changes with every committed write to what the public catalogue shows (products,
 * certifications, vendors), so that catalogue reads can be cached and a cache entry is never served after the data
 * under it changed — whichever process or module wrote it.
 *
 * SQLite: plain row triggers (one writer at a time, so the single counter row costs nothing in contention).
 * PostgreSQL: a DEFERRED constraint trigger bumps the counter once per transaction, at commit: taking the counter's
 * row lock only after all of a transaction's other locks means two writers can wait for each other there but never
 * deadlock, and the bump becomes visible atomically with the data.
 */
const TABLES = ['products', 'certifications', 'vendors'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalogue_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('catalogue_state').insert({ id: 1, version: 0 });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE FUNCTION catalogue_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('catalogue.bumped', true), '') <> '1' THEN
          PERFORM set_config('catalogue.bumped', '1', true);
          UPDATE catalogue_state SET version = version + 1 WHERE id = 1;
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of TABLES) {
      await knex.raw(`CREATE CONSTRAINT TRIGGER ${table}_catalogue_bump AFTER INSERT OR UPDATE OR DELETE ON ${table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalogue_bump()`);
    }
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
    for (const table of TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_bump ON ${table}`);
    await knex.raw('DROP FUNCTION IF EXISTS catalogue_bump()');
  } else {
    for (const table of TABLES) {
      for (const event of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_bump_${event}`);
    }
  }
  await knex.schema.dropTableIfExists('catalogue_state');
}
