import type { Actor } from '../web';

/** A rule answers one question: may this actor do this action to this object? Pure, synchronous, no I/O. */
export type Rule<O> = (actor: Actor, object: O) => boolean;

/** Anything owned by one vendor (a listing, an order line, a case's supplier side). */
export interface VendorOwned {
  vendorId: number;
}

/** Anything owned by one purchasing unit. */
export interface PurchaserOwned {
  purchaserId: number;
}

export const isAdmin = (a: Actor): boolean => a.role === 'admin';
/** The finance department (财政部门). */
export const isFinance = (a: Actor): boolean => a.role === 'finance';
export const isVendorOf = (a: Actor, o: VendorOwned): boolean => a.role === 'vendor' && a.vendorId !== null && a.vendorId === o.vendorId;
export const isPurchaserOf = (a: Actor, o: PurchaserOwned): boolean =>
  a.role === 'purchaser' && a.purchaserId !== null && a.purchaserId === o.purchaserId;
