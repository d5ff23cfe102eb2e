import { createHash, randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Knex } from 'knex';
import type { Db } from '../db';
import { isUniqueViolation } from '../db';
import { withCommitHook, type CommitHook } from '../db/commit-hook';
import { canonicalJson } from '../db/hash-chain';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { AppState } from './state';

const KEY = /^[\x21-\x7e]{1,200}$/;
/** How long a replay waits for the first attempt's answer before saying it is still running. */
const WAIT_MS = 15_000;
/**
 * How long an attempt holds its key. The answer is stored with the effect, in one transaction, so a key still without
 * an answer after this long belongs to an attempt that died before committing: a retry takes it over and runs.
 * Wall-clock time (not the business clock, which tests may freeze).
 */
export const CLAIM_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Claim {
  scope: string;
  key: string;
  token: string;
}

interface Options {
  /** The status of a successful answer (201 for creations); stored with the answer. */
  status?: number;
}

/**
 * `Idempotency-Key` for state-changing POSTs that move money (API.md): the first request with a key claims it and
 * runs; a replay with the same key and body gets the first response (waiting for it if the first is still running);
 * the same key with a different body is a 409. Only successful responses are kept: a failed first attempt frees the
 * key, so a retry runs again. Keys are scoped to the caller and the route.
 *
 * The answer is written inside the effect's own transaction (a commit hook, see db/commit-hook.ts): a crash between
 * the commit and the reply cannot leave an effect without its answer, and a crash before the commit leaves a claim
 * that runs out, so a retry then runs the request afresh.
 */
export function idempotent(db: Db, clock: Clock, options: Options = {}) {
  const successStatus = options.status ?? 200;
  return async (ctx: Context, next: Next): Promise<void> => {
    const key = ctx.get('idempotency-key');
    if (!key) return next();
    if (!KEY.test(key)) throw new AppError('validation_failed', 'validation.idempotency_key', { field: 'Idempotency-Key' }, 'Idempotency-Key');
    const state = ctx.state as AppState;
    const scope = `${state.actor?.id ?? 'anon'}:${ctx.method} ${ctx.path}`.slice(0, 100);
    const body = (ctx.request as unknown as { body?: unknown }).body ?? null;
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');

    const claim = await claimOrReplay(ctx, db, clock, scope, key, requestHash);
    if (!claim) return;

    let stored: string | null = null;
    const hook: CommitHook = {
      committed: false,
      beforeCommit: async (trx, result) => {
        stored = JSON.stringify(result ?? null);
        await storeAnswer(trx, claim, successStatus, result);
      },
    };
    try {
      await withCommitHook(hook, () => next());
    } catch (err) {
      await release(db, claim);
      throw err;
    }
    if (ctx.status < 200 || ctx.status >= 300) {
      if (!hook.committed) await release(db, claim);
      return;
    }
    // A handler that wrote nothing, or answered with something else than its transaction's result: store what it sent.
    if (!hook.committed || ctx.status !== successStatus || stored !== JSON.stringify(ctx.body ?? null)) {
      await storeAnswer(db, claim, ctx.status, ctx.body ?? null, { overwrite: true });
    }
  };
}

/** Claims the key (a new one, or one whose attempt died), or answers from the first attempt; null once answered. */
async function claimOrReplay(ctx: Context, db: Db, clock: Clock, scope: string, key: string, requestHash: string): Promise<Claim | null> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const claim: Claim = { scope, key, token: randomUUID() };
    try {
      await db('idempotency_keys').insert({ scope, key, request_hash: requestHash, created_at: clock.now().toISOString(), claim_token: claim.token, claimed_until: Date.now() + CLAIM_MS });
      return claim;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    for (;;) {
      const row = await db('idempotency_keys').where({ scope, key }).first();
      if (!row) break; // the first attempt failed and freed the key: claim it afresh
      if (row.request_hash !== requestHash) throw new AppError('idempotency_mismatch', 'errors.idempotency_mismatch');
      if (row.status_code !== null && row.status_code !== undefined) {
        ctx.status = Number(row.status_code);
        ctx.body = JSON.parse(row.response_body as string);
        ctx.set('Idempotent-Replayed', 'true');
        return null;
      }
      if (row.claimed_until === null || row.claimed_until === undefined || Number(row.claimed_until) < Date.now()) {
        // Its attempt died before committing (else the answer would be here): take the key over, if nobody else did.
        const taken = await db('idempotency_keys')
          .where({ scope, key, request_hash: requestHash })
          .whereNull('status_code')
          .andWhere((q) => {
            q.whereNull('claimed_until').orWhere('claimed_until', '<', Date.now());
          })
          .update({ claim_token: claim.token, claimed_until: Date.now() + CLAIM_MS });
        if (taken === 1) return claim;
        continue;
      }
      if (Date.now() > deadline) throw new AppError('conflict', 'errors.idempotency_in_progress');
      await sleep(25);
    }
  }
}

/**
 * Stores the answer under the claim. Inside the effect's transaction this is also the check that the claim is still
 * ours: an attempt that outlived its claim, and was taken over, rolls back instead of running the request twice.
 */
async function storeAnswer(db: Db | Knex.Transaction, claim: Claim, status: number, body: unknown, opts: { overwrite?: boolean } = {}): Promise<void> {
  const q = db('idempotency_keys').where({ scope: claim.scope, key: claim.key, claim_token: claim.token });
  if (!opts.overwrite) q.whereNull('status_code');
  const stored = await q.update({ status_code: status, response_body: JSON.stringify(body ?? null) });
  if (stored !== 1) throw new AppError('conflict', 'errors.idempotency_in_progress');
}

/** A failed attempt frees its key (only while it still holds it), so a retry runs again. */
async function release(db: Db, claim: Claim): Promise<void> {
  await db('idempotency_keys').where({ scope: claim.scope, key: claim.key, claim_token: claim.token }).whereNull('status_code').del();
}
