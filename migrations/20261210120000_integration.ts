import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

/**
 * Integration (issue 17): the transactional outbox (one row per domain event, written by recordAudit in the
 * transaction of the change; `seq` global, `stream_seq` per stream), the hosts' webhooks with their cursor and
 * lease, one delivery row per (webhook, event) with its attempts and the next attempt's time, and the purchasing
 * units' published purchase intentions (采购意向公开). A 政府首购 case remembers the intention its 公示 links.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox_events', (t) => {
    t.increments('seq');
    t.string('id', 36).notNullable().unique();
    t.string('stream', 80).notNullable();
    t.integer('stream_seq').notNullable();
    t.string('type', 64).notNullable();
    t.string('occurred_at', 30).notNullable();
    t.text('data').notNullable();
    t.unique(['stream', 'stream_seq']);
  });
  await knex.schema.createTable('webhooks', (t) => {
    t.increments('id');
    t.string('url', 2000).notNullable();
    t.text('events').notNullable(); // JSON array: ["*"] or event types
    t.string('secret', 200).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    /** The last event (seq) fanned out into deliveries. */
    t.integer('cursor').notNullable().defaultTo(0);
    t.string('lease_owner', 64);
    t.string('lease_until', 30);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.increments('id');
    t.integer('webhook_id').unsigned().notNullable().references('id').inTable('webhooks');
    t.integer('event_seq').unsigned().notNullable().references('seq').inTable('outbox_events');
    t.string('status', 16).notNullable(); // pending | delivered | dead
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).notNullable();
    t.integer('last_status');
    t.text('last_error');
    t.string('delivered_at', 30);
    t.string('created_at', 30).notNullable();
    t.unique(['webhook_id', 'event_seq']);
    t.index(['webhook_id', 'status', 'event_seq']);
  });
  await knex.schema.createTable('purchase_intentions', (t) => {
    t.increments('id');
    t.integer('purchaser_id').unsigned().notNullable().references('id').inTable('purchasers');
    t.string('project_name', 200).notNullable();
    t.string('goods', 2000).notNullable();
    t.bigInteger('budget_fen').notNullable();
    t.string('expected_month', 7).notNullable(); // YYYY-MM
    t.integer('product_id').unsigned().references('id').inTable('products');
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.string('published_at', 30).notNullable();
    t.index(['purchaser_id', 'published_at']);
  });
  await knex.schema.alterTable('fp_cases', (t) => {
    t.integer('intention_id').unsigned(); // purchase_intentions.id (no foreign key, so that down can drop it on SQLite)
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'fp_cases', ['intention_id']);
  await knex.schema.dropTableIfExists('purchase_intentions');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhooks');
  await knex.schema.dropTableIfExists('outbox_events');
}
