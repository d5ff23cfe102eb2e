import type { Executor } from '../db';

export interface VendorRow {
  id: number;
  name: string;
  credit_code: string;
  city: string;
  address: string;
  contact: string;
  status: string; // pending | approved | rejected
  review_reason: string | null;
  created_at: string;
  reviewed_at: string | null;
}

export interface ProductRow {
  id: number;
  vendor_id: number;
  cert_id: number | null;
  boutique: number | boolean;
  boutique_evidence: string | null;
  title: string;
  model: string;
  description: string;
  field: string;
  kind: string;
  level: string | null;
  city: string;
  price_fen: number;
  unit: string;
  stock: number;
  status: string; // pending_review | approved | rejected | delisted
  review_reason: string | null;
  delist_cause: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

/** A product with its certificate number and vendor name, as the vendor and the reviewer see it. */
export interface ListingRow extends ProductRow {
  cert_no: string | null;
  vendor_name: string;
}

export const findVendor = (db: Executor, id: number): Promise<VendorRow | undefined> => db<VendorRow>('vendors').where({ id }).first();

export const findVendorByCreditCode = (db: Executor, creditCode: string): Promise<VendorRow | undefined> =>
  db<VendorRow>('vendors').where({ credit_code: creditCode }).first();

export async function insertVendor(db: Executor, row: Omit<VendorRow, 'id' | 'review_reason' | 'reviewed_at'>): Promise<VendorRow> {
  const [created] = await db('vendors').insert(row).returning('*');
  return created as VendorRow;
}

export async function updateVendor(db: Executor, id: number, patch: Partial<VendorRow>): Promise<VendorRow> {
  await db('vendors').where({ id }).update(patch);
  return (await findVendor(db, id)) as VendorRow;
}

export async function insertUser(
  db: Executor,
  row: { username: string; password_hash: string; role: string; vendor_id: number | null; purchaser_id: number | null; display_name: string; status: string; created_at: string },
): Promise<{ id: number; username: string }> {
  const [created] = await db('users').insert(row).returning(['id', 'username']);
  return created as { id: number; username: string };
}

export const usernameTaken = async (db: Executor, username: string): Promise<boolean> =>
  Boolean(await db('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first('id'));

/** Activates (or leaves pending) the accounts that act for a vendor. Returns how many changed. */
export const setVendorUsersStatus = (db: Executor, vendorId: number, from: string, to: string): Promise<number> =>
  db('users').where({ vendor_id: vendorId, status: from }).update({ status: to });

const LISTING_COLUMNS = ['products.*', 'certifications.cert_no', 'vendors.name as vendor_name'];

const listingQuery = (db: Executor) =>
  db('products').leftJoin('certifications', 'certifications.id', 'products.cert_id').join('vendors', 'vendors.id', 'products.vendor_id').select(LISTING_COLUMNS);

/**
 * The field a vendor works in, for a boutique listing that names none (API.md: `field?`): the one most of its listings
 * are in, else most of its certificates; undefined when it has neither.
 */
export async function vendorMainField(db: Executor, vendor: Pick<VendorRow, 'id' | 'credit_code'>): Promise<string | undefined> {
  const most = (q: ReturnType<Executor>) =>
    q.whereNotNull('field').groupBy('field').select('field').count({ n: '*' }).orderBy([{ column: 'n', order: 'desc' }, { column: 'field', order: 'asc' }]).first() as Promise<{ field: string } | undefined>;
  const fromListings = await most(db('products').where({ vendor_id: vendor.id }));
  if (fromListings) return fromListings.field;
  return (await most(db('certifications').where({ credit_code: vendor.credit_code })))?.field;
}

export const findListing = (db: Executor, id: number): Promise<ListingRow | undefined> => listingQuery(db).where('products.id', id).first();

export async function listListings(
  db: Executor,
  where: { vendorId?: number; status?: string },
  limit: number,
  offset: number,
): Promise<{ rows: ListingRow[]; total: number }> {
  const filter = (qb: ReturnType<typeof listingQuery>) => {
    if (where.vendorId !== undefined) qb.where('products.vendor_id', where.vendorId);
    if (where.status) qb.where('products.status', where.status);
    return qb;
  };
  const rows: ListingRow[] = await filter(listingQuery(db)).orderBy('products.updated_at', 'desc').orderBy('products.id', 'desc').limit(limit).offset(offset);
  const countQ = db('products');
  if (where.vendorId !== undefined) countQ.where('vendor_id', where.vendorId);
  if (where.status) countQ.where('status', where.status);
  const c = await countQ.count<{ n: number }[]>({ n: '*' }).first();
  return { rows, total: Number(c?.n ?? 0) };
}

export async function insertProduct(db: Executor, row: Omit<ProductRow, 'id' | 'review_reason' | 'delist_cause'>): Promise<number> {
  const [created] = await db('products').insert(row).returning('id');
  return typeof created === 'object' ? (created as { id: number }).id : (created as number);
}

export async function updateProduct(db: Executor, id: number, patch: Partial<ProductRow>): Promise<void> {
  await db('products').where({ id }).update(patch);
}

export async function countBy(db: Executor, table: 'products' | 'vendors', status: string): Promise<number> {
  const c = await db(table).where({ status }).count<{ n: number }[]>({ n: '*' }).first();
  return Number(c?.n ?? 0);
}

export async function listVendors(db: Executor, status: string | undefined, limit: number, offset: number): Promise<{ rows: VendorRow[]; total: number }> {
  const q = db<VendorRow>('vendors');
  if (status) q.where({ status });
  const rows = await q.clone().orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).offset(offset);
  const c = await q.clone().count<{ n: number }[]>({ n: '*' }).first();
  return { rows: rows as VendorRow[], total: Number(c?.n ?? 0) };
}

/** The accounts of a vendor, for the reviewer. */
export const usersOfVendor = (db: Executor, vendorId: number): Promise<Array<{ id: number; username: string; display_name: string; status: string }>> =>
  db('users').where({ vendor_id: vendorId }).select('id', 'username', 'display_name', 'status').orderBy('id');

/** How many of a vendor's listings are in each status. */
export async function countListingsByStatus(db: Executor, vendorId: number): Promise<Record<string, number>> {
  const rows = await db('products').where({ vendor_id: vendorId }).select('status').count<{ status: string; n: number }[]>({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The vendor's listings that need its attention: rejected, or delisted because of their certificate. */
export const listingsNeedingAttention = (db: Executor, vendorId: number, limit: number): Promise<ListingRow[]> =>
  listingQuery(db)
    .where('products.vendor_id', vendorId)
    .andWhere((w) => w.where('products.status', 'rejected').orWhere((x) => x.where('products.status', 'delisted').whereNotNull('products.delist_cause')))
    .orderBy('products.updated_at', 'desc')
    .limit(limit);

/** One change of a listing's or a vendor's status (product_history / vendor_history), with who made it. */
export interface StatusHistoryRow {
  id: number;
  action: string;
  from_status: string | null;
  to_status: string;
  actor_id: number | null;
  note: string | null;
  at: string;
  actor_name?: string | null;
}

export type NewHistoryRow = Omit<StatusHistoryRow, 'id' | 'actor_name'>;

export async function insertProductHistory(db: Executor, productId: number, row: NewHistoryRow): Promise<void> {
  await db('product_history').insert({ ...row, product_id: productId });
}

export async function insertVendorHistory(db: Executor, vendorId: number, row: NewHistoryRow): Promise<void> {
  await db('vendor_history').insert({ ...row, vendor_id: vendorId });
}

const historyOf = (db: Executor, table: 'product_history' | 'vendor_history', key: 'product_id' | 'vendor_id', ids: number[]) =>
  db(table)
    .leftJoin('users', 'users.id', `${table}.actor_id`)
    .whereIn(`${table}.${key}`, ids)
    .orderBy(`${table}.id`)
    .select(`${table}.*`, 'users.display_name as actor_name');

export const productHistory = (db: Executor, productId: number): Promise<StatusHistoryRow[]> => historyOf(db, 'product_history', 'product_id', [productId]);

/** The histories of several vendors at once (a page of the queue), by vendor. */
export async function vendorHistories(db: Executor, vendorIds: number[]): Promise<Map<number, StatusHistoryRow[]>> {
  const out = new Map<number, StatusHistoryRow[]>(vendorIds.map((id) => [id, []]));
  if (!vendorIds.length) return out;
  for (const r of (await historyOf(db, 'vendor_history', 'vendor_id', vendorIds)) as Array<StatusHistoryRow & { vendor_id: number }>) out.get(r.vendor_id)?.push(r);
  return out;
}

/**
 * Moves a listing from the status it was read in to `to` only if it is still in it (compare-and-set): of two
 * concurrent steps on one listing exactly one wins. Returns whether it moved.
 */
export async function moveProductStatus(db: Executor, id: number, from: string, to: string, patch: Partial<ProductRow>): Promise<boolean> {
  return (await db('products').where({ id, status: from }).update({ ...patch, status: to })) === 1;
}

export async function moveVendorStatus(db: Executor, id: number, from: string, to: string, patch: Partial<VendorRow>): Promise<boolean> {
  return (await db('vendors').where({ id, status: from }).update({ ...patch, status: to })) === 1;
}
