import type { Knex } from 'knex';

/**
 * Attachments of certification applications (认定申请材料: test reports, user reports, IP documents; issue 15 item 3).
 * The file itself is kept in the database (`data`), so the app works from a clean clone, in tests and after a backup
 * restore with nothing beside it; it is never under public/ and never named by what the uploader sent. `content_type`
 * is what the magic bytes said (PDF, JPEG, PNG), never the uploader's claim.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cert_attachments', (t) => {
    t.increments('id');
    t.integer('application_id').unsigned().notNullable().references('id').inTable('cert_applications');
    t.string('kind', 20).notNullable(); // test_report | user_report | ip | other
    t.string('stored_name', 40).notNullable().unique(); // random, never the uploader's name
    t.string('filename', 200).notNullable(); // the uploader's name, cleaned, for Content-Disposition only
    t.string('content_type', 40).notNullable(); // application/pdf | image/jpeg | image/png
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('data').notNullable();
    t.integer('uploaded_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['application_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cert_attachments');
}
