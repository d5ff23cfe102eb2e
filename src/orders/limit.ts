import type { Context } from 'koa';
import { AppError } from '../errors';
import { Money, formatYuan } from '../money';
import { errorBody } from '../web';

/** The code API.md gives the refusal of an order above the direct-purchase limit. */
export const DIRECT_PURCHASE_LIMIT = 'direct_purchase_limit';

/**
 * An order whose total for one vendor is above the direct-purchase limit (DESIGN §9): a 422 whose message names the
 * vendor, the total and the limit, and points to a procurement procedure (政府首购 / 单一来源). The field is `items`.
 *
 * The kernel's error codes (src/errors.ts) have no `direct_purchase_limit` yet, so the error travels as a
 * `validation_failed` (422) and the JSON route answers it with its own code (`directPurchaseLimitBody`).
 */
export class DirectPurchaseLimitError extends AppError {
  readonly answerCode = DIRECT_PURCHASE_LIMIT;

  constructor(
    readonly vendorName: string,
    readonly totalFen: number,
    readonly limitFen: number,
  ) {
    super('validation_failed', 'orders.direct_purchase_limit', { vendor: vendorName, total: formatYuan(Money.ofFen(totalFen)), limit: formatYuan(Money.ofFen(limitFen)) }, 'items');
  }
}

export const isDirectPurchaseLimit = (err: unknown): err is DirectPurchaseLimitError => err instanceof DirectPurchaseLimitError;

/** The error body of the refusal, in the caller's language: `{code: "direct_purchase_limit", message, field: "items"}`. */
export function directPurchaseLimitBody(ctx: Context, err: DirectPurchaseLimitError): { error: { code: string; message: string; field?: string } } {
  return { error: { ...errorBody(ctx, err), code: DIRECT_PURCHASE_LIMIT } };
}
