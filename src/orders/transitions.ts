import { can } from '../policies';
import type { Actor } from '../web';

/** The life of a boutique-hall order (精品馆直购), DESIGN §2 and issue 4. */
export const ORDER_STATUSES = ['placed', 'confirmed', 'delivered', 'accepted', 'paid', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_ACTIONS = ['confirm', 'deliver', 'accept', 'pay', 'cancel', 'refund'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** What an order looks like to a guard: who it belongs to and where it stands. */
export interface OrderParties {
  purchaserId: number;
  vendorId: number;
  status: OrderStatus;
}

/** A guard answers null (allowed) or the catalogue key of the reason it is not. */
export type Guard = (actor: Actor, order: OrderParties) => string | null;

export interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
  /** Who may take this step. */
  guard: Guard;
  /** The money that moves with the step (Ledger flow), if any. */
  money: 'release' | 'settle' | 'refund' | null;
  /** Reserved stock goes back on the shelf. */
  restoresStock: boolean;
}

const isPurchaserOf = (a: Actor, o: OrderParties) => a.role === 'purchaser' && a.purchaserId !== null && a.purchaserId === o.purchaserId;
const isVendorOf = (a: Actor, o: OrderParties) => a.role === 'vendor' && a.vendorId !== null && a.vendorId === o.vendorId;

const vendorOnly: Guard = (a, o) => (isVendorOf(a, o) ? null : 'orders.guard_vendor');
const purchaserOnly: Guard = (a, o) => (isPurchaserOf(a, o) ? null : 'orders.guard_purchaser');
// A refund after payment: the vendor takes goods back, or the department orders it after a dispute.
const vendorOrAdmin: Guard = (a, o) => (isVendorOf(a, o) || a.role === 'admin' ? null : 'orders.guard_vendor_or_admin');

/**
 * Every allowed step, in one table. `placed` is entered by placing the order (budget and stock reserved together);
 * cancelling is possible until delivery; a refund reverses a payment.
 */
export const TRANSITIONS: Record<OrderAction, Transition> = {
  confirm: { from: ['placed'], to: 'confirmed', guard: vendorOnly, money: null, restoresStock: false },
  deliver: { from: ['confirmed'], to: 'delivered', guard: vendorOnly, money: null, restoresStock: false },
  accept: { from: ['delivered'], to: 'accepted', guard: purchaserOnly, money: null, restoresStock: false },
  pay: { from: ['accepted'], to: 'paid', guard: purchaserOnly, money: 'settle', restoresStock: false },
  cancel: { from: ['placed', 'confirmed'], to: 'cancelled', guard: purchaserOnly, money: 'release', restoresStock: true },
  refund: { from: ['paid'], to: 'refunded', guard: vendorOrAdmin, money: 'refund', restoresStock: false },
};

/** May this actor see the order at all? Anyone else is told it does not exist (404). */
export const canSeeOrder = (a: Actor, o: Omit<OrderParties, 'status'>): boolean => can(a, 'order.read', o);

export type Verdict = { ok: true; to: OrderStatus } | { ok: false; reason: 'forbidden' | 'state'; key: string };

/** The whole decision for one step: the actor's right first (403), then the order's state (409). */
export function decide(action: OrderAction, actor: Actor, order: OrderParties): Verdict {
  const t = TRANSITIONS[action];
  const denied = t.guard(actor, order);
  if (denied) return { ok: false, reason: 'forbidden', key: denied };
  if (!t.from.includes(order.status)) return { ok: false, reason: 'state', key: `orders.in_state_${order.status}` };
  return { ok: true, to: t.to };
}

/** The steps this actor could take now: the buttons an order page shows. */
export const allowedActions = (actor: Actor, order: OrderParties): OrderAction[] => ORDER_ACTIONS.filter((a) => decide(a, actor, order).ok);

export const isOrderStatus = (v: unknown): v is OrderStatus => typeof v === 'string' && (ORDER_STATUSES as readonly string[]).includes(v);
