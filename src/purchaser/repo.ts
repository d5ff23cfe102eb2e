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
