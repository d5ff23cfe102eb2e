/** Calendar helpers in Asia/Shanghai (UTC+8, no daylight saving). */
const OFFSET_MS = 8 * 60 * 60 * 1000;

/** The instant `days` × 24 hours after `at` (before it when negative): "within 30 days" of an act, a 30-day window. */
export function daysAfter(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000);
}

/** 'YYYY-MM-DD' of the instant in Asia/Shanghai. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of 00:00 Asia/Shanghai on a 'YYYY-MM-DD' day. */
export function shanghaiMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+08:00`));
}

/** ISO 8601 with the +08:00 offset, as shown to people. */
export function shanghaiIso(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** A stored instant (ISO 8601, UTC) as every API answer gives it: with the +08:00 offset (API.md). */
export const apiTime = (iso: string): string => shanghaiIso(new Date(iso));

/** The same for an instant that may be absent. */
export const apiTimeOrNull = (iso: string | null | undefined): string | null => (iso ? apiTime(iso) : null);
