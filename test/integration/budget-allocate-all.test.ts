import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit';
import { toActor } from '../../src/auth/repo';
import { FakeClock } from '../../src/clock';
import { AppError } from '../../src/errors';
import { BudgetService } from '../../src/ledger/budgets';
import { Ledger } from '../../src/ledger/service';
import type { Actor } from '../../src/web/state';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makePurchaser, makeUser } from '../helpers/factories';

/** The year's budget approval (年初预算批复): many units' allocations in one call, written as one by one would. */
describe(`budgets: a year's allocations at once (${ENGINE})`, function () {
  const ctx = useMigratedDb();
  let admin: Actor;
  let units: number[];
  const clock = new FakeClock();

  before(async () => {
    clock.set(new Date('2021-01-04T01:30:00.000Z'), { freeze: true });
    admin = toActor(await ctx.db('users').where({ id: (await makeUser(ctx.db, { role: 'admin' })).id }).first());
    units = [];
    for (const city of ['杭州', '宁波', '温州']) units.push((await makePurchaser(ctx.db, { city })).id);
  });

  it('allocates to every unit with one audit record and one allocate transfer each; the books and the audit chain verify', async () => {
    const budgets = new BudgetService(ctx.db, clock);
    const n = await budgets.allocateAll(admin, units.map((purchaserId, i) => ({ purchaserId, amountFen: (i + 1) * 100_000_00, requestKey: `2021:${purchaserId}` })));
    assert.equal(n, 3);
    for (const [i, id] of units.entries()) assert.equal((await budgets.budget(id)).available, ((i + 1) * 100_000).toFixed(2));
    const audits = await ctx.db('audit_log').where({ action: 'budget.allocate' }).orderBy('id');
    assert.deepEqual(audits.map((a) => Number(a.entity_id)), units);
    const transfers = await ctx.db('ledger_transfers').where({ kind: 'allocate' }).orderBy('id');
    assert.deepEqual(transfers.map((t) => t.idempotency_key), units.map((id) => `allocate:${admin.id}:2021:${id}`));
    const events = await ctx.db('outbox_events').where({ type: 'budget.allocated' });
    assert.equal(events.length, 3);
    assert.equal((await new Ledger(clock).verify(ctx.db)).ok, true);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });

  it('refuses a unit that does not exist, naming the field, and writes nothing of the batch', async () => {
    const budgets = new BudgetService(ctx.db, clock);
    const before = Number((await ctx.db('ledger_transfers').count({ n: '*' }).first())?.n);
    await assert.rejects(
      budgets.allocateAll(admin, [
        { purchaserId: units[0], amountFen: 1_00, requestKey: '2022:a' },
        { purchaserId: 999_999, amountFen: 1_00, requestKey: '2022:b' },
      ]),
      (err: unknown) => err instanceof AppError && err.field === 'purchaserId',
    );
    await assert.rejects(budgets.allocateAll(admin, [{ purchaserId: units[0], amountFen: 0, requestKey: '2022:c' }]), (err: unknown) => err instanceof AppError && err.field === 'amount');
    assert.equal(Number((await ctx.db('ledger_transfers').count({ n: '*' }).first())?.n), before);
  });

  it('refuses anyone but the department', async () => {
    const purchaser = toActor(await ctx.db('users').where({ id: (await makeUser(ctx.db, { role: 'purchaser', purchaser_id: units[0] })).id }).first());
    await assert.rejects(new BudgetService(ctx.db, clock).allocateAll(purchaser, [{ purchaserId: units[0], amountFen: 1_00, requestKey: 'x' }]), (err: unknown) => err instanceof AppError && err.code === 'forbidden');
  });
});
