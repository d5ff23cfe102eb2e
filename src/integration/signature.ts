import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/integration.md): `X-Marketplace-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
 * with `X-Marketplace-Timestamp: <unix seconds>`. The receiver recomputes the HMAC over the bytes it received and
 * refuses a timestamp outside its replay window (5 minutes is the documented default).
 */
export const SIGNATURE_HEADER = 'x-marketplace-signature';
export const TIMESTAMP_HEADER = 'x-marketplace-timestamp';
export const EVENT_ID_HEADER = 'x-marketplace-event-id';
export const EVENT_TYPE_HEADER = 'x-marketplace-event-type';
export const DELIVERY_HEADER = 'x-marketplace-delivery';
export const REPLAY_WINDOW_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: the signature matches and the timestamp is inside the window around `nowSeconds`. */
export function verifySignature(secret: string, header: string | undefined, timestamp: string | undefined, body: string, nowSeconds: number, windowSeconds = REPLAY_WINDOW_SECONDS): boolean {
  if (!header || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > windowSeconds) return false;
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
