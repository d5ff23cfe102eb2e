import { AppError } from '../errors';
import { Money, formatYuan } from '../money';

/**
 * An order whose total for one vendor is above the direct-purchase limit (DESIGN §9): a 422 `direct_purchase_limit`
 * whose message names the vendor, the total and the limit, and points to a procurement procedure (政府首购 / 单一来源).
 * The field is `items`.
 */
export class DirectPurchaseLimitError extends AppError {
  constructor(
    readonly vendorName: string,
    readonly totalFen: number,
    readonly limitFen: number,
  ) {
    super('direct_purchase_limit', 'orders.direct_purchase_limit', { vendor: vendorName, total: formatYuan(Money.ofFen(totalFen)), limit: formatYuan(Money.ofFen(limitFen)) }, 'items');
  }
}

export const isDirectPurchaseLimit = (err: unknown): err is DirectPurchaseLimitError => err instanceof DirectPurchaseLimitError;
