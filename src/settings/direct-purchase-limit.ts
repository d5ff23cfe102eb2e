import type { Executor } from '../db';
import { Money } from '../money';
import { readSetting } from './repo';

/**
 * The direct-purchase limit (DESIGN §9, API.md "Direct-purchase limit"): a boutique-hall order (精品馆直购) whose total
 * for one vendor is above it is refused and pointed to a procurement procedure (政府首购 / 单一来源). Kept in
 * `settings` as whole fen; set on the settings page; the orders service applies it, the cart shows it.
 */
export const DIRECT_PURCHASE_LIMIT_KEY = 'direct_purchase_limit';
/** ¥1,000,000.00 per vendor per order. */
export const DEFAULT_DIRECT_PURCHASE_LIMIT_FEN = 1_000_000_00;

/** The limit in whole fen: the stored one, else the default. */
export async function directPurchaseLimitFen(db: Executor): Promise<number> {
  const stored = await readSetting<{ fen?: unknown }>(db, DIRECT_PURCHASE_LIMIT_KEY);
  const fen = Number(stored?.fen);
  return Number.isSafeInteger(fen) && fen > 0 ? fen : DEFAULT_DIRECT_PURCHASE_LIMIT_FEN;
}

/** The limit as the API states money: "1000000.00". */
export const limitText = (fen: number): string => Money.ofFen(fen).toString();
