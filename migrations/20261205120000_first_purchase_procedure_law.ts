import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

/**
 * The single-source procedure to the letter of MoF Order No. 74 (issue 14 items 1, 5–9):
 * - the 公示's contacts (art. 38): a purchasing unit's address in its profile; per case the purchaser's address,
 *   contact person and phone as published, and any 代理机构 (JSON: name, address, contact person, phone);
 * - the reply to an objector (arts. 39–40) and when it was given;
 * - the day of the award (成交通知书), from which the contract is due within 30 days; existing awarded cases take it
 *   from their result notice;
 * - the acceptance (验收): the team (JSON array of names) and the report, and when.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('purchasers', (t) => {
    t.string('address', 300).notNullable().defaultTo('');
  });
  await knex.schema.alterTable('fp_cases', (t) => {
    t.string('purchaser_address', 300).notNullable().defaultTo('');
    t.string('contact_person', 50).notNullable().defaultTo('');
    t.string('contact_phone', 50).notNullable().defaultTo('');
    t.text('agency');
    t.string('awarded_at', 30);
    t.text('acceptance_team');
    t.text('acceptance_report');
    t.string('accepted_at', 30);
  });
  await knex.schema.alterTable('objections', (t) => {
    t.text('reply');
    t.string('replied_at', 30);
  });
  await knex.raw(
    `UPDATE fp_cases SET awarded_at = (SELECT MIN(n.published_at) FROM notices n WHERE n.case_id = fp_cases.id AND n.type = 'result')
     WHERE awarded_at IS NULL AND EXISTS (SELECT 1 FROM notices n WHERE n.case_id = fp_cases.id AND n.type = 'result')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'objections', ['replied_at', 'reply']);
  await dropColumns(knex, 'fp_cases', ['accepted_at', 'acceptance_report', 'acceptance_team', 'awarded_at', 'agency', 'contact_phone', 'contact_person', 'purchaser_address']);
  await dropColumns(knex, 'purchasers', ['address']);
}
