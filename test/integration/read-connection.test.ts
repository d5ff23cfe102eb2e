import assert from 'node:assert/strict';
import { isPostgres, readerOf, versionCounter } from '../../src/db';
import { ENGINE, useMigratedDb } from '../helpers/db';

/**
 * SQLite has one writer connection (pool max 1). A plain read — the auth and catalogue caches' version checks — goes
 * to a read connection beside it, so it answers while a write transaction is in progress instead of queueing behind
 * it, and it sees exactly what has been committed. On PostgreSQL the pool already serves reads beside writes.
 */
describe(`plain reads beside the writer (${ENGINE})`, function () {
  const ctx = useMigratedDb();

  it('a version check answers during a write transaction, and sees the bump only once it is committed', async function () {
    if (isPostgres(ctx.db)) {
      assert.equal(readerOf(ctx.db), ctx.db, 'PostgreSQL reads through its own pool');
      return;
    }
    const counter = versionCounter(ctx.db, 'auth_state');
    const before = await counter.current();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const started = new Promise<void>((r) => (inside = r));
    const writing = ctx.db.transaction(async (trx) => {
      await trx('auth_state').where({ id: 1 }).increment('version', 1);
      inside();
      await held;
    });
    await started;
    // The writer's only connection is held by the open transaction: a read on it would wait for the commit.
    assert.equal(await counter.current(), before, 'the uncommitted bump is not seen');
    release();
    await writing;
    assert.equal(await counter.current(), before + 1, 'the committed bump is');
  });

  it('a transaction reads through itself, and the read connection cannot write', async function () {
    await ctx.db.transaction(async (trx) => assert.equal(readerOf(trx), trx));
    if (isPostgres(ctx.db)) return;
    await assert.rejects(readerOf(ctx.db)('auth_state').update({ version: 0 }), /readonly|read-only|query_only|attempt to write/i);
  });
});
