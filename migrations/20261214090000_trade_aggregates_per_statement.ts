import type { Knex } from 'knex';
import { rebuildTradeAggregates } from '../src/stats/aggregates';

/**
 * On PostgreSQL the trade aggregates are kept by statement-level triggers (one grouped upsert per aggregate for all
 * the trade facts a settlement batch inserts) instead of one upsert per row and slice; SQLite keeps its row-level
 * triggers. The rebuild derives the triggers again from the dimension table and recomputes the aggregates.
 */
export async function up(knex: Knex): Promise<void> {
  await rebuildTradeAggregates(knex);
}

/** The rebuild is the same either way: the triggers come from the code of the day, the aggregates from `trades`. */
export async function down(knex: Knex): Promise<void> {
  await rebuildTradeAggregates(knex);
}
