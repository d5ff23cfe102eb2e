import { insertRows, isPostgres, type Executor } from '../db';
import type { OrderStatus } from './transitions';

export interface OrderRow {
  id: number;
  /** The number people read, `ZJJP-2026-000123` (numbers.ts). */
  order_no: string;
  purchaser_id: number;
  vendor_id: number;
  status: OrderStatus;
  total_fen: number;
  acceptance_note: string | null;
  /** The paperwork (paperwork.ts); null on orders placed before it was asked for. */
  delivery_address?: string | null;
  contact_person?: string | null;
  contact_phone?: string | null;
  delivery_date?: string | null;
  budget_code?: string | null;
  invoice_title?: string | null;
  created_by: number | null;
  demo: boolean | number;
  created_at: string;
  updated_at: string;
}

/** An order with the names of both parties, as lists and pages show it. */
export interface OrderListRow extends OrderRow {
  purchaser_name: string;
  vendor_name: string;
}

export interface OrderItemRow {
  id: number;
  order_id: number;
  product_id: number;
  title: string;
  quantity: number;
  unit_price_fen: number;
  amount_fen: number;
}

export interface OrderHistoryRow {
  id: number;
  order_id: number;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor_id: number | null;
  actor_name: string | null;
  /** The role of who took the step (left out where the row was read without it). */
  actor_role?: string | null;
  note: string | null;
  at: string;
}

/** What ordering needs to know about a product. */
export interface OrderableProduct {
  id: number;
  vendor_id: number;
  title: string;
  unit: string;
  price_fen: number;
  stock: number;
  status: string;
  vendor_name: string;
}

const WITH_PARTIES = ['orders.*', 'purchasers.name as purchaser_name', 'vendors.name as vendor_name'];

/** An order with its parties and where they are. */
export interface OrderPartiesRow extends OrderListRow {
  purchaser_city: string;
  purchaser_type: string;
  vendor_city: string;
}

/** An order with its parties and what a settlement's trade fact needs (their cities, the largest item). */
export interface OrderContextRow extends OrderPartiesRow {
  top_product_id: number | null;
  top_title: string | null;
  top_field: string | null;
  top_kind: string | null;
  top_level: string | null;
  top_cert_no: string | null;
}

const PARTY_COLUMNS = [...WITH_PARTIES, 'purchasers.city as purchaser_city', 'purchasers.type as purchaser_type', 'vendors.city as vendor_city'];

const withParties = (db: Executor) => db('orders').join('purchasers', 'purchasers.id', 'orders.purchaser_id').join('vendors', 'vendors.id', 'orders.vendor_id');

/** One order with its parties, in one statement: what a page and a step without money need. */
export const findOrder = (db: Executor, id: number): Promise<OrderPartiesRow | undefined> => withParties(db).where('orders.id', id).first(PARTY_COLUMNS);

/** `findOrder` for several orders at once (a group-committed batch of steps). */
export const findOrders = (db: Executor, ids: number[]): Promise<OrderPartiesRow[]> => withParties(db).whereIn('orders.id', ids).select(PARTY_COLUMNS);

const TRADE_COLUMNS = [
  ...PARTY_COLUMNS,
  'tp.id as top_product_id',
  'top.title as top_title',
  'tp.field as top_field',
  'tp.kind as top_kind',
  'tp.level as top_level',
  'tc.cert_no as top_cert_no',
];

const withTradeContext = (db: Executor) =>
  db('orders')
    .join('purchasers', 'purchasers.id', 'orders.purchaser_id')
    .join('vendors', 'vendors.id', 'orders.vendor_id')
    .leftJoin('order_items as top', function () {
      this.on('top.id', '=', db.raw('(SELECT i.id FROM order_items i WHERE i.order_id = orders.id ORDER BY i.amount_fen DESC, i.id LIMIT 1)'));
    })
    .leftJoin('products as tp', 'tp.id', 'top.product_id')
    .leftJoin('certifications as tc', 'tc.id', 'tp.cert_id');

/** One order, in one statement, with everything a settlement or refund needs as well (its largest item's product). */
export const findOrderForTrade = (db: Executor, id: number): Promise<OrderContextRow | undefined> => withTradeContext(db).where('orders.id', id).first(TRADE_COLUMNS);

/** Several orders as `findOrderForTrade` reads one (group commit: a batch of payments). */
export const findOrdersForTrade = (db: Executor, ids: number[]): Promise<OrderContextRow[]> => withTradeContext(db).whereIn('orders.id', ids).select(TRADE_COLUMNS);

export async function currentStatus(db: Executor, id: number): Promise<OrderStatus | undefined> {
  const row = await db('orders').where({ id }).first('status');
  return row?.status as OrderStatus | undefined;
}

export const findOrderableProducts = (db: Executor, ids: number[]): Promise<OrderableProduct[]> =>
  db('products')
    .join('vendors', 'vendors.id', 'products.vendor_id')
    .whereIn('products.id', ids)
    .select('products.id', 'products.vendor_id', 'products.title', 'products.unit', 'products.price_fen', 'products.stock', 'products.status', 'vendors.name as vendor_name');

/**
 * The next `n` numbers of `year`'s sequence, in one upsert, answered by the last of them: the sequence row is locked
 * until the caller's transaction ends (PostgreSQL) or the one writer holds it (SQLite), so two orders never get one
 * number; a rolled-back order gives its number back.
 */
export async function takeSequence(db: Executor, year: number, n: number): Promise<number> {
  const rows: Array<{ last: number | string }> = await db('order_number_sequences')
    .insert({ year, last: n })
    .onConflict('year')
    .merge({ last: db.raw('?? + ?', ['order_number_sequences.last', n]) })
    .returning('last');
  return Number(rows[0].last);
}

