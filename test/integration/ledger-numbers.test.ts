import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { BudgetService } from '../../src/ledger/budgets';
import { Ledger } from '../../src/ledger/service';
import type { AppError } from '../../src/errors';
import { t } from '../../src/i18n';
import { Money, formatYuan } from '../../src/money';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';

/**
 * API.md "Numbers people read": the ledger's transfers name what they moved money for by the number people read —
 * the order (orderNo), the 政府首购 case (caseNo), the insurance claim (claimNo), the award's application
 * (applicationNo) — as every other answer does; ids stay for URLs.
 */
describe(`the ledger's transfers carry the numbers people read (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();
  const transfers = (kind: Parameters<BudgetService['transfers']>[0]['kind'], page = 1) => new BudgetService(ctx.db, new FakeClock()).transfers({ kind }, page, 100);

  it('a case\'s settlement its caseNo, a compensation its claimNo, an award its applicationNo — each the one its id names', async () => {
    // The demo's case settlements are among thousands of order settlements (newest first): the page that holds one.
    const one = await ctx.db('ledger_transfers').where({ kind: 'settle' }).whereNotNull('case_id').orderBy('id', 'desc').first('id');
    assert.ok(one, 'the demo has settled cases');
    const newer = Number((await ctx.db('ledger_transfers').where({ kind: 'settle' }).where('id', '>', one.id).count({ n: '*' }).first())?.n);
    const settled = (await transfers('settle', Math.floor(newer / 100) + 1)).items.filter((t) => t.caseId !== null);
    assert.ok(settled.some((t) => t.id === Number(one.id)));
    for (const t of settled) {
      const c = await ctx.db('fp_cases').where({ id: t.caseId }).first('id', 'created_at');
      assert.match(t.caseNo ?? '', /^ZJSS-\d{4}-\d{5}$/);
      assert.ok(t.caseNo!.endsWith(String(c.id).padStart(5, '0')));
    }
    const compensations = (await transfers('pay_subsidy')).items;
    assert.ok(compensations.length > 0);
    for (const t of compensations) {
      const id = Number(/^insurance:(\d+):pay$/.exec(t.idempotencyKey)![1]);
      assert.equal(t.claimNo, (await ctx.db('insurance_claims').where({ id }).first('claim_no')).claim_no);
      assert.deepEqual([t.caseNo, t.applicationNo], [null, null]);
    }
    const awards = (await transfers('pay_award')).items;
    assert.ok(awards.length > 0);
    for (const t of awards) {
      const id = Number(/^award:(\d+):pay$/.exec(t.idempotencyKey)![1]);
      const row = await ctx.db('cert_awards as w').join('cert_applications as a', 'a.id', 'w.application_id').where('w.id', id).first('a.application_no');
      assert.equal(t.applicationNo, row.application_no);
      assert.match(t.applicationNo ?? '', /^ZJRD-\d{4}-\d{6}$/);
    }
    const orders = (await transfers('settle')).items.filter((t) => t.orderId !== null);
    assert.ok(orders.every((t) => t.caseNo === null && /^ZJJP-/.test(t.orderNo ?? '')));
  });
});

describe(`a budget too small says by how much (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();

  it('reserving more than a unit has: 409 insufficient_budget naming the amount needed and the amount available, nothing moved', async () => {
    const unit = await ctx.db('purchasers').orderBy('id').first('id');
    const before = await ctx.db('ledger_accounts').where({ code: `budget:${unit.id}` }).first('balance_fen');
    const available = Number(before.balance_fen);
    const ledger = new Ledger(new FakeClock());
    await assert.rejects(
      ctx.db.transaction((trx) => ledger.reserve(trx, unit.id, available + 1_00, {}, `test:short:${ENGINE}`, null)),
      (err: AppError) => {
        assert.equal(err.code, 'insufficient_budget');
        assert.equal(err.params.needed, formatYuan(Money.ofFen(available + 1_00)));
        assert.equal(err.params.available, formatYuan(Money.ofFen(available)));
        assert.match(t('zh-CN', err.messageKey, err.params), /^可用预算不足：需 ¥[\d,]+\.\d{2}，当前可用 ¥[\d,]+\.\d{2}$/);
        return true;
      },
    );
    assert.equal(Number((await ctx.db('ledger_accounts').where({ code: `budget:${unit.id}` }).first('balance_fen')).balance_fen), available);
  });
});
