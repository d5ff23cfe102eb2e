import type { Knex } from 'knex';

/**
 * The monthly rollup of trade facts (`trade_rollup`) is kept by the database: an AFTER INSERT trigger on `trades`
 * adds each settlement (+1, amount) or refund (−1, −amount) to its row, inside the settlement's own transaction —
 * as the ledger did before from JavaScript, one round trip less per payment. Nothing to backfill: the rows written
 * so far already hold every trade.
 */
const UPSERT = `INSERT INTO trade_rollup (month, year, channel, field, level, kind, purchaser_city, vendor_city, purchaser_type, purchaser_id, vendor_id, trade_count, amount_fen)
  VALUES (NEW.month, NEW.year, NEW.channel, NEW.field, COALESCE(NEW.level, ''), NEW.kind, NEW.purchaser_city, NEW.vendor_city, NEW.purchaser_type, NEW.purchaser_id, NEW.vendor_id, NEW.count_delta, NEW.amount_fen)
  ON CONFLICT (month, channel, field, level, kind, purchaser_city, vendor_city, purchaser_type, purchaser_id, vendor_id) DO UPDATE SET
    trade_count = trade_rollup.trade_count + excluded.trade_count,
    amount_fen = trade_rollup.amount_fen + excluded.amount_fen;`;

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE OR REPLACE FUNCTION trades_rollup() RETURNS trigger AS $$
      BEGIN
        ${UPSERT}
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await knex.raw('CREATE TRIGGER trades_rollup AFTER INSERT ON trades FOR EACH ROW EXECUTE FUNCTION trades_rollup()');
  } else {
    await knex.raw(`CREATE TRIGGER trades_rollup AFTER INSERT ON trades BEGIN
      ${UPSERT}
    END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS trades_rollup ON trades');
    await knex.raw('DROP FUNCTION IF EXISTS trades_rollup()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS trades_rollup');
  }
}
