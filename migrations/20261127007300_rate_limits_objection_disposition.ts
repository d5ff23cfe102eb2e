import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

/**
 * Rate limits kept in the database, so that they hold across server processes and under concurrent requests
 * (src/web/rate-limit.ts): one counter per key and fixed window, raised by a single INSERT … ON CONFLICT DO UPDATE.
 * Rows are purged once their window can no longer count (expires_at, milliseconds since the epoch).
 *
 * Login attempts being checked right now (`pending`): an attempt is reserved before its password is hashed, so
 * concurrent guesses cannot all pass the limit (src/auth/throttle.ts).
 *
 * And an objection the department marks as spam or as a duplicate (status 'spam' / 'duplicate', who and when in
 * resolved_by / resolved_at) may name the objection it repeats.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 200).notNullable();
    t.bigInteger('window_start').notNullable(); // ms since the epoch
    t.integer('count').notNullable().defaultTo(0);
    t.bigInteger('expires_at').notNullable(); // ms since the epoch
    t.primary(['key', 'window_start']);
    t.index(['expires_at']);
  });
  await knex.schema.alterTable('objections', (t) => {
    t.integer('duplicate_of');
  });
  await knex.schema.alterTable('login_attempts', (t) => {
    t.integer('pending').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'login_attempts', ['pending']);
  await dropColumns(knex, 'objections', ['duplicate_of']);
  await knex.schema.dropTableIfExists('rate_limits');
}
