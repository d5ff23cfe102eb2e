import type { Knex } from 'knex';

/**
 * Product pictures and spec sheets (issue 18 item 5). Like the certification applications' attachments
 * (20261207110000_recognition_attachments), the files are kept in the database, so a clean clone, the tests and a
 * restored backup need nothing beside it.
 * - `product_images`: several per listing, in `position` order, at most one `is_cover`. What is stored is never the
 *   uploaded file: it is what sharp re-encoded from it (WebP, at most 1600 px, no metadata) and a 400 px thumbnail,
 *   each with its type, size and SHA-256 (the ETag).
 * - `product_documents`: spec sheets, PDF only (told by the bytes), served as downloads only.
 * A change to either marks the catalogue changed (the detail page shows them and is cached under its version).
 */
const TABLES = ['product_images', 'product_documents'];
const EVENTS = ['insert', 'update', 'delete'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('product_images', (t) => {
    t.increments('id');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.boolean('is_cover').notNullable().defaultTo(false);
    t.string('alt', 200).notNullable().defaultTo('');
    t.string('content_type', 40).notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('data').notNullable();
    t.string('thumb_content_type', 40).notNullable();
    t.integer('thumb_size').notNullable();
    t.string('thumb_sha256', 64).notNullable();
    t.binary('thumb_data').notNullable();
    t.integer('uploaded_by').unsigned().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['product_id', 'position']);
  });
  await knex.schema.createTable('product_documents', (t) => {
    t.increments('id');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.string('title', 200).notNullable().defaultTo('');
    t.string('filename', 200).notNullable(); // the uploader's name, cleaned, for Content-Disposition only
    t.string('content_type', 40).notNullable(); // application/pdf
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('data').notNullable();
    t.integer('uploaded_by').unsigned().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['product_id']);
  });
  for (const table of TABLES) {
    if (knex.client.config.client === 'pg') {
      await knex.raw(`CREATE TRIGGER ${table}_catalogue_mark AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION catalogue_mark()`);
    } else {
      for (const event of EVENTS) {
        await knex.raw(`CREATE TRIGGER ${table}_catalogue_bump_${event} AFTER ${event.toUpperCase()} ON ${table}
          BEGIN UPDATE catalogue_state SET version = version + 1 WHERE id = 1; END`);
      }
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    if (knex.client.config.client === 'pg') await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_mark ON ${table}`);
    else for (const event of EVENTS) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_catalogue_bump_${event}`);
  }
  await knex.schema.dropTableIfExists('product_documents');
  await knex.schema.dropTableIfExists('product_images');
}
