import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { DEMO_PASSWORD, makeCert, makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { HTML, jpegWithGps } from '../helpers/media';

const TITLE = '五轴联动立式加工中心';
const OTHER = '高速精密数控车床';

/**
 * Pictures and comparison in a real browser (issue 18 item 5), at desktop and at 390 px: the vendor uploads a
 * picture from its listing's page (a file that is not a picture is explained beside the field), the public product
 * page and the search card show it, a listing without one shows its placeholder, and two products are compared side
 * by side — all without JavaScript of the page's own, with no serious axe violation.
 */
for (const viewport of ['desktop', 'phone'] as const) {
  describe(`product pictures and comparison in a real browser at ${viewport} (${ENGINE})`, function () {
    this.timeout(240000);
    let productId = 0;
    let otherId = 0;
    const s = browserSuite({
      data: 'migrated',
      prepare: async (db) => {
        const v = await makeVendor(db, { name: '杭州精机数控有限公司', city: '杭州' });
        const cert = await makeCert(db, v, { field: '数控机床', level: 'domestic', product_name: TITLE });
        await makeUser(db, { role: 'vendor', vendor_id: v.id, username: 'e2e-media-vendor' });
        productId = (await makeProduct(db, v, { cert, title: TITLE, model: 'JX-5AX', price_fen: 268_000_000 })).id;
        otherId = (await makeProduct(db, v, { title: OTHER, model: 'JX-T80', field: '数控机床', price_fen: 98_000_000 })).id;
      },
    });
    const fresh = (): Promise<Page> => s.page({ viewport });

    /**
     * Whether the picture at `selector` shows: the cards' pictures load lazily (below the fold on a phone, and the
     * comparison bar above the grid pushes them further), so it is scrolled into view and given the time to arrive.
     */
    const loaded = async (page: Page, selector: string): Promise<boolean> => {
      await page.locator(selector).first().scrollIntoViewIfNeeded();
      return page
        .waitForFunction((sel) => {
          const img = document.querySelector<HTMLImageElement>(sel);
          return Boolean(img && img.complete && img.naturalWidth > 0);
        }, selector, { timeout: 10_000 })
        .then(
          () => true,
          () => false,
        );
    };

    it('the vendor uploads a picture from its listing page; a file that is not a picture is explained beside the field', async () => {
      const page = await s.page({ user: 'e2e-media-vendor', password: DEMO_PASSWORD, viewport });
      await page.goto(`${s.url}/vendor/products`);
      await Promise.all([page.waitForURL(/\/vendor\/products\/\d+\/media$/), page.click(`a[aria-label="管理“${TITLE}”的图片与资料"]`)]);
      assert.match(await page.innerText('main'), /还没有图片/);
      await s.expectAccessible(page, 'vendor media page (empty)');

      await page.setInputFiles('#media-image', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: HTML });
      await page.click('button:has-text("上传图片")');
      assert.match(await page.innerText('#media-image-err'), /只接受 JPEG、PNG 或 WebP/);
      assert.equal(await page.getAttribute('#media-image', 'aria-invalid'), 'true');
      await s.expectAccessible(page, 'vendor media page (refused file)');

      await page.setInputFiles('#media-image', { name: 'IMG_2041.JPG', mimeType: 'image/jpeg', buffer: await jpegWithGps(1200, 900) });
      await page.fill('#media-alt', '加工中心整机正面');
      await Promise.all([page.waitForURL(/\/vendor\/products\/\d+\/media$/), page.click('button:has-text("上传图片")')]);
      assert.match(await page.innerText('main'), /图片已上传/);
      assert.ok(await loaded(page, 'img[alt="加工中心整机正面"]'), 'the thumbnail shows');
      assert.match(await page.innerText('.media-item'), /封面/);
      await s.expectAccessible(page, 'vendor media page (one picture)');
      await s.expectNoSidewaysScroll(page, 'vendor media page', 1);
      await screenshot(page, `media-vendor-${viewport}`);
    });

    it('the public product page shows the picture; the search cards show it and a placeholder for a listing without one', async () => {
      const page = await fresh();
      await page.goto(`${s.url}/products/${productId}`);
      assert.ok(await loaded(page, '.product-gallery img[alt="加工中心整机正面"]'), 'the cover shows on the product page');
      await s.expectAccessible(page, 'product page with a picture');
      await s.expectNoSidewaysScroll(page, 'product page', 1);
      await screenshot(page, `media-product-${viewport}`);

      await page.goto(`${s.url}/products?q=${encodeURIComponent('数控')}`);
      assert.ok(await loaded(page, `img.product-thumb[src="/media/products/${productId}/cover"]`), 'the card shows the cover');
      assert.ok(await loaded(page, `img.product-thumb[src="/media/products/${otherId}/cover"]`), 'the placeholder shows');
      const placeholder = await page.evaluate(async (src) => (await fetch(src)).headers.get('content-type'), `/media/products/${otherId}/cover`);
      assert.equal(placeholder, 'image/svg+xml');
      await s.expectAccessible(page, 'search results with thumbnails');
      await s.expectNoSidewaysScroll(page, 'search results', 1);
    });

    it('compares two products side by side, added from the product page and the comparison’s own search', async () => {
      const page = await fresh();
      await page.goto(`${s.url}/products/${productId}`);
      await Promise.all([page.waitForURL(/\/compare\?ids=\d+$/), page.click('.gallery-actions a')]);
      await page.fill('#compare-q', '车床');
      await Promise.all([page.waitForURL(/\/compare\?.*q=/), page.click('section[aria-labelledby="compare-add"] button[type="submit"]')]);
      await s.expectAccessible(page, 'compare page with products to add');
      await Promise.all([page.waitForURL(new RegExp(`ids=${productId}%2C${otherId}$`)), page.click(`a[aria-label="加入对比：${OTHER}"]`)]);
      const heads = await page.locator('.compare-table thead th[scope="col"] a[href^="/products/"]').allInnerTexts();
      assert.deepEqual(heads, [TITLE, OTHER]);
      const table = await page.innerText('.compare-table');
      assert.match(table, /¥2,680,000\.00/);
      assert.match(table, /¥980,000\.00/);
      assert.match(table, /国内首台|国内领先|国内/);
      assert.match(table, /杭州精机数控有限公司/);
      await s.expectAccessible(page, 'compare page');
      await s.expectNoSidewaysScroll(page, 'compare page', 1);
      await screenshot(page, `media-compare-${viewport}`);

      await page.goto(`${s.url}/compare?ids=1,2,3,4,5`);
      assert.match(await page.innerText('#compare-error'), /^最多比较 4 个产品/);
      await s.expectAccessible(page, 'compare page refusing five');

      // The same pages in English.
      await page.goto(`${s.url}/compare?ids=${productId}&q=${encodeURIComponent('车床')}&lang=en`);
      assert.match(await page.innerText('main'), /Compare products/);
      await s.expectAccessible(page, 'compare page in English');
      await page.goto(`${s.url}/products/${productId}`);
      assert.match(await page.innerText('.gallery-actions'), /Compare/);
      await s.expectAccessible(page, 'product page in English');
    });
  });
}
