import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

/**
 * The finance department (财政部门, role `finance`) in the single-source procedure: its approval with an opinion and
 * an approval number, the contract's filing (合同备案), the copy of each objection it receives, and the cause of a
 * termination (MoF Order No. 74 art. 43: conditions changed, irregularities, price above the budget; or withdrawal).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('fp_cases', (t) => {
    t.string('approval_opinion', 2000);
    t.string('approval_no', 64);
    t.integer('approved_by');
    t.string('approved_at', 30);
    t.string('filed_at', 30);
    t.integer('filed_by');
    t.string('termination_cause', 30);
  });
  await knex.schema.alterTable('objections', (t) => {
    t.string('copied_to_finance_at', 30);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'objections', ['copied_to_finance_at']);
  await dropColumns(knex, 'fp_cases', ['termination_cause', 'filed_by', 'filed_at', 'approved_at', 'approved_by', 'approval_no', 'approval_opinion']);
}