/**
 * Takes `quantity` off the shelf in one conditional UPDATE, so concurrent orders can never sell the same unit twice
 * (the row lock serialises them on PostgreSQL; SQLite has one writer). False when there is not enough stock or the
 * listing is no longer approved.
 */
export async function takeStock(db: Executor, productId: number, quantity: number): Promise<boolean> {
  const n = await db('products')
    .where({ id: productId, status: 'approved' })
    .andWhere('stock', '>=', quantity)
    .update({ stock: db.raw('stock - ?', [quantity]) });
  return n === 1;
}

export async function returnStock(db: Executor, productId: number, quantity: number): Promise<void> {
  await db('products').where({ id: productId }).update({ stock: db.raw('stock + ?', [quantity]) });
}

export async function insertOrder(db: Executor, row: Omit<OrderRow, 'id'>): Promise<OrderRow> {
  const [inserted] = await db('orders').insert(row).returning('*');
  return inserted as OrderRow;
}

export async function insertItems(db: Executor, rows: Array<Omit<OrderItemRow, 'id'>>): Promise<void> {
  // One JSON parameter on SQLite (insert-rows.ts): a batch of orders may have more lines than SQLite's 500 terms of a
  // compound SELECT, which knex's multi-row insert would make.
  await insertRows(db, 'order_items', rows);
}

/**
 * PostgreSQL: locks the products' rows, in id order, for the rest of the transaction — what a batch of placements
 * does first, so that it takes its locks in the order every other writer does (products before the order number and
 * the chains). SQLite has one writer: nothing to do.
 */
export async function lockProducts(db: Executor, ids: number[]): Promise<void> {
  if (!isPostgres(db) || ids.length === 0) return;
  await db('products').whereIn('id', ids).orderBy('id').forUpdate().select('id');
}

export async function insertHistory(db: Executor, row: Omit<OrderHistoryRow, 'id' | 'actor_name'> | Array<Omit<OrderHistoryRow, 'id' | 'actor_name'>>): Promise<void> {
  await insertRows(db, 'order_history', Array.isArray(row) ? row : [row]);
}

/**
 * Moves the order from one status to the next only if it is still in the first (compare-and-set): of two concurrent
 * steps on one order exactly one wins, the other sees 0 rows and reports the state it actually found.
 */
export async function moveStatus(db: Executor, id: number, from: OrderStatus, to: OrderStatus, now: string, extra: Partial<OrderRow> = {}): Promise<boolean> {
  const n = await db('orders').where({ id, status: from }).update({ ...extra, status: to, updated_at: now });
  return n === 1;
}

/** `moveStatus` for several orders at once: answers the ids that were still in `from` and moved. */
export async function moveStatuses(db: Executor, ids: number[], from: OrderStatus, to: OrderStatus, now: string): Promise<number[]> {
  const rows: Array<{ id: number }> = await db('orders').whereIn('id', ids).andWhere({ status: from }).update({ status: to, updated_at: now }).returning('id');
  return rows.map((r) => Number(r.id));
}

export const orderItems = (db: Executor, orderIds: number[]): Promise<OrderItemRow[]> =>
  db('order_items').whereIn('order_id', orderIds).orderBy('id');

export const orderHistory = (db: Executor, orderId: number): Promise<OrderHistoryRow[]> =>
  db('order_history')
    .leftJoin('users', 'users.id', 'order_history.actor_id')
    .where('order_history.order_id', orderId)
    .orderBy('order_history.id')
    .select('order_history.*', 'users.display_name as actor_name', 'users.role as actor_role');

export interface OrderScope {
  purchaserId?: number;
  vendorId?: number;
  status?: OrderStatus;
}

function scoped(db: Executor, scope: OrderScope) {
  const q = db('orders');
  if (scope.purchaserId !== undefined) q.where('orders.purchaser_id', scope.purchaserId);
  if (scope.vendorId !== undefined) q.where('orders.vendor_id', scope.vendorId);
  if (scope.status) q.where('orders.status', scope.status);
  return q;
}

export async function listOrders(db: Executor, scope: OrderScope, limit: number, offset: number): Promise<{ rows: OrderListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    scoped(db, scope)
      .join('purchasers', 'purchasers.id', 'orders.purchaser_id')
      .join('vendors', 'vendors.id', 'orders.vendor_id')
      .orderBy('orders.created_at', 'desc')
      .orderBy('orders.id', 'desc')
      .limit(limit)
      .offset(offset)
      .select(WITH_PARTIES),
    scoped(db, scope).count<{ n: number }[]>({ n: '*' }).first(),
  ]);
  return { rows: rows as OrderListRow[], total: Number(count?.n ?? 0) };
}

/** Counts of a party's orders by status (the desk's summary). */
export async function countByStatus(db: Executor, scope: OrderScope): Promise<Record<string, number>> {
  const rows: Array<{ status: string; n: number | string }> = await scoped(db, scope).groupBy('status').select('status').count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Everything the trade fact of a settlement needs: both parties' cities and the order's largest item. */
export interface TradeContext {
  purchaser: { id: number; city: string; type: string };
  vendor: { id: number; city: string };
  product: { id: number; title: string; field: string; kind: string; level: string | null; cert_no: string | null };
}

export function tradeContext(o: OrderContextRow): TradeContext {
  return {
    purchaser: { id: o.purchaser_id, city: o.purchaser_city, type: o.purchaser_type },
    vendor: { id: o.vendor_id, city: o.vendor_city },
    product: { id: Number(o.top_product_id), title: o.top_title ?? '', field: o.top_field ?? '', kind: o.top_kind ?? '', level: o.top_level ?? null, cert_no: o.top_cert_no ?? null },
  };
}
