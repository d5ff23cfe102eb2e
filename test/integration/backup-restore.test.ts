import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyAudit } from '../../src/audit/service';
import { SystemClock } from '../../src/clock';
import { createDb } from '../../src/db';
import { BackupError, backupDatabase, pgToolsProblem, restoreDatabase, verifyChains, type BackupResult } from '../../src/ops/backup';
import { vendorAccount } from '../../src/ledger/accounts';
import { Ledger } from '../../src/ledger/service';
import { OrderService } from '../../src/orders/service';
import { ENGINE, freshDatabase, migratedDb, useMigratedDb, type TestDatabase } from '../helpers/db';
import { acceptedOrders, actorFor, tradingCast, type Cast } from '../helpers/trading';

const ROOT = path.resolve(__dirname, '..', '..');
const EXT = ENGINE === 'sqlite' ? 'sqlite3' : 'dump';
const PRICE_FEN = 1_000_00;

function runScript(script: 'backup' | 'restore', args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' };
    delete env.TEST_DB;
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, `scripts/${script}.ts`), ...args], { cwd: ROOT, env, timeout: 120000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What a restore must not change: counts and chain heads, read through a connection of its own (closed after). */
async function fingerprint(databaseUrl: string): Promise<string> {
  const db = createDb(databaseUrl);
  try {
    const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n);
    const head = async (table: string) => (await db(table).orderBy('id', 'desc').first())?.hash ?? null;
    const balances = await db('ledger_accounts').orderBy('id').select('code', 'balance_fen');
    return JSON.stringify({
      transfers: await count('ledger_transfers'),
      audit: await count('audit_log'),
      orders: await db('orders').orderBy('id').select('id', 'status'),
      ledgerHead: await head('ledger_transfers'),
      auditHead: await head('audit_log'),
      balances: balances.map((b) => [b.code, Number(b.balance_fen)]),
    });
  } finally {
    await db.destroy();
  }
}

