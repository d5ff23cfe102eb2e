import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../seeds/demo';
import type { Db } from '../../src/db';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { DEMO_LOADED_AT } from '../helpers/demo-db';
import { makeUser } from '../helpers/factories';

type Viewport = 'desktop' | 'phone';
const VIEWPORTS: Viewport[] = ['desktop', 'phone'];

/**
 * What the other browser tests of issue 18 leave out, walked as a person would on the demo data, at desktop and at
 * 390 px (test/e2e/desks-browser.test.ts already walks the purchaser's cancellation; phone-layout the pages' fit):
 *
 * - item 2: the vendor's 退款 asks for a reason and a confirmation page (a plain form, no script), and the purchaser
 *   reads the reason on the order;
 * - item 7: the audit log and the ledger in words — names, translated actions, yuan, Asia/Shanghai times, the raw
 *   record one click away — and the review page's certificate product and model beside the listing;
 * - item 8: adding more than the stock says so, the cart survives logging out and in, "1,880,000" is accepted in a
 *   page form, the disabled 审批通过 looks disabled, English pages use English units;
 * - comparing ticked search results (up to four; five is the comparison's 422 naming `ids`).
 *
 * Every page visited fits the screen (no sideways scrolling) and axe finds nothing serious on it.
 */
describe(`issue 18 walk-through: reasons, admin pages in words, truthful feedback, comparison (${ENGINE})`, function () {
  this.timeout(600_000);
  /** What the walk needs from the demo data, looked up before the server starts. */
  const d = {
    seller: '',
    refunds: [] as Array<{ id: number; orderNo: string }>,
    stock: { id: 0, title: '', stock: 0 },
    listing: { id: 0, title: '', model: '', certProduct: '' },
    noticeCase: 0,
    unitName: '',
    unitId: 0,
  };

  // The demo data (a copy per suite), looked up before the server starts; the server's clock at the demo's load time.
  const s = browserSuite({ clock: DEMO_LOADED_AT, prepare: (db: Db) => lookUp(db) });

  async function lookUp(db: Db): Promise<void> {
    const purchaser = await db('users').where({ username: 'purchaser' }).first('purchaser_id');
    d.unitId = Number(purchaser.purchaser_id);
    d.unitName = (await db('purchasers').where({ id: purchaser.purchaser_id }).first('name')).name as string;
    // Two paid orders of the demo purchaser's unit with one vendor; that vendor's login (one is made if it has none).
    const paid: Array<{ id: number; order_no: string; vendor_id: number }> = await db('orders').where({ purchaser_id: purchaser.purchaser_id, status: 'paid' }).orderBy('id').select('id', 'order_no', 'vendor_id');
    const byVendor = new Map<number, typeof paid>();
    for (const o of paid) byVendor.set(Number(o.vendor_id), [...(byVendor.get(Number(o.vendor_id)) ?? []), o]);
    const found = [...byVendor].find(([, os]) => os.length >= 2);
    assert.ok(found, 'the demo purchaser has two paid orders with one vendor');
    const [vendorId, orders] = found;
    const login = await db('users').where({ vendor_id: vendorId, role: 'vendor', status: 'active' }).orderBy('id').first('username');
    d.seller = login ? (login.username as string) : (await makeUser(db, { role: 'vendor', vendor_id: vendorId })).username;
    d.refunds = orders.slice(0, 2).map((o) => ({ id: Number(o.id), orderNo: o.order_no }));
    // A listing with little stock, under the direct-purchase limit, not already in the purchaser's cart.
    const low = await db('products').where({ status: 'approved' }).whereBetween('stock', [3, 6]).where('price_fen', '<', 50_000_000).orderBy('id').first('id', 'title', 'stock');
    d.stock = { id: Number(low.id), title: low.title as string, stock: Number(low.stock) };
    // A listing waiting for review, listed under a certificate.
    const pending = await db('products as p').join('certifications as c', 'c.id', 'p.cert_id').where('p.status', 'pending_review').orderBy('p.id').first('p.id', 'p.title', 'p.model', 'c.product_name');
    d.listing = { id: Number(pending.id), title: pending.title as string, model: pending.model as string, certProduct: pending.product_name as string };
    // A single-source case still in its notice period: the finance department may not approve it yet.
    d.noticeCase = Number((await db('fp_cases').where({ status: 'notice' }).orderBy('id').first('id')).id);
  }

  /** A page at this viewport, logged in as `username` (one login through the form per user and viewport). */
  const pageAt = (viewport: Viewport, username?: string): Promise<Page> => s.page({ user: username ?? null, viewport, password: DEMO_PASSWORD });

  async function fitsAndPasses(page: Page, name: string): Promise<void> {
    await s.expectNoSidewaysScroll(page, `${name}: no sideways scrolling`);
    await s.expectAccessible(page, name);
  }

  /** Clicks and waits for the page it leads to (the next navigation: a form may post back to the address it is at). */
  async function go(page: Page, selector: string, url: RegExp): Promise<void> {
    await Promise.all([page.waitForNavigation({ url }), page.click(selector)]);
  }

  for (const [i, viewport] of VIEWPORTS.entries()) {
    it(`${viewport}: the vendor refunds only with a reason and after a confirmation page; the purchaser reads the reason`, async () => {
      const { id, orderNo } = d.refunds[i]!;
      const reason = `质量问题，双方协商退货退款（${viewport}）`;
      const seller = await pageAt(viewport, d.seller);
      await seller.goto(`${s.url}/orders/${id}`);
      await seller.click('details.step-danger summary');
      // No reason: refused beside the field, shown open (not folded away again), nothing happens.
      await go(seller, 'form.step-refund button[type="submit"]', new RegExp(`/orders/${id}/refund$`));
      assert.equal(await seller.locator('details.step-danger').getAttribute('open'), '', 'the refused step comes back open');
      assert.match(await seller.innerText('#refund-reason-err'), /必填/);
      assert.equal(await seller.getAttribute('#refund-reason', 'aria-invalid'), 'true');
      await fitsAndPasses(seller, `${viewport} refund without a reason`);
      // With a reason: a confirmation page that says what will happen; it is a plain form, no script on the page.
      await seller.fill('#refund-reason', reason);
      await go(seller, 'form.step-refund button[type="submit"]', new RegExp(`/orders/${id}/refund$`));
      const confirm = await seller.innerText('main');
      assert.ok(confirm.includes(orderNo), `the confirmation names the order ${orderNo}: ${confirm.slice(0, 400)}`);
      assert.ok(confirm.includes(reason), 'and the reason given');
      assert.equal(await seller.locator('script').count(), 0, 'the confirmation needs no script');
      await screenshot(seller, `walk-refund-confirm-${viewport}`);
      await fitsAndPasses(seller, `${viewport} refund confirmation`);
      await go(seller, 'button[data-action="refund-confirm"]', new RegExp(`/orders/${id}$`));
      assert.match(await seller.innerText('h1'), /已退款/);

      const buyer = await pageAt(viewport, 'purchaser');
      await buyer.goto(`${s.url}/orders/${id}`);
      assert.equal(await buyer.innerText('.end-reason'), reason);
      assert.ok((await buyer.innerText('.order-history')).includes(reason), 'the reason is in the history');
      await fitsAndPasses(buyer, `${viewport} refunded order, purchaser`);
    });

    it(`${viewport}: the audit log and the ledger read in words, the raw record one click away`, async () => {
      const page = await pageAt(viewport, 'admin');
      await page.goto(`${s.url}/admin/audit`);
      const first = page.locator('tbody tr[data-audit-id]').first();
      const cells = first.locator('td');
      // When: Shanghai wall time, as the record's instant says.
      const at = (await first.locator('time').getAttribute('datetime'))!;
      const wall = new Date(new Date(at).getTime() + 8 * 3600_000).toISOString();
      assert.equal((await first.locator('time').innerText()).trim(), `${wall.slice(0, 10)} ${wall.slice(11, 16)}`);
      // Who and what: a name, and the action in words (its code only in the raw record and the tooltip).
      assert.doesNotMatch(await cells.nth(2).innerText(), /^\s*$/);
      const action = await first.locator('.audit-action').innerText();
      const code = (await first.locator('.audit-action').getAttribute('title'))!;
      assert.notEqual(action.trim(), code, `the action ${code} is in words`);
      assert.match(action, /\p{Script=Han}/u);
      // Money in yuan: an allocation's amount reads ¥…, never amount_fen.
      await page.goto(`${s.url}/admin/audit?action=budget.allocate`);
      const allocation = await page.locator('tbody tr[data-audit-id]').first().innerText();
      assert.match(allocation, /下达预算/);
      assert.match(allocation, /¥[\d,]+\.\d{2}/);
      assert.doesNotMatch(allocation, /amount_fen|amountFen/);
      // The raw record, one click away.
      const raw = page.locator('details.audit-raw').first();
      assert.equal(await raw.locator('pre').first().isVisible(), false, 'the raw record is folded');
      await raw.locator('summary').click();
      assert.equal(await raw.locator('pre').first().isVisible(), true, 'one click shows it');
      assert.match(await raw.innerText(), /budget\.allocate/);
      await screenshot(page, `walk-audit-${viewport}`);
      await fitsAndPasses(page, `${viewport} audit log`);

      await page.goto(`${s.url}/admin/ledger?kind=allocate`);
      const row = page.locator('tr[data-kind="allocate"]').first();
      const from = row.locator('td').nth(3);
      const to = row.locator('td').nth(4);
      assert.equal(await from.locator('code').innerText(), 'treasury');
      assert.ok(!(await from.innerText()).startsWith('treasury'), 'the treasury reads as words first');
      // The account's owner by name first; its code only in the small print.
      const toText = await to.innerText();
      const toCode = await to.locator('code').innerText();
      assert.match(toCode, /^budget:\d+$/);
      assert.ok(!toText.startsWith(toCode), `the account reads as its owner first: ${toText}`);
      assert.match(toText, /\p{Script=Han}{2,}/u);
      assert.match(await row.locator('td.num').innerText(), /^¥[\d,]+\.\d{2}$/);
      const time = await row.locator('td').nth(1).innerText();
      assert.match(time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      await fitsAndPasses(page, `${viewport} ledger`);
    });

    it(`${viewport}: the review page puts the certificate’s product and model beside the listing`, async () => {
      const page = await pageAt(viewport, 'admin');
      await page.goto(`${s.url}/admin/products/${d.listing.id}`);
      const table = page.locator('table.cert-compare');
      assert.equal(await table.count(), 1);
      assert.equal(await page.innerText('.certified-name'), d.listing.certProduct);
      assert.match(await page.innerText('.certified-model'), /\S/);
      const rows = await table.locator('tbody tr').allInnerTexts();
      assert.ok(rows[0]!.includes(d.listing.title) && rows[0]!.includes(d.listing.certProduct), `the names side by side: ${rows[0]}`);
      assert.ok(rows[1]!.includes(d.listing.model), `the listing's model beside the certificate's: ${rows[1]}`);
      await screenshot(page, `walk-review-${viewport}`);
      await fitsAndPasses(page, `${viewport} review page`);
    });

    it(`${viewport}: feedback tells the truth — stock, the cart after logging in again, 1,880,000, a disabled button, English units`, async () => {
      // This walk logs out, which ends its session: its own context and login, not the suite's shared one.
      const buyer = await (await s.context({ viewport })).newPage();
      await s.login(buyer, 'purchaser', { password: DEMO_PASSWORD });
      const removeLine = async () => {
        await buyer.goto(`${s.url}/cart`);
        const remove = `form.inline-form[action="/cart/items/${d.stock.id}"] button[type="submit"]`;
        if (await buyer.locator(remove).count()) await go(buyer, remove, /\/cart/);
      };
      await removeLine();
      await buyer.goto(`${s.url}/products/${d.stock.id}`);
      // All of the stock once, then one more: the second is refused in words, and the cart keeps the first.
      await buyer.fill('#buy-qty', String(d.stock.stock));
      await go(buyer, '.buy-form button[type="submit"]', /\/cart$/);
      assert.match(await buyer.innerText('main'), /已加入购物车/);
      await buyer.goto(`${s.url}/products/${d.stock.id}`);
      await buyer.fill('#buy-qty', '1');
      await go(buyer, '.buy-form button[type="submit"]', /\/cart\/items$/);
      const refusal = await buyer.innerText('main');
      assert.ok(refusal.includes(`库存不足：「${d.stock.title}」仅剩 ${d.stock.stock}`), refusal.slice(0, 300));
      assert.doesNotMatch(refusal, /已加入购物车/);
      await fitsAndPasses(buyer, `${viewport} more than the stock`);
      // Logging out and in again: the cart is still there.
      await go(buyer, 'header form[action="/logout"] button', /./);
      await s.login(buyer, 'purchaser', { password: DEMO_PASSWORD });
      await buyer.goto(`${s.url}/cart`);
      const cart = await buyer.innerText('main');
      assert.ok(cart.includes(d.stock.title), 'the cart survived logging in again');
      assert.equal(await buyer.inputValue(`#q-${d.stock.id}`), String(d.stock.stock), 'with its quantity');
      await fitsAndPasses(buyer, `${viewport} cart after logging in again`);
      // The line goes again, for the other viewport's walk.
      await removeLine();
      assert.ok(!(await buyer.innerText('main')).includes(d.stock.title), 'and goes when removed');

      // Thousands separators in a page form's amount.
      const admin = await pageAt(viewport, 'admin');
      await admin.goto(`${s.url}/admin/budgets`);
      await admin.selectOption('#b-unit', String(d.unitId));
      await admin.fill('#b-amount', '1,880,000');
      await Promise.all([admin.waitForNavigation(), admin.click('form[action="/admin/budgets"] button[type="submit"]')]);
      const budgets = await admin.innerText('main');
      assert.match(budgets, /已下达 ¥1,880,000\.00/);
      assert.ok(budgets.includes(d.unitName), 'to the unit chosen');
      await fitsAndPasses(admin, `${viewport} budgets`);

      // English: the statistics' large amounts in million / billion yuan, no 万/亿.
      await admin.goto(`${s.url}/admin/stats?lang=en`);
      const stats = await admin.innerText('main');
      assert.match(stats, /Amount \(million \/ billion yuan\)/);
      assert.doesNotMatch(stats, /[万亿]/);
      await fitsAndPasses(admin, `${viewport} statistics in English`);
      await admin.goto(`${s.url}/admin?lang=zh-CN`);

      // Before its notice period ends, 审批通过 is disabled and looks it: grey, flat, a not-allowed cursor.
      const finance = await pageAt(viewport, 'finance');
      await finance.goto(`${s.url}/first-purchases/${d.noticeCase}`);
      const approve = finance.locator('button[data-action="approve"]');
      assert.equal(await approve.isDisabled(), true);
      const look = await approve.evaluate((b) => {
        const s = getComputedStyle(b);
        return { cursor: s.cursor, background: s.backgroundColor, color: s.color };
      });
      assert.deepEqual(look, { cursor: 'not-allowed', background: 'rgb(228, 231, 235)', color: 'rgb(82, 96, 109)' });
      await screenshot(finance, `walk-disabled-approve-${viewport}`);
      await fitsAndPasses(finance, `${viewport} case before its period ends`);
    });

    it(`${viewport}: a purchaser ticks search results and compares them; five is refused naming ids`, async () => {
      const page = await pageAt(viewport, 'purchaser');
      await page.goto(`${s.url}/products?q=${encodeURIComponent('数控机床')}`);
      const boxes = page.locator('form.compare-pick-form input[type="checkbox"][name="ids"]');
      assert.ok((await boxes.count()) >= 5, 'enough results to tick');
      await fitsAndPasses(page, `${viewport} results with checkboxes`);
      const titles = await page.locator('.product-card .product-title').allInnerTexts();
      // Ticking by the label, as a person taps it.
      await page.locator('label.compare-pick').nth(0).click();
      await page.locator('label.compare-pick').nth(2).click();
      await go(page, 'form.compare-pick-form .compare-pick-bar button[type="submit"] >> nth=0', /\/compare\?ids=\d+&ids=\d+$/);
      const headers = await page.locator('table.compare-table thead th').allInnerTexts();
      for (const title of [titles[0]!, titles[2]!]) assert.ok(headers.some((h) => h.includes(title)), `${title} is compared`);
      assert.ok(!headers.some((h) => h.includes(titles[1]!)) || titles[1] === titles[0] || titles[1] === titles[2], 'an unticked one is not');
      await screenshot(page, `walk-compare-${viewport}`);
      await fitsAndPasses(page, `${viewport} comparison of ticked results`);

      await page.goBack();
      for (let n = 0; n < 5; n++) if (!(await boxes.nth(n).isChecked())) await boxes.nth(n).check();
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/compare?')), page.locator('form.compare-pick-form .compare-pick-bottom button').click()]);
      assert.equal(response.status(), 422);
      await page.waitForURL(/\/compare\?/);
      assert.match(await page.innerText('#compare-error'), /^最多比较 4 个产品/);
      await fitsAndPasses(page, `${viewport} five ticked`);
    });
  }
});
