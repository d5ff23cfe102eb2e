import { z } from 'zod';
import { optionalText, wholeNumber as whole } from '../schema';

/** The life of a boutique-hall order (精品馆直购), DESIGN §2; the steps between the states: transitions.ts. */
export const ORDER_STATUSES = ['placed', 'confirmed', 'delivered', 'accepted', 'paid', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const OrderLine = z.object({
  productId: whole(1, 999_999_999),
  quantity: whole(1, 10_000),
});
export type OrderLine = z.output<typeof OrderLine>;

/** `POST /api/v1/orders` and the checkout page (which sends the session cart through the same schema). */
export const OrderInput = z.object({
  items: z.array(OrderLine, { message: 'validation.invalid_type' }).min(1, 'validation.required').max(50, 'validation.too_big'),
});
export type OrderInput = z.output<typeof OrderInput>;

/** 验收意见: optional with the acceptance. */
export const AcceptInput = z.object({
  note: z.string().trim().max(1000, 'validation.too_long').optional(),
});
export type AcceptInput = z.output<typeof AcceptInput>;

/**
 * 取消订单 and 退款: why (kept in the order's history, shown to the other side). Optional on the JSON routes, whose
 * callers predate it (no reason: the history says none was given); the page form requires it (the step's field is
 * `required`). `confirm` is the page's second POST, after the confirmation page; JSON callers need not send it.
 */
export const ReasonInput = z.object({
  reason: optionalText(500),
  confirm: z.string().max(10, 'validation.too_long').optional(),
});
export type ReasonInput = z.output<typeof ReasonInput>;

/** The other steps (confirm, deliver, pay) take no input: an object, whatever it holds, or nothing. */
export const NoInput = z.object({});

export const OrderListQuery = z.object({
  status: z.enum(ORDER_STATUSES, { message: 'validation.one_of' }).optional(),
  page: whole(1, 100_000).optional().transform((v) => v ?? 1),
  pageSize: whole(1, 100).optional().transform((v) => v ?? 20),
  lang: z.string().optional(),
});
export type OrderListQuery = z.output<typeof OrderListQuery>;

/** The cart page: add a line, or set a line's quantity (0 removes it). */
export const CartLine = z.object({
  productId: whole(1, 999_999_999),
  quantity: whole(0, 10_000),
});
export type CartLine = z.output<typeof CartLine>;
