import { shanghaiDay } from '../time';
import type { TransferRow } from './repo';

/** What a settlement or refund was for: copied into the `trades` fact row that statistics read. */
export interface TradeFacts {
  channel: 'boutique' | 'first_purchase';
  purchaser: { id: number; city: string; type: string };
  vendor: { id: number; city: string };
  productId: number | null;
  productTitle: string;
  certNo: string | null;
  level: string | null;
  field: string;
  kind: string;
}

/** One row of `trades`: the fact table whose columns are the statistics dimensions (src/stats/dimensions.ts). */
export interface TradeRow {
  transfer_id: number;
  channel: 'boutique' | 'first_purchase';
  day: string;
  year: number;
  month: string;
  count_delta: number;
  amount_fen: number;
  purchaser_id: number;
  purchaser_city: string;
  purchaser_type: string;
  vendor_id: number;
  vendor_city: string;
  order_id: number | null;
  case_id: number | null;
  product_id: number | null;
  product_title: string;
  cert_no: string | null;
  level: string | null;
  field: string;
  kind: string;
}

/**
 * The trade fact of a settlement (+1) or refund (−1) transfer: the one place where a trade's dimensions become
 * columns. The triggers on `trades` add it to the rollup and the cubes in the same transaction.
 */
export function tradeRow(t: TransferRow, f: TradeFacts, sign: 1 | -1): TradeRow {
  const day = shanghaiDay(new Date(t.created_at));
  return {
    transfer_id: t.id,
    channel: f.channel,
    day,
    year: Number(day.slice(0, 4)),
    month: day.slice(0, 7),
    count_delta: sign,
    amount_fen: sign * t.amount_fen,
    purchaser_id: f.purchaser.id,
    purchaser_city: f.purchaser.city,
    purchaser_type: f.purchaser.type,
    vendor_id: f.vendor.id,
    vendor_city: f.vendor.city,
    order_id: t.order_id,
    case_id: t.case_id,
    product_id: f.productId,
    product_title: f.productTitle,
    cert_no: f.certNo,
    level: f.level,
    field: f.field,
    kind: f.kind,
  };
}
