import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { SystemClock } from '../../src/clock';
import { Ledger } from '../../src/ledger';
import { GENESIS_HASH, chainHash } from '../../src/db';
import { hashContent, walkInWorker, walkTransfers, walkWorkersAlive } from '../../src/ledger/verify-walk';
import { acceptedOrders, runLedgerVerify, tokens, tradingCast, type Cast } from '../helpers/trading';

/** What an attacker with database access does first: remove the append-only triggers of the journal. */
async function dropImmutability(db: TestApp['app']['deps']['db']): Promise<void> {
  if (ENGINE === 'postgres') {
    await db.raw('DROP TRIGGER IF EXISTS ledger_transfers_immutable ON ledger_transfers');
  } else {
    await db.raw('DROP TRIGGER IF EXISTS ledger_transfers_no_update');
    await db.raw('DROP TRIGGER IF EXISTS ledger_transfers_no_delete');
  }
}

describe(`a ledger edited behind its back (${ENGINE})`, function () {
  this.timeout(120000);

  for (const tamper of [
    { what: 'an amount raised by ¥1', sql: 'UPDATE ledger_transfers SET amount_fen = amount_fen + 100 WHERE id = ?', bad: (id: number) => id },
    { what: 'an amount and the stored balances made to agree', sql: 'UPDATE ledger_transfers SET amount_fen = amount_fen + 100 WHERE id = ?', bad: (id: number) => id, fixBalances: true },
    { what: 'a rewritten time', sql: "UPDATE ledger_transfers SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", bad: (id: number) => id },
    { what: 'a deleted row (the next one is named)', sql: 'DELETE FROM ledger_transfers WHERE id = ?', bad: (id: number) => id + 1, dropTrade: true },
  ]) {
    describe(tamper.what, () => {
      const ctx = useMigratedDb();
      let t: TestApp;
      let cast: Cast;
      let tok: Awaited<ReturnType<typeof tokens>>;
      let victim: number;

      before(async () => {
        t = testApp(ctx.db);
        cast = await tradingCast(ctx.db);
        tok = await tokens(t.http, cast, bearer);
        const ids = await acceptedOrders(ctx.db, cast, 3);
        for (const id of ids) assert.equal((await t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', tok.buyerA).send({})).status, 200);
        const settle = await ctx.db('ledger_transfers').where({ kind: 'settle' }).orderBy('id').first();
        victim = Number(settle.id);
      });

      it('the database refuses the edit while the triggers are in place', async () => {
        await assert.rejects(ctx.db.raw(tamper.sql, [victim]));
      });

      it('verify names the first bad transfer (API and npm run ledger:verify, which exits 1)', async () => {
        const clean = await t.http.get('/api/v1/admin/ledger/verify').set('Authorization', tok.admin);
        assert.equal(clean.body.ok, true);
        await dropImmutability(ctx.db);
        if (tamper.dropTrade) await ctx.db('trades').where({ transfer_id: victim }).del();
        await ctx.db.raw(tamper.sql, [victim]);
        if (tamper.fixBalances) {
          // A careful attacker also moves the stored balances, so only the hash chain gives it away.
          const row = await ctx.db('ledger_transfers').where({ id: victim }).first();
          await ctx.db('ledger_accounts').where({ id: row.debit_account_id }).decrement('balance_fen', 100);
          await ctx.db('ledger_accounts').where({ id: row.credit_account_id }).increment('balance_fen', 100);
        }
        const res = await t.http.get('/api/v1/admin/ledger/verify').set('Authorization', tok.admin);
        assert.equal(res.status, 200);
        assert.equal(res.body.ok, false);
        assert.equal(res.body.chainIntact, false);
        assert.equal(res.body.firstBadTransfer, tamper.bad(victim));
        if (tamper.fixBalances) assert.equal(res.body.balancesMatch, true);
        const cli = await runLedgerVerify(ctx.url);
        assert.equal(cli.code, 1, cli.stdout + cli.stderr);
        assert.equal(JSON.parse(cli.stdout).firstBadTransfer, tamper.bad(victim));
        assert.match(cli.stderr, new RegExp(`transfer ${tamper.bad(victim)}\\b`));
      });

      it('a large ledger is walked in a worker thread with its own connection: the same findings as walked here', async () => {
        const upto = Number((await ctx.db('ledger_transfers').max({ n: 'id' }).first())?.n);
        const here = await walkTransfers(ctx.db, upto, true);
        const there = await walkInWorker(ctx.url, upto);
        assert.deepEqual(there, here);
        assert.equal(there.firstBad, tamper.bad(victim));
        // Through the verify, with the worker taking any ledger (the API's threshold is 50,000 transfers).
        const ledger = new Ledger(new SystemClock());
        const inWorker = await ledger.verify(ctx.db, { workerFrom: 0 });
        assert.deepEqual(inWorker, await ledger.verify(ctx.db, { workerFrom: Number.POSITIVE_INFINITY }));
        assert.equal(inWorker.ok, false);
        assert.equal(inWorker.firstBadTransfer, tamper.bad(victim));
      });
    });
  }

  describe('a ledger whose texts hold quotes, backslashes, control characters and characters beyond the BMP', () => {
    const ctx = useMigratedDb();
    it('verifies, walked here and in a worker (the pages travel as JSON made by the database)', async () => {
      const ledger = new Ledger(new SystemClock());
      const cast = await tradingCast(ctx.db);
      for (const key of ['键 "引号" \\ 反斜杠', 'tab\there\nnewline\u0001', 'emoji 😀 and 𠀀', "it's </script>"]) {
        await ctx.db.transaction((trx) => ledger.allocate(trx, cast.unitA.id, 100, key, null));
      }
      for (const workerFrom of [0, Number.POSITIVE_INFINITY]) {
        const report = await ledger.verify(ctx.db, { workerFrom });
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.transfers, 4);
      }
    });
  });

  describe('a ledger whose ids jump by more than a page (ids that rolled-back transactions took)', () => {
    const ctx = useMigratedDb();
    it('verifies and counts every transfer, walked here and in a worker; a row slipped in far beyond the rest and a tampered transfer are named', async () => {
      const ledger = new Ledger(new SystemClock());
      const cast = await tradingCast(ctx.db);
      const allocate = (key: string) => ctx.db.transaction((trx) => ledger.allocate(trx, cast.unitA.id, 100, key, null));
      /** Moves the id sequence on by `n`, as transactions that took ids and rolled back leave it (PostgreSQL's sequences do not roll back). */
      const skipIds = async (n: number) => {
        if (ENGINE === 'postgres') await ctx.db.raw(`SELECT setval(pg_get_serial_sequence('ledger_transfers', 'id'), (SELECT max(id) FROM ledger_transfers) + ${n})`);
        else await ctx.db.raw(`UPDATE sqlite_sequence SET seq = seq + ${n} WHERE name = 'ledger_transfers'`);
      };
      await allocate('before the jump');
      await skipIds(2500);
      await allocate('after the first jump');
      await skipIds(999);
      await allocate('after the second jump, at a page boundary');
      await allocate('the last one');
      const ids = (await ctx.db('ledger_transfers').orderBy('id').pluck('id')).map(Number);
      assert.ok(ids[1] - ids[0] > 2500 && ids[2] - ids[1] === 1000, ids.join(','));
      for (const workerFrom of [0, Number.POSITIVE_INFINITY]) {
        const report = await ledger.verify(ctx.db, { workerFrom });
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.transfers, 4);
      }
      await dropImmutability(ctx.db);
      // A row written behind the ledger's back with an id a billion past the rest: the walk steps over the gap (a
      // million empty pages, were they read one by one) and names it.
      const far = 1_000_000_000;
      const { id: _id, ...last } = await ctx.db('ledger_transfers').where({ id: ids[3] }).first();
      await ctx.db('ledger_transfers').insert({ ...last, id: far, idempotency_key: 'slipped in', prev_hash: 'behind its back' });
      for (const workerFrom of [0, Number.POSITIVE_INFINITY]) {
        const report = await ledger.verify(ctx.db, { workerFrom });
        assert.equal(report.ok, false);
        assert.equal(report.transfers, 5);
        assert.equal(report.firstBadTransfer, far);
      }
      await ctx.db('ledger_transfers').where({ id: ids[3] }).update({ amount_fen: 101 });
      for (const workerFrom of [0, Number.POSITIVE_INFINITY]) {
        const report = await ledger.verify(ctx.db, { workerFrom });
        assert.equal(report.ok, false);
        assert.equal(report.transfers, 5);
        assert.equal(report.firstBadTransfer, ids[3]);
      }
    });
  });

  describe('values of other types written into the journal behind its back (SQLite keeps whatever it is given)', () => {
    /** The walk as it was before pages travelled as JSON: rows as the driver gives them, each hashed as the Ledger hashes. */
    async function referenceWalk(db: TestApp['app']['deps']['db']): Promise<{ firstBad?: number; count: number }> {
      let prev = GENESIS_HASH;
      let firstBad: number | undefined;
      const rows = await db('ledger_transfers').orderBy('id');
      for (const r of rows) {
        if (firstBad === undefined && (r.prev_hash !== prev || chainHash(prev, hashContent(r)) !== r.hash || !(r.amount_fen > 0))) firstBad = r.id;
        prev = r.hash;
      }
      return { firstBad, count: rows.length };
    }

    // SQLite only: PostgreSQL's columns hold their declared types.
    if (ENGINE === 'sqlite') {
      for (const tamper of [
        { what: 'an amount a REAL a hair above its integer (JSON would write it rounded)', set: 'amount_fen = amount_fen + 0.00000000000001' },
        { what: 'an amount as a REAL with a fraction', set: 'amount_fen = amount_fen + 0.5' },
        { what: 'a kind as a BLOB (JSON cannot hold one)', set: "kind = x'736574746c65'" },
        { what: 'an amount as text that is no number', set: "amount_fen = 'abc'" },
        { what: 'an amount beyond 2^53', set: 'amount_fen = 9007199254740993' },
        { what: 'a previous hash as a BLOB', set: "prev_hash = x'00ff'" },
      ]) {
        describe(tamper.what, () => {
          const ctx = useMigratedDb();
          it('the same verdict as a walk over the driver’s rows, in a worker and here', async () => {
            const ledger = new Ledger(new SystemClock());
            const cast = await tradingCast(ctx.db);
            for (let i = 0; i < 3; i++) await ctx.db.transaction((trx) => ledger.allocate(trx, cast.unitA.id, 100 + i, `types-${i}`, null));
            const victim = Number((await ctx.db('ledger_transfers').orderBy('id', 'desc').offset(1).first('id')).id);
            await dropImmutability(ctx.db);
            await ctx.db.raw(`UPDATE ledger_transfers SET ${tamper.set} WHERE id = ?`, [victim]);
            const reference = await referenceWalk(ctx.db);
            assert.equal(reference.firstBad, victim);
            for (const workerFrom of [0, Number.POSITIVE_INFINITY]) {
              const report = await ledger.verify(ctx.db, { workerFrom });
              assert.equal(report.ok, false);
              assert.equal(report.chainIntact, false);
              assert.equal(report.firstBadTransfer, victim);
              assert.equal(report.transfers, reference.count);
            }
          });
        });
      }
    }
  });

  describe('the verify worker', () => {
    const ctx = useMigratedDb();

    it('verifies asked for at once walk one after another, one worker at a time, each with the full answer', async () => {
      const ledger = new Ledger(new SystemClock());
      const cast = await tradingCast(ctx.db);
      for (let i = 0; i < 3; i++) await ctx.db.transaction((trx) => ledger.allocate(trx, cast.unitA.id, 100 + i, `at-once-${i}`, null));
      let most = 0;
      const watch = setInterval(() => {
        most = Math.max(most, walkWorkersAlive());
      }, 1);
      try {
        const reports = await Promise.all([0, 1, 2].map(() => ledger.verify(ctx.db, { workerFrom: 0 })));
        for (const r of reports) assert.deepEqual(r, { ok: true, transfers: 3, balanced: true, chainIntact: true, nonNegative: true, balancesMatch: true });
      } finally {
        clearInterval(watch);
      }
      assert.equal(most, 1);
      assert.equal(walkWorkersAlive(), 0);
    });

    it('rejects, saying why, when it cannot open the database (a verify then walks in its own thread)', async () => {
      // A directory is no database file.
      await assert.rejects(walkInWorker(`sqlite:${__dirname}`, 10), /SQLITE_CANTOPEN|unable to open/);
    });
  });
});
