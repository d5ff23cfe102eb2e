import type { Knex } from 'knex';

/**
 * Faster catalogue search and browsing.
 *
 * - The browse index holds every column the facet counts and the no-text listings filter on, so both are answered
 *   from it instead of the wide product rows (descriptions, search text).
 * - SQLite: a vocabulary view of the trigram index (fts5vocab) lets a 1- or 2-character query find the trigrams that
 *   start with it (`机床` → `机床 `, `机床上`, …) and match those through the index instead of scanning every row
 *   with LIKE. Search text now ends with two spaces (src/catalogue/search-text.ts) so that text at the very end
 *   also starts a trigram; existing rows get them here.
 */
const BROWSE_INDEX = 'products_browse';
const BROWSE_COLUMNS = ['status', 'kind', 'level', 'field', 'city', 'boutique', 'cert_id', 'price_fen', 'created_at'];
const END = '  ';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => t.index(BROWSE_COLUMNS, BROWSE_INDEX));
  if (knex.client.config.client !== 'pg') {
    await knex.raw("CREATE VIRTUAL TABLE products_fts_vocab USING fts5vocab(products_fts, 'row')");
  }
  await knex('products')
    .whereNot('search_text', 'like', `%${END}`)
    .update({ search_text: knex.raw('search_text || ?', [END]) });
}

export async function down(knex: Knex): Promise<void> {
  await knex('products')
    .where('search_text', 'like', `%${END}`)
    .update({ search_text: knex.raw('substr(search_text, 1, length(search_text) - ?)', [END.length]) });
  if (knex.client.config.client !== 'pg') await knex.raw('DROP TABLE IF EXISTS products_fts_vocab');
  await knex.schema.alterTable('products', (t) => t.dropIndex(BROWSE_COLUMNS, BROWSE_INDEX));
}
