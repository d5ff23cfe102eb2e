import type { Executor } from '../db';
import type { Actor, Role } from '../web';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  purchaser_id: number | null;
  vendor_id: number | null;
  display_name: string;
  status: string;
}

/** The caller a user row acts as (only the identity columns are read). */
export type ActorColumns = Pick<UserRow, 'id' | 'username' | 'role' | 'purchaser_id' | 'vendor_id' | 'display_name'>;

export const toActor = (u: ActorColumns): Actor => ({
  id: u.id,
  username: u.username,
  role: u.role,
  displayName: u.display_name || u.username,
  purchaserId: u.purchaser_id ?? null,
  vendorId: u.vendor_id ?? null,
});

export const findUserByName = (db: Executor, username: string): Promise<UserRow | undefined> =>
  db<UserRow>('users').where({ username }).first();

export const findUserById = (db: Executor, id: number): Promise<UserRow | undefined> => db<UserRow>('users').where({ id }).first();

export async function insertToken(db: Executor, id: string, userId: number, createdAt: string, expiresAt: string): Promise<void> {
  await db('api_tokens').insert({ id, user_id: userId, created_at: createdAt, expires_at: expiresAt });
}

/** A live token's user, with the token's expiry (`token_expires_at`). */
export async function findUserByToken(db: Executor, tokenHash: string, nowIso: string): Promise<(UserRow & { token_expires_at: string }) | undefined> {
  return db<UserRow>('users')
    .join('api_tokens', 'api_tokens.user_id', 'users.id')
    .where('api_tokens.id', tokenHash)
    .andWhere('api_tokens.expires_at', '>', nowIso)
    .first('users.*', 'api_tokens.expires_at as token_expires_at');
}
