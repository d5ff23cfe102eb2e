import type { Executor } from '../db';

export interface CartProductRow {
  id: number;
  title: string;
  model: string;
  unit: string;
  price_fen: number;
  stock: number;
  status: string;
  vendor_id: number;
  vendor_name: string;
}

/** The products in a cart, with their vendors, whatever their status now (the page says which can no longer be bought). */
export const cartProducts = (db: Executor, ids: number[]): Promise<CartProductRow[]> =>
  ids.length
    ? db('products')
        .join('vendors', 'vendors.id', 'products.vendor_id')
        .whereIn('products.id', ids)
        .select('products.id', 'products.title', 'products.model', 'products.unit', 'products.price_fen', 'products.stock', 'products.status', 'products.vendor_id', 'vendors.name as vendor_name')
    : Promise.resolve([]);

/**
 * What the unit's 首购 contracts hold of its reserved budget: a contract reserves its amount (contracted, then
 * accepted) until it is paid or the case ends (first-purchase/service.ts). The rest of the reserve is its orders'.
 */
export async function caseReservedFen(db: Executor, unitId: number): Promise<number> {
  const row: { n?: number | string | null } | undefined = await db('fp_cases').where({ purchaser_id: unitId }).whereIn('status', ['contracted', 'accepted']).whereNotNull('amount_fen').sum({ n: 'amount_fen' }).first();
  return Number(row?.n ?? 0);
}
