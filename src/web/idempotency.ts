import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Db } from '../db';
import { isUniqueViolation } from '../db';
import { canonicalJson } from '../db/hash-chain';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { AppState } from './state';

const KEY = /^[\x21-\x7e]{1,200}$/;
const WAIT_MS = 15000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` for state-changing POSTs that move money (API.md): the first request with a key claims it and
 * runs; a replay with the same key and body gets the first response (waiting for it if the first is still running);
 * the same key with a different body is a 409. Only successful responses are kept: a failed first attempt frees the
 * key, so a retry runs again. Keys are scoped to the caller and the route.
 */
export function idempotent(db: Db, clock: Clock) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const key = ctx.get('idempotency-key');
    if (!key) return next();
    if (!KEY.test(key)) throw new AppError('validation_failed', 'validation.idempotency_key', { field: 'Idempotency-Key' }, 'Idempotency-Key');
    const state = ctx.state as AppState;
    const scope = `${state.actor?.id ?? 'anon'}:${ctx.method} ${ctx.path}`.slice(0, 100);
    const body = (ctx.request as unknown as { body?: unknown }).body ?? null;
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    // Claim the key, or wait for the first claimant's answer; if that attempt failed (its claim is gone), claim again.
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      try {
        await db('idempotency_keys').insert({ scope, key, request_hash: requestHash, created_at: clock.now().toISOString() });
        break;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      if (await replay(ctx, db, scope, key, requestHash, deadline)) return;
    }
    try {
      await next();
    } catch (err) {
      await db('idempotency_keys').where({ scope, key }).del();
      throw err;
    }
    if (ctx.status >= 200 && ctx.status < 300) {
      await db('idempotency_keys').where({ scope, key }).update({ status_code: ctx.status, response_body: JSON.stringify(ctx.body ?? null) });
    } else {
      await db('idempotency_keys').where({ scope, key }).del();
    }
  };
}

/** Waits for the first request's stored answer and replays it; false when that request failed and freed the key. */
async function replay(ctx: Context, db: Db, scope: string, key: string, requestHash: string, deadline: number): Promise<boolean> {
  for (;;) {
    const row = await db('idempotency_keys').where({ scope, key }).first();
    if (!row) return false;
    if (row.request_hash !== requestHash) throw new AppError('idempotency_mismatch', 'errors.idempotency_mismatch');
    if (row.status_code !== null && row.status_code !== undefined) {
      ctx.status = Number(row.status_code);
      ctx.body = JSON.parse(row.response_body as string);
      ctx.set('Idempotent-Replayed', 'true');
      return true;
    }
    if (Date.now() > deadline) throw new AppError('conflict', 'errors.idempotency_in_progress');
    await sleep(25);
  }
}
