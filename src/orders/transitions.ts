import { can } from '../policies';
import type { Actor } from '../web';
import { stepNamed, type Step, type Workflow } from '../workflow';
import { AcceptInput, NoInput, ORDER_STATUSES, ReasonInput, type OrderStatus } from './schema';

/**
 * The life of a boutique-hall order (精品馆直购), DESIGN §2 and issue 4, as one table of steps; the registrar derives
 * the JSON and page routes, the page's forms and the access matrix's rows from it (docs/adding-a-workflow-step.md).
 * `placed` is entered by placing the order (budget and stock reserved together); cancelling is possible until
 * delivery; a refund reverses a payment.
 */
export { ORDER_STATUSES, type OrderStatus };

/** What an order looks like to a guard: who it belongs to and where it stands. */
export interface OrderParties {
  purchaserId: number;
  vendorId: number;
  status: OrderStatus;
}

/** What an order step adds to a step of the table. */
export interface OrderEffects {
  /** The money that moves with the step (Ledger flow), if any. */
  money: 'release' | 'settle' | 'refund' | null;
  /** Reserved stock goes back on the shelf. */
  restoresStock: boolean;
  /**
   * The page asks twice: the form leads to a confirmation page naming the consequences (the amount returned, the
   * stock restored), whose second POST carries `confirm=1`. JSON callers are not asked.
   */
  confirms?: boolean;
}

export type OrderStep = Step<OrderStatus, unknown> & OrderEffects;

const isPurchaserOf = (a: Actor, o: Omit<OrderParties, 'status'>) => a.role === 'purchaser' && a.purchaserId !== null && a.purchaserId === o.purchaserId;
const isVendorOf = (a: Actor, o: Omit<OrderParties, 'status'>) => a.role === 'vendor' && a.vendorId !== null && a.vendorId === o.vendorId;

/** A guard answers null (allowed) or the catalogue key of the reason it is not. */
export type Guard = (actor: Actor, order: Omit<OrderParties, 'status'>) => string | null;

/** The parties a step's `may` names. A refund after payment: the vendor takes goods back, or the department orders it. */
const PARTIES: Record<string, Guard> = {
  vendor: (a, o) => (isVendorOf(a, o) ? null : 'orders.guard_vendor'),
  purchaser: (a, o) => (isPurchaserOf(a, o) ? null : 'orders.guard_purchaser'),
  vendor_or_admin: (a, o) => (isVendorOf(a, o) || a.role === 'admin' ? null : 'orders.guard_vendor_or_admin'),
};

const plain = (name: string, danger = false) => ({ hint: `orders.hint_${name}`, button: `orders.action_${name}`, danger });

/** A step that ends the order for a reason: the reason field (required on the page), and a confirmation page. */
const withReason = (name: 'cancel' | 'refund' | 'decline') => ({
  input: ReasonInput,
  inputOptional: true,
  confirms: true,
  form: {
    ...plain(name, true),
    title: `orders.title_${name}`,
    fields: [{ name: 'reason', field: 'reason', id: `${name}-reason`, label: `orders.reason_${name}_label`, control: 'textarea' as const, rows: 3, maxlength: 500, required: true, hint: 'orders.reason_hint' }],
  },
});

