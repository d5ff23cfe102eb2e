/**
 * A tiny deterministic PRNG (mulberry32) and the helpers the demo data is drawn with. Same seed, same sequence, on
 * every machine: only integer arithmetic and Math.imul, no Math.random.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks a key by integer weight. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [value, w] of entries) {
      if (x < w) return value;
      x -= w;
    }
    return entries[entries.length - 1][0];
  }

  /** `n` distinct items, in a random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.min(n, items.length));
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /**
   * A price in whole yuan between min and max, spread on a logarithmic scale (there are more ¥80,000 items than
   * ¥8,000,000 ones) and rounded to a figure a vendor would quote.
   */
  priceYuan(min: number, max: number): number {
    const raw = Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
    const step = raw >= 1_000_000 ? 10_000 : raw >= 100_000 ? 1_000 : raw >= 10_000 ? 100 : 10;
    return Math.min(max, Math.max(min, Math.round(raw / step) * step));
  }
}

/** 'YYYY-MM-DD' plus a number of days (UTC calendar arithmetic). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' plus whole years, minus one day: the last day of a validity period that starts on `day`. */
export function validityEnd(day: string, years: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The instant stored for an event on a day: 10:00 Asia/Shanghai (02:00 UTC), so the Shanghai day is the same. */
export const at = (day: string, hourUtc = 2): string => `${day}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`;

export const minDay = (a: string, b: string): string => (a < b ? a : b);
export const maxDay = (a: string, b: string): string => (a > b ? a : b);
