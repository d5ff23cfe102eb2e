import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { canonicalJson, isUniqueViolation, withCommitHook, type CommitHook, type Db } from '../db';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import { STATUS } from './errors';
import type { AppState } from './state';

const KEY = /^[\x21-\x7e]{1,200}$/;

interface Options {
  /** The status of a successful answer (201 for creations); stored with the answer. */
  status?: number;
}

/**
 * `Idempotency-Key` for state-changing POSTs that move money (API.md): a replay with the same key and body gets the
 * first response; the same key with a different body is a 409. Only successful responses are kept, so a retry of a
 * failed request runs again; a refused one (4xx) leaves the key bound to its body (a row without an answer), so the
 * key cannot then be spent on another body. No body and `{}` are the same body. Keys are scoped to the caller and the
 * route.
 *
 * The key and its answer are written in the effect's own transaction (a commit hook, see db/commit-hook.ts), where
 * the key's uniqueness is the lock: they commit together or not at all. A process that dies before committing leaves
 * nothing, so the retry simply runs; one that dies after leaves the answer, so the retry gets it. Two requests with
 * one key at the same time both run, and the loser — stopped by the key, or by the state the winner left (an order
 * already paid) — rolls back and answers with the winner's answer.
 */
export function idempotent(db: Db, clock: Clock, options: Options = {}) {
  const successStatus = options.status ?? 200;
  return async (ctx: Context, next: Next): Promise<void> => {
    const key = ctx.get('idempotency-key');
    if (!key) return next();
    if (!KEY.test(key)) throw new AppError('validation_failed', 'validation.idempotency_key', { field: 'Idempotency-Key' }, 'Idempotency-Key');
    const state = ctx.state as AppState;
    const scope = `${state.actor?.id ?? 'anon'}:${ctx.method} ${ctx.path}`.slice(0, 100);
    const sent = (ctx.request as unknown as { body?: unknown }).body;
    const body = sent === undefined || sent === null || (typeof sent === 'object' && !Array.isArray(sent) && Object.keys(sent).length === 0) ? {} : sent;
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const record = (status: number, answer: unknown) => ({
      scope,
      key,
      request_hash: requestHash,
      status_code: status,
      response_body: JSON.stringify(answer ?? null),
      created_at: clock.now().toISOString(),
    });

    if (await replay(ctx, db, scope, key, requestHash)) return;

    let stored: string | null = null;
    const hook: CommitHook = {
      committed: false,
      beforeCommit: async (trx, result) => {
        const row = record(successStatus, result);
        stored = row.response_body;
        await trx('idempotency_keys').where({ scope, key }).whereNull('status_code').delete();
        await trx('idempotency_keys').insert(row);
      },
    };
    /** A refused request binds the key to its body, without an answer (unless the key is bound already). */
    const bindKey = async () => {
      try {
        await db('idempotency_keys').insert({ ...record(0, null), status_code: null, response_body: null });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    };
    try {
      await withCommitHook(hook, () => next());
    } catch (err) {
      // Another request with this key committed first: this one rolled back; answer as that one did.
      if (await replay(ctx, db, scope, key, requestHash)) return;
      if (err instanceof AppError && STATUS[err.code] < 500) await bindKey();
      throw err;
    }
    if (ctx.status >= 400 && ctx.status < 500) await bindKey();
    if (ctx.status < 200 || ctx.status >= 300) return;
    if (!hook.committed) {
      // A handler that wrote nothing in a write transaction: keep its answer now, unless another request's came first.
      // (This is the commit hook's own fallback, so it cannot go through writeTransaction, which runs the hook.)
      await db.transaction(async (trx) => {
        await trx('idempotency_keys').where({ scope, key }).whereNull('status_code').delete();
        await trx('idempotency_keys').insert(record(ctx.status, ctx.body));
      }).catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
      });
    } else if (ctx.status !== successStatus || stored !== JSON.stringify(ctx.body ?? null)) {
      // It answered with something else than its transaction's result: keep what it sent.
      await db('idempotency_keys').where({ scope, key }).update({ status_code: ctx.status, response_body: JSON.stringify(ctx.body ?? null) });
    }
  };
}

/**
 * The key's stored answer, replayed (true); a 409 if the key was used with another body; false if unused or if its
 * only use with this body was refused (the request runs again).
 */
async function replay(ctx: Context, db: Db, scope: string, key: string, requestHash: string): Promise<boolean> {
  const row = await db('idempotency_keys').where({ scope, key }).first();
  if (!row) return false;
  if (row.request_hash !== requestHash) throw new AppError('idempotency_mismatch', 'errors.idempotency_mismatch');
  if (row.status_code === null) return false;
  ctx.status = Number(row.status_code);
  ctx.body = JSON.parse(row.response_body as string);
  ctx.set('Idempotent-Replayed', 'true');
  return true;
}
