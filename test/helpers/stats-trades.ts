import type { FakeClock } from '../../src/clock';
import type { Db } from '../../src/db';
import { Ledger, type TradeFacts } from '../../src/ledger/service';
import { shanghaiDay } from '../../src/time';

/**
 * Trades for the statistics tests, made the way the real flows make them — through the ledger's own
 * allocate → reserve → settle (and refund) transfers, each in a transaction — without the orders module.
 */
export interface TradeSpec {
  /** When the settlement (or refund) happens, an ISO instant. */
  at: string;
  channel: 'boutique' | 'first_purchase';
  purchaser: { id: number; city: string; type: string };
  vendor: { id: number; city: string };
  amountFen: number;
  refund?: boolean;
  field: string;
  level: string | null;
  kind: string;
  productTitle?: string;
  productId?: number | null;
  certNo?: string | null;
  orderId?: number;
  caseId?: number;
}

let seq = 0;

export function factsOf(s: TradeSpec): TradeFacts {
  return {
    channel: s.channel,
    purchaser: s.purchaser,
    vendor: s.vendor,
    productId: s.productId ?? null,
    productTitle: s.productTitle ?? `统计测试产品${s.field}`,
    certNo: s.certNo ?? null,
    level: s.level,
    field: s.field,
    kind: s.kind,
  };
}

/** Settles one trade (or refunds one) at `spec.at`: the clock is moved there first. */
export async function makeTrade(db: Db, clock: FakeClock, spec: TradeSpec): Promise<void> {
  const ledger = new Ledger(clock);
  const n = ++seq;
  const ref = { ...(spec.orderId ? { orderId: spec.orderId } : {}), ...(spec.caseId ? { caseId: spec.caseId } : {}) };
  clock.set(new Date(spec.at), { freeze: true });
  await db.transaction(async (trx) => {
    if (spec.refund) {
      await ledger.refund(trx, spec.amountFen, ref, factsOf(spec), `stats-test-refund-${process.pid}-${n}`, null);
      return;
    }
    await ledger.allocate(trx, spec.purchaser.id, spec.amountFen, `stats-test-alloc-${process.pid}-${n}`, null);
    await ledger.reserve(trx, spec.purchaser.id, spec.amountFen, ref, `stats-test-reserve-${process.pid}-${n}`, null);
    await ledger.settle(trx, spec.amountFen, ref, factsOf(spec), `stats-test-settle-${process.pid}-${n}`, null);
  });
}

/** A deterministic pseudo-random sequence (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const dayOf = (s: TradeSpec): string => shanghaiDay(new Date(s.at));
