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

/** The cube's slices: 'all', then one per dimension with a slice. */
const slices = (dims: readonly Dimension[]): Array<[dim: string, value: (row: string) => string]> => [
  ['all', () => "''"],
  ...dims.filter((d) => CUBE_SLICES.includes(d)).map((d): [string, (row: string) => string] => [d.dim, (row) => cubeValue(d, row)]),
];

/**
 * One aggregate's upsert: its key columns, their values read from a `trades` row (`row` is the prefix: 'NEW.' in a
 * row trigger, '' over a set of rows), which of them to group by (not the constants: PostgreSQL refuses a constant in
 * GROUP BY), and the conflict target.
 */
interface Upsert {
  table: string;
  columns: string[];
  values: (row: string) => string[];
  group: (row: string) => string[];
  key: string;
}

const addOnConflict = (u: Upsert) => `ON CONFLICT (${u.key}) DO UPDATE SET
    trade_count = ${u.table}.trade_count + excluded.trade_count,
    amount_fen = ${u.table}.amount_fen + excluded.amount_fen;`;

/** A row trigger's statement: the new row's values (SQLite). */
const perRow = (u: Upsert) => `INSERT INTO ${u.table} (${u.columns.join(', ')}, trade_count, amount_fen)
  VALUES (${u.values('NEW.').join(', ')}, NEW.count_delta, NEW.amount_fen)
  ${addOnConflict(u)}`;

/** The aggregate's rows computed from a set of trade facts, grouped by its key. */
const grouped = (u: Upsert, source: string) => `INSERT INTO ${u.table} (${u.columns.join(', ')}, trade_count, amount_fen)
  SELECT ${u.values('').join(', ')}, SUM(count_delta), SUM(amount_fen) FROM ${source} GROUP BY ${u.group('').join(', ')}`;

/**
 * A statement trigger's statement (PostgreSQL): a settlement batch inserts many trade facts in one statement, folded
 * with one grouped upsert per aggregate over the transition table `new_trades` instead of one upsert per row and slice.
 * The rows are grouped by the aggregate's key first, so an upsert never meets the same key twice.
 */
const perStatement = (u: Upsert) => `${grouped(u, 'new_trades')}
  ${addOnConflict(u)}`;

const rollup = (dims: readonly Dimension[]): Upsert[] => {
  const values = (row: string) => [`${row}month`, `${row}year`, ...dims.map((d) => rollupValue(d, row))];
  return [{ table: 'trade_rollup', columns: ['month', 'year', ...dims.map((d) => d.column)], values, group: values, key: ['month', ...dims.map((d) => d.column)].join(', ') }];
};

const cube = (dims: readonly Dimension[]): Upsert[] =>
  slices(dims).map(([dim, value]) => ({
    table: 'trade_cube',
    columns: ['dim', 'month', 'year', 'channel', 'value'],
    values: (row) => [`'${dim}'`, `${row}month`, `${row}year`, `${row}channel`, value(row)],
    group: (row) => [`${row}month`, `${row}year`, `${row}channel`, ...(dim === 'all' ? [] : [value(row)])],
    key: 'dim, month, channel, value',
  }));

const cubeYear = (dims: readonly Dimension[]): Upsert[] =>
  slices(dims).map(([dim, value]) => ({
    table: 'trade_cube_year',
    columns: ['dim', 'year', 'channel', 'value'],
    values: (row) => [`'${dim}'`, `${row}year`, `${row}channel`, value(row)],
    group: (row) => [`${row}year`, `${row}channel`, ...(dim === 'all' ? [] : [value(row)])],
    key: 'dim, year, channel, value',
  }));

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
  await knex('trade_cube').delete();
  await knex('trade_cube_year').delete();
  const aggregates = [['trades_rollup', rollup(dims)], ['trades_cube', cube(dims)], ['trades_cube_year', cubeYear(dims)]] as const;
  // The aggregates from every trade fact there is, as the triggers below keep them from the next one on.
  for (const [, upserts] of aggregates) for (const u of upserts) await knex.raw(grouped(u, 'trades'));

  for (const [name, upserts] of aggregates) {
    await createTrigger(knex, name, upserts.map(perRow).join('\n'), upserts.map(perStatement).join('\n'));
  }
}
