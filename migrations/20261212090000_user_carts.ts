import type { Knex } from 'knex';

/**
 * The purchaser's cart, per user (issue 18 item 8): it was kept in the session, so logging out and in again lost
 * it. One row per line, in the order the lines were added (id); a product at most once per user.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_lines', (t) => {
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.integer('quantity').notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['user_id', 'product_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cart_lines');
}
