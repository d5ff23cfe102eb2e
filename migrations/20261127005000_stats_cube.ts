import type { Knex } from 'knex';

/**
 * Statistics read a one-dimension-at-a-time monthly cube of the trade facts: for each month, channel and one
 * dimension (field, level, kind, purchaser city, vendor city, purchaser type, vendor, purchaser, or 'all'), the
 * trade count and amount. Its size depends on the months asked for and the dimension's cardinality, never on how
 * many trades there are, so a grouped query costs the same with 10 thousand trades as with 10 million.
 *
 * A trigger on `trades` keeps it in step inside the settlement's (or refund's) own transaction, exactly as the
 * ledger keeps `trade_rollup`; the statistics therefore never disagree with the ledger. Existing trades are
 * backfilled here. Plus an index for keyset-paged exports in date order.
 */
const DIMS: Array<[dim: string, value: (row: string) => string]> = [
  ['all', () => "''"],
  ['field', (r) => `${r}field`],
  ['level', (r) => `COALESCE(${r}level, '')`],
  ['kind', (r) => `${r}kind`],
  ['purchaser_city', (r) => `${r}purchaser_city`],
  ['vendor_city', (r) => `${r}vendor_city`],
  ['purchaser_type', (r) => `${r}purchaser_type`],
  ['vendor', (r) => `CAST(${r}vendor_id AS TEXT)`],
  ['purchaser', (r) => `CAST(${r}purchaser_id AS TEXT)`],
];

const COLUMNS = '(dim, month, year, channel, value, trade_count, amount_fen)';

const upsertNew = (dim: string, value: (row: string) => string) =>
  `INSERT INTO trade_cube ${COLUMNS}
     VALUES ('${dim}', NEW.month, NEW.year, NEW.channel, ${value('NEW.')}, NEW.count_delta, NEW.amount_fen)
   ON CONFLICT (dim, month, channel, value) DO UPDATE SET
     trade_count = trade_cube.trade_count + excluded.trade_count,
     amount_fen = trade_cube.amount_fen + excluded.amount_fen;`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trade_cube', (t) => {
    t.increments('id');
    t.string('dim', 20).notNullable();
    t.string('month', 7).notNullable(); // YYYY-MM, Asia/Shanghai
    t.integer('year').notNullable();
    t.string('channel', 20).notNullable();
    t.string('value', 64).notNullable(); // the dimension's value ('' for 'all' and for no level); ids as text
    t.integer('trade_count').notNullable().defaultTo(0);
    t.bigInteger('amount_fen').notNullable().defaultTo(0);
    t.unique(['dim', 'month', 'channel', 'value'], { indexName: 'trade_cube_key' });
  });
  await knex.schema.alterTable('trades', (t) => {
    t.index(['day', 'id'], 'trades_day_id');
  });

  const pg = knex.client.config.client === 'pg';
  if (pg) {
    await knex.raw(`CREATE OR REPLACE FUNCTION trades_cube() RETURNS trigger AS $$
      BEGIN
        ${DIMS.map(([dim, value]) => upsertNew(dim, value)).join('\n')}
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await knex.raw('CREATE TRIGGER trades_cube AFTER INSERT ON trades FOR EACH ROW EXECUTE FUNCTION trades_cube()');
  } else {
    await knex.raw(`CREATE TRIGGER trades_cube AFTER INSERT ON trades BEGIN
      ${DIMS.map(([dim, value]) => upsertNew(dim, value)).join('\n')}
    END`);
  }

  for (const [dim, value] of DIMS) {
    const group = dim === 'all' ? '' : `, ${value('')}`; // PostgreSQL refuses a constant in GROUP BY
    await knex.raw(`INSERT INTO trade_cube ${COLUMNS}
      SELECT '${dim}', month, year, channel, ${value('')}, SUM(count_delta), SUM(amount_fen)
      FROM trades GROUP BY month, year, channel${group}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS trades_cube ON trades');
    await knex.raw('DROP FUNCTION IF EXISTS trades_cube()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS trades_cube');
  }
  await knex.schema.alterTable('trades', (t) => {
    t.dropIndex(['day', 'id'], 'trades_day_id');
  });
  await knex.schema.dropTableIfExists('trade_cube');
}
