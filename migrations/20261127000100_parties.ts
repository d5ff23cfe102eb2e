import type { Knex } from 'knex';

// Purchasing units, vendors and the people who act for them.
// Times are ISO-8601 UTC strings (same ordering on both engines); dates are 'YYYY-MM-DD'.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('purchasers', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('credit_code', 18).notNullable().unique();
    t.string('city', 10).notNullable();
    t.string('type', 20).notNullable(); // agency | hospital | school | other
    t.string('contact', 200).notNullable().defaultTo('');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('vendors', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('credit_code', 18).notNullable().unique();
    t.string('city', 10).notNullable();
    t.string('address', 300).notNullable().defaultTo('');
    t.string('contact', 200).notNullable().defaultTo('');
    t.string('status', 20).notNullable().defaultTo('pending'); // pending | approved | rejected
    t.string('review_reason', 500);
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('reviewed_at', 30);
    t.index(['status']);
  });
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('password_hash', 255).notNullable();
    t.string('role', 20).notNullable(); // purchaser | vendor | admin
    t.integer('purchaser_id').unsigned().references('id').inTable('purchasers');
    t.integer('vendor_id').unsigned().references('id').inTable('vendors');
    t.string('display_name', 100).notNullable().defaultTo('');
    t.string('status', 20).notNullable().defaultTo('active'); // active | pending | disabled
    t.string('locale', 10);
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('id', 128).primary(); // sha-256 of the cookie value, never the value itself
    t.integer('user_id').unsigned().references('id').inTable('users').onDelete('CASCADE');
    t.text('data').notNullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['expires_at']);
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 128).primary(); // sha-256 of the bearer token
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
  });
  await knex.schema.createTable('login_attempts', (t) => {
    t.string('key', 200).primary(); // 'user:<name>' or 'ip:<addr>'
    t.integer('failures').notNullable().defaultTo(0);
    t.string('first_failure_at', 30);
    t.string('locked_until', 30);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['login_attempts', 'api_tokens', 'sessions', 'users', 'vendors', 'purchasers']) {
    await knex.schema.dropTableIfExists(table);
  }
}