/** Files beside a SQLite database (none for PostgreSQL): a refused restore must leave no temporary file behind. */
const besideTarget = (databaseUrl: string) => (ENGINE === 'sqlite' ? readdirSync(path.dirname(databaseUrl.slice('sqlite:'.length))).sort() : []);

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BackupError, `expected a BackupError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return err.message;
  }
  assert.fail(`expected a failure matching ${pattern}`);
}

describe(`backup and restore (${ENGINE})`, function () {
  this.timeout(300000);
  const ctx = useMigratedDb();
  const clock = new SystemClock();
  let cast: Cast;
  let dir: string;
  let backup: BackupResult;
  let restored: TestDatabase;
  /** Orders of unit A that the backup must show unpaid: paid only once the backup was written. */
  let payAfterBackup: number[];

  /** Why this machine's pg_dump cannot back up the server under test (none installed, or an older major), or null. */
  let toolsProblem: string | null = null;

  before(async () => {
    cast = await tradingCast(ctx.db);
    dir = mkdtempSync(path.join(os.tmpdir(), 'fum-backup-'));
    if (ENGINE === 'postgres') toolsProblem = await pgToolsProblem(ctx.url);
  });

  /**
   * A test that needs PostgreSQL's client tools. Where they cannot serve this server (a machine with no pg_dump, or
   * an embedded server newer than the installed tools), what is tested instead is what an operator there gets: the
   * backup refused at once in one line saying what to install, and nothing written.
   */
  const withTools = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (!toolsProblem) return fn();
      const target = path.join(dir, `no-tools-${Date.now()}.dump`);
      await assert.rejects(backupDatabase(ctx.url, target), (e: Error) => e instanceof BackupError && e.message === toolsProblem && !e.message.includes('\n'));
      assert.equal(existsSync(target), false);
      assert.match(toolsProblem, /install the PostgreSQL client tools/);
    });
  after(async () => {
    await restored?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  withTools('a backup taken while payments run restores into a fresh database: both chains intact, balances consistent', async () => {
    const TOTAL = 48;
    const HELD_BACK = 8;
    const ids = await acceptedOrders(ctx.db, cast, TOTAL, PRICE_FEN);
    const orders = new OrderService(ctx.db, clock);
    const buyer = actorFor(cast.users.buyerA, { purchaserId: cast.unitA.id });
    const file = path.join(dir, `during-payments.${EXT}`);

    // Six payers work through the orders; the last HELD_BACK wait until the backup is written, so that payments
    // commit before the backup starts, while it runs and after it.
    let next = 0;
    let paid = 0;
    let paidWhenStarted = -1;
    let backupDone = false;
    const payer = async () => {
      while (next < ids.length) {
        if (!backupDone && ids.length - next <= HELD_BACK) {
          await sleep(5);
          continue;
        }
        const id = ids[next++];
        const r = await orders.act(buyer, id, 'pay');
        assert.equal(r.status, 'paid');
        paid++;
        await sleep(2);
      }
    };
    const takeBackup = async () => {
      while (paid < 10) await sleep(1);
      paidWhenStarted = paid;
      try {
        return await backupDatabase(ctx.url, file);
      } finally {
        backupDone = true;
      }
    };
    const [result] = await Promise.all([takeBackup(), ...Array.from({ length: 6 }, payer)]);
    backup = result;
    payAfterBackup = ids.slice(TOTAL - HELD_BACK);

    assert.equal(backup.file, file);
    assert.ok(statSync(file).size > 0 && backup.bytes === statSync(file).size);
    assert.equal(backup.verify.ok, true, JSON.stringify(backup.verify));
    assert.equal(paid, TOTAL);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true, 'the source still verifies');
    assert.deepEqual(readdirSync(dir), [path.basename(file)], 'no temporary file left beside the backup');

    restored = await freshDatabase();
    const r = await restoreDatabase(restored.url, file);
    assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
    const db = restored.db;
    assert.deepEqual(await verifyChains(db), r.verify);
    assert.equal((await verifyAudit(db)).ok, true);

    // The backup holds one moment: every payment committed before it started, none held back until it was written.
    const paidIds = (await db('orders').where({ status: 'paid' }).orderBy('id').pluck('id')).map(Number);
    const p = paidIds.length;
    assert.ok(p >= paidWhenStarted && p <= TOTAL - HELD_BACK, `paid in the backup ${p}, before it ${paidWhenStarted}, at most ${TOTAL - HELD_BACK}`);
    assert.ok(payAfterBackup.every((id) => !paidIds.includes(id)));
    assert.equal(backup.verify.ledger.transfers, r.verify.ledger.transfers);

    // Its books agree with its orders: one settlement and one trade per paid order, the rest still committed.
    const settled = (await db('ledger_transfers').where({ kind: 'settle' }).pluck('order_id')).map(Number).sort((a, b) => a - b);
    assert.deepEqual(settled, paidIds);
    assert.equal(Number((await db('trades').count({ n: '*' }).first())?.n), p);
    assert.deepEqual(await new Ledger(clock).budget(db, cast.unitA.id), {
      purchaserId: cast.unitA.id,
      allocated: `${(TOTAL * PRICE_FEN) / 100}.00`,
      reserved: `${((TOTAL - p) * PRICE_FEN) / 100}.00`,
      available: '0.00',
      spent: `${(p * PRICE_FEN) / 100}.00`,
    });
    assert.equal(Number((await db('ledger_accounts').where({ code: vendorAccount(cast.vendorA.id) }).first()).balance_fen), p * PRICE_FEN);

    // Its journals are the source's, up to the moment of the backup: same ids, same content, same hashes.
    for (const table of ['ledger_transfers', 'audit_log']) {
      const mine = await db(table).orderBy('id');
      const source = await ctx.db(table).where('id', '<=', mine[mine.length - 1].id).orderBy('id');
      assert.deepEqual(mine, source, `${table} is a prefix of the source's`);
    }

    // And the restored database takes new writes (sequences restored): the held-back orders can be paid there too.
    const there = new OrderService(db, clock);
    for (const id of payAfterBackup.slice(0, 2)) assert.equal((await there.act(buyer, id, 'pay')).status, 'paid');
    assert.equal((await verifyChains(db)).ok, true);
  });

  withTools('a truncated or foreign backup is refused with a clear message, and the target is left untouched', async () => {
    const whole = readFileSync(backup.file);
    const cases: Array<{ what: string; bytes: Buffer; message: RegExp }> = [
      { what: 'half', bytes: whole.subarray(0, Math.floor(whole.length / 2)), message: /is not a usable|is damaged|nothing changed/ },
      // PostgreSQL: the archive's table of contents is whole, so this one fails inside pg_restore's one transaction.
      { what: 'short of its end', bytes: whole.subarray(0, whole.length - 100), message: ENGINE === 'postgres' ? /failed, nothing changed: / : /is not a usable|is damaged/ },
      { what: 'not a backup', bytes: Buffer.from('这不是备份文件\n'.repeat(200)), message: /is not a usable/ },
    ];
    const before = await fingerprint(restored.url);
    const files = besideTarget(restored.url);
    for (const c of cases) {
      const bad = path.join(dir, `bad-${c.what.replace(/\s+/g, '-')}.${EXT}`);
      writeFileSync(bad, c.bytes);
      const message = await rejectsWith(restoreDatabase(restored.url, bad), c.message);
      assert.ok(message.includes(bad), `the message names the file: ${message}`);
      assert.equal(await fingerprint(restored.url), before, `${c.what}: the target changed`);
      assert.deepEqual(besideTarget(restored.url), files, `${c.what}: files left beside the target`);
    }
    await rejectsWith(restoreDatabase(restored.url, path.join(dir, 'no-such-backup')), /cannot read the backup .*ENOENT/);

    // The command line says the same in one line and exits 1.
    const cli = await runScript('restore', [path.join(dir, `bad-half.${EXT}`)], restored.url);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr.trim(), /^restore failed: .*bad-half/);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
    assert.equal(await fingerprint(restored.url), before);
  });

  withTools('a backup to a path that cannot be written fails clearly and writes nothing; an existing file is never overwritten', async () => {
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const target = path.join(blocker, `backup.${EXT}`);
    await rejectsWith(backupDatabase(ctx.url, target), /^cannot write the backup to .*a-file.*ENOTDIR/);
    await rejectsWith(backupDatabase(ctx.url, backup.file), /already exists/);

    const cli = await runScript('backup', [target], ctx.url);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr.trim(), /^backup failed: cannot write the backup to .*ENOTDIR/);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
    assert.equal(existsSync(target), false);
  });

  withTools('the command line: npm run backup then npm run restore, each verifying the result', async () => {
    const file = path.join(dir, `cli.${EXT}`);
    const b = await runScript('backup', [file], ctx.url);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /^backup written to .*cli\.\w+ \(\d+ bytes\); ledger: \d+ transfers, balanced, chain intact; audit: \d+ records, chain intact$/m);
    assert.equal(JSON.parse(b.stdout).verify.ok, true);

    const target = await freshDatabase();
    try {
      const r = await runScript('restore', [file], target.url);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^restored .* ledger: \d+ transfers, balanced, chain intact; audit: \d+ records, chain intact$/m);
      assert.equal(await fingerprint(target.url), await fingerprint(ctx.url));
    } finally {
      await target.drop();
    }

    assert.equal((await runScript('restore', [], ctx.url)).code, 2, 'usage');
  });

  if (ENGINE === 'sqlite') {
    it('SQLite: a database that a server has open is not restored over', async () => {
      const before = await fingerprint(ctx.url);
      const files = besideTarget(ctx.url);
      await rejectsWith(restoreDatabase(ctx.url, backup.file), /is in use .*stop it/);
      assert.equal(await fingerprint(ctx.url), before);
      assert.deepEqual(besideTarget(ctx.url), files);
    });
  }

  withTools('a backup of a tampered ledger reports the break; restoring it is refused (SQLite) or reported as failed (PostgreSQL)', async () => {
    const tampered = await migratedDb();
    const target = await migratedDb();
    try {
      const small = await tradingCast(tampered.db);
      const ids = await acceptedOrders(tampered.db, small, 2, PRICE_FEN);
      const buyer = actorFor(small.users.buyerA, { purchaserId: small.unitA.id });
      for (const id of ids) await new OrderService(tampered.db, clock).act(buyer, id, 'pay');
      const victim = (await tampered.db('ledger_transfers').where({ kind: 'settle' }).orderBy('id').first()).id;
      if (ENGINE === 'postgres') await tampered.db.raw('DROP TRIGGER IF EXISTS ledger_transfers_immutable ON ledger_transfers');
      else for (const t of ['ledger_transfers_no_update', 'ledger_transfers_no_delete']) await tampered.db.raw(`DROP TRIGGER IF EXISTS ${t}`);
      await tampered.db('ledger_transfers').where({ id: victim }).update({ amount_fen: PRICE_FEN + 100 });

      const file = path.join(dir, `tampered.${EXT}`);
      const b = await backupDatabase(tampered.url, file);
      assert.equal(b.verify.ok, false);
      assert.equal(b.verify.ledger.firstBadTransfer, victim);
      const cli = await runScript('backup', [path.join(dir, `tampered-cli.${EXT}`)], tampered.url);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, new RegExp(`does not verify: ledger FAILED: the hash chain breaks at transfer ${victim}`));

      await target.db.destroy();
      const before = await fingerprint(target.url);
      if (ENGINE === 'sqlite') {
        await rejectsWith(restoreDatabase(target.url, file), new RegExp(`does not verify \\(ledger FAILED: the hash chain breaks at transfer ${victim}.*nothing restored`));
        assert.equal(await fingerprint(target.url), before);
      } else {
        const r = await restoreDatabase(target.url, file);
        assert.equal(r.verify.ok, false);
        assert.equal(r.verify.ledger.firstBadTransfer, victim);
      }
    } finally {
      await tampered.drop();
      await target.drop().catch(() => undefined);
    }
  });
});
