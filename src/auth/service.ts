import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { VersionedCache, versionCounter, writeTransaction, type Db } from '../db';
import { AppError } from '../errors';
import { hashToken, type Actor } from '../web';
import { dummyHash, verifyPassword } from './passwords';
import { findUserById, findUserByName, findUserByToken, insertToken, toActor, type UserRow } from './repo';
import { LoginThrottle, throttleKeys, type Reservation } from './throttle';
import { apiTime } from '../time';

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface LoginContext {
  /** The client's address (ctx.ip), for per-address throttling. */
  address?: string | null;
  log?: Logger;
}

/** What the caller lookups keep: a user as a caller (null: no active user with that id), a token's user and expiry. */
type Known = { actor: Actor | null; expiresAt?: string };

export class AuthService {
  private readonly throttle: LoginThrottle;
  /**
   * Users and bearer tokens found, kept under the authority version (migration 20261211090000_auth_state): a change
   * to a user (role, status, password, unit) or a revoked token, from any process, moves it, and nothing kept before
   * is used by a request that arrives after that commit.
   */
  private readonly known: VersionedCache<Known>;

  /**
   * `credentials` is what bearer tokens expire by: the app's clock, except under the FAKE_CLOCK testing aid, where it
   * is the real time (app.ts) — moving the business clock days ahead to end a notice period does not sign anyone out.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly credentials: Clock = clock,
  ) {
    this.throttle = new LoginThrottle(db, clock);
    this.known = new VersionedCache<Known>(versionCounter(db, 'auth_state'));
  }

  /**
   * Checks a username and password; the same error whether the name or the password is wrong. The attempt is
   * reserved against the account's and the address's limits before the password is checked (locked or full → 429,
   * nothing checked); a wrong password counts as a failure, and the failure that reaches a limit locks it (logged).
   */
  async authenticate(username: string, password: string, login: LoginContext = {}): Promise<UserRow> {
    const keys = throttleKeys(username, login.address);
    let attempt: Reservation;
    try {
      attempt = await this.throttle.reserve(keys);
    } catch (err) {
      login.log?.warn({ username, address: login.address }, 'login refused: throttled');
      throw err;
    }
    let ok: boolean;
    let user: UserRow | undefined;
    try {
      user = await findUserByName(this.db, username);
      ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
    } catch (err) {
      // Not checked (the server too busy to hash, the database gone): the attempt does not count.
      await attempt.cancel().catch(() => undefined);
      throw err;
    }
    if (!user || !ok) {
      const locked = await attempt.fail();
      login.log?.info({ username, address: login.address }, 'login failed');
      if (locked.length) login.log?.warn({ username, address: login.address, locked }, 'login locked after repeated failures');
      throw new AppError('unauthenticated', 'auth.bad_credentials');
    }
    await attempt.succeed();
    if (user.status !== 'active') throw new AppError('forbidden', 'auth.account_not_active');
    return user;
  }

  async issueToken(user: UserRow): Promise<{ token: string; role: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(this.credentials.now().getTime() + TOKEN_TTL_MS).toISOString();
    await insertToken(this.db, hashToken(token), user.id, now.toISOString(), expiresAt);
    return { token, role: user.role, expiresAt: apiTime(expiresAt) };
  }

  /** Ends one bearer token (the one the request authenticates with); false when it was not there. */
  async revokeToken(token: string, actor: Actor): Promise<boolean> {
    return writeTransaction(this.db, async (trx) => {
      const n = await trx('api_tokens').where({ id: hashToken(token), user_id: actor.id }).del();
      if (n > 0) await recordAudit(trx, this.clock, { actor, action: 'user.token_revoke', entity: 'user', entityId: actor.id });
      return n > 0;
    });
  }

  async actorForToken(token: string): Promise<Actor | null> {
    const now = this.credentials.now().toISOString();
    const hash = hashToken(token);
    // Only a live token of an active user is kept (an unknown token is looked up each time); its expiry is checked on use.
    const known = await this.known.get(`token:${hash}`, async () => {
      const user = await findUserByToken(this.db, hash, now);
      return user && user.status === 'active' ? { actor: toActor(user), expiresAt: user.token_expires_at } : undefined;
    });
    return known?.actor && known.expiresAt !== undefined && known.expiresAt > now ? { ...known.actor } : null;
  }

  /** The user with this id as a caller, if it exists and is active (a session's or a host's user). */
  async activeActor(userId: number, version?: Promise<number>): Promise<Actor | null> {
    const known = await this.known.get(
      `user:${userId}`,
      async () => {
        const user = await findUserById(this.db, userId);
        return { actor: user && user.status === 'active' ? toActor(user) : null };
      },
      version,
    );
    return known?.actor ? { ...known.actor } : null;
  }
}
