import type { Knex } from 'knex';

// The double-entry ledger, the trade facts derived from settlements, their rollup, and the audit log.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ledger_accounts', (t) => {
    t.increments('id');
    t.string('code', 64).notNullable().unique(); // treasury | budget:{id} | commitment:{id} | vendor:{id}
    t.string('type', 20).notNullable();
    t.integer('owner_id');
    t.bigInteger('balance_fen').notNullable().defaultTo(0);
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('ledger_transfers', (t) => {
    t.increments('id');
    t.integer('debit_account_id').unsigned().notNullable().references('id').inTable('ledger_accounts');
    t.integer('credit_account_id').unsigned().notNullable().references('id').inTable('ledger_accounts');
    t.bigInteger('amount_fen').notNullable();
    t.string('kind', 20).notNullable(); // allocate | reserve | release | settle | refund
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('case_id').unsigned().references('id').inTable('fp_cases');
    t.string('idempotency_key', 200).notNullable().unique();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['debit_account_id']);
    t.index(['credit_account_id']);
    t.index(['order_id']);
    t.index(['case_id']);
  });
  // One row per settlement (+) or refund (−): the fact table that statistics and exports read.
  await knex.schema.createTable('trades', (t) => {
    t.increments('id');
    t.integer('transfer_id').unsigned().notNullable().unique().references('id').inTable('ledger_transfers');
    t.string('channel', 20).notNullable(); // boutique | first_purchase
    t.string('day', 10).notNullable(); // Asia/Shanghai calendar day
    t.integer('year').notNullable();
    t.string('month', 7).notNullable(); // YYYY-MM
    t.integer('count_delta').notNullable(); // +1 settle, -1 refund
    t.bigInteger('amount_fen').notNullable(); // negative for refunds
    t.integer('purchaser_id').unsigned().notNullable();
    t.string('purchaser_city', 10).notNullable();
    t.string('purchaser_type', 20).notNullable();
    t.integer('vendor_id').unsigned().notNullable();
    t.string('vendor_city', 10).notNullable();
    t.integer('order_id');
    t.integer('case_id');
    t.integer('product_id');
    t.string('product_title', 200).notNullable();
    t.string('cert_no', 64);
    t.string('level', 20);
    t.string('field', 50).notNullable();
    t.string('kind', 20).notNullable();
    t.index(['day']);
    t.index(['channel', 'day']);
  });
  // Monthly rollup maintained in the settlement's own transaction, so grouped statistics do not scan history.
  await knex.schema.createTable('trade_rollup', (t) => {
    t.increments('id');
    t.string('month', 7).notNullable();
    t.integer('year').notNullable();
    t.string('channel', 20).notNullable();
    t.string('field', 50).notNullable();
    t.string('level', 20).notNullable(); // '' where none
    t.string('kind', 20).notNullable();
    t.string('purchaser_city', 10).notNullable();
    t.string('vendor_city', 10).notNullable();
    t.string('purchaser_type', 20).notNullable();
    t.integer('purchaser_id').notNullable();
    t.integer('vendor_id').notNullable();
    t.integer('trade_count').notNullable().defaultTo(0);
    t.bigInteger('amount_fen').notNullable().defaultTo(0);
    t.unique(['month', 'channel', 'field', 'level', 'kind', 'purchaser_city', 'vendor_city', 'purchaser_type', 'purchaser_id', 'vendor_id'], {
      indexName: 'trade_rollup_dims',
    });
  });
  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.integer('actor_id');
    t.string('actor_name', 100).notNullable().defaultTo('');
    t.string('action', 50).notNullable();
    t.string('entity', 50).notNullable();
    t.string('entity_id', 50);
    t.text('before');
    t.text('after');
    t.string('at', 30).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['entity', 'entity_id']);
    t.index(['at']);
  });
  // Append-only journals: the database itself refuses UPDATE and DELETE (corrections are new rows). Someone with
  // the power to drop these triggers can still tamper — that is what the hash chains and `verify` are for.
  for (const table of IMMUTABLE) {
    if (knex.client.config.client === 'pg') {
      await knex.raw(`CREATE OR REPLACE FUNCTION ${table}_immutable() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '${table} is append-only'; END $$ LANGUAGE plpgsql`);
      await knex.raw(`CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ${table}_immutable()`);
    } else {
      await knex.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
      await knex.raw(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`);
    }
  }
}

const IMMUTABLE = ['ledger_transfers', 'audit_log'];

export async function down(knex: Knex): Promise<void> {
  for (const table of IMMUTABLE) {
    if (knex.client.config.client === 'pg') {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_immutable ON ${table}`);
      await knex.raw(`DROP FUNCTION IF EXISTS ${table}_immutable()`);
    } else {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_update`);
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_delete`);
    }
  }
  for (const table of ['audit_log', 'trade_rollup', 'trades', 'ledger_transfers', 'ledger_accounts']) {
    await knex.schema.dropTableIfExists(table);
  }
}
