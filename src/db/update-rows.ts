import type { Executor } from './connection';

/** Rows per statement: two parameters per row and column, well under either engine's limit. Numbers go as integers (BIGINT). */
const ROWS_PER_UPDATE = 400;

/**
 * One UPDATE for many rows, each with its own values: `SET col = CASE id WHEN … THEN … ELSE col END`, only where
 * `where` still holds. Returns how many rows it changed.
 */
export async function updateRows(trx: Executor, table: string, rows: ReadonlyArray<{ id: number; patch: Record<string, unknown> }>, where: Record<string, unknown>): Promise<number> {
  let changed = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_UPDATE) {
    const chunk = rows.slice(i, i + ROWS_PER_UPDATE);
    const columns = [...new Set(chunk.flatMap((r) => Object.keys(r.patch)))];
    const set = Object.fromEntries(
      columns.map((c) => {
        const having = chunk.filter((r) => c in r.patch);
        const whens = having.map((r) => {
          const v = r.patch[c];
          if (v !== null && typeof v !== 'string' && typeof v !== 'number') throw new Error(`updateRows: ${table}.${c} takes text, integers or null`);
          return v === null ? 'WHEN ? THEN NULL' : typeof v === 'number' ? 'WHEN ? THEN CAST(? AS BIGINT)' : 'WHEN ? THEN ?';
        });
        const values = having.flatMap((r) => (r.patch[c] === null ? [r.id] : [r.id, r.patch[c] as string | number]));
        return [c, trx.raw(`CASE ?? ${whens.join(' ')} ELSE ?? END`, ['id', ...values, c])];
      }),
    );
    changed += await trx(table)
      .whereIn('id', chunk.map((r) => r.id))
      .where(where)
      .update(set);
  }
  return changed;
}
