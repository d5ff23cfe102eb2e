import type { Knex } from 'knex';
import { rebuildTradeAggregates } from '../src/stats/aggregates';

/**
 * A 浙江制造精品 item listed without a certificate has no first-unit kind (issue 14 item 12): it was stored as
 * `equipment` (the old default, or whatever its vendor picked) and so counted among 首台（套）装备. Such listings and
 * their trades get the kind `boutique`; the statistics' aggregates are rebuilt from the corrected trade facts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('products').whereNull('cert_id').whereNot('kind', 'boutique').update({ kind: 'boutique' });
  await knex('trades').whereNull('cert_no').whereNot('kind', 'boutique').update({ kind: 'boutique' });
  await rebuildTradeAggregates(knex);
}

/** Back to the old default: the kind a vendor once picked for an uncertified item is not kept. */
export async function down(knex: Knex): Promise<void> {
  await knex('products').where('kind', 'boutique').update({ kind: 'equipment' });
  await knex('trades').where('kind', 'boutique').update({ kind: 'equipment' });
  await rebuildTradeAggregates(knex);
}
