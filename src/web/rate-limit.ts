import type { Context, Next } from 'koa';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { AppError } from '../errors';

/**
 * Rate limits kept in the database (`rate_limits`), so that they hold across server processes and under concurrent
 * requests: each request raises the counter of its key's current window in one atomic statement (INSERT … ON CONFLICT
 * DO UPDATE … RETURNING, on SQLite and PostgreSQL alike) and is refused when the count it got is over the limit — two
 * requests can never both see the last free place. The limit is a sliding window, estimated from the current and the
 * previous fixed window (the previous one weighted by how much of it still lies inside the sliding window), so a burst
 * at a window's edge does not get twice the limit.
 *
 * A refused request (429 `too_many_attempts`, with Retry-After) gives its count back at once, and so do the keys it
 * had already passed; a request the caller asks to count only when it succeeds gives its count back when it fails.
 */
export interface RateRule {
  /** Names the counter: a key is `<name>:<subject>`. */
  name: string;
  max: number;
  windowMs: number;
}

export interface RateKey {
  rule: RateRule;
  /** Whose requests: a client address, a case, a user… */
  subject: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The limits (documented in docs/security.md). Objections to a 政府首购 notice are counted only when filed (a refused or
 * invalid one gives its count back); registrations likewise; login requests are counted whatever their outcome (the
 * failures have their own, stricter lock in src/auth/throttle.ts).
 */
export const RATE_LIMITS = {
  /** One client address, one case: an objector has no need to file more. */
  objectionPerAddressPerCase: { name: 'objection:case-ip', max: 5, windowMs: HOUR },
  /** One client address, all cases. */
  objectionPerAddress: { name: 'objection:ip', max: 20, windowMs: HOUR },
  /** One case, from every anonymous caller together: what the department can review, whoever sends it. */
  objectionPerCase: { name: 'objection:case', max: 50, windowMs: HOUR },
  /** A logged-in caller (accountable, so not part of the anonymous case total), one case. */
  objectionPerUserPerCase: { name: 'objection:case-user', max: 5, windowMs: HOUR },
  /** Vendor registrations (each hashes a password and leaves a pending enterprise to review) per client address. */
  registrationPerAddress: { name: 'register:ip', max: 60, windowMs: HOUR },
  /** Login requests (each checks a password) per client address, whatever their outcome. */
  loginPerAddress: { name: 'login:ip', max: 1000, windowMs: 15 * MINUTE },
} satisfies Record<string, RateRule>;

/** The client's address as Koa sees it (X-Forwarded-For only when the app trusts its proxy). */
export const clientAddress = (ctx: Context): string => ctx.ip || 'unknown';

/** What one request holds; `release` gives its counts back (once, however often called). */
export interface RatePermit {
  release(): Promise<void>;
}

interface Taken {
  key: string;
  windowStart: number;
}

/** How often each limiter deletes the rows whose windows can no longer count. */
export const PURGE_EVERY_MS = 10 * MINUTE;

export class RateLimiter {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one request against each key, in the order given; at the first key over its limit, every count taken is
   * given back and the request is refused: 429 with `retryAfter` (seconds) and `minutes` for the message.
   */
  async acquire(keys: RateKey[], messageKey = 'errors.too_many_attempts'): Promise<RatePermit> {
    const now = this.clock.now().getTime();
    this.purge(now);
    const taken: Taken[] = [];
    for (const k of keys) {
      const { taken: t, retryAfter } = await this.take(k, now);
      taken.push(t);
      if (retryAfter !== null) {
        await this.giveBack(taken);
        const minutes = Math.max(1, Math.ceil(retryAfter / 60));
        throw new AppError('too_many_attempts', messageKey, { retryAfter, minutes, n: minutes });
      }
    }
    let done = false;
    return {
      release: async () => {
        if (done) return;
        done = true;
        await this.giveBack(taken);
      },
    };
  }

