import { z } from 'zod';
import { positiveMoney, wholeNumber as whole } from '../schema';
import { FLOWS, type TransferKind } from './accounts';

/** `POST /api/v1/admin/budgets` and the admin's allocation form. */
export const AllocateInput = z.object({
  purchaserId: whole(1, 999_999_999),
  amount: positiveMoney,
});
export type AllocateInput = z.output<typeof AllocateInput>;

export const PageQuery = z.object({
  page: whole(1, 100_000).optional().transform((v) => v ?? 1),
  pageSize: whole(1, 100).optional().transform((v) => v ?? 20),
  lang: z.string().optional(),
});

export const TransferQuery = PageQuery.extend({
  kind: z.enum(Object.keys(FLOWS) as [TransferKind, ...TransferKind[]], { message: 'validation.one_of' }).optional(),
  orderId: whole(1, 999_999_999).optional(),
  /** The number people read on an order (`ZJJP-2026-001295`), in any case: the transfers of that order. */
  orderNo: z
    .string({ message: 'validation.invalid_type' })
    .trim()
    .transform((v) => v.normalize('NFKC').toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{2,8}-\d{4}-\d{1,12}$/, 'ledger.order_no_format'))
    .optional(),
  verify: z.string().optional(),
});
export type TransferQuery = z.output<typeof TransferQuery>;

/**
 * The ledger page's filter: its one 订单 box takes what the page shows (an order's number) or an order's id, as
 * `orderNo` or `orderId`.
 */
export function pageTransferQuery(query: Record<string, unknown>): Record<string, unknown> {
  const { order, ...rest } = query;
  if (typeof order !== 'string' || order.trim() === '') return rest;
  return /^\s*\d+\s*$/.test(order) ? { ...rest, orderId: order } : { ...rest, orderNo: order };
}
