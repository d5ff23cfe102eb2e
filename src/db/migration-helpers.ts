import type { Knex } from 'knex';

/**
 * Drops columns in a migration's `down`. knex drops a SQLite column by copying the table and dropping the old one,
 * which the foreign keys of rows pointing at it refuse (and PRAGMA foreign_keys cannot be turned off inside the
 * migration's transaction); SQLite's own ALTER TABLE … DROP COLUMN (3.35+) keeps the table and its references.
 */
export async function dropColumns(knex: Knex, table: string, columns: string[]): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.schema.alterTable(table, (t) => {
      for (const c of columns) t.dropColumn(c);
    });
    return;
  }
  for (const c of columns) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [table, c]);
}
