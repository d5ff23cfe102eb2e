import type { Executor } from '../db';
import { shanghaiDay } from '../time';
import { takeSequence } from './repo';

/**
 * The number people read on an order (API.md "Numbers people read"): `ZJJP-<year>-<six digits>`, ZJJP for 浙江精品
 * (the boutique hall), the year the order was placed (Asia/Shanghai) and its place in that year's sequence. Stored on
 * the order (unique); database ids stay in URLs only.
 */
export const ORDER_NO_PREFIX = 'ZJJP';
export const ORDER_NO_PATTERN = /^ZJJP-\d{4}-\d{6,}$/;

export const formatOrderNo = (year: number, seq: number): string => `${ORDER_NO_PREFIX}-${year}-${String(seq).padStart(6, '0')}`;

/** The next order number for an order placed at `at`, taken in the caller's transaction. */
export async function nextOrderNo(trx: Executor, at: Date): Promise<string> {
  return (await nextOrderNos(trx, at, 1))[0]!;
}

/** The next `n` order numbers for orders placed together at `at`, in the order they are to be given. */
export async function nextOrderNos(trx: Executor, at: Date, n: number): Promise<string[]> {
  const year = Number(shanghaiDay(at).slice(0, 4));
  const last = await takeSequence(trx, year, n);
  return Array.from({ length: n }, (_, i) => formatOrderNo(year, last - n + 1 + i));
}
