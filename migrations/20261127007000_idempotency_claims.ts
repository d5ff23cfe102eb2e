import type { Knex } from 'knex';

/**
 * An Idempotency-Key's claim: which attempt holds it (`claim_token`) and until when (`claimed_until`, epoch ms). The
 * response is now stored in the same transaction as the effect, so a key without a response after its claim ran
 * out belongs to an attempt that never committed (its process died) and the next retry may take it over. Rows from
 * before have no claim: without a response they count as expired.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.string('claim_token', 64);
    t.bigInteger('claimed_until');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropColumn('claim_token');
    t.dropColumn('claimed_until');
  });
}
