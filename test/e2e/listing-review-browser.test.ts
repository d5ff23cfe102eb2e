import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { makeCert, makePurchaser, makeUser, makeVendor, DEMO_PASSWORD } from '../helpers/factories';

const TITLE = '全自动流式荧光化学发光一体化分析系统';

/**
 * The whole loop in a real browser: a vendor lists a product against its own certificate, the admin approves it
 * from the review queue, and a purchaser finds it through the catalogue search.
 */
describe(`vendor lists, admin approves, purchaser finds — in a real browser (${ENGINE})`, function () {
  this.timeout(240000);
  let certNo = '';
  const s = browserSuite({
    data: 'migrated',
    prepare: async (db) => {
      const v = await makeVendor(db, { name: '杭州迪安医疗器械有限公司', city: '杭州' });
      const cert = await makeCert(db, v, { level: 'domestic', field: '高端医疗装备', product_name: TITLE });
      certNo = cert.cert_no;
      await makeUser(db, { role: 'vendor', vendor_id: v.id, username: 'e2e-vendor' });
      await makeUser(db, { role: 'admin', username: 'e2e-admin' });
      const p = await makePurchaser(db);
      await makeUser(db, { role: 'purchaser', purchaser_id: p.id, username: 'e2e-purchaser' });
    },
  });
  /** Logged in through the form, on the page the login lands on (where each test starts). */
  const loggedIn = (username: string): Promise<Page> => s.page({ user: username, viewport: 'laptop', password: DEMO_PASSWORD, freshLogin: true });

  it('the vendor lists a product against its certificate; a bad price is explained beside the field first', async () => {
    const page = await loggedIn('e2e-vendor');
    assert.match(new URL(page.url()).pathname, /\/vendor$/);
    await page.click(`a[href="/vendor/certifications"]`);
    assert.match(await page.innerText('main'), new RegExp(certNo));
    await Promise.all([page.waitForURL(/\/vendor\/products\/new/), page.click('text=据此上架产品')]);
    assert.equal(await page.inputValue('#l-cert'), certNo);
    await page.fill('#l-title', TITLE);
    await page.fill('#l-model', 'CL-6000i');
    await page.fill('#l-description', '化学发光免疫分析，单机通量 600 测试/小时');
    await page.fill('#l-price', '1180000.005');
    await page.fill('#l-unit', '台');
    await page.fill('#l-stock', '4');
    await screenshot(page, 'vendor-new-listing');
    await s.expectAccessible(page, 'new listing form');
    await page.click('button:has-text("提交审核")');
    assert.match(await page.innerText('#l-price-err'), /金额格式/);
    assert.equal(await page.inputValue('#l-title'), TITLE, 'the form keeps what was typed');
    await page.fill('#l-price', '1180000.00');
    await Promise.all([page.waitForURL(/\/vendor\/products$/), page.click('button:has-text("提交审核")')]);
    assert.match(await page.innerText('main'), /已提交，等待主管部门审核/);
    assert.match(await page.innerText('main'), /待审核/);
    await s.expectAccessible(page, 'listings');
  });

  it('it is not public yet', async () => {
    const res = await fetch(`${s.url}/api/v1/products?q=${encodeURIComponent('化学发光')}`);
    assert.equal(((await res.json()) as { total: number }).total, 0);
  });

  it('the admin sees the count in the navigation and approves it from the queue', async () => {
    const page = await loggedIn('e2e-admin');
    assert.equal((await page.innerText('a[href="/admin/products"] .count-badge')).trim(), '1');
    await page.click('a[href="/admin/products"]');
    await Promise.all([page.waitForURL(/\/admin\/products\/\d+$/), page.click(`text=${TITLE}`)]);
    await s.expectAccessible(page, 'review page');
    await screenshot(page, 'admin-review');
    await Promise.all([page.waitForURL(/\/admin\/products\/\d+$/), page.click('button:has-text("审核通过并上架")')]);
    assert.match(await page.innerText('main'), /已审核通过并上架/);
    assert.equal(await page.locator('a[href="/admin/products"] .count-badge').count(), 0, 'the queue is empty now');
  });

  it('a purchaser finds it with a two-character search and opens it', async () => {
    const page = await loggedIn('e2e-purchaser');
    await page.fill('#header-q', '发光');
    await Promise.all([page.waitForURL(/\/products\?/), page.press('#header-q', 'Enter')]);
    const titles = await page.locator('.product-card .product-title').allInnerTexts();
    assert.ok(titles.includes(TITLE), titles.join(', '));
    await Promise.all([page.waitForURL(/\/products\/\d+$/), page.click(`.product-card >> text=${TITLE}`)]);
    const main = await page.innerText('main');
    assert.match(main, /¥1,180,000.00/);
    assert.match(main, new RegExp(certNo));
    assert.match(main, /杭州迪安医疗器械有限公司/);
    await screenshot(page, 'purchaser-finds-listing');
  });
});
