import type { Knex } from 'knex';

/**
 * The history of the listings, the vendors and the certificates, as orders and single-source cases have theirs: one
 * row per change of status (and one for the status an object starts in, `from_status` null), written in the same
 * transaction as the change. `action` is the step of the object's table (src/vendors/transitions.ts,
 * src/certification/transitions.ts: approve, reject, delist, relist, resubmit, delist_by_certificate, revoke, expire,
 * renew…); `actor_id` is null for what the system does by itself (expiring overdue certificates without a caller);
 * `note` is the reason given (a rejection's, a revocation's) or what caused the change.
 */
const TABLES = [
  { name: 'product_history', key: 'product_id', target: 'products' },
  { name: 'vendor_history', key: 'vendor_id', target: 'vendors' },
  { name: 'certificate_history', key: 'certification_id', target: 'certifications' },
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const t of TABLES) {
    await knex.schema.createTable(t.name, (table) => {
      table.increments('id');
      table.integer(t.key).unsigned().notNullable().references('id').inTable(t.target);
      table.string('action', 40).notNullable();
      table.string('from_status', 20);
      table.string('to_status', 20).notNullable();
      table.integer('actor_id').unsigned().references('id').inTable('users');
      table.string('note', 1000);
      table.string('at', 30).notNullable();
      table.index([t.key]);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [...TABLES].reverse()) await knex.schema.dropTableIfExists(t.name);
}