export const ORDER_WORKFLOW: Workflow<OrderStatus, unknown, OrderEffects> = {
  name: 'orders',
  statuses: ORDER_STATUSES,
  final: ['cancelled', 'refunded'],
  apiPrefix: '/api/v1/orders',
  pagePrefix: '/orders',
  wrongStateKey: (status) => `orders.in_state_${status}`,
  steps: [
    { name: 'confirm', from: ['placed'], to: 'confirmed', roles: ['vendor'], may: 'vendor', input: NoInput, inputOptional: true, money: null, restoresStock: false, done: 'orders.done_confirm', form: plain('confirm') },
    { name: 'deliver', from: ['confirmed'], to: 'delivered', roles: ['vendor'], may: 'vendor', input: NoInput, inputOptional: true, money: null, restoresStock: false, done: 'orders.done_deliver', form: plain('deliver') },
    {
      name: 'accept',
      from: ['delivered'],
      to: 'accepted',
      roles: ['purchaser'],
      may: 'purchaser',
      input: AcceptInput,
      inputOptional: true,
      money: null,
      restoresStock: false,
      done: 'orders.done_accept',
      form: { ...plain('accept'), fields: [{ name: 'note', field: 'note', id: 'accept-note', label: 'orders.accept_note_label', control: 'textarea', rows: 3, maxlength: 1000 }] },
    },
    // 退回: the goods did not pass acceptance (验收不合格). The order goes back to the vendor, who delivers again.
    {
      name: 'reject',
      from: ['delivered'],
      to: 'confirmed',
      roles: ['purchaser'],
      may: 'purchaser',
      input: ReasonInput,
      inputOptional: true,
      money: null,
      restoresStock: false,
      done: 'orders.done_reject',
      form: {
        ...plain('reject', true),
        title: 'orders.title_reject',
        fields: [{ name: 'reason', field: 'reason', id: 'reject-reason', label: 'orders.reason_reject_label', control: 'textarea' as const, rows: 3, maxlength: 500, required: true, hint: 'orders.reason_reject_hint' }],
      },
    },
    { name: 'pay', from: ['accepted'], to: 'paid', roles: ['purchaser'], may: 'purchaser', input: NoInput, inputOptional: true, movesMoney: true, money: 'settle', restoresStock: false, done: 'orders.done_pay', form: plain('pay') },
    // 拒绝接单: the vendor cannot supply a new order (before confirming it); as a cancellation, budget and stock return.
    { name: 'decline', from: ['placed'], to: 'cancelled', roles: ['vendor'], may: 'vendor', movesMoney: true, money: 'release', restoresStock: true, done: 'orders.done_decline', ...withReason('decline') },
    { name: 'cancel', from: ['placed', 'confirmed'], to: 'cancelled', roles: ['purchaser'], may: 'purchaser', movesMoney: true, money: 'release', restoresStock: true, done: 'orders.done_cancel', ...withReason('cancel') },
    { name: 'refund', from: ['paid'], to: 'refunded', roles: ['vendor', 'admin'], may: 'vendor_or_admin', movesMoney: true, money: 'refund', restoresStock: false, done: 'orders.done_refund', ...withReason('refund') },
  ],
};

export const ORDER_ACTIONS = ['confirm', 'deliver', 'accept', 'reject', 'pay', 'decline', 'cancel', 'refund'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export interface Transition extends OrderEffects {
  from: readonly OrderStatus[];
  to: OrderStatus;
  /** Who may take this step. */
  guard: Guard;
}

/** Every step's transition, as the service reads it (derived from the table). */
export const TRANSITIONS = Object.fromEntries(
  ORDER_ACTIONS.map((a) => {
    const s = stepNamed(ORDER_WORKFLOW, a);
    return [a, { from: s.from, to: s.to, guard: PARTIES[s.may]!, money: s.money, restoresStock: s.restoresStock }];
  }),
) as Record<OrderAction, Transition>;

/** May `actor` take `step` on an order with these parties (its party rule; the role is checked at the door)? */
export const mayTake = (actor: Actor, step: Step<OrderStatus, unknown>, order: Omit<OrderParties, 'status'>): boolean => PARTIES[step.may]!(actor, order) === null;

/** May this actor see the order at all? Anyone else is told it does not exist (404). */
export const canSeeOrder = (a: Actor, o: Omit<OrderParties, 'status'>): boolean => can(a, 'order.read', o);

export type Verdict = { ok: true; to: OrderStatus } | { ok: false; reason: 'forbidden' | 'state'; key: string };

/** The whole decision for one step: the actor's right first (403), then the order's state (409). */
export function decide(action: OrderAction, actor: Actor, order: OrderParties): Verdict {
  const t = TRANSITIONS[action];
  const denied = t.guard(actor, order);
  if (denied) return { ok: false, reason: 'forbidden', key: denied };
  if (!t.from.includes(order.status)) return { ok: false, reason: 'state', key: ORDER_WORKFLOW.wrongStateKey(order.status) };
  return { ok: true, to: t.to };
}

/** The steps this actor could take now: the buttons an order page shows. */
export const allowedActions = (actor: Actor, order: OrderParties): OrderAction[] => ORDER_ACTIONS.filter((a) => decide(a, actor, order).ok);

export const isOrderStatus = (v: unknown): v is OrderStatus => typeof v === 'string' && (ORDER_STATUSES as readonly string[]).includes(v);
