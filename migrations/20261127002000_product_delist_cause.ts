import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

// Why a listing left the catalogue without its vendor asking: 'cert_revoked' or 'cert_expired' (the vendor's
// listing page explains it); null when the vendor delisted it or an admin reviewed it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.string('delist_cause', 30);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'products', ['delist_cause']);
}
