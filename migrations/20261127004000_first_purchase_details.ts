import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

// Single-source cases: the experts' uniqueness opinion (a notice item the law requires), the quantity bought, the
// acceptance note; and which action each history row records (objections filed and dismissed change no status but
// belong to the case's history).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('fp_cases', (t) => {
    t.text('expert_opinion').notNullable().defaultTo('');
    t.integer('quantity').notNullable().defaultTo(1);
    t.string('acceptance_note', 1000);
  });
  await knex.schema.alterTable('fp_history', (t) => {
    t.string('action', 30).notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'fp_history', ['action']);
  await dropColumns(knex, 'fp_cases', ['acceptance_note', 'quantity', 'expert_opinion']);
}