  /** Raises the key's counter; `retryAfter` is null when the request is within the limit. */
  private async take(k: RateKey, now: number): Promise<{ taken: Taken; retryAfter: number | null }> {
    const { max, windowMs } = k.rule;
    const key = `${k.rule.name}:${k.subject}`.slice(0, 200);
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const rows: Array<{ count: number | string }> = await this.db('rate_limits')
      .insert({ key, window_start: windowStart, count: 1, expires_at: windowStart + 2 * windowMs })
      .onConflict(['key', 'window_start'])
      .merge({ count: this.db.raw('?? + 1', ['rate_limits.count']) })
      .returning('count');
    const count = Number(rows[0]?.count ?? 1);
    const taken = { key, windowStart };
    // The previous window's requests that still lie inside the sliding window (as if spread evenly over it).
    const elapsed = (now - windowStart) / windowMs;
    const prevRow: { count: number | string } | undefined = count > max ? undefined : await this.db('rate_limits').where({ key, window_start: windowStart - windowMs }).first('count');
    const prev = Number(prevRow?.count ?? 0);
    if (count + Math.floor(prev * (1 - elapsed)) <= max) return { taken, retryAfter: null };
    return { taken, retryAfter: retryAfterSeconds(now, windowStart, windowMs, max, count - 1, prev) };
  }

  private async giveBack(taken: Taken[]): Promise<void> {
    for (const t of taken) {
      await this.db('rate_limits').where({ key: t.key, window_start: t.windowStart }).andWhere('count', '>', 0).decrement('count', 1);
    }
  }

  /** Deletes expired windows, at most every PURGE_EVERY_MS per limiter, without holding up the request. */
  private purge(now: number): void {
    if (now - this.lastPurge < PURGE_EVERY_MS && now >= this.lastPurge) return;
    this.lastPurge = now;
    this.db('rate_limits')
      .where('expires_at', '<', now)
      .del()
      .catch(() => undefined);
  }
}

/**
 * When one more request would fit: `others` requests of the current window stay counted (this one is given back),
 * `prev` of the previous window fade out as the sliding window moves on.
 */
function retryAfterSeconds(now: number, windowStart: number, windowMs: number, max: number, others: number, prev: number): number {
  let at: number;
  if (others + 1 <= max) {
    // Wait until the previous window's share has faded enough: prev·(1 − f) ≤ max − others − 1.
    const f = prev > 0 ? 1 - (max - others - 1) / prev : 0;
    at = windowStart + Math.max(0, f) * windowMs;
  } else {
    // The current window alone is full: in the next one it becomes the previous, and must fade to max − 1.
    const f = others > 0 ? 1 - (max - 1) / others : 0;
    at = windowStart + windowMs + Math.max(0, f) * windowMs;
  }
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/**
 * Counts the request against `keys` (refused → 429 with Retry-After). With `onlySuccess`, a request that fails (an
 * error, or an answer of 400 or more) gives its counts back, so the limit counts what was done, not what was tried.
 */
export function rateLimit(
  limiter: RateLimiter,
  keysOf: (ctx: Context) => RateKey[] | Promise<RateKey[]>,
  opts: { messageKey: string; onlySuccess?: boolean },
) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const keys = await keysOf(ctx);
    if (!keys.length) return next();
    const permit = await enforce(ctx, limiter, keys, opts.messageKey);
    if (!opts.onlySuccess) return next();
    let ok = false;
    try {
      await next();
      ok = ctx.status < 400;
    } finally {
      if (!ok) await permit.release();
    }
  };
}

/** `limiter.acquire`, setting Retry-After on a refusal (for a page that renders the refusal itself). */
export async function enforce(ctx: Context, limiter: RateLimiter, keys: RateKey[], messageKey: string): Promise<RatePermit> {
  try {
    return await limiter.acquire(keys, messageKey);
  } catch (err) {
    if (err instanceof AppError && err.code === 'too_many_attempts' && err.params.retryAfter) ctx.set('Retry-After', String(err.params.retryAfter));
    throw err;
  }
}
