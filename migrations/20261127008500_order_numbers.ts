import type { Knex } from 'knex';

/**
 * Orders get a number people read (API.md "Numbers people read"): `ZJJP-2026-000123` — the year the order was placed
 * (Asia/Shanghai) and its place in that year's sequence. `order_number_sequences` holds the last number given in each
 * year (the orders service takes the next one in the order's own transaction); `orders.order_no` is unique. Existing
 * orders are numbered here in the order they were placed (created_at, then id), year by year.
 */
const BATCH = 500;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

const orderNo = (year: number, seq: number): string => `ZJJP-${year}-${String(seq).padStart(6, '0')}`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_number_sequences', (t) => {
    t.integer('year').primary();
    t.integer('last').notNullable();
  });
  await knex.schema.alterTable('orders', (t) => {
    t.string('order_no', 24);
  });

  const last = new Map<number, number>();
  let after: { created_at: string; id: number } | null = null;
  for (;;) {
    const q = knex('orders').select('id', 'created_at').orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(BATCH);
    if (after) {
      const a: { created_at: string; id: number } = after;
      q.where((w) => w.where('created_at', '>', a.created_at).orWhere((x) => x.where('created_at', a.created_at).andWhere('id', '>', a.id)));
    }
    const rows: Array<{ id: number; created_at: string }> = await q;
    if (!rows.length) break;
    const numbers = rows.map((r) => {
      const year = new Date(Date.parse(r.created_at) + SHANGHAI_OFFSET_MS).getUTCFullYear();
      const seq = (last.get(year) ?? 0) + 1;
      last.set(year, seq);
      return { id: Number(r.id), no: orderNo(year, seq) };
    });
    await knex('orders')
      .whereIn('id', numbers.map((n) => n.id))
      .update({ order_no: knex.raw(`CASE id ${numbers.map(() => 'WHEN ? THEN ?').join(' ')} END`, numbers.flatMap((n) => [n.id, n.no])) });
    const end = rows[rows.length - 1];
    after = { created_at: end.created_at, id: Number(end.id) };
  }
  if (last.size) await knex('order_number_sequences').insert([...last].map(([year, n]) => ({ year, last: n })));

  await knex.raw('CREATE UNIQUE INDEX orders_order_no_unique ON orders (order_no)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS orders_order_no_unique');
  // A plain DROP COLUMN on both engines (SQLite 3.35+), so SQLite's table is not rebuilt under its foreign keys.
  await knex.raw('ALTER TABLE orders DROP COLUMN order_no');
  await knex.schema.dropTableIfExists('order_number_sequences');
}
