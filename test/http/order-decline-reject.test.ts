import assert from 'node:assert/strict';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { csrfOf } from '../helpers/session';
import { orderParties, type OrderParties } from '../helpers/order-parties';
import { orderInState } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/**
 * The two ways an order says no: the vendor declines a new order it cannot supply (拒绝接单: the order ends, the
 * reserved budget and the stock come back, as with a cancellation), and the purchaser rejects a delivery that fails
 * acceptance (验收不通过: the order goes back to the vendor, who delivers again). Each needs a reason, which the other
 * side reads in the order's history.
 */
describe(`orders: the vendor declines, the purchaser rejects a delivery (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let p: OrderParties;

  const status = async (id: number) => (await ctx.db('orders').where({ id }).first()).status as string;
  const stock = async () => (await ctx.db('products').where({ id: p.side.productId }).first()).stock as number;
  const budget = async () => (await p.t.http.get('/api/v1/budget').set('Authorization', p.tok.buyerA)).body as { reserved: string; available: string; spent: string };
  const events = async (id: number) =>
    (await ctx.db('outbox_events').where({ stream: `order:${id}` }).orderBy('seq').select('type', 'data')).map((e: { type: string; data: string }) => ({ type: e.type, data: JSON.parse(e.data) }));

  before(async () => {
    p = await orderParties(ctx.db);
  });

  describe('the vendor declines an order (拒绝接单)', () => {
    it('JSON: a placed order ends as cancelled; the reserved budget and the stock come back; the history and the event say why', async () => {
      const before = { budget: await budget(), stock: await stock() };
      const id = await orderInState(ctx.db, p.side, 'placed');
      assert.equal(Number((await budget()).reserved) - Number(before.budget.reserved), 100);
      const res = await p.t.http.post(`/api/v1/orders/${id}/decline`).set('Authorization', p.tok.sellerA).send({ reason: '该型号已停产，无法供货' });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'cancelled');
      assert.deepEqual(await budget(), before.budget);
      assert.equal(await stock(), before.stock);
      const detail = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.buyerA);
      assert.deepEqual(detail.body.history.at(-1), { ...detail.body.history.at(-1), from: 'placed', to: 'cancelled', note: '该型号已停产，无法供货' });
      const declined = (await events(id)).find((e) => e.type === 'order.declined');
      assert.ok(declined, 'an order.declined event');
      assert.equal(declined.data.after.reason, '该型号已停产，无法供货');
      assert.equal(declined.data.after.status, 'cancelled');
    });

    it('JSON: no reason → 422 naming it, and the order stays placed with its budget reserved', async () => {
      const id = await orderInState(ctx.db, p.side, 'placed');
      const reserved = (await budget()).reserved;
      for (const body of [{}, { reason: '   ' }]) {
        const res = await p.t.http.post(`/api/v1/orders/${id}/decline`).set('Authorization', p.tok.sellerA).send(body);
        assert.equal(res.status, 422);
        assert.equal(res.body.error.field, 'reason');
      }
      assert.equal(await status(id), 'placed');
      assert.equal((await budget()).reserved, reserved);
    });

    it('JSON: only a new order can be declined (a confirmed one → 409), only by its vendor (the purchaser or another vendor → 403)', async () => {
      const confirmed = await orderInState(ctx.db, p.side, 'confirmed');
      const late = await p.t.http.post(`/api/v1/orders/${confirmed}/decline`).set('Authorization', p.tok.sellerA).send({ reason: '反悔' });
      assert.equal(late.status, 409);
      const placed = await orderInState(ctx.db, p.side, 'placed');
      assert.equal((await p.t.http.post(`/api/v1/orders/${placed}/decline`).set('Authorization', p.tok.buyerA).send({ reason: '代拒' })).status, 403);
      assert.equal((await p.t.http.post(`/api/v1/orders/${placed}/decline`).set('Authorization', p.tok.sellerB).send({ reason: '代拒' })).status, 403);
      assert.equal(await status(placed), 'placed');
      assert.equal(await status(confirmed), 'confirmed');
    });

    it('page: the vendor gives a reason, reads what will happen, confirms; the purchaser reads why', async () => {
      const id = await orderInState(ctx.db, p.side, 'placed');
      const page = await p.seller.get(`/orders/${id}`);
      assert.match(text(page.text), /拒绝接单/);
      assert.match(page.text, /id="decline-reason"/);
      const empty = await p.seller.post(`/orders/${id}/decline`).type('form').send({ reason: '', _csrf: csrfOf(page.text) });
      assert.equal(empty.status, 422);
      assert.match(empty.text, /id="decline-reason-err"[^>]*>拒绝原因：必填/);
      const confirm = await p.seller.post(`/orders/${id}/decline`).type('form').send({ reason: '交货期无法满足', _csrf: csrfOf(page.text) });
      assert.equal(confirm.status, 200);
      assert.match(text(confirm.text), /确认拒绝订单/);
      assert.match(text(confirm.text), /冻结的预算 ¥100\.00 退回「杭州市测试医院」的可用预算/);
      assert.equal(await status(id), 'placed');
      const done = await p.seller.post(`/orders/${id}/decline`).type('form').send({ reason: '交货期无法满足', confirm: '1', _csrf: csrfOf(confirm.text) });
      assert.equal(done.status, 302);
      assert.equal(await status(id), 'cancelled');
      const buyerView = text((await p.buyer.get(`/orders/${id}`)).text);
      // Said as a refusal by the vendor, not as the purchaser's own cancellation.
      assert.match(buyerView, /拒绝接单原因 交货期无法满足/);
      assert.match(buyerView, /供应商拒绝接单 → 已取消/);
      const json = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.buyerA);
      assert.equal(json.body.history.at(-1).step, 'decline');
      // The purchaser is never offered the vendor's step.
      assert.doesNotMatch(text((await p.buyer.get(`/orders/${await orderInState(ctx.db, p.side, 'placed')}`)).text), /拒绝接单/);
    });
  });

  describe('the purchaser rejects a delivery (验收不通过)', () => {
    it('JSON: a delivered order goes back to confirmed with the reason; the vendor delivers again and it is accepted and paid', async () => {
      const id = await orderInState(ctx.db, p.side, 'delivered');
      const res = await p.t.http.post(`/api/v1/orders/${id}/reject`).set('Authorization', p.tok.buyerA).send({ reason: '外观破损，型号与合同不符' });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'confirmed');
      const reserved = (await budget()).reserved;
      const vendorView = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.sellerA);
      assert.deepEqual(vendorView.body.history.at(-1), { ...vendorView.body.history.at(-1), from: 'delivered', to: 'confirmed', note: '外观破损，型号与合同不符' });
      assert.equal((await events(id)).filter((e) => e.type === 'order.delivery_rejected').length, 1);
      // The budget stays reserved: the order is still owed.
      assert.equal((await budget()).reserved, reserved);
      // Paying before a new delivery is accepted is not possible.
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', p.tok.buyerA)).status, 409);
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/deliver`).set('Authorization', p.tok.sellerA)).status, 200);
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/accept`).set('Authorization', p.tok.buyerA).send({ note: '更换后验收合格' })).status, 200);
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/pay`).set('Authorization', p.tok.buyerA)).status, 200);
      assert.equal(await status(id), 'paid');
    });

    it('JSON: no reason → 422 naming it; not delivered → 409; the vendor → 403; nothing moves', async () => {
      const id = await orderInState(ctx.db, p.side, 'delivered');
      const none = await p.t.http.post(`/api/v1/orders/${id}/reject`).set('Authorization', p.tok.buyerA).send({});
      assert.equal(none.status, 422);
      assert.equal(none.body.error.field, 'reason');
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/reject`).set('Authorization', p.tok.sellerA).send({ reason: '自己退回' })).status, 403);
      const accepted = await orderInState(ctx.db, p.side, 'accepted');
      assert.equal((await p.t.http.post(`/api/v1/orders/${accepted}/reject`).set('Authorization', p.tok.buyerA).send({ reason: '验收后反悔' })).status, 409);
      assert.equal(await status(id), 'delivered');
      assert.equal(await status(accepted), 'accepted');
    });

    it('page: the purchaser sees the step beside acceptance, an empty reason is refused beside the field, a reason sends it back', async () => {
      const id = await orderInState(ctx.db, p.side, 'delivered');
      const page = await p.buyer.get(`/orders/${id}`);
      assert.match(text(page.text), /验收不通过，退回/);
      const empty = await p.buyer.post(`/orders/${id}/reject`).type('form').send({ reason: ' ', _csrf: csrfOf(page.text) });
      assert.equal(empty.status, 422);
      assert.match(empty.text, /id="reject-reason-err"[^>]*>不通过原因：必填/);
      assert.equal(await status(id), 'delivered');
      const done = await p.buyer.post(`/orders/${id}/reject`).type('form').send({ reason: '性能测试未达标', _csrf: csrfOf(page.text) });
      assert.equal(done.status, 302);
      assert.equal(await status(id), 'confirmed');
      // The vendor reads it as a rejection, at the top and in the history — not as a confirmation.
      const vendorPage = text((await p.seller.get(`/orders/${id}`)).text);
      assert.match(vendorPage, /采购单位验收不通过，已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 退回供应商：「性能测试未达标」/);
      assert.match(vendorPage, /验收不通过，退回供应商 → 已确认/);
      assert.match(vendorPage, /原因：.?性能测试未达标/);
      const json = await p.t.http.get(`/api/v1/orders/${id}`).set('Authorization', p.tok.sellerA);
      assert.deepEqual(json.body.history.map((h: { step: string }) => h.step), ['place', 'confirm', 'deliver', 'reject']);
      // Delivered again, the banner goes.
      assert.equal((await p.t.http.post(`/api/v1/orders/${id}/deliver`).set('Authorization', p.tok.sellerA)).status, 200);
      assert.doesNotMatch((await p.seller.get(`/orders/${id}`)).text, /id="order-rejected"/);
    });

    it('English: the step and its field in the reader’s language', async () => {
      const id = await orderInState(ctx.db, p.side, 'delivered');
      const page = text((await p.buyer.get(`/orders/${id}?lang=en`)).text);
      assert.match(page, /Reject the delivery/);
      assert.match(page, /What failed acceptance/);
    });
  });
});
