import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { isPostgres, isRetryable, type Db } from '../db';
import { AppError } from '../errors';

/**
 * Login throttling (OWASP ASVS 2.2.1): failures are counted per account and per client address in `login_attempts`.
 * Within a window, reaching the limit locks the key for a while; a locked key is refused before any password is
 * checked, with 429 and Retry-After. The address limit is higher, since one office may share one address.
 *
 * An attempt is *reserved* before its password is checked: one transaction (rows locked, always in the same order)
 * refuses it when a key is locked, or when the key's failures plus the attempts being checked right now (`pending`)
 * already reach the limit, and otherwise counts it as pending. So concurrent guesses cannot all pass a check that
 * reads the count before hashing: of 40 wrong passwords sent at once to one account, 10 are checked, the others are
 * refused at once. A wrong password turns its reservation into a failure (the failure that reaches the limit locks
 * the key, logged); a right one clears the account's failures and gives the address its reservation back (one good
 * account must not reset the address); a password never checked (the server too busy) gives every reservation back.
 * A refusal while the limit is only full of attempts still being checked is short (Retry-After: busyRetrySeconds).
 *
 * Wrong current passwords on the password-change form count under their own key (`pwchange:<user id>`), so they are
 * bounded too but never lock the user out of logging in.
 */
export const THROTTLE = {
  windowMs: 15 * 60 * 1000,
  lockMs: 15 * 60 * 1000,
  maxPerAccount: 10,
  maxPerAddress: 50,
  /** Wrong current passwords on the password-change form, per user. */
  maxPasswordChange: 10,
  /** Retry-After when a key's limit is full of attempts still being checked (they end within seconds). */
  busyRetrySeconds: 5,
};

interface AttemptRow {
  key: string;
  failures: number;
  pending: number;
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

/** The password-change form's own key: by user id, so a rename cannot reset it. */
export const passwordChangeKeys = (userId: number): ThrottleKeys => ({ account: `pwchange:${userId}`, address: null });

/** One attempt's hold on its keys, settled once by what the password check found. */
export interface Reservation {
  /** The password was wrong: the reservation becomes a failure; answers the keys this failure locked (for the log). */
  fail(): Promise<string[]>;
  /** The password was right: the account's failures are cleared, the address gets this attempt back. */
  succeed(): Promise<void>;
  /** The password was never checked (the server too busy, an error): every key gets this attempt back. */
  cancel(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `pending − 1`, never below zero (a window that restarted meanwhile has already forgotten the attempt). */
const PENDING_LESS_ONE = 'CASE WHEN ?? > 0 THEN ?? - 1 ELSE 0 END';

export class LoginThrottle {
  private readonly maxPerAccount: number;
  private readonly messageKey: string;

  /** `maxPerAccount` and `messageKey` for a key other than the login's (the password-change form's). */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    opts: { maxPerAccount?: number; messageKey?: string } = {},
  ) {
    this.maxPerAccount = opts.maxPerAccount ?? THROTTLE.maxPerAccount;
    this.messageKey = opts.messageKey ?? 'auth.too_many_attempts';
  }

  private keys(k: ThrottleKeys): Array<{ key: string; max: number }> {
    return [{ key: k.account, max: this.maxPerAccount }, ...(k.address ? [{ key: k.address, max: THROTTLE.maxPerAddress }] : [])];
  }

  /**
   * A write transaction, retried on a deadlock or serialization failure (PostgreSQL) or SQLITE_BUSY (another process).
   * Deliberately not `writeTransaction`: an attempt counted must commit on its own, never join a request's commit
   * hook or unit of work — a failed login rolls nothing of the lockout back.
   */
  private async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (err) {
        if (attempt >= 8 || !isRetryable(err)) throw err;
        await sleep(Math.floor(Math.random() * 10 * attempt) + attempt * 5);
      }
    }
  }

  /**
   * Reserves one attempt on every key, or throws 429 (with the seconds to wait) when a key is locked or its limit is
   * full — then nothing is counted on any key.
   */
  async reserve(k: ThrottleKeys): Promise<Reservation> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    const nowIso = now.toISOString();
    const keys = this.keys(k);
    await this.transaction(async (trx) => {
      // Always in the same order (account, then address), so two attempts never wait on each other crosswise.
      for (const { key, max } of keys) {
        await trx('login_attempts').insert({ key, failures: 0, pending: 0, first_failure_at: nowIso, locked_until: null }).onConflict('key').ignore();
        const q = trx('login_attempts').where({ key });
        const row: AttemptRow = await (isPostgres(trx) ? q.forUpdate() : q).first();
        const until = row.locked_until ? Date.parse(row.locked_until) : 0;
        if (until > nowMs) throw this.refusal(Math.ceil((until - nowMs) / 1000), this.messageKey);
        const windowOver = !row.first_failure_at || nowMs - Date.parse(row.first_failure_at) > THROTTLE.windowMs;
        const fresh = windowOver || until !== 0;
        const failures = fresh ? 0 : Number(row.failures);
        const pending = fresh ? 0 : Number(row.pending);
        if (failures + pending >= max) throw this.refusal(THROTTLE.busyRetrySeconds, 'auth.too_many_at_once');
        await trx('login_attempts')
          .where({ key })
          .update({ failures, pending: pending + 1, first_failure_at: fresh ? nowIso : row.first_failure_at, locked_until: null });
      }
    });
    let settled = false;
    const once =
      <T>(work: () => Promise<T>, none: T) =>
      async (): Promise<T> => {
        if (settled) return none;
        settled = true;
        return work();
      };
    return {
      fail: once(() => this.failed(keys), [] as string[]),
      succeed: once(async () => {
        await this.db('login_attempts')
          .where({ key: k.account })
          .update({ failures: 0, locked_until: null, pending: this.db.raw(PENDING_LESS_ONE, ['pending', 'pending']) });
        if (k.address) await this.giveBack(k.address);
      }, undefined),
      cancel: once(async () => {
        for (const { key } of keys) await this.giveBack(key);
      }, undefined),
    };
  }

  private refusal(retryAfter: number, messageKey: string): AppError {
    const minutes = Math.max(1, Math.ceil(retryAfter / 60));
    return new AppError('too_many_attempts', messageKey, { retryAfter, minutes, n: minutes });
  }

  /** The reservations become failures, each in one statement; the failure that reaches a limit locks its key. */
  private async failed(keys: Array<{ key: string; max: number }>): Promise<string[]> {
    const lockedUntil = new Date(this.clock.now().getTime() + THROTTLE.lockMs).toISOString();
    const locked: string[] = [];
    for (const { key, max } of keys) {
      await this.db('login_attempts')
        .where({ key })
        .update({
          failures: this.db.raw('?? + 1', ['failures']),
          pending: this.db.raw(PENDING_LESS_ONE, ['pending', 'pending']),
          locked_until: this.db.raw('CASE WHEN ?? + 1 >= ? THEN ? ELSE ?? END', ['failures', max, lockedUntil, 'locked_until']),
        });
      const row: Pick<AttemptRow, 'failures'> | undefined = await this.db('login_attempts').where({ key }).first('failures');
      if (row && Number(row.failures) === max) locked.push(key);
    }
    return locked;
  }

  /** One reservation back, counting nothing. */
  private async giveBack(key: string): Promise<void> {
    await this.db('login_attempts')
      .where({ key })
      .update({ pending: this.db.raw(PENDING_LESS_ONE, ['pending', 'pending']) });
  }
}
