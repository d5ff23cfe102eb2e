import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SystemClock } from '../../src/clock';
import type { Db } from '../../src/db';
import { BudgetService } from '../../src/ledger/budgets';
import { OrderService } from '../../src/orders/service';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { actorFor, makeProduct, tradingCast, type Cast } from '../helpers/trading';

/**
 * Issue 18 items 2 and 3 in a real browser, at desktop and at 390 px: each role lands on its desk after login, sees
 * what needs it with the count in the navigation; the purchaser cancels an order with a reason through the
 * confirmation page (no JavaScript needed), and the vendor reads the reason. Axe finds nothing serious.
 */
describe(`desks and the cancel confirmation in a real browser (${ENGINE})`, function () {
  this.timeout(300000);
  let cast: Cast;
  const orderIds: number[] = [];
  const s = browserSuite({
    data: 'migrated',
    prepare: async (db: Db) => {
      cast = await tradingCast(db);
      const clock = new SystemClock();
      const product = await makeProduct(db, cast.vendorA, { title: '智能快递柜（浙江制造精品）', price_fen: 36_800_00, stock: 20, boutique: true });
      await new BudgetService(db, clock).allocate(actorFor(cast.users.admin, {}), { purchaserId: cast.unitA.id, amountFen: 500_000_00 });
      const orders = new OrderService(db, clock);
      const buyer = actorFor(cast.users.buyerA, { purchaserId: cast.unitA.id });
      const seller = actorFor(cast.users.sellerA, { vendorId: cast.vendorA.id });
      // Three placed orders (one per viewport to cancel, one left for the vendor to confirm) and one delivered.
      for (let i = 0; i < 3; i++) orderIds.push((await orders.place(buyer, [{ productId: product.id, quantity: 1 }])).id);
      const delivered = (await orders.place(buyer, [{ productId: product.id, quantity: 1 }])).id;
      await orders.act(seller, delivered, 'confirm');
      await orders.act(seller, delivered, 'deliver');
    },
  });
  /** Logged in through the form on this page, which is left where the login lands (the tests check it is the desk). */
  const loggedIn = (username: string, viewport: 'desktop' | 'phone'): Promise<Page> => s.page({ user: username, viewport, freshLogin: true });

  for (const [i, viewport] of (['desktop', 'phone'] as const).entries()) {
    it(`${viewport}: the purchaser lands on the desk, cancels an order with a reason after the confirmation page`, async () => {
      const page = await loggedIn(cast.users.buyerA.username, viewport);
      assert.equal(new URL(page.url()).pathname, '/purchaser');
      const todo = await page.innerText('.desk-todo');
      assert.match(todo, /验收交付/);
      // What is due and by when come first: on a phone the deadline is in sight without scrolling the table sideways.
      const deadline = await page.locator('.desk-todo th.todo-deadline').boundingBox();
      assert.ok(deadline && deadline.x + deadline.width <= page.viewportSize()!.width, `the deadline column is in sight: ${JSON.stringify(deadline)}`);
      // The count is on the 待办 link; on a phone, whose links fold behind the 菜单 button, on the button too.
      assert.equal(await page.locator(viewport === 'phone' ? '.nav-menu-button .count-badge' : '.nav-todo .count-badge').innerText(), '1');
      await screenshot(page, `desk-purchaser-${viewport}`);
      await s.expectAccessible(page, `purchaser desk ${viewport}`);
      await s.expectNoSidewaysScroll(page, `purchaser desk ${viewport}`, 1);

      const id = orderIds[i]!;
      await page.goto(`${s.url}/orders/${id}`);
      await page.click('details.step-danger summary');
      await page.fill('#cancel-reason', '采购计划调整，暂不需要');
      await Promise.all([page.waitForURL(new RegExp(`/orders/${id}/cancel$`)), page.click('form.step-cancel button[type="submit"]')]);
      const confirm = await page.innerText('main');
      assert.match(confirm, /确认取消订单/);
      assert.match(confirm, /冻结的预算 ¥36,800\.00 退回「杭州市测试医院」的可用预算/);
      assert.match(confirm, /以下商品的库存恢复/);
      await screenshot(page, `cancel-confirm-${viewport}`);
      await s.expectAccessible(page, `cancel confirmation ${viewport}`);
      await s.expectNoSidewaysScroll(page, `cancel confirmation ${viewport}`, 1);
      await Promise.all([page.waitForURL(new RegExp(`/orders/${id}$`)), page.click('button[data-action="cancel-confirm"]')]);
      assert.match(await page.innerText('.alert-ok'), /已取消/);
      assert.match(await page.innerText('.order-history'), /原因：.*采购计划调整，暂不需要/);
    });

    it(`${viewport}: the vendor lands on its desk, with the order to confirm and the cancellation's reason on the order`, async () => {
      const page = await loggedIn(cast.users.sellerA.username, viewport);
      assert.equal(new URL(page.url()).pathname, '/vendor');
      assert.match(await page.innerText('.desk-todo'), /确认订单/);
      await screenshot(page, `desk-vendor-${viewport}`);
      await s.expectAccessible(page, `vendor desk ${viewport}`);
      await s.expectNoSidewaysScroll(page, `vendor desk ${viewport}`, 1);
      await page.goto(`${s.url}/orders/${orderIds[i]}`);
      assert.match(await page.innerText('.end-reason'), /采购计划调整，暂不需要/);
    });

    it(`${viewport}: the department lands on its desk with key figures, the to-do list and grouped links`, async () => {
      const page = await loggedIn(cast.users.admin.username, viewport);
      assert.equal(new URL(page.url()).pathname, '/admin');
      assert.match(await page.innerText('.key-figures'), /今日成交/);
      assert.ok((await page.locator('.link-groups h3').count()) >= 4);
      await screenshot(page, `desk-admin-${viewport}`);
      await s.expectAccessible(page, `admin desk ${viewport}`);
      await s.expectNoSidewaysScroll(page, `admin desk ${viewport}`, 1);
    });
  }

  it('the disabled button looks disabled (grey, not-allowed cursor)', async () => {
    const page = await s.page({ user: cast.users.admin.username });
    await page.goto(`${s.url}/admin`);
    const style = await page.evaluate(() => {
      const b = document.createElement('button');
      b.className = 'button primary';
      b.disabled = true;
      b.textContent = '审批通过';
      document.querySelector('main')!.append(b);
      const s = getComputedStyle(b);
      return { cursor: s.cursor, background: s.backgroundColor };
    });
    assert.equal(style.cursor, 'not-allowed');
    assert.equal(style.background, 'rgb(228, 231, 235)');
  });
});
