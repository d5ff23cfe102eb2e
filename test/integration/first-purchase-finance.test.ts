import assert from 'node:assert/strict';
import { addWorkdays } from '../../src/workdays';
import { FirstPurchaseService } from '../../src/first-purchase/service';
import { writeTransaction } from '../../src/db';
import type { Actor } from '../../src/web/state';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { ACCEPTANCE, allocate, caseBody, clockedTokens, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';

const OBJECTION = { name: '赵六', organization: '杭州某医疗科技有限公司', contact: '13800000000', content: '我公司同类产品亦能满足需求，不具有唯一性' };

/**
 * The finance department (财政部门) in the single-source procedure, and the ends of a case (DESIGN §9; MoF Order No. 74
 * arts. 38–43): its approval with opinion and number, the copy of each objection, the contract's filing (合同备案) and
 * its desk; eligibility checked again at approval, award and contract; the causes of termination, after award too.
 */
describe(`first purchase: the finance department and the ends of a case (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  const post = async (path: string, who: keyof FpWorld['users'] | null, body?: object) => {
    const req = t.http.post(`/api/v1/first-purchases${path}`);
    if (who) req.set('Authorization', await token(who));
    return body ? req.send(body) : req.send();
  };
  const get = async (path: string, who: keyof FpWorld['users']) => t.http.get(path).set('Authorization', await token(who));
  const ok = (res: { status: number; body: unknown }, status = 200) => assert.equal(res.status, status, JSON.stringify(res.body));

  /** A case of `purchaser` published 2026-09-29 (its period ends 2026-10-12, after the holiday), walked to `stage`. */
  async function caseIn(stage: 'notice' | 'approved' | 'awarded' | 'contracted', productId = w.products.ct): Promise<number> {
    at('2026-09-29T10:00:00+08:00');
    const created = await post('', 'purchaser', caseBody(productId));
    ok(created, 201);
    const id = created.body.id as number;
    ok(await post(`/${id}/submit`, 'purchaser'));
    if (stage === 'notice') return id;
    at('2026-10-13T09:00:00+08:00');
    ok(await post(`/${id}/approve`, 'finance', { opinion: '同意', approvalNo: `浙财采监〔2026〕${id}号` }));
    if (stage === 'approved') return id;
    ok(await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13' })));
    if (stage === 'awarded') return id;
    ok(await post(`/${id}/contract`, 'purchaser', { contractNo: `HT-F-${id}`, signedAt: '2026-10-13' }));
    return id;
  }

  const budget = async () => (await get('/api/v1/budget', 'purchaser')).body as { available: string; reserved: string };
  const terminationNotice = async (id: number) => {
    const row = await ctx.db('notices').where({ case_id: id, type: 'termination' }).first('id');
    assert.ok(row, `a termination notice for case ${id}`);
    return (await t.http.get(`/api/v1/notices/${row.id}`)).body as { content: { cause: string; legalBasis: string; nextStep: string; explanation: string } };
  };

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    await allocate(ctx.db, w.unit.id, 100_000_000_00, `test:finance:${ENGINE}:alloc`);
  });

  it('the approval is the finance department’s: admin 403; its opinion and approval number are recorded and shown', async () => {
    const id = await caseIn('notice');
    at('2026-10-13T09:00:00+08:00');
    assert.equal((await post(`/${id}/approve`, 'admin')).status, 403);
    const res = await post(`/${id}/approve`, 'finance', { opinion: '经审核，同意采用单一来源方式采购', approvalNo: '浙财采监〔2026〕12号' });
    ok(res);
    assert.equal(res.body.status, 'approved');
    assert.equal(res.body.approval.opinion, '经审核，同意采用单一来源方式采购');
    assert.equal(res.body.approval.approvalNo, '浙财采监〔2026〕12号');
    assert.equal(res.body.history.at(-1).actor.username, w.users.finance);
    // Without a body at all, too.
    const plain = await caseIn('notice');
    at('2026-10-13T09:00:00+08:00');
    const bare = await t.http.post(`/api/v1/first-purchases/${plain}/approve`).set('Authorization', await token('finance'));
    ok(bare);
    assert.deepEqual([bare.body.approval.opinion, bare.body.approval.approvalNo], [null, null]);
  });

  it('the desk lists the cases waiting for approval longest waiting first, each with the moment it could first be approved', async () => {
    // Two cases published on different days: the one whose period ended first comes first, though the other was touched last.
    const early = await caseIn('notice');
    at('2026-10-09T10:00:00+08:00');
    const laterCase = await post('', 'purchaser', caseBody(w.products.ct));
    ok(laterCase, 201);
    ok(await post(`/${laterCase.body.id}/submit`, 'purchaser'));
    at('2026-12-01T09:00:00+08:00');
    const desk = (await get('/api/v1/finance/desk', 'finance')).body as { toApprove: Array<{ id: number; waitingSince: string }> };
    const ours = desk.toApprove.filter((c) => c.id === early || c.id === laterCase.body.id);
    assert.deepEqual(ours.map((c) => c.id), [early, laterCase.body.id]);
    assert.match(ours[0]!.waitingSince, /^2026-10-12T23:59:59\+08:00$/);
    const all = desk.toApprove.map((c) => c.waitingSince);
    assert.deepEqual(all, [...all].sort(), 'oldest first throughout');
  });

  it('finance reads every case, like the department', async () => {
    const id = await caseIn('notice');
    ok(await get(`/api/v1/first-purchases/${id}`, 'finance'));
    const list = await get('/api/v1/first-purchases', 'finance');
    ok(list);
    assert.ok(list.body.items.some((c: { id: number }) => c.id === id));
  });

  it('arts. 39–40: each objection is copied to finance, on the case and on its desk with the review deadline (5 working days after the period), overdue marked', async () => {
    const id = await caseIn('notice');
    at('2026-10-10T10:00:00+08:00'); // a make-up working day of the 2026 holiday, inside the period
    ok(await post(`/${id}/objections`, null, OBJECTION), 201);
    const view = await get(`/api/v1/first-purchases/${id}`, 'finance');
    assert.ok(view.body.objections[0].copiedToFinanceAt, 'the copy is on record');
    assert.equal(view.body.objections[0].contact, OBJECTION.contact, 'finance sees who objected');
    const reviewBy = addWorkdays('2026-10-12', 5);
    at('2026-10-13T09:00:00+08:00');
    let desk = (await get('/api/v1/finance/desk', 'finance')).body;
    let row = desk.objectionReviews.find((o: { caseId: number }) => o.caseId === id);
    assert.deepEqual([row.reviewBy, row.overdue], [reviewBy, false]);
    assert.ok(!desk.toApprove.some((c: { id: number }) => c.id === id), 'not approvable while the objection is open');
    at(`${addWorkdays(reviewBy, 1)}T09:00:00+08:00`);
    desk = (await get('/api/v1/finance/desk', 'finance')).body;
    row = desk.objectionReviews.find((o: { caseId: number }) => o.caseId === id);
    assert.equal(row.overdue, true);
    const page = await get('/finance', 'finance');
    assert.equal(page.status, 200);
    assert.match(page.text, /已逾期/);
    assert.equal((await get('/api/v1/finance/desk', 'admin')).status, 403);
  });

  it('合同备案: finance files the contract after signing; filingDueAt is 7 working days after signing; the desk lists it until filed, overdue marked', async () => {
    const id = await caseIn('contracted');
    const due = addWorkdays('2026-10-13', 7);
    const view = await get(`/api/v1/first-purchases/${id}`, 'purchaser');
    assert.deepEqual([view.body.filingDueAt, view.body.filedAt], [due, null]);
    at(`${addWorkdays(due, 1)}T09:00:00+08:00`);
    const row = (await get('/api/v1/finance/desk', 'finance')).body.filings.find((f: { caseId: number }) => f.caseId === id);
    assert.deepEqual([row.filingDueAt, row.overdue], [due, true]);
    assert.equal((await post(`/${id}/filing`, 'purchaser', {})).status, 403);
    assert.equal((await post(`/${id}/filing`, 'admin', {})).status, 403);
    const filed = await post(`/${id}/filing`, 'finance', {});
    ok(filed);
    assert.ok(filed.body.filedAt);
    assert.equal(filed.body.status, 'contracted', 'the filing leaves the status as it is');
    // Filed a day after its deadline: on record as late, on the answer and on the page, while no longer overdue.
    assert.deepEqual([filed.body.filedLate, filed.body.filingOverdue], [true, false]);
    assert.match((await get(`/first-purchases/${id}`, 'finance')).text, /合同备案时间[^<]*<time[^>]*>[^<]*<\/time> <strong class="fp-overdue">逾期办理<\/strong>/);
    assert.equal((await post(`/${id}/filing`, 'finance', {})).status, 409, 'filed once');
    assert.ok(!(await get('/api/v1/finance/desk', 'finance')).body.filings.some((f: { caseId: number }) => f.caseId === id));
    const awarded = await caseIn('awarded');
    assert.equal((await post(`/${awarded}/filing`, 'finance', {})).status, 409, 'nothing to file before the contract');
  });

  it('art. 43(1): eligibility is checked again at approval, award and contract — an expired certificate stops each', async () => {
    const notice = await caseIn('notice');
    const approved = await caseIn('approved');
    const awarded = await caseIn('awarded');
    const cert = (await ctx.db('products').where({ id: w.products.ct }).first('cert_id')).cert_id as number;
    const before = await ctx.db('certifications').where({ id: cert }).first('valid_until', 'status');
    await ctx.db('certifications').where({ id: cert }).update({ valid_until: '2026-10-01', status: 'expired' });
    try {
      at('2026-10-13T10:00:00+08:00');
      for (const [res, step] of [
        [await post(`/${notice}/approve`, 'finance', {}), 'approve'],
        [await post(`/${approved}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13' })), 'negotiate'],
        [await post(`/${awarded}/contract`, 'purchaser', { contractNo: `HT-X-${awarded}`, signedAt: '2026-10-13' }), 'contract'],
      ] as const) {
        assert.equal(res.status, 409, `${step}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, /认定证书已失效/, step);
      }
    } finally {
      await ctx.db('certifications').where({ id: cert }).update(before);
    }
  });

  it('政府采购法 art. 27: finance may refuse the single-source method before approving it; the notice says another method follows; causes are by party and stage', async () => {
    const id = await caseIn('notice');
    at('2026-10-13T09:00:00+08:00');
    // Its page offers finance its own causes only: art. 43 (1), (2) and the refusal — not the purchaser's.
    const page = await get(`/first-purchases/${id}`, 'finance');
    const options = [...(/<select id="t-cause"[^>]*>([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '').matchAll(/value="([a-z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(options, ['conditions_changed', 'irregularity', 'not_approved']);
    const refused = await post(`/${id}/terminate`, 'finance', { cause: 'not_approved', explanation: '经审核，该产品不具有唯一性，不同意采用单一来源采购方式' });
    ok(refused);
    assert.deepEqual([refused.body.status, refused.body.terminationCause], ['terminated', 'not_approved']);
    const n = await terminationNotice(id);
    assert.match(n.content.legalBasis, /政府采购法》第二十七条/);
    assert.match(n.content.nextStep, /其他采购方式/);
    const noticeRow = await ctx.db('notices').where({ case_id: id, type: 'termination' }).first('id');
    assert.match((await t.http.get(`/notices/${noticeRow.id}`)).text, /财政部门不予批准采用单一来源采购方式/);
    assert.equal((await t.http.get(`/notices/${noticeRow.id}.pdf`)).status, 200, 'its PDF too');
    // Once approved, finance may no longer refuse the method, and a purchaser never may.
    const approved = await caseIn('approved');
    const late = await post(`/${approved}/terminate`, 'finance', { cause: 'not_approved', explanation: '不予批准' });
    assert.deepEqual([late.status, late.body.error?.field], [422, 'cause']);
    assert.equal((await post(`/${approved}/terminate`, 'purchaser', { cause: 'not_approved', explanation: 'x' })).status, 422);
    assert.equal((await ctx.db('fp_cases').where({ id: approved }).first()).status, 'approved', 'nothing written');
    // The purchaser's page, before the award, offers neither finance's refusal nor the supplier's declining to sign.
    const purchaserPage = await get(`/first-purchases/${approved}`, 'purchaser');
    const offered = [...(/<select id="t-cause"[^>]*>([\s\S]*?)<\/select>/.exec(purchaserPage.text)?.[1] ?? '').matchAll(/value="([a-z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(offered, ['conditions_changed', 'irregularity', 'withdrawn']);
  });

  it('art. 43(1)(2): a case can be terminated after award (the supplier does not sign), with a cause; the notice says the purchase will be carried out again', async () => {
    const id = await caseIn('awarded');
    assert.equal((await post(`/${id}/terminate`, 'vendor', { cause: 'supplier_declined', explanation: '供应商拒签' })).status, 403);
    assert.equal((await post(`/${id}/terminate`, 'purchaser', { cause: 'over_budget', explanation: 'x' })).status, 422, 'the price above the budget ends a case at the negotiation');
    const res = await post(`/${id}/terminate`, 'finance', { cause: 'irregularity', explanation: '发现影响采购公正的违规行为' });
    ok(res);
    assert.equal(res.body.status, 'terminated');
    assert.equal(res.body.terminationCause, 'irregularity');
    const n = await terminationNotice(id);
    assert.equal(n.content.cause, 'irregularity');
    assert.match(n.content.legalBasis, /第四十三条第（二）项/);
    assert.match(n.content.nextStep, /重新开展采购活动/);
    assert.doesNotMatch(n.content.nextStep, /其他采购方式/);
  });

  it('art. 43(1): terminating after the contract releases the reserved budget', async () => {
    const id = await caseIn('contracted');
    const before = await budget();
    const res = await post(`/${id}/terminate`, 'purchaser', { cause: 'conditions_changed', explanation: '项目需求发生变化' });
    ok(res);
    const after = await budget();
    assert.equal(Number(after.available) - Number(before.available), 3000000);
    assert.equal(Number(before.reserved) - Number(after.reserved), 3000000);
    assert.match((await terminationNotice(id)).content.legalBasis, /第四十三条第（一）项/);
  });

  it('art. 43(3): a price above the budget terminates the case; its notice says the purchase will be carried out again', async () => {
    const id = await caseIn('approved');
    ok(await post(`/${id}/negotiate`, 'purchaser', negotiation('3600000.00', { date: '2026-10-13' })));
    const n = await terminationNotice(id);
    assert.equal(n.content.cause, 'over_budget');
    assert.match(n.content.legalBasis, /第四十三条第（三）项/);
    assert.match(n.content.nextStep, /重新开展采购活动/);
  });

  it('art. 43(1): revoking the certificate terminates its open cases, with a termination notice; a paid case stays', async () => {
    const cert = w.certIds.mr;
    const ids = { notice: await caseIn('notice', w.products.mr), awarded: await caseIn('awarded', w.products.mr), contracted: await caseIn('contracted', w.products.mr) };
    at('2026-10-14T09:00:00+08:00');
    const paid = await caseIn('contracted', w.products.mr);
    ok(await post(`/${paid}/accept`, 'purchaser', ACCEPTANCE));
    ok(await post(`/${paid}/pay`, 'purchaser'));
    const before = await budget();
    at('2026-10-15T09:00:00+08:00');
    const admin = await ctx.db('users').where({ username: w.users.admin }).first();
    const actor: Actor = { id: admin.id, username: admin.username, role: 'admin', displayName: admin.display_name, purchaserId: null, vendorId: null };
    const service = new FirstPurchaseService(ctx.db, t.clock);
    const ended = await writeTransaction(ctx.db, async (trx) => {
      await trx('certifications').where({ id: cert }).update({ status: 'revoked' });
      return service.terminateCasesOfCertificate(trx, cert, actor);
    });
    assert.deepEqual([...ended].sort((a, b) => a - b), Object.values(ids).sort((a, b) => a - b));
    for (const id of Object.values(ids)) {
      const view = await get(`/api/v1/first-purchases/${id}`, 'purchaser');
      assert.equal(view.body.status, 'terminated');
      assert.equal(view.body.terminationCause, 'certificate_revoked');
      assert.equal(view.body.history.at(-1).action, 'certificate_revoked');
      const n = await terminationNotice(id);
      assert.match(n.content.legalBasis, /第四十三条第（一）项/);
      assert.match(n.content.nextStep, /重新开展采购活动/);
    }
    assert.equal((await get(`/api/v1/first-purchases/${paid}`, 'purchaser')).body.status, 'paid');
    assert.equal(Number((await budget()).available) - Number(before.available), 3000000, 'the contracted case’s reservation is released');
    // Nothing left open: a second run ends nothing.
    assert.deepEqual(await writeTransaction(ctx.db, (trx) => service.terminateCasesOfCertificate(trx, cert, actor)), []);
  });

  it('art. 43(1): the department revoking a certificate in the registry terminates its open cases in the same step', async () => {
    const cert = w.certIds.ct;
    const id = await caseIn('approved', w.products.ct);
    at('2026-10-15T09:00:00+08:00');
    const res = await t.http
      .post(`/api/v1/admin/certifications/${cert}/revoke`)
      .set('Authorization', await token('admin'))
      .send({ reason: '企业提供虚假材料' });
    ok(res);
    const view = await get(`/api/v1/first-purchases/${id}`, 'purchaser');
    assert.equal(view.body.status, 'terminated');
    assert.equal(view.body.terminationCause, 'certificate_revoked');
    assert.match((await terminationNotice(id)).content.nextStep, /重新开展采购活动/);
  });
});
