import assert from 'node:assert/strict';
import { hasKey } from '../../src/i18n';
import { ORDER_ACTIONS, ORDER_STATUSES, TRANSITIONS, allowedActions, canSeeOrder, decide, type OrderStatus } from '../../src/orders/transitions';
import type { Actor } from '../../src/web/state';

const actor = (role: Actor['role'], ids: { purchaserId?: number; vendorId?: number } = {}): Actor => ({
  id: 1,
  username: role,
  role,
  displayName: role,
  purchaserId: ids.purchaserId ?? null,
  vendorId: ids.vendorId ?? null,
});

const buyer = actor('purchaser', { purchaserId: 7 });
const otherBuyer = actor('purchaser', { purchaserId: 8 });
const seller = actor('vendor', { vendorId: 3 });
const otherSeller = actor('vendor', { vendorId: 4 });
const admin = actor('admin');
const order = (status: OrderStatus) => ({ purchaserId: 7, vendorId: 3, status });

describe('order transitions table', () => {
  it('is the life of a boutique order: placed → confirmed → delivered → accepted → paid → refunded; a delivery rejected goes back to the vendor; declined or cancelled before delivery', () => {
    const path: Array<[string, OrderStatus[], OrderStatus]> = ORDER_ACTIONS.map((a) => [a, [...TRANSITIONS[a].from], TRANSITIONS[a].to]);
    assert.deepEqual(path, [
      ['confirm', ['placed'], 'confirmed'],
      ['deliver', ['confirmed'], 'delivered'],
      ['accept', ['delivered'], 'accepted'],
      ['reject', ['delivered'], 'confirmed'],
      ['pay', ['accepted'], 'paid'],
      ['decline', ['placed'], 'cancelled'],
      ['cancel', ['placed', 'confirmed'], 'cancelled'],
      ['refund', ['paid'], 'refunded'],
    ]);
  });

  it('moves money only where DESIGN §4 says: settle on payment, release on cancel or decline, refund after payment', () => {
    assert.deepEqual(
      ORDER_ACTIONS.map((a) => [a, TRANSITIONS[a].money, TRANSITIONS[a].restoresStock]),
      [
        ['confirm', null, false],
        ['deliver', null, false],
        ['accept', null, false],
        ['reject', null, false],
        ['pay', 'settle', false],
        ['decline', 'release', true],
        ['cancel', 'release', true],
        ['refund', 'refund', false],
      ],
    );
  });

  it('the right party takes each step (403 with a message key), then the state decides (409 naming it)', () => {
    assert.deepEqual(decide('confirm', buyer, order('placed')), { ok: false, reason: 'forbidden', key: 'orders.guard_vendor' });
    assert.deepEqual(decide('confirm', otherSeller, order('placed')), { ok: false, reason: 'forbidden', key: 'orders.guard_vendor' });
    assert.deepEqual(decide('confirm', seller, order('placed')), { ok: true, to: 'confirmed' });
    assert.deepEqual(decide('confirm', seller, order('paid')), { ok: false, reason: 'state', key: 'orders.in_state_paid' });
    assert.deepEqual(decide('pay', seller, order('accepted')), { ok: false, reason: 'forbidden', key: 'orders.guard_purchaser' });
    assert.deepEqual(decide('pay', otherBuyer, order('accepted')), { ok: false, reason: 'forbidden', key: 'orders.guard_purchaser' });
    assert.deepEqual(decide('refund', admin, order('paid')), { ok: true, to: 'refunded' });
    assert.deepEqual(decide('refund', buyer, order('paid')), { ok: false, reason: 'forbidden', key: 'orders.guard_vendor_or_admin' });
    assert.deepEqual(decide('cancel', buyer, order('delivered')), { ok: false, reason: 'state', key: 'orders.in_state_delivered' });
  });

  it('lists the steps each party may take now', () => {
    assert.deepEqual(allowedActions(buyer, order('placed')), ['cancel']);
    assert.deepEqual(allowedActions(seller, order('placed')), ['confirm', 'decline']);
    assert.deepEqual(allowedActions(seller, order('confirmed')), ['deliver']);
    assert.deepEqual(allowedActions(buyer, order('delivered')), ['accept', 'reject']);
    assert.deepEqual(allowedActions(buyer, order('accepted')), ['pay']);
    assert.deepEqual(allowedActions(seller, order('paid')), ['refund']);
    assert.deepEqual(allowedActions(admin, order('paid')), ['refund']);
    assert.deepEqual(allowedActions(otherSeller, order('placed')), []);
    for (const s of ['cancelled', 'refunded'] as const) for (const a of [buyer, seller, admin]) assert.deepEqual(allowedActions(a, order(s)), []);
  });

  it('an order is seen by its unit, its vendor and the department only', () => {
    assert.equal(canSeeOrder(buyer, order('placed')), true);
    assert.equal(canSeeOrder(seller, order('placed')), true);
    assert.equal(canSeeOrder(admin, order('placed')), true);
    assert.equal(canSeeOrder(otherBuyer, order('placed')), false);
    assert.equal(canSeeOrder(otherSeller, order('placed')), false);
  });

  it('every guard, state and action has its message in both languages', () => {
    const keys = [
      ...ORDER_STATUSES.flatMap((s) => [`orders.status_${s}`, `orders.in_state_${s}`]),
      ...ORDER_ACTIONS.flatMap((a) => [`orders.action_${a}`, `orders.hint_${a}`, `orders.done_${a}`]),
      'orders.guard_vendor',
      'orders.guard_purchaser',
      'orders.guard_vendor_or_admin',
      ...['allocate', 'reserve', 'release', 'settle', 'refund'].map((k) => `ledger.kind_${k}`),
      ...['treasury', 'budget', 'commitment', 'vendor'].map((k) => `ledger.account_${k}`),
    ];
    assert.deepEqual(keys.filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k)), []);
  });
});
