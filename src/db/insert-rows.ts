import { isPostgres, type Executor } from './connection';

type Row = Record<string, unknown>;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A value that JSON carries to SQLite as the driver would have bound it: text, a finite number, a boolean (1/0), null. */
const plain = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Each row's values in the columns' order, or null when a row has other columns than the first row, or a value JSON
 * would not carry as the driver binds it.
 */
function valuesOf(rows: readonly Row[], columns: readonly string[]): unknown[][] | null {
  const out: unknown[][] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    // Every column with a plain value (a missing one is undefined), and no other column.
    if (Object.keys(row).length !== columns.length) return null;
    const values: unknown[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const v = row[columns[c]!];
      if (!plain(v)) return null;
      values[c] = v;
    }
    out[r] = values;
  }
  return out;
}

/**
 * The rows of one JSON parameter (an array of arrays, bound as `?`) as a table of `width` columns named column1…,
 * as a VALUES list names them on PostgreSQL, and each row's place in the array as `position`:
 * `FROM ${jsonRows(n)} AS v`. SQLite only.
 */
export const jsonRows = (width: number): string =>
  `(SELECT key AS position, ${Array.from({ length: width }, (_, i) => `value ->> ${i} AS column${i + 1}`).join(', ')} FROM json_each(?))`;

/**
 * Many rows into one table in one statement, answering the `returning` columns of each row in the order given.
 *
 * On SQLite the rows travel as one JSON parameter that the statement unpacks (`json_each`): the same SQL text for any
 * number of rows, so the driver's cached statement (src/db/sqlite-statements.ts) is parsed once, and one parameter to
 * bind instead of one per value. knex would send a `SELECT … UNION ALL SELECT …` of a new text and one bound
 * parameter per value for every batch — on the demo loader's 2 million values, more time binding and parsing than
 * SQLite took to write them. The values arrive as the driver would have bound them: text, numbers, booleans as 1/0,
 * null. Rows of other values (a Date, a Buffer, a missing column) and PostgreSQL go through knex's insert.
 */
export async function insertRows<R = Row>(db: Executor, table: string, records: readonly object[], returning?: readonly string[] | '*'): Promise<R[]> {
  const rows = records as readonly Row[];
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const values = isPostgres(db) || columns.length === 0 ? null : valuesOf(rows, columns);
  if (!values) {
    const query = db(table).insert(rows as Row[]);
    if (!returning) {
      await query;
      return [];
    }
    return (await query.returning(returning === '*' ? '*' : [...returning])) as R[];
  }
  const back = returning === undefined ? '' : ` RETURNING ${returning === '*' ? '*' : returning.map(quote).join(', ')}`;
  const sql = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) SELECT ${columns.map((_, i) => `v.column${i + 1}`).join(', ')} FROM ${jsonRows(columns.length)} AS v ORDER BY v.position${back}`;
  const data = JSON.stringify(values);
  const answered = (await db.raw(sql, [data])) as R[];
  return returning === undefined ? [] : answered;
}
