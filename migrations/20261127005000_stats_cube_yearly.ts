import type { Knex } from 'knex';

/**
 * The statistics cube by year as well as by month: the same one-dimension-at-a-time slices, per calendar year.
 * A year's range then reads one row per vendor (or purchaser, field…) and channel instead of twelve, and a range of
 * several years one row per year — what keeps "top 10 purchasers of all time" cheap on a long history.
 * Kept by its own trigger on `trades`, in the settlement's transaction like the monthly cube; backfilled from it.
 */
const DIMS: Array<[dim: string, value: string]> = [
  ['all', "''"],
  ['field', 'NEW.field'],
  ['level', "COALESCE(NEW.level, '')"],
  ['kind', 'NEW.kind'],
  ['purchaser_city', 'NEW.purchaser_city'],
  ['vendor_city', 'NEW.vendor_city'],
  ['purchaser_type', 'NEW.purchaser_type'],
  ['vendor', 'CAST(NEW.vendor_id AS TEXT)'],
  ['purchaser', 'CAST(NEW.purchaser_id AS TEXT)'],
];

const upserts = DIMS.map(
  ([dim, value]) => `INSERT INTO trade_cube_year (dim, year, channel, value, trade_count, amount_fen)
     VALUES ('${dim}', NEW.year, NEW.channel, ${value}, NEW.count_delta, NEW.amount_fen)
   ON CONFLICT (dim, year, channel, value) DO UPDATE SET
     trade_count = trade_cube_year.trade_count + excluded.trade_count,
     amount_fen = trade_cube_year.amount_fen + excluded.amount_fen;`,
).join('\n');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trade_cube_year', (t) => {
    t.increments('id');
    t.string('dim', 20).notNullable();
    t.integer('year').notNullable();
    t.string('channel', 20).notNullable();
    t.string('value', 64).notNullable();
    t.integer('trade_count').notNullable().defaultTo(0);
    t.bigInteger('amount_fen').notNullable().defaultTo(0);
    t.unique(['dim', 'year', 'channel', 'value'], { indexName: 'trade_cube_year_key' });
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE OR REPLACE FUNCTION trades_cube_year() RETURNS trigger AS $$
      BEGIN
        ${upserts}
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await knex.raw('CREATE TRIGGER trades_cube_year AFTER INSERT ON trades FOR EACH ROW EXECUTE FUNCTION trades_cube_year()');
  } else {
    await knex.raw(`CREATE TRIGGER trades_cube_year AFTER INSERT ON trades BEGIN
      ${upserts}
    END`);
  }
  await knex.raw(`INSERT INTO trade_cube_year (dim, year, channel, value, trade_count, amount_fen)
    SELECT dim, year, channel, value, SUM(trade_count), SUM(amount_fen) FROM trade_cube GROUP BY dim, year, channel, value`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS trades_cube_year ON trades');
    await knex.raw('DROP FUNCTION IF EXISTS trades_cube_year()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS trades_cube_year');
  }
  await knex.schema.dropTableIfExists('trade_cube_year');
}
