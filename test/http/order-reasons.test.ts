import assert from 'node:assert/strict';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf, type Agent } from '../helpers/session';
import { orderParties, type OrderParties } from '../helpers/order-parties';
import { orderInState } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/**
 * 取消订单 and 退款 (issue 18 item 2): a reason, kept in the history and shown to the other side, and a confirmation
 * page before anything happens (no JavaScript: the form leads to the page, whose POST carries confirm=1). The JSON
 * routes keep working for callers that send no reason.
 */
describe(`order cancel and refund: reason and confirmation (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let p: OrderParties;

  async function submit(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
    const html = (await agent.get(page)).text;
    return agent.post(action).type('form').send({ ...fields, _csrf: csrfOf(html) });
  }
  const status = async (id: number) => (await ctx.db('orders').where({ id }).first()).status as string;
  const stock = async () => (await ctx.db('products').where({ id: p.side.productId }).first()).stock as number;

  before(async () => {
    p = await orderParties(ctx.db);
  });

  it('JSON: cancel and refund without a body still work (existing callers); the history records no reason', async () => {
    const id = await orderInState(ctx.db, p.side, 'placed');
    const res = await p.t.http.post(`/api/v1/orders/${id}/cancel`).set('Authorization', p.tok.buyerA);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'cancelled');
    const paid = await orderInState(ctx.db, p.side, 'paid');
    const refund = await p.t.http.post(`/api/v1/orders/${paid}/refund`).set('Authorization', p.tok.sellerA).send({});
    assert.equal(refund.status, 200);
    const detail = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.sellerA);
    assert.equal(detail.body.history.at(-1).to, 'cancelled');
    assert.equal(detail.body.history.at(-1).note, null);
  });

  it('JSON: a reason is kept in the history the other side reads, and in the audit record; too long → 422 naming it', async () => {
    const id = await orderInState(ctx.db, p.side, 'confirmed');
    const long = await p.t.http.post(`/api/v1/orders/${id}/cancel`).set('Authorization', p.tok.buyerA).send({ reason: 'x'.repeat(501) });
    assert.equal(long.status, 422);
    assert.equal(long.body.error.field, 'reason');
    const res = await p.t.http.post(`/api/v1/orders/${id}/cancel`).set('Authorization', p.tok.buyerA).send({ reason: '项目预算调整，暂缓采购' });
    assert.equal(res.status, 200);
    const detail = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.sellerA);
    assert.deepEqual(detail.body.history.at(-1), { ...detail.body.history.at(-1), from: 'confirmed', to: 'cancelled', note: '项目预算调整，暂缓采购' });
    const audit = await ctx.db('audit_log').where({ entity: 'order', entity_id: String(id), action: 'order.cancel' }).first();
    assert.equal(JSON.parse(audit.after).reason, '项目预算调整，暂缓采购');
  });

  it('page: cancelling without a reason is refused beside the field (422); nothing happens', async () => {
    const id = await orderInState(ctx.db, p.side, 'placed');
    const page = await p.buyer.get(`/orders/${id}`);
    assert.match(page.text, /id="cancel-reason"/);
    assert.match(text(page.text), /取消原因/);
    const res = await submit(p.buyer, `/orders/${id}`, `/orders/${id}/cancel`, { reason: '  ' });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="cancel-reason-err"/);
    // Named as its label reads, not by the shared field name (理由).
    assert.match(res.text, /id="cancel-reason-err"[^>]*>取消原因：必填/);
    assert.equal(await status(id), 'placed');
  });

  it('page: the reason leads to a confirmation page (amount returned, stock restored); only its POST cancels', async () => {
    const id = await orderInState(ctx.db, p.side, 'placed');
    const before = await stock();
    const confirm = await submit(p.buyer, `/orders/${id}`, `/orders/${id}/cancel`, { reason: '采购需求变更' });
    assert.equal(confirm.status, 200);
    const body = text(confirm.text);
    assert.match(body, /确认取消订单/);
    assert.match(body, /冻结的预算 ¥100\.00 退回「杭州市测试医院」的可用预算/);
    assert.match(body, /以下商品的库存恢复/);
    assert.match(confirm.text, /name="confirm" value="1"/);
    assert.match(confirm.text, /name="reason" value="采购需求变更"/);
    assert.equal(await status(id), 'placed');
    assert.equal(await stock(), before);

    const done = await p.buyer.post(`/orders/${id}/cancel`).type('form').send({ reason: '采购需求变更', confirm: '1', _csrf: csrfOf(confirm.text) });
    assert.equal(done.status, 302);
    assert.equal(await status(id), 'cancelled');
    assert.equal(await stock(), before + 1);
    // The vendor reads why on the order page.
    const vendorView = text((await p.seller.get(`/orders/${id}`)).text);
    assert.match(vendorView, /结束原因 采购需求变更/);
    assert.match(vendorView, /原因：.?采购需求变更/);
  });

  it('page: the vendor refunds a paid order with a reason after confirming; the purchaser sees the reason', async () => {
    const id = await orderInState(ctx.db, p.side, 'paid');
    const confirm = await submit(p.seller, `/orders/${id}`, `/orders/${id}/refund`, { reason: '质量问题，退货退款' });
    assert.equal(confirm.status, 200);
    assert.match(text(confirm.text), /货款 ¥100\.00 从供应商退回「杭州市测试医院」的可用预算/);
    assert.match(text(confirm.text), /库存不自动恢复/);
    assert.equal(await status(id), 'paid');
    const done = await p.seller.post(`/orders/${id}/refund`).type('form').send({ reason: '质量问题，退货退款', confirm: '1', _csrf: csrfOf(confirm.text) });
    assert.equal(done.status, 302);
    assert.equal(await status(id), 'refunded');
    assert.match(text((await p.buyer.get(`/orders/${id}`)).text), /原因：.?质量问题，退货退款/);
  });

  it('page: a confirmation for a step no longer possible is refused as the step would be (409), not confirmed', async () => {
    const id = await orderInState(ctx.db, p.side, 'cancelled');
    const res = await submit(p.buyer, `/orders/${id}`, `/orders/${id}/cancel`, { reason: '再取消一次' });
    assert.equal(res.status, 409);
    assert.doesNotMatch(res.text, /name="confirm"/);
  });

  it('English: the confirmation page in the reader’s language', async () => {
    const id = await orderInState(ctx.db, p.side, 'placed');
    const page = await p.buyer.get(`/orders/${id}?lang=en`);
    const res = await p.buyer.post(`/orders/${id}/cancel?lang=en`).type('form').send({ reason: 'plans changed', _csrf: csrfOf(page.text) });
    assert.equal(res.status, 200);
    assert.match(text(res.text), /The reserved ¥100\.00 goes back to the available budget/);
  });
});
