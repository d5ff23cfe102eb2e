import type { Clock } from '../clock';
import { isPostgres, type Db } from '../db';
import { AppError } from '../errors';

/**
 * Login throttling (OWASP ASVS 2.2.1): failures are counted per account and per client address in `login_attempts`.
 * Within a window, reaching the limit locks the key for a while; a locked key is refused before any password is
 * checked, with 429 and Retry-After. The address limit is higher, since one office may share one address.
 */
export const THROTTLE = {
  windowMs: 15 * 60 * 1000,
  lockMs: 15 * 60 * 1000,
  maxPerAccount: 10,
  maxPerAddress: 50,
};

interface AttemptRow {
  key: string;
  failures: number;
  first_failure_at: string | null;
  locked_until: string | null;
}

export interface ThrottleKeys {
  account: string;
  address: string | null;
}

export const throttleKeys = (username: string, address: string | null | undefined): ThrottleKeys => ({
  account: `user:${username.trim().toLowerCase()}`,
  address: address ? `ip:${address}` : null,
});

export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private keys(k: ThrottleKeys): Array<{ key: string; max: number }> {
    return [{ key: k.account, max: THROTTLE.maxPerAccount }, ...(k.address ? [{ key: k.address, max: THROTTLE.maxPerAddress }] : [])];
  }

  /** Throws 429 (with the seconds to wait) while any of the keys is locked. */
  async check(k: ThrottleKeys): Promise<void> {
    const now = this.clock.now().getTime();
    const rows: AttemptRow[] = await this.db('login_attempts').whereIn('key', this.keys(k).map((x) => x.key));
    const until = Math.max(0, ...rows.map((r) => (r.locked_until ? Date.parse(r.locked_until) : 0)));
    if (until > now) {
      const retryAfter = Math.ceil((until - now) / 1000);
      throw new AppError('too_many_attempts', 'auth.too_many_attempts', { retryAfter, minutes: Math.ceil(retryAfter / 60) });
    }
  }

  /** Counts a failure against each key; returns the keys that became locked by it. */
  async fail(k: ThrottleKeys): Promise<string[]> {
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const locked: string[] = [];
    await this.db.transaction(async (trx) => {
      for (const { key, max } of this.keys(k)) {
        await trx('login_attempts').insert({ key, failures: 0, first_failure_at: nowIso, locked_until: null }).onConflict('key').ignore();
        const q = trx('login_attempts').where({ key });
        const row: AttemptRow = await (isPostgres(trx) ? q.forUpdate() : q).first();
        const windowOver = !row.first_failure_at || now.getTime() - Date.parse(row.first_failure_at) > THROTTLE.windowMs;
        const lockOver = row.locked_until !== null && Date.parse(row.locked_until) <= now.getTime();
        const fresh = windowOver || lockOver;
        const failures = (fresh ? 0 : row.failures) + 1;
        const lockedUntil = failures >= max ? new Date(now.getTime() + THROTTLE.lockMs).toISOString() : null;
        if (lockedUntil) locked.push(key);
        await trx('login_attempts')
          .where({ key })
          .update({ failures, first_failure_at: fresh ? nowIso : row.first_failure_at, locked_until: lockedUntil });
      }
    });
    return locked;
  }

  /** A successful login clears the account's count (not the address's: one good account must not reset it). */
  async succeed(k: ThrottleKeys): Promise<void> {
    await this.db('login_attempts').where({ key: k.account }).del();
  }
}
