import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { AppError } from '../errors';
import { hashToken } from '../web/session';
import type { Actor } from '../web/state';
import { dummyHash, verifyPassword } from './passwords';
import { findUserByName, findUserByToken, insertToken, toActor, type UserRow } from './repo';
import { LoginThrottle, throttleKeys } from './throttle';
import { apiTime } from '../time';

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface LoginContext {
  /** The client's address (ctx.ip), for per-address throttling. */
  address?: string | null;
  log?: Logger;
}

export class AuthService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.throttle = new LoginThrottle(db, clock);
  }

  /**
   * Checks a username and password; the same error whether the name or the password is wrong. Locked accounts and
   * addresses are refused first (429); each failure counts towards a lock, and a lock is logged.
   */
  async authenticate(username: string, password: string, login: LoginContext = {}): Promise<UserRow> {
    const keys = throttleKeys(username, login.address);
    try {
      await this.throttle.check(keys);
    } catch (err) {
      login.log?.warn({ username, address: login.address }, 'login refused: throttled');
      throw err;
    }
    const user = await findUserByName(this.db, username);
    const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
    if (!user || !ok) {
      const locked = await this.throttle.fail(keys);
      login.log?.info({ username, address: login.address }, 'login failed');
      if (locked.length) login.log?.warn({ username, address: login.address, locked }, 'login locked after repeated failures');
      throw new AppError('unauthenticated', 'auth.bad_credentials');
    }
    if (user.status !== 'active') throw new AppError('forbidden', 'auth.account_not_active');
    await this.throttle.succeed(keys);
    return user;
  }

  async issueToken(user: UserRow): Promise<{ token: string; role: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS).toISOString();
    await insertToken(this.db, hashToken(token), user.id, now.toISOString(), expiresAt);
    return { token, role: user.role, expiresAt: apiTime(expiresAt) };
  }

  async actorForToken(token: string): Promise<Actor | null> {
    const user = await findUserByToken(this.db, hashToken(token), this.clock.now().toISOString());
    return user && user.status === 'active' ? toActor(user) : null;
  }
}
