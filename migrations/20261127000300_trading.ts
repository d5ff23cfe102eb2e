import type { Knex } from 'knex';

// Orders of the boutique hall and the single-source government first-purchase cases.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.increments('id');
    t.integer('purchaser_id').unsigned().notNullable().references('id').inTable('purchasers');
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.string('status', 20).notNullable(); // placed | confirmed | delivered | accepted | paid | cancelled | refunded
    t.bigInteger('total_fen').notNullable();
    t.string('acceptance_note', 1000);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['purchaser_id', 'created_at']);
    t.index(['vendor_id', 'created_at']);
  });
  await knex.schema.createTable('order_items', (t) => {
    t.increments('id');
    t.integer('order_id').unsigned().notNullable().references('id').inTable('orders');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.string('title', 200).notNullable(); // snapshot at order time
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_fen').notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.index(['order_id']);
  });
  await knex.schema.createTable('order_history', (t) => {
    t.increments('id');
    t.integer('order_id').unsigned().notNullable().references('id').inTable('orders');
    t.string('from_status', 20);
    t.string('to_status', 20).notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('note', 1000);
    t.string('at', 30).notNullable();
    t.index(['order_id']);
  });
  await knex.schema.createTable('fp_cases', (t) => {
    t.increments('id');
    t.integer('purchaser_id').unsigned().notNullable().references('id').inTable('purchasers');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.integer('cert_id').unsigned().notNullable().references('id').inTable('certifications');
    t.string('project_name', 200).notNullable();
    t.text('project_content').notNullable().defaultTo('');
    t.bigInteger('budget_fen').notNullable();
    t.text('reason').notNullable();
    t.text('experts').notNullable(); // JSON [{name, unit, title}]
    t.string('contact', 200).notNullable();
    // draft | notice | approved | awarded | contracted | accepted | paid | terminated
    t.string('status', 20).notNullable();
    t.string('notice_starts_at', 30);
    t.string('notice_ends_at', 30);
    t.bigInteger('amount_fen');
    t.text('negotiation'); // JSON record
    t.string('contract_no', 64);
    t.string('signed_at', 30);
    t.string('termination_reason', 1000);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['purchaser_id']);
    t.index(['vendor_id']);
    t.index(['status']);
  });
  await knex.schema.createTable('fp_history', (t) => {
    t.increments('id');
    t.integer('case_id').unsigned().notNullable().references('id').inTable('fp_cases');
    t.string('from_status', 20);
    t.string('to_status', 20).notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('note', 1000);
    t.string('at', 30).notNullable();
    t.index(['case_id']);
  });
  await knex.schema.createTable('notices', (t) => {
    t.increments('id');
    t.integer('case_id').unsigned().notNullable().references('id').inTable('fp_cases');
    t.string('type', 20).notNullable(); // single_source | result | contract | termination
    t.string('title', 300).notNullable();
    t.text('content').notNullable(); // JSON with every item the law requires
    t.string('published_at', 30).notNullable();
    t.string('period_ends_at', 30);
    t.index(['type', 'published_at']);
    t.index(['case_id']);
  });
  await knex.schema.createTable('objections', (t) => {
    t.increments('id');
    t.integer('case_id').unsigned().notNullable().references('id').inTable('fp_cases');
    t.string('name', 100).notNullable();
    t.string('organization', 200).notNullable();
    t.string('contact', 200).notNullable();
    t.text('content').notNullable();
    t.string('status', 20).notNullable().defaultTo('open'); // open | upheld | dismissed
    t.text('opinion');
    t.integer('resolved_by').unsigned().references('id').inTable('users');
    t.string('resolved_at', 30);
    t.string('created_at', 30).notNullable();
    t.index(['case_id']);
  });
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.increments('id');
    t.string('scope', 100).notNullable(); // e.g. 'user:12:POST /orders'
    t.string('key', 200).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('status_code');
    t.text('response_body');
    t.string('created_at', 30).notNullable();
    t.unique(['scope', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['idempotency_keys', 'objections', 'notices', 'fp_history', 'fp_cases', 'order_history', 'order_items', 'orders']) {
    await knex.schema.dropTableIfExists(table);
  }
}
