import type { Knex } from 'knex';

/**
 * The certification lifecycle (认定, DESIGN §8, issue 15): the key technical indicator list (清单) with its history,
 * the expert pool (专家库), online applications with their history, the experts drawn to each application (the draw
 * on record: who, when, from which pool) and their reviews, the rounds whose 拟认定名单 is publicly noticed (type
 * `certification`, with objections), and the awards (奖励) that fall due when a round is finalized. Money in 分.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('indicator_list', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.string('field', 40).notNullable();
    t.string('product', 200).notNullable();
    t.text('indicators').notNullable(); // JSON [{name, comparator, threshold, unit}]
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['year', 'field']);
  });
  await knex.schema.createTable('indicator_list_history', (t) => {
    t.increments('id');
    t.integer('entry_id').unsigned().notNullable().references('id').inTable('indicator_list');
    t.string('action', 20).notNullable(); // create | update
    t.text('before');
    t.text('after').notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('at', 30).notNullable();
    t.index(['entry_id']);
  });
  await knex.schema.createTable('experts', (t) => {
    t.increments('id');
    t.string('name', 50).notNullable();
    t.string('unit', 200).notNullable();
    t.string('title', 50).notNullable();
    t.text('fields').notNullable(); // JSON array of field names
    t.integer('user_id').unsigned().references('id').inTable('users').unique();
    t.boolean('active').notNullable().defaultTo(true);
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('cert_applications', (t) => {
    t.increments('id');
    t.string('application_no', 30).unique();
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.string('product_name', 200).notNullable();
    t.string('model', 100).notNullable();
    t.string('kind', 20).notNullable();
    t.string('field', 40).notNullable();
    t.string('level_claimed', 20).notNullable();
    t.integer('list_entry_id').unsigned().references('id').inTable('indicator_list');
    t.text('indicators').notNullable(); // JSON [{name, value}]
    t.text('description').notNullable();
    t.string('status', 20).notNullable();
    t.string('screen_opinion', 2000);
    t.integer('mean_score_x100');
    t.string('recommended_level', 20);
    t.integer('round_id').unsigned();
    t.integer('cert_id').unsigned().references('id').inTable('certifications');
    t.string('cert_no', 64);
    t.string('decided_at', 30);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('submitted_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['vendor_id']);
    t.index(['status']);
    t.index(['round_id']);
  });
  await knex.schema.createTable('cert_application_history', (t) => {
    t.increments('id');
    t.integer('application_id').unsigned().notNullable().references('id').inTable('cert_applications');
    t.string('action', 40).notNullable();
    t.string('from_status', 20);
    t.string('to_status', 20).notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('note', 2000);
    t.string('at', 30).notNullable();
    t.index(['application_id']);
  });
  await knex.schema.createTable('cert_draws', (t) => {
    t.increments('id');
    t.integer('application_id').unsigned().notNullable().references('id').inTable('cert_applications');
    t.string('reason', 20).notNullable(); // draw | replacement
    t.integer('count').notNullable();
    t.text('pool').notNullable(); // JSON: the ids of the eligible experts the draw was made from
    t.text('drawn').notNullable(); // JSON: the ids drawn
    t.integer('drawn_by').unsigned().references('id').inTable('users');
    t.string('drawn_at', 30).notNullable();
    t.index(['application_id']);
  });
  await knex.schema.createTable('cert_reviews', (t) => {
    t.increments('id');
    t.integer('application_id').unsigned().notNullable().references('id').inTable('cert_applications');
    t.integer('expert_id').unsigned().notNullable().references('id').inTable('experts');
    t.integer('draw_id').unsigned().notNullable().references('id').inTable('cert_draws');
    t.string('status', 20).notNullable(); // assigned | scored | conflict
    t.integer('score');
    t.string('recommend_level', 20);
    t.text('opinion');
    t.string('reviewed_at', 30);
    t.unique(['application_id', 'expert_id']);
    t.index(['expert_id']);
  });
  await knex.schema.createTable('cert_rounds', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.string('status', 20).notNullable(); // notice | finalized
    t.string('published_at', 30).notNullable();
    t.string('period_ends_at', 30).notNullable();
    t.string('finalized_at', 30);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('cert_notices', (t) => {
    t.increments('id');
    t.integer('round_id').unsigned().notNullable().references('id').inTable('cert_rounds');
    t.string('type', 20).notNullable(); // certification
    t.string('title', 300).notNullable();
    t.text('content').notNullable();
    t.string('published_at', 30).notNullable();
    t.string('period_ends_at', 30);
    t.index(['round_id']);
  });
  await knex.schema.createTable('cert_objections', (t) => {
    t.increments('id');
    t.integer('round_id').unsigned().notNullable().references('id').inTable('cert_rounds');
    t.integer('application_id').unsigned().references('id').inTable('cert_applications');
    t.string('name', 100).notNullable();
    t.string('organization', 200).notNullable();
    t.string('contact', 200).notNullable();
    t.text('content').notNullable();
    t.string('status', 20).notNullable(); // open | upheld | dismissed
    t.text('opinion');
    t.integer('resolved_by').unsigned().references('id').inTable('users');
    t.string('resolved_at', 30);
    t.string('created_at', 30).notNullable();
    t.index(['round_id']);
  });
  await knex.schema.createTable('cert_awards', (t) => {
    t.increments('id');
    t.integer('application_id').unsigned().notNullable().references('id').inTable('cert_applications').unique();
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.string('level', 20).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.string('status', 20).notNullable(); // due | paid
    t.string('due_at', 30).notNullable();
    t.string('paid_at', 30);
    t.integer('paid_by').unsigned().references('id').inTable('users');
    t.integer('transfer_id').unsigned();
    t.integer('year').notNullable();
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['status']);
    t.index(['vendor_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['cert_awards', 'cert_objections', 'cert_notices', 'cert_reviews', 'cert_draws', 'cert_application_history', 'cert_applications', 'cert_rounds', 'experts', 'indicator_list_history', 'indicator_list']) {
    await knex.schema.dropTableIfExists(table);
  }
}
