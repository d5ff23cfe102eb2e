import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SystemClock } from '../../src/clock';
import type { Db } from '../../src/db';
import { BudgetService } from '../../src/ledger/budgets';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { actorFor, makeProduct, tradingCast, type Cast } from '../helpers/trading';

/**
 * A boutique purchase end to end in a real browser: the purchaser orders, the vendor confirms and delivers, the
 * purchaser accepts and pays, and the department finds the settled trade in the ledger with the right amount.
 */
describe(`boutique purchase in a real browser (${ENGINE})`, function () {
  this.timeout(240000);
  let cast: Cast;
  let productId = 0;
  let orderId = 0;
  const s = browserSuite({
    data: 'migrated',
    prepare: async (db: Db) => {
      cast = await tradingCast(db);
      productId = (await makeProduct(db, cast.vendorA, { title: '智能快递柜（浙江制造精品）', price_fen: 36_800_00, stock: 20, boutique: true })).id;
      await new BudgetService(db, new SystemClock()).allocate(actorFor(cast.users.admin, {}), { purchaserId: cast.unitA.id, amountFen: 500_000_00 });
    },
  });
  const loggedIn = (username: string): Promise<Page> => s.page({ user: username });

  it('the purchaser adds the item to the cart and places the order; the budget is reserved', async () => {
    const page = await loggedIn(cast.users.buyerA.username);
    await page.goto(`${s.url}/products/${productId}`);
    await page.fill('#buy-qty', '2');
    await screenshot(page, 'orders-01-product');
    await Promise.all([page.waitForURL(/\/cart$/), page.click('.buy-form button[type="submit"]')]);
    assert.match(await page.innerText('main'), /¥73,600\.00/);
    await screenshot(page, 'orders-02-cart');
    await s.expectAccessible(page, 'cart');
    await Promise.all([page.waitForURL(/\/checkout$/), page.click('a[href="/checkout"]')]);
    await screenshot(page, 'orders-03-checkout');
    // The paperwork of a government purchase: the unit's default address and contact prefilled, a delivery date asked.
    assert.notEqual(await page.inputValue('#co-address'), '', 'the default delivery address is prefilled');
    assert.notEqual(await page.inputValue('#co-person'), '', 'the contact person is prefilled');
    await s.expectAccessible(page, 'checkout');
    const earliest = (await page.getAttribute('#co-date', 'min')) as string;
    await page.fill('#co-date', new Date(Date.parse(`${earliest}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10));
    await Promise.all([page.waitForURL(/\/orders$/), page.click('form[action="/checkout"] button[type="submit"]')]);
    assert.match(await page.innerText('.alert-ok'), /已提交 1 个订单/);
    const row = page.locator('tr[data-order-id]').first();
    orderId = Number(await row.getAttribute('data-order-id'));
    assert.ok(orderId > 0);
    assert.match(await row.innerText(), /已下单/);
    await screenshot(page, 'orders-04-my-orders');
    await page.goto(`${s.url}/purchaser`);
    assert.match(await page.innerText('.budget-figures'), /¥73,600\.00/);
    await screenshot(page, 'orders-05-desk');
    await s.expectAccessible(page, 'desk');
  });

  it('the vendor confirms and delivers from its orders page', async () => {
    const page = await loggedIn(cast.users.sellerA.username);
    await page.goto(`${s.url}/vendor/orders`);
    await screenshot(page, 'orders-06-vendor-orders');
    await s.expectAccessible(page, 'vendor orders');
    await Promise.all([page.waitForURL(/\/vendor\/orders/), page.click(`tr[data-order-id="${orderId}"] button[data-action="confirm"]`)]);
    assert.match(await page.innerText(`tr[data-order-id="${orderId}"]`), /已确认/);
    await Promise.all([page.waitForURL(/\/vendor\/orders/), page.click(`tr[data-order-id="${orderId}"] button[data-action="deliver"]`)]);
    assert.match(await page.innerText(`tr[data-order-id="${orderId}"]`), /已交付/);
    await screenshot(page, 'orders-07-vendor-delivered');
  });

  it('the purchaser accepts with a note, then pays', async () => {
    const page = await loggedIn(cast.users.buyerA.username);
    await page.goto(`${s.url}/orders/${orderId}`);
    await page.fill('#accept-note', '设备运行正常，验收合格');
    await screenshot(page, 'orders-08-accept');
    await s.expectAccessible(page, 'order detail');
    await Promise.all([page.waitForURL(new RegExp(`/orders/${orderId}$`)), page.click('button[data-action="accept"]')]);
    assert.match(await page.innerText('h1'), /已验收/);
    await Promise.all([page.waitForURL(new RegExp(`/orders/${orderId}$`)), page.click('button[data-action="pay"]')]);
    assert.match(await page.innerText('h1'), /已付款/);
    assert.match(await page.innerText('.order-history'), /设备运行正常，验收合格/);
    await screenshot(page, 'orders-09-paid');
  });

  it('the department sees the settled trade in the ledger with the right amount, and the books verify', async () => {
    const page = await loggedIn(cast.users.admin.username);
    await page.goto(`${s.url}/admin/ledger?kind=settle`);
    const row = page.locator('tr[data-kind="settle"]', { has: page.locator(`a[href="/orders/${orderId}"]`) });
    assert.equal(await row.count(), 1);
    const text = await row.innerText();
    assert.match(text, /¥73,600\.00/);
    assert.match(text, new RegExp(`commitment:${cast.unitA.id}`));
    assert.match(text, new RegExp(`vendor:${cast.vendorA.id}`));
    await screenshot(page, 'orders-10-ledger');
    await Promise.all([page.waitForURL(/verify=1/), page.click('form[action="/admin/ledger"] button.primary')]);
    assert.match(await page.innerText('.verify-result'), /核验通过/);
    await screenshot(page, 'orders-11-ledger-verified');
    await s.expectAccessible(page, 'ledger');
  });
});
