import { createHash, randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import Tokens from 'csrf';
import type { Clock } from '../clock';
import { VersionedCache, versionCounter, type Db } from '../db';
import type { AppState, SessionData } from './state';

/**
 * Server-side sessions in the `sessions` table. The cookie holds only a random 256-bit id; the table holds its
 * SHA-256, so a leaked database does not yield live cookies. Written only when the data changes or the idle
 * window needs extending — an anonymous visitor gets a row only when shown a form (its CSRF secret). Expired rows
 * are deleted now and then, when a session is created (PURGE_EVERY_MS).
 * (koa-session's store mode extends `app.context`, which a host mounting us with koa-mount never sees; this
 * middleware keeps everything on `ctx.state`.)
 */
export const SESSION_COOKIE = 'fum_sid';
export const IDLE_MS = 30 * 60 * 1000;
export const ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** How often (at most) creating a session also deletes the expired ones, so that the table does not grow forever. */
export const PURGE_EVERY_MS = 10 * 60 * 1000;

const hashId = (raw: string) => createHash('sha256').update(raw).digest('hex');

/** A session row as kept in the cache: its data as stored (parsed anew for each request) and its expiry. */
interface CachedRow {
  id: string;
  data: string;
  expiresAt: number;
}

interface SessionInternals {
  rawId: string | null;
  loaded: string; // JSON as loaded, to detect change
  expiresAt: number;
  destroyed: boolean;
  regenerate: boolean;
}

const INTERNALS = Symbol('session');
const AUTH_VERSION = Symbol('authVersion');

/**
 * The authority version this request's session was looked up under (a read that started after the request arrived),
 * for the user lookup that follows, so that it need not wait for another read; undefined when there was none.
 */
export function authVersionOf(ctx: Context): Promise<number> | undefined {
  return (ctx as unknown as Record<symbol, Promise<number> | undefined>)[AUTH_VERSION];
}

function cookieOpts(ctx: Context, production: boolean, expires?: Date) {
  const state = ctx.state as AppState;
  return { httpOnly: true, sameSite: 'lax' as const, secure: production, path: state.base || '/', overwrite: true, signed: false, expires };
}

export function sessions(db: Db, clock: Clock, production: boolean) {
  // Per process; several instances each purge now and then, which is harmless (expired rows are dead either way).
  const purge = { next: 0 };
  const rows = new VersionedCache<CachedRow>(versionCounter(db, 'auth_state'));
  const load = async (id: string): Promise<CachedRow | undefined> => {
    const row = await db('sessions').where({ id }).first('id', 'data', 'expires_at');
    return row ? { id: row.id, data: row.data, expiresAt: Date.parse(row.expires_at) } : undefined;
  };
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    const now = clock.now().getTime();
    const raw = ctx.cookies.get(SESSION_COOKIE) ?? null;
    const internals: SessionInternals = { rawId: null, loaded: '{}', expiresAt: 0, destroyed: false, regenerate: false };
    state.session = {};
    if (raw && /^[A-Za-z0-9_-]{43}$/.test(raw)) {
      const id = hashId(raw);
      const version = rows.readVersion();
      (ctx as unknown as Record<symbol, Promise<number>>)[AUTH_VERSION] = version;
      const row = await rows.get(id, () => load(id), version);
      if (row && row.expiresAt > now) {
        const data = JSON.parse(row.data) as SessionData;
        if (!data.createdAt || now - Date.parse(data.createdAt) < ABSOLUTE_MS) {
          internals.rawId = raw;
          internals.loaded = row.data;
          internals.expiresAt = row.expiresAt;
          state.session = data;
        } else {
          rows.delete(id);
          await db('sessions').where({ id: row.id }).del();
        }
      }
    }
    (ctx as unknown as Record<symbol, SessionInternals>)[INTERNALS] = internals;
    await next();
    await commit(ctx, db, clock, production, internals, purge);
  };
}

async function commit(ctx: Context, db: Db, clock: Clock, production: boolean, s: SessionInternals, purge: { next: number }): Promise<void> {
  const state = ctx.state as AppState;
  // In production the cookie is always `Secure`. Behind a TLS-terminating proxy Koa sees plain HTTP (unless it trusts
  // X-Forwarded-Proto), and the cookies library would refuse to set a Secure cookie: tell it the connection is secure.
  if (production) (ctx.cookies as unknown as { secure: boolean }).secure = true;
  const now = clock.now().getTime();
  if (s.destroyed || s.regenerate) {
    if (s.rawId) await db('sessions').where({ id: hashId(s.rawId) }).del();
    if (s.destroyed) {
      ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOpts(ctx, production), expires: new Date(0) });
      return;
    }
    s.rawId = null;
  }
  const data = state.session ?? {};
  const json = JSON.stringify(data);
  const empty = Object.keys(data).length === 0;
  if (!s.rawId && empty) return;
  const changed = json !== s.loaded;
  const needsTouch = s.expiresAt - now <= IDLE_MS / 2;
  if (!changed && !needsTouch && s.rawId) return;
  const created = data.createdAt ? Date.parse(data.createdAt) : now;
  const expiresAt = new Date(Math.min(now + IDLE_MS, created + ABSOLUTE_MS));
  if (!s.rawId) {
    s.rawId = randomBytes(32).toString('base64url');
    // A session's start (what ABSOLUTE_MS counts from) by this middleware's clock: a signed-in session is a new one.
    if (!data.createdAt) data.createdAt = new Date(now).toISOString();
    await db('sessions').insert({
      id: hashId(s.rawId),
      user_id: data.userId ?? null,
      data: JSON.stringify(data),
      created_at: new Date(now).toISOString(),
      expires_at: expiresAt.toISOString(),
    });
    if (now >= purge.next) {
      purge.next = now + PURGE_EVERY_MS;
      await db('sessions').where('expires_at', '<', new Date(now).toISOString()).del();
    }
  } else {
    await db('sessions')
      .where({ id: hashId(s.rawId) })
      .update({ data: json, user_id: data.userId ?? null, expires_at: expiresAt.toISOString() });
  }
  ctx.cookies.set(SESSION_COOKIE, s.rawId, { ...cookieOpts(ctx, production), expires: undefined });
}

const csrfSecrets = new Tokens();

/** A new CSRF secret for a session (csrf.ts makes the tokens from it). */
export function newCsrfSecret(): string {
  return csrfSecrets.secretSync();
}

/**
 * At login: a new id (no session fixation), keeping nothing of the anonymous session but the language — and a CSRF
 * secret of its own from the start. Were it made by the first page with a form (csrf.ts), the pages a user opens at
 * once just after signing in would each make one and write the session, the last write winning: the forms of the
 * others would then be refused on submit, and every write of a session moves the authority version, which drops
 * every process's cached sessions and users (measured: 50 such writes for a purchaser's first 50 pages at once).
 */
export function regenerateSession(ctx: Context, data: SessionData): void {
  const s = (ctx as unknown as Record<symbol, SessionInternals>)[INTERNALS];
  s.regenerate = true;
  (ctx.state as AppState).session = { ...data, csrfSecret: data.csrfSecret ?? newCsrfSecret() };
}

/** At logout: the row is deleted, so the old cookie replayed later finds nothing. */
export function destroySession(ctx: Context): void {
  const s = (ctx as unknown as Record<symbol, SessionInternals>)[INTERNALS];
  s.destroyed = true;
  (ctx.state as AppState).session = {};
}

export function hasSessionCookie(ctx: Context): boolean {
  return Boolean(ctx.cookies.get(SESSION_COOKIE));
}

export const hashToken = hashId;
