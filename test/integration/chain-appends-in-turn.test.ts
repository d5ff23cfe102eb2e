import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit';
import { recordAudit, recordAudits } from '../../src/audit/service';
import { FakeClock } from '../../src/clock';
import { Ledger } from '../../src/ledger/service';
import { ENGINE, useMigratedDb } from '../helpers/db';

/**
 * The demo loader runs two flows of work in its one transaction (seeds/demo.ts). Each chain's appends take turns
 * (src/db/hash-chain.ts inChainOrder): two flows appending to the audit log and the ledger side by side leave each
 * chain one unbroken line — without the turns both would link onto the same head and fork it.
 */
describe(`hash-chain appends of one transaction take turns (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();

  it('two flows auditing and moving money side by side in one transaction: both chains verify, every append is there', async () => {
    const clock = new FakeClock();
    clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const ledger = new Ledger(clock);
    const actor = { id: null, username: 'system', role: 'admin', displayName: 'system', purchaserId: null, vendorId: null } as never;
    const before = Number((await ctx.db('audit_log').count({ n: '*' }).first())?.n ?? 0);
    await ctx.db.transaction(async (trx) => {
      const flow = async (name: string) => {
        for (let i = 0; i < 15; i++) {
          await Promise.all([
            recordAudit(trx, clock, { actor, action: 'test.flow', entity: name, entityId: i, after: { i } }),
            recordAudits(trx, clock, [
              { actor, action: 'test.batch', entity: name, entityId: i, after: { n: 1 } },
              { actor, action: 'test.batch', entity: name, entityId: i, after: { n: 2 } },
            ]),
            ledger.transfer(trx, { from: 'treasury', to: 'award_fund', amountFen: 100 + i, kind: 'fund_award', idempotencyKey: `${name}:${i}`, actorId: null }),
          ]);
        }
      };
      await Promise.all([flow('a'), flow('b')]);
    });
    const audit = await verifyAudit(ctx.db);
    assert.equal(audit.ok, true, `audit chain broken at ${audit.firstBadRecord}`);
    assert.equal(audit.records - before, 2 * 15 * 3);
    const books = await ledger.verify(ctx.db);
    assert.equal(books.ok, true, JSON.stringify(books));
    assert.equal(Number((await ctx.db('ledger_transfers').count({ n: '*' }).first())?.n), 30);
  });
});
