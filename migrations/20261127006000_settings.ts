import type { Knex } from 'knex';

/**
 * The department's settings (key → JSON value). The first is the optional limit of 政府首购 to the certificates on
 * the list of key supported products (DESIGN §3). A change bumps the catalogue version (see
 * 20261127001000_catalogue_perf), since the catalogue shows which products are eligible.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
    t.string('updated_at', 30).notNullable();
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE TRIGGER settings_catalogue_mark AFTER INSERT OR UPDATE OR DELETE ON settings
      FOR EACH STATEMENT EXECUTE FUNCTION catalogue_mark()`);
  } else {
    for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
      await knex.raw(`CREATE TRIGGER settings_catalogue_bump_${event.toLowerCase()} AFTER ${event} ON settings
        BEGIN UPDATE catalogue_state SET version = version + 1 WHERE id = 1; END`);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS settings_catalogue_mark ON settings');
  } else {
    for (const event of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS settings_catalogue_bump_${event}`);
  }
  await knex.schema.dropTableIfExists('settings');
}
