import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { AppError } from '../errors';
import { hashToken } from '../web/session';
import type { Actor } from '../web/state';
import { dummyHash, verifyPassword } from './passwords';
import { findUserByName, findUserByToken, insertToken, toActor, type UserRow } from './repo';

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Checks a username and password; the same error whether the name or the password is wrong. */
  async authenticate(username: string, password: string): Promise<UserRow> {
    const user = await findUserByName(this.db, username);
    const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
    if (!user || !ok) throw new AppError('unauthenticated', 'auth.bad_credentials');
    if (user.status !== 'active') throw new AppError('forbidden', 'auth.account_not_active');
    return user;
  }

  async issueToken(user: UserRow): Promise<{ token: string; role: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS).toISOString();
    await insertToken(this.db, hashToken(token), user.id, now.toISOString(), expiresAt);
    return { token, role: user.role, expiresAt };
  }

  async actorForToken(token: string): Promise<Actor | null> {
    const user = await findUserByToken(this.db, hashToken(token), this.clock.now().toISOString());
    return user && user.status === 'active' ? toActor(user) : null;
  }
}
