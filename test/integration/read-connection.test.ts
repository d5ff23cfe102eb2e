import assert from 'node:assert/strict';
import { isPostgres, readerOf, versionCounter, withVersionScope } from '../../src/db';
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

describe(`a GET reads each version counter once (${ENGINE})`, function () {
  const ctx = useMigratedDb();

  /** Counts the statements that read a counter, by knex's query event. */
  const countingReads = () => {
    let n = 0;
    const onQuery = (q: { sql: string }) => {
      if (/select version from auth_state/i.test(q.sql)) n++;
    };
    const reader = readerOf(ctx.db);
    reader.on('query', onQuery);
    return { reads: () => n, stop: () => reader.off('query', onQuery) };
  };

  it('in a version scope, every caller gets the one read made after the scope began', async () => {
    const counter = versionCounter(ctx.db, 'auth_state');
    const before = await counter.current();
    const watch = countingReads();
    try {
      const seen = await withVersionScope(async () => {
        const first = await counter.current();
        // A commit after the scope's read is not seen inside it: the scope answers at one version throughout.
        await ctx.db('auth_state').where({ id: 1 }).increment('version', 1);
        const second = await counter.current();
        return [first, second];
      });
      assert.deepEqual(seen, [before, before]);
      assert.equal(watch.reads(), 1, 'one read of the counter in the scope');
      // Outside a scope a caller waits for a read that starts after its call, and so sees the commit.
      assert.equal(await counter.current(), before + 1);
      assert.equal(watch.reads(), 2);
    } finally {
      watch.stop();
    }
  });

  it('scopes side by side read on their own, each after it began', async () => {
    const counter = versionCounter(ctx.db, 'auth_state');
    const v = await counter.current();
    const a = withVersionScope(() => counter.current());
    await ctx.db('auth_state').where({ id: 1 }).increment('version', 1);
    const b = withVersionScope(() => counter.current());
    assert.ok((await a) >= v);
    assert.equal(await b, v + 1, 'a scope begun after the commit sees it');
  });
});

describe(`version counters asked for together are read together (${ENGINE})`, function () {
  const ctx = useMigratedDb();

  it('the authority and catalogue versions asked for in one turn come from one statement', async () => {
    const auth = versionCounter(ctx.db, 'auth_state');
    const catalogue = versionCounter(ctx.db, 'catalogue_state');
    await Promise.all([auth.current(), catalogue.current()]);
    const statements: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/_state/.test(q.sql)) statements.push(q.sql);
    };
    const reader = readerOf(ctx.db);
    reader.on('query', onQuery);
    try {
      await ctx.db('catalogue_state').where({ id: 1 }).increment('version', 1);
      const expected = Number((await ctx.db('catalogue_state').first('version')).version);
      const [a, c] = await Promise.all([auth.current(), catalogue.current()]);
      assert.equal(c, expected, 'each counter its own value');
      assert.equal(a, Number((await ctx.db('auth_state').first('version')).version));
      const reads = statements.filter((sql) => /select version from/i.test(sql));
      assert.equal(reads.length, 1, reads.join('\n'));
      assert.match(reads[0], /auth_state/);
      assert.match(reads[0], /catalogue_state/);
    } finally {
      reader.off('query', onQuery);
    }
  });
});
