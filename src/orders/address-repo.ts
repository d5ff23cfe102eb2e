import type { Executor } from '../db';

/** An entry of a purchasing unit's address book (收货地址簿). */
export interface AddressRow {
  id: number;
  purchaser_id: number;
  label: string;
  address: string;
  contact_person: string;
  phone: string;
  is_default: boolean | number;
  created_at: string;
  updated_at: string;
}

/** What checkout needs of a unit: its name, its invoice title and its default address (if any). */
export interface UnitProfile {
  name: string;
  invoiceTitle: string;
  defaultAddress: AddressRow | null;
}

export const unitAddresses = (db: Executor, purchaserId: number): Promise<AddressRow[]> =>
  db('purchaser_addresses').where({ purchaser_id: purchaserId }).orderBy([{ column: 'is_default', order: 'desc' }, { column: 'id', order: 'asc' }]);

export const findAddress = (db: Executor, purchaserId: number, id: number): Promise<AddressRow | undefined> => db('purchaser_addresses').where({ purchaser_id: purchaserId, id }).first();

/** A unit's profile: its name, invoice title and default address (null: no such unit). */
export async function unitProfile(db: Executor, purchaserId: number): Promise<UnitProfile | null> {
  return (await unitProfiles(db, [purchaserId])).get(purchaserId) ?? null;
}

/** The profiles of several units at once (two statements), by unit id; a unit not found left out. */
export async function unitProfiles(db: Executor, purchaserIds: number[]): Promise<Map<number, UnitProfile>> {
  const [units, addresses] = await Promise.all([
    db('purchasers').whereIn('id', purchaserIds).select('id', 'name', 'invoice_title'),
    db('purchaser_addresses').whereIn('purchaser_id', purchaserIds).andWhere({ is_default: true }).orderBy('id'),
  ]);
  const homes = new Map<number, AddressRow>();
  for (const a of addresses as AddressRow[]) if (!homes.has(Number(a.purchaser_id))) homes.set(Number(a.purchaser_id), a);
  return new Map(units.map((u: { id: number; name: string; invoice_title: string | null }) => [Number(u.id), { name: u.name, invoiceTitle: u.invoice_title ?? '', defaultAddress: homes.get(Number(u.id)) ?? null }]));
}

export async function insertAddress(db: Executor, row: Omit<AddressRow, 'id'>): Promise<number> {
  const [r] = await db('purchaser_addresses').insert(row).returning('id');
  return Number(typeof r === 'object' ? r.id : r);
}

export async function updateAddress(db: Executor, purchaserId: number, id: number, row: Partial<Omit<AddressRow, 'id' | 'purchaser_id'>>): Promise<boolean> {
  return (await db('purchaser_addresses').where({ purchaser_id: purchaserId, id }).update(row)) === 1;
}

/** No default any more (before another one becomes it: the partial unique index allows one). */
export async function clearDefault(db: Executor, purchaserId: number): Promise<void> {
  await db('purchaser_addresses').where({ purchaser_id: purchaserId, is_default: true }).update({ is_default: false });
}

export async function deleteAddress(db: Executor, purchaserId: number, id: number): Promise<boolean> {
  return (await db('purchaser_addresses').where({ purchaser_id: purchaserId, id }).del()) === 1;
}

export async function setInvoiceTitle(db: Executor, purchaserId: number, title: string): Promise<void> {
  await db('purchasers').where({ id: purchaserId }).update({ invoice_title: title });
}
