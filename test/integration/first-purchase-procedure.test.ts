import assert from 'node:assert/strict';
import { Ledger } from '../../src/ledger/service';
import { SystemClock } from '../../src/clock';
import { Money } from '../../src/money';
import { addWorkdays } from '../../src/workdays';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { ACCEPTANCE, EXPERTS, allocate, caseBody, clockedTokens, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';

const OBJECTION = { name: '赵六', organization: '杭州某医疗科技有限公司', contact: '13800000000', content: '我公司同类产品亦能满足需求，不具有唯一性' };

/**
 * The single-source procedure end to end over the JSON API, with the test clock walking the notice period
 * (MoF Order No. 74 arts. 38–43; DESIGN §3).
 */
describe(`first purchase: the single-source procedure (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  let token: ReturnType<typeof clockedTokens>;
  const post = async (path: string, who: string | null, body?: object, headers: Record<string, string> = {}) => {
    const req = t.http.post(`/api/v1/first-purchases${path}`);
    if (who) req.set('Authorization', await token(who as keyof FpWorld['users']));
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return body ? req.send(body) : req.send();
  };
  const get = async (path: string, who: string) => t.http.get(`/api/v1/first-purchases${path}`).set('Authorization', await token(who as keyof FpWorld['users']));

  async function openCase(productId = w.products.ct, over: Record<string, unknown> = {}, who = 'purchaser'): Promise<number> {
    const res = await post('', who, caseBody(productId, over));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  }

  /** A case published on 2026-09-29, its period ended, approved on 2026-10-13. */
  async function approvedCase(over: Record<string, unknown> = {}, who = 'purchaser'): Promise<number> {
    at('2026-09-29T10:00:00+08:00');
    const id = await openCase(w.products.ct, over, who);
    assert.equal((await post(`/${id}/submit`, who)).status, 200);
    at('2026-10-13T09:00:00+08:00');
    const res = await post(`/${id}/approve`, 'finance');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return id;
  }

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
  });

  describe('the notice period across the 2026 National Day holiday', () => {
    let id: number;

    it('an objection to a draft is refused: nothing has been published yet', async () => {
      at('2026-09-29T10:00:00+08:00');
      id = await openCase();
      const res = await post(`/${id}/objections`, null, OBJECTION);
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'invalid_state');
      assert.match(res.body.error.message, /草稿/);
    });

    it('submitted on Tuesday 2026-09-29, the 5 full working days end on Monday 2026-10-12 at 23:59:59+08:00', async () => {
      const res = await post(`/${id}/submit`, 'purchaser');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'notice');
      // 9-30 (1) · 10-01…10-07 holiday · 10-08 (2) · 10-09 (3) · Sat 10-10 make-up workday (4) · Sun 10-11 · 10-12 (5)
      assert.equal(res.body.noticeEndsAt, '2026-10-12T23:59:59+08:00');
      const notice = res.body.notices.find((n: { type: string }) => n.type === 'single_source');
      assert.ok(notice, 'the 公示 is published');
      assert.equal(notice.periodEndsAt, '2026-10-12T23:59:59+08:00');
      const detail = await t.http.get(`/api/v1/notices/${notice.id}`);
      assert.deepEqual(detail.body.content.period, {
        publishedAt: '2026-09-29T10:00:00.000+08:00',
        startsOn: '2026-09-30',
        endsOn: '2026-10-12',
        endsAt: '2026-10-12T23:59:59+08:00',
        workingDays: 5,
      });
      assert.equal(detail.body.objectionsOpen, true);
    });

    it('submitting again is a 409 saying the case is in its notice period', async () => {
      const res = await post(`/${id}/submit`, 'purchaser');
      assert.equal(res.status, 409);
      assert.match(res.body.error.message, /公示中/);
    });

    it('approval during the holiday, with the period still running, is refused', async () => {
      at('2026-10-05T10:00:00+08:00');
      const res = await post(`/${id}/approve`, 'finance');
      assert.equal(res.status, 409);
      assert.match(res.body.error.message, /2026-10-12 23:59:59/);
    });

    it('an objection on the last day of the period (one minute before its end) is accepted', async () => {
      at('2026-10-12T23:59:00+08:00');
      const res = await post(`/${id}/objections`, null, OBJECTION);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.status, 'open');
      assert.equal(typeof res.body.id, 'number');
      const approve = await post(`/${id}/approve`, 'finance');
      assert.equal(approve.status, 409, 'the period has not ended yet');
    });

    it('an objection the day after the period is a 409 naming the end of the period', async () => {
      at('2026-10-13T00:00:00+08:00');
      const res = await post(`/${id}/objections`, null, { ...OBJECTION, content: '逾期异议' });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'invalid_state');
      assert.match(res.body.error.message, /2026-10-12 23:59:59/);
      const n = await ctx.db('objections').where({ case_id: id }).count<{ n: number }[]>({ n: '*' }).first();
      assert.equal(Number(n?.n), 1, 'the late objection is not on record');
    });

    it('after the period, approval waits for the open objection to be resolved', async () => {
      at('2026-10-13T09:00:00+08:00');
      const res = await post(`/${id}/approve`, 'finance');
      assert.equal(res.status, 409);
      assert.match(res.body.error.message, /异议/);
    });

    it('a dismissed objection goes on record with the opinion; the case stays in its notice state', async () => {
      const view = await get(`/${id}`, 'admin');
      const oid = view.body.objections[0].id as number;
      const res = await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: false, opinion: '经补充论证，该产品核心部件为专利技术，异议不成立' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'notice');
      assert.equal(res.body.objections[0].status, 'dismissed');
      assert.equal(res.body.objections[0].opinion, '经补充论证，该产品核心部件为专利技术，异议不成立');
      assert.equal(res.body.objections[0].resolvedAt, '2026-10-13T09:00:00.000+08:00');
      const again = await post(`/${id}/objections/${oid}/resolve`, 'admin', { upheld: true, opinion: '再次处理' });
      assert.equal(again.status, 409);
    });

    it('then the finance department’s approval goes through, on the record with who and when', async () => {
      at('2026-10-13T10:30:00+08:00');
      const res = await post(`/${id}/approve`, 'finance');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'approved');
      const last = res.body.history.at(-1);
      assert.equal(last.action, 'approve');
      assert.equal(last.from, 'notice');
      assert.equal(last.to, 'approved');
      assert.equal(last.actor.username, w.users.finance);
      assert.equal(last.at, '2026-10-13T10:30:00.000+08:00');
      assert.deepEqual(
        res.body.history.map((h: { action: string }) => h.action),
        ['create', 'submit', 'objection_filed', 'objection_dismissed', 'approve'],
      );
    });
  });

  it('an upheld objection terminates the case and publishes a termination notice', async () => {
    at('2026-09-29T10:00:00+08:00');
    const id = await openCase(w.products.mr, { projectName: '1.5T MR采购项目' });
    await post(`/${id}/submit`, 'purchaser');
    at('2026-10-09T11:00:00+08:00');
    const filed = await post(`/${id}/objections`, null, OBJECTION);
    assert.equal(filed.status, 201);
    const res = await post(`/${id}/objections/${filed.body.id}/resolve`, 'admin', { upheld: true, opinion: '经核实，另有两家供应商可提供同等产品，不符合单一来源条件' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'terminated');
    assert.equal(res.body.objections[0].status, 'upheld');
    const termination = res.body.notices.find((n: { type: string }) => n.type === 'termination');
    assert.ok(termination, 'a termination notice is published');
    const notice = await t.http.get(`/api/v1/notices/${termination.id}`);
    assert.equal(notice.body.content.cause, 'objection_upheld');
    assert.equal(notice.body.content.explanation, '经核实，另有两家供应商可提供同等产品，不符合单一来源条件');
    assert.equal(notice.body.content.project.name, '1.5T MR采购项目');
    const list = await t.http.get('/api/v1/notices?type=termination');
    assert.ok(list.body.items.some((n: { id: number }) => n.id === termination.id));
    // A terminated case takes no further step and no further objection.
    const approve = await post(`/${id}/approve`, 'finance');
    assert.equal(approve.status, 409);
    assert.match(approve.body.error.message, /已终止/);
    assert.equal((await post(`/${id}/objections`, null, OBJECTION)).status, 409);
  });

  it('a negotiated price above the budget terminates the case with a termination notice', async () => {
    const id = await approvedCase({ budget: '3500000.00' });
    at('2026-10-14T15:00:00+08:00');
    const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3500000.01'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'terminated');
    assert.equal(res.body.amount, '3500000.01');
    const termination = res.body.notices.find((n: { type: string }) => n.type === 'termination');
    const notice = await t.http.get(`/api/v1/notices/${termination.id}`);
    assert.equal(notice.body.content.cause, 'over_budget');
    assert.equal(notice.body.content.amount, '3500000.01');
    assert.equal(notice.body.content.project.budget, '3500000.00');
    assert.equal(res.body.notices.some((n: { type: string }) => n.type === 'result'), false, 'no result notice');
    assert.equal((await post(`/${id}/contract`, 'purchaser', { contractNo: 'HT-X', signedAt: '2026-10-14' })).status, 409);
  });

  it('a price equal to the budget is awarded', async () => {
    const id = await approvedCase({ budget: '3500000.00' });
    const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3500000'));
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'awarded');
  });

  describe('the happy path to payment', () => {
    let id: number;
    const ledger = new Ledger(new SystemClock());

    before(async () => {
      await allocate(ctx.db, w.unit.id, 10_000_000_00, `test:fp:${ENGINE}:alloc`);
      id = await approvedCase();
    });

    it('negotiation awards the supplier and publishes the result notice within 2 working days', async () => {
      at('2026-10-16T16:00:00+08:00'); // a Friday: the deadline runs over the weekend to Tuesday
      const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3280000.00', { date: '2026-10-16' }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'awarded');
      assert.equal(res.body.amount, '3280000.00');
      assert.equal(res.body.negotiation.place, '浙江省人民医院行政楼 3 楼会议室');
      assert.deepEqual(res.body.negotiation.staff, ['张三', '王五', '赵六']);
      const result = res.body.notices.find((n: { type: string }) => n.type === 'result');
      const notice = await t.http.get(`/api/v1/notices/${result.id}`);
      const c = notice.body.content;
      assert.equal(c.determinedOn, '2026-10-16');
      assert.equal(c.publishBy, '2026-10-20');
      assert.ok(notice.body.publishedAt.slice(0, 10) <= addWorkdays(c.determinedOn, 2));
      assert.equal(c.amount, '3280000.00');
      assert.equal(c.supplier.name, w.vendor.name);
      assert.equal(c.supplier.address, '浙江省宁波市测试路1号');
      assert.deepEqual(c.goods, { name: '64排CT', model: 'ScintCare CT 64', quantity: 1, unit: '台', unitPrice: '3280000.00' });
      assert.deepEqual(c.experts, EXPERTS);
      assert.equal(c.purchaser.name, '浙江省人民医院');
    });

    it('the contract reserves the amount and publishes the contract notice within 2 working days of signing', async () => {
      const before = await ledger.budget(ctx.db, w.unit.id);
      at('2026-10-19T10:00:00+08:00');
      const res = await post(`/${id}/contract`, 'purchaser', { contractNo: 'ZJRM-2026-HT-018', signedAt: '2026-10-19' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'contracted');
      assert.equal(res.body.contractNo, 'ZJRM-2026-HT-018');
      assert.equal(res.body.signedAt, '2026-10-19');
      const after = await ledger.budget(ctx.db, w.unit.id);
      assert.equal(Money.parse(after.reserved).fen - Money.parse(before.reserved).fen, 3_280_000_00);
      assert.equal(Money.parse(before.available).fen - Money.parse(after.available).fen, 3_280_000_00);
      const reserve = await ctx.db('ledger_transfers').where({ case_id: id, kind: 'reserve' });
      assert.equal(reserve.length, 1);
      assert.equal(Number(reserve[0].amount_fen), 3_280_000_00);
      const contract = res.body.notices.find((n: { type: string }) => n.type === 'contract');
      const notice = await t.http.get(`/api/v1/notices/${contract.id}`);
      assert.equal(notice.body.content.contractNo, 'ZJRM-2026-HT-018');
      assert.equal(notice.body.content.signedOn, '2026-10-19');
      assert.equal(notice.body.content.publishBy, '2026-10-21');
      assert.equal(notice.body.content.amount, '3280000.00');
      assert.equal(notice.body.content.supplier.name, w.vendor.name);
    });

    it('acceptance, then payment settles the trade: the ledger balances and a first_purchase trade exists', async () => {
      at('2026-12-01T10:00:00+08:00');
      const accepted = await post(`/${id}/accept`, 'purchaser', { ...ACCEPTANCE, note: '设备安装调试完毕，验收合格' });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.status, 'accepted');
      assert.equal(accepted.body.acceptanceNote, '设备安装调试完毕，验收合格');
      at('2026-12-03T10:00:00+08:00');
      const paid = await post(`/${id}/pay`, 'purchaser', undefined, { 'Idempotency-Key': `pay-${id}` });
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
      assert.equal(paid.body.status, 'paid');
      const replay = await post(`/${id}/pay`, 'purchaser', undefined, { 'Idempotency-Key': `pay-${id}` });
      assert.equal(replay.status, 200);
      assert.deepEqual(replay.body, paid.body, 'a replay returns the first response');
      const again = await post(`/${id}/pay`, 'purchaser');
      assert.equal(again.status, 409, 'without the key a second payment is a wrong-state error');
      assert.match(again.body.error.message, /已付款/);

      const settles = await ctx.db('ledger_transfers').where({ case_id: id, kind: 'settle' });
      assert.equal(settles.length, 1, 'exactly one settlement');
      const trades = await ctx.db('trades').where({ case_id: id });
      assert.equal(trades.length, 1);
      const tr = trades[0];
      assert.equal(tr.channel, 'first_purchase');
      assert.equal(Number(tr.amount_fen), 3_280_000_00);
      assert.equal(Number(tr.count_delta), 1);
      assert.equal(tr.day, '2026-12-03');
      assert.equal(Number(tr.year), 2026);
      assert.equal(tr.field, '高端医疗装备');
      assert.equal(tr.level, 'domestic');
      assert.equal(tr.kind, 'equipment');
      assert.equal(tr.cert_no, w.certNo);
      assert.equal(Number(tr.product_id), w.products.ct);
      assert.equal(tr.product_title, '64排CT');
      assert.equal(tr.purchaser_city, '杭州');
      assert.equal(tr.purchaser_type, 'hospital');
      assert.equal(tr.vendor_city, '宁波');
      assert.equal(Number(tr.vendor_id), w.vendor.id);

      const report = await ledger.verify(ctx.db);
      assert.equal(report.ok, true, JSON.stringify(report));
      const budget = await ledger.budget(ctx.db, w.unit.id);
      assert.equal(budget.spent, '3280000.00');
    });

    it('the history has every step with its actor and time, and every change has its audit record', async () => {
      const view = await get(`/${id}`, 'purchaser');
      assert.deepEqual(
        view.body.history.map((h: { action: string; from: string | null; to: string }) => `${h.action}:${h.from ?? ''}>${h.to}`),
        ['create:>draft', 'submit:draft>notice', 'approve:notice>approved', 'award:approved>awarded', 'contract:awarded>contracted', 'accept:contracted>accepted', 'pay:accepted>paid'],
      );
      for (const h of view.body.history) {
        assert.ok(h.actor?.username, `${h.action} has an actor`);
        assert.match(h.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
      }
      const audits = await ctx.db('audit_log').where({ entity: 'fp_case', entity_id: String(id) }).orderBy('id').pluck('action');
      assert.deepEqual(audits, [
        'first_purchase.create',
        'first_purchase.submit',
        'first_purchase.approve',
        'first_purchase.award',
        'first_purchase.contract',
        'first_purchase.accept',
        'first_purchase.pay',
      ]);
    });
  });

  it('a contract without enough budget is a 409 and writes nothing', async () => {
    const id = await approvedCase({}, 'purchaser2');
    await post(`/${id}/negotiate`, 'purchaser2', negotiation('3000000.00'));
    const counts = async () => ({
      transfers: Number((await ctx.db('ledger_transfers').count<{ n: number }[]>({ n: '*' }).first())?.n),
      notices: Number((await ctx.db('notices').where({ case_id: id }).count<{ n: number }[]>({ n: '*' }).first())?.n),
      history: Number((await ctx.db('fp_history').where({ case_id: id }).count<{ n: number }[]>({ n: '*' }).first())?.n),
      audit: Number((await ctx.db('audit_log').count<{ n: number }[]>({ n: '*' }).first())?.n),
    });
    const before = await counts();
    const res = await post(`/${id}/contract`, 'purchaser2', { contractNo: 'NB-2026-007', signedAt: '2026-10-13' });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'insufficient_budget');
    assert.deepEqual(await counts(), before);
    const view = await get(`/${id}`, 'purchaser2');
    assert.equal(view.body.status, 'awarded');
    assert.equal(view.body.contractNo, null);
  });

  it('two approvals at once: exactly one goes through', async () => {
    at('2026-09-29T10:00:00+08:00');
    const id = await openCase();
    await post(`/${id}/submit`, 'purchaser');
    at('2026-10-13T09:00:00+08:00');
    const results = await Promise.all([post(`/${id}/approve`, 'finance'), post(`/${id}/approve`, 'finance'), post(`/${id}/approve`, 'finance')]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
    const rows = await ctx.db('fp_history').where({ case_id: id, action: 'approve' });
    assert.equal(rows.length, 1);
  });

  it('the purchaser may withdraw a case in its notice period; a termination notice says so', async () => {
    at('2026-09-29T10:00:00+08:00');
    const id = await openCase();
    await post(`/${id}/submit`, 'purchaser');
    const res = await post(`/${id}/withdraw`, 'purchaser', { reason: '项目需求变更，取消本次采购' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'terminated');
    assert.equal(res.body.terminationReason, '项目需求变更，取消本次采购');
    assert.ok(res.body.notices.some((n: { type: string }) => n.type === 'termination'));
  });
});
