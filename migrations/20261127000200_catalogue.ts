import type { Knex } from 'knex';

// The certification registry and the product listings that rest on it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certifications', (t) => {
    t.increments('id');
    t.string('cert_no', 64).notNullable().unique();
    t.string('product_name', 200).notNullable();
    t.string('enterprise_name', 200).notNullable();
    t.string('credit_code', 18).notNullable();
    t.string('kind', 20).notNullable(); // equipment | material | software
    t.string('level', 20).notNullable(); // international | domestic | provincial
    t.string('field', 50).notNullable();
    t.integer('year').notNullable();
    t.string('valid_until', 10).notNullable();
    t.string('status', 20).notNullable().defaultTo('valid'); // valid | expired | revoked
    t.string('revoked_reason', 500);
    t.text('indicators').notNullable().defaultTo('[]'); // JSON array of strings
    t.boolean('key_supported').notNullable().defaultTo(false); // on the admin's list of key supported products
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['credit_code']);
    t.index(['year', 'level']);
  });
  await knex.schema.createTable('products', (t) => {
    t.increments('id');
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.integer('cert_id').unsigned().references('id').inTable('certifications');
    t.boolean('boutique').notNullable().defaultTo(false);
    t.string('boutique_evidence', 500);
    t.string('title', 200).notNullable();
    t.string('model', 100).notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.string('field', 50).notNullable();
    t.string('kind', 20).notNullable();
    // Denormalised from the certificate and the vendor so search and facets need no join.
    t.string('level', 20); // null for boutique-only items
    t.string('city', 10).notNullable();
    t.bigInteger('price_fen').notNullable();
    t.string('unit', 20).notNullable();
    t.integer('stock').notNullable().defaultTo(0);
    t.string('status', 20).notNullable().defaultTo('pending_review'); // pending_review | approved | rejected | delisted
    t.string('review_reason', 500);
    t.text('search_text').notNullable().defaultTo('');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['status', 'created_at']);
    t.index(['status', 'price_fen']);
    t.index(['vendor_id']);
    t.index(['cert_id']);
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await knex.raw('CREATE INDEX products_search_trgm ON products USING gin (search_text gin_trgm_ops)');
  } else {
    // Trigram full-text index (needs 3+ characters); shorter queries use LIKE on search_text.
    await knex.raw(
      "CREATE VIRTUAL TABLE products_fts USING fts5(search_text, content='products', content_rowid='id', tokenize='trigram')",
    );
    await knex.raw(`CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
    await knex.raw(`CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`);
    await knex.raw(`CREATE TRIGGER products_fts_au AFTER UPDATE OF search_text ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_au');
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_ad');
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_ai');
    await knex.raw('DROP TABLE IF EXISTS products_fts');
  }
  await knex.schema.dropTableIfExists('products');
  await knex.schema.dropTableIfExists('certifications');
}
