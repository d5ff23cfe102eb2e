import type { Knex } from 'knex';
import { CUBE_SLICES, ROLLUP_COLUMNS, type Dimension } from './dimensions';

/**
 * The aggregates of the trade facts, from the dimension table: `trade_rollup` (per month and every dimension
 * together) and the cubes `trade_cube` / `trade_cube_year` (per month or year, channel and one slice), kept by
 * triggers on `trades` inside the settlement's own transaction (per row on SQLite, per statement on PostgreSQL). A migration that adds a dimension's column to
 * `trades` and `trade_rollup` calls `rebuildTradeAggregates`: it derives the triggers, the rollup's key and the
 * contents of all three from the table — counting only the dimensions whose columns exist by then, so an older
 * migration replayed on a new database never names a column a later one adds.
 */

/** A dimension's value as the rollup keeps it, read from a `trades` row (`NEW.` in a trigger): '' for a missing one. */
const rollupValue = (d: Dimension, row: string) => (d.missing ? `COALESCE(${row}${d.column}, '')` : `${row}${d.column}`);

/** …and as the cubes keep it: always text. */
const cubeValue = (d: Dimension, row: string) => (d.type === 'id' ? `CAST(${row}${d.column} AS TEXT)` : rollupValue(d, row));

function rollupUpsert(dims: readonly Dimension[]): string {
  const cols = dims.map((d) => d.column);
  return `INSERT INTO trade_rollup (month, year, ${cols.join(', ')}, trade_count, amount_fen)
  VALUES (NEW.month, NEW.year, ${dims.map((d) => rollupValue(d, 'NEW.')).join(', ')}, NEW.count_delta, NEW.amount_fen)
  ON CONFLICT (month, ${cols.join(', ')}) DO UPDATE SET
    trade_count = trade_rollup.trade_count + excluded.trade_count,
    amount_fen = trade_rollup.amount_fen + excluded.amount_fen;`;
}

/** The cube's slices: 'all', then one per dimension with a slice. */
const slices = (dims: readonly Dimension[]): Array<[dim: string, value: (row: string) => string]> => [
  ['all', () => "''"],
  ...dims.filter((d) => CUBE_SLICES.includes(d)).map((d): [string, (row: string) => string] => [d.dim, (row) => cubeValue(d, row)]),
];

const cubeUpserts = (dims: readonly Dimension[]) =>
  slices(dims)
    .map(
      ([dim, value]) => `INSERT INTO trade_cube (dim, month, year, channel, value, trade_count, amount_fen)
     VALUES ('${dim}', NEW.month, NEW.year, NEW.channel, ${value('NEW.')}, NEW.count_delta, NEW.amount_fen)
   ON CONFLICT (dim, month, channel, value) DO UPDATE SET
     trade_count = trade_cube.trade_count + excluded.trade_count,
     amount_fen = trade_cube.amount_fen + excluded.amount_fen;`,
    )
    .join('\n');

const cubeYearUpserts = (dims: readonly Dimension[]) =>
  slices(dims)
    .map(
      ([dim, value]) => `INSERT INTO trade_cube_year (dim, year, channel, value, trade_count, amount_fen)
     VALUES ('${dim}', NEW.year, NEW.channel, ${value('NEW.')}, NEW.count_delta, NEW.amount_fen)
   ON CONFLICT (dim, year, channel, value) DO UPDATE SET
     trade_count = trade_cube_year.trade_count + excluded.trade_count,
     amount_fen = trade_cube_year.amount_fen + excluded.amount_fen;`,
    )
    .join('\n');

/*
 * PostgreSQL keeps the aggregates with statement-level triggers: a settlement batch inserts many trade facts in one
 * statement, and the trigger folds them with one grouped upsert per aggregate (the transition table `new_trades`)
 * instead of one upsert per row and slice. Each statement's rows are grouped by the aggregate's key first, so an upsert
 * never meets the same key twice. SQLite has only row-level triggers: the bodies above.
 */
function rollupUpsertAll(dims: readonly Dimension[]): string {
  const cols = dims.map((d) => d.column);
  const exprs = dims.map((d) => rollupValue(d, ''));
  return `INSERT INTO trade_rollup (month, year, ${cols.join(', ')}, trade_count, amount_fen)
  SELECT month, year, ${exprs.join(', ')}, SUM(count_delta), SUM(amount_fen) FROM new_trades GROUP BY month, year, ${exprs.join(', ')}
  ON CONFLICT (month, ${cols.join(', ')}) DO UPDATE SET
    trade_count = trade_rollup.trade_count + excluded.trade_count,
    amount_fen = trade_rollup.amount_fen + excluded.amount_fen;`;
}

/** GROUP BY for a slice's value: none for 'all' (PostgreSQL refuses a constant in GROUP BY). */
const sliceGroup = (dim: string, value: (row: string) => string) => (dim === 'all' ? '' : `, ${value('')}`);

