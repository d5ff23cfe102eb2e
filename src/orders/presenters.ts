import { Money } from '../money';
import type { Actor } from '../web';
import type { OrderHistoryRow, OrderItemRow, OrderListRow } from './repo';
import { allowedActions, type OrderAction, type OrderStatus } from './transitions';
import { apiTime } from '../time';

export interface OrderItemView {
  productId: number;
  title: string;
  quantity: number;
  unitPrice: string;
  amount: string;
}

/** An order's paperwork in the JSON (additive: null where the order has none). */
export interface OrderPaperworkView {
  deliveryAddress: string | null;
  contactPerson: string | null;
  contactPhone: string | null;
  deliveryDate: string | null;
  budgetCode: string | null;
  invoiceTitle: string | null;
}

type PaperworkColumns = Partial<Record<'delivery_address' | 'contact_person' | 'contact_phone' | 'delivery_date' | 'budget_code' | 'invoice_title', string | null>>;

export const paperworkView = (o: PaperworkColumns): OrderPaperworkView => ({
  deliveryAddress: o.delivery_address ?? null,
  contactPerson: o.contact_person ?? null,
  contactPhone: o.contact_phone ?? null,
  deliveryDate: o.delivery_date ?? null,
  budgetCode: o.budget_code ?? null,
  invoiceTitle: o.invoice_title ?? null,
});

export interface OrderSummary extends OrderPaperworkView {
  id: number;
  /** The number people read (`ZJJP-2026-000123`); the id is for URLs. */
  orderNo: string;
  status: OrderStatus;
  total: string;
  purchaser: { id: number; name: string };
  vendor: { id: number; name: string };
  items: OrderItemView[];
  acceptanceNote: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderDetail extends OrderSummary {
  /** `step`: the step the row records (a status alone does not tell a rejected delivery from a confirmation). */
  history: Array<{ from: OrderStatus | null; to: OrderStatus; step: HistoryStep; actor: string | null; note: string | null; at: string }>;
  /** The steps the caller may take now. */
  actions: OrderAction[];
}

const money = (fen: number) => Money.ofFen(fen).toString();

export const itemView = (i: OrderItemRow): OrderItemView => ({
  productId: i.product_id,
  title: i.title,
  quantity: i.quantity,
  unitPrice: money(i.unit_price_fen),
  amount: money(i.amount_fen),
});

export function orderSummary(o: OrderListRow, items: OrderItemRow[]): OrderSummary {
  return {
    id: o.id,
    orderNo: o.order_no,
    status: o.status,
    total: money(o.total_fen),
    purchaser: { id: o.purchaser_id, name: o.purchaser_name },
    vendor: { id: o.vendor_id, name: o.vendor_name },
    items: items.map(itemView),
    acceptanceNote: o.acceptance_note ?? null,
    ...paperworkView(o),
    createdAt: apiTime(o.created_at),
    updatedAt: apiTime(o.updated_at),
  };
}

export function orderDetail(actor: Actor, o: OrderListRow, items: OrderItemRow[], history: OrderHistoryRow[]): OrderDetail {
  return {
    ...orderSummary(o, items),
    history: history.map((h) => ({ from: h.from_status ?? null, to: h.to_status, step: historyStep(h), actor: h.actor_name ?? null, note: h.note ?? null, at: apiTime(h.at) })),
    actions: allowedActions(actor, { purchaserId: o.purchaser_id, vendorId: o.vendor_id, status: o.status }),
  };
}

export type HistoryStep = 'place' | OrderAction;

/** Which step a history row records, from its two states and who took it (a vendor ending a new order declined it). */
export function historyStep(h: Pick<OrderHistoryRow, 'from_status' | 'to_status' | 'actor_role'>): HistoryStep {
  if (h.from_status === null) return 'place';
  if (h.to_status === 'cancelled') return h.actor_role === 'vendor' ? 'decline' : 'cancel';
  if (h.from_status === 'delivered' && h.to_status === 'confirmed') return 'reject';
  const step = ({ confirmed: 'confirm', delivered: 'deliver', accepted: 'accept', paid: 'pay', refunded: 'refund' } as const)[h.to_status as 'confirmed'];
  return step ?? 'confirm';
}
