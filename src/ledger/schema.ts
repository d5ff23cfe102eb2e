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
  verify: z.string().optional(),
});