const cubeUpsertsAll = (dims: readonly Dimension[]) =>
  slices(dims)
    .map(
      ([dim, value]) => `INSERT INTO trade_cube (dim, month, year, channel, value, trade_count, amount_fen)
     SELECT '${dim}', month, year, channel, ${value('')}, SUM(count_delta), SUM(amount_fen) FROM new_trades GROUP BY month, year, channel${sliceGroup(dim, value)}
   ON CONFLICT (dim, month, channel, value) DO UPDATE SET
     trade_count = trade_cube.trade_count + excluded.trade_count,
     amount_fen = trade_cube.amount_fen + excluded.amount_fen;`,
    )
    .join('\n');

const cubeYearUpsertsAll = (dims: readonly Dimension[]) =>
  slices(dims)
    .map(
      ([dim, value]) => `INSERT INTO trade_cube_year (dim, year, channel, value, trade_count, amount_fen)
     SELECT '${dim}', year, channel, ${value('')}, SUM(count_delta), SUM(amount_fen) FROM new_trades GROUP BY year, channel${sliceGroup(dim, value)}
   ON CONFLICT (dim, year, channel, value) DO UPDATE SET
     trade_count = trade_cube_year.trade_count + excluded.trade_count,
     amount_fen = trade_cube_year.amount_fen + excluded.amount_fen;`,
    )
    .join('\n');

const TRIGGERS = ['trades_rollup', 'trades_cube', 'trades_cube_year'] as const;

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/** A trigger keeping one aggregate: `perRow` on SQLite, `perStatement` (over `new_trades`) on PostgreSQL. */
async function createTrigger(knex: Knex, name: string, perRow: string, perStatement: string): Promise<void> {
  if (isPg(knex)) {
    await knex.raw(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $$
      BEGIN
        ${perStatement}
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    await knex.raw(`CREATE TRIGGER ${name} AFTER INSERT ON trades REFERENCING NEW TABLE AS new_trades FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`);
  } else {
    await knex.raw(`CREATE TRIGGER ${name} AFTER INSERT ON trades BEGIN
      ${perRow}
    END`);
  }
}

/**
 * The dimensions whose columns `trades` and `trade_rollup` have (a migration may run before a later one adds some),
 * less the columns `without` names (a migration's `down`, before it drops them).
 */
export async function presentDimensions(knex: Knex, without: readonly string[] = []): Promise<Dimension[]> {
  const [trades, rollup] = await Promise.all([knex('trades').columnInfo(), knex('trade_rollup').columnInfo()]);
  return ROLLUP_COLUMNS.filter((d) => d.column in trades && d.column in rollup && !without.includes(d.column));
}

/**
 * Rebuilds the triggers, the rollup's unique key and the three aggregates from `trades`, for the dimensions of the
 * table present in the schema. Run it in a migration, after adding a dimension's columns (in `down`, with
 * `without` naming them, before dropping them).
 */
export async function rebuildTradeAggregates(knex: Knex, opts: { without?: readonly string[] } = {}): Promise<void> {
  const dims = await presentDimensions(knex, opts.without);
  for (const name of TRIGGERS) {
    if (isPg(knex)) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${name} ON trades`);
      await knex.raw(`DROP FUNCTION IF EXISTS ${name}()`);
    } else {
      await knex.raw(`DROP TRIGGER IF EXISTS ${name}`);
    }
  }

  const cols = dims.map((d) => d.column);
  await knex('trade_rollup').delete();
  await knex.schema.alterTable('trade_rollup', (t) => t.dropUnique([], 'trade_rollup_dims'));
  await knex.schema.alterTable('trade_rollup', (t) => t.unique(['month', ...cols], { indexName: 'trade_rollup_dims' }));
  const rollupExprs = dims.map((d) => rollupValue(d, ''));
  await knex.raw(`INSERT INTO trade_rollup (month, year, ${cols.join(', ')}, trade_count, amount_fen)
    SELECT month, year, ${rollupExprs.join(', ')}, SUM(count_delta), SUM(amount_fen)
    FROM trades GROUP BY month, year, ${rollupExprs.join(', ')}`);

  await knex('trade_cube').delete();
  for (const [dim, value] of slices(dims)) {
    const group = dim === 'all' ? '' : `, ${value('')}`; // PostgreSQL refuses a constant in GROUP BY
    await knex.raw(`INSERT INTO trade_cube (dim, month, year, channel, value, trade_count, amount_fen)
      SELECT '${dim}', month, year, channel, ${value('')}, SUM(count_delta), SUM(amount_fen)
      FROM trades GROUP BY month, year, channel${group}`);
  }
  await knex('trade_cube_year').delete();
  await knex.raw(`INSERT INTO trade_cube_year (dim, year, channel, value, trade_count, amount_fen)
    SELECT dim, year, channel, value, SUM(trade_count), SUM(amount_fen) FROM trade_cube GROUP BY dim, year, channel, value`);

  await createTrigger(knex, 'trades_rollup', rollupUpsert(dims), rollupUpsertAll(dims));
  await createTrigger(knex, 'trades_cube', cubeUpserts(dims), cubeUpsertsAll(dims));
  await createTrigger(knex, 'trades_cube_year', cubeYearUpserts(dims), cubeYearUpsertsAll(dims));
}
