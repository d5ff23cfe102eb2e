import type { Knex } from 'knex';

/** The expert pool's edits on record (issue 15 item 2): who changed an expert's name, unit, title or fields, and how. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('expert_history', (t) => {
    t.increments('id');
    t.integer('expert_id').unsigned().notNullable().references('id').inTable('experts');
    t.string('action', 20).notNullable(); // update | active
    t.text('before').notNullable(); // JSON of the fields changed, as they were
    t.text('after').notNullable(); // JSON of the same fields, as they are now
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('at', 30).notNullable();
    t.index(['expert_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('expert_history');
}
