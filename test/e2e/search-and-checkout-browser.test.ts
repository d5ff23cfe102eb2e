import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { DEMO_LOADED_AT } from '../helpers/demo-db';

/**
 * Issue 18 items 1 and 4 in a real browser on the demo data, at desktop and at 390 px: a search with a synonym and a
 * misspelling, the department's synonym table, and a purchaser's checkout with the paperwork of a government
 * purchase. Nothing scrolls sideways; axe finds nothing serious.
 */
describe(`search, synonyms and checkout in a real browser (${ENGINE})`, function () {
  this.timeout(300_000);
  const s = browserSuite({ data: 'demo', clock: DEMO_LOADED_AT });

  async function fitsAndPasses(page: Page, name: string): Promise<void> {
    await s.expectNoSidewaysScroll(page, name);
    await s.expectAccessible(page, name);
  }

  for (const viewport of ['desktop', 'phone'] as const) {
    it(`${viewport}: 磁共振 finds the MR products a synonym names, and a misspelling is answered with "did you mean"`, async () => {
      const page = await s.page({ viewport });
      await page.goto(`${s.url}/products?q=${encodeURIComponent('磁共振')}`);
      assert.ok((await page.locator('.product-card, [data-product-id]').count()) > 0, 'results for 磁共振');
      await fitsAndPasses(page, `${viewport} search 磁共振`);
      await page.goto(`${s.url}/products?q=${encodeURIComponent('挖掘几')}`);
      const suggestions = page.locator('nav.suggestions a');
      assert.ok((await suggestions.count()) > 0, 'a suggestion is offered');
      await Promise.all([page.waitForURL(/\/products\?q=/), suggestions.first().click()]);
      assert.ok((await page.locator('.product-card, [data-product-id]').count()) > 0, 'the suggestion finds products');
      await fitsAndPasses(page, `${viewport} search suggestion`);
    });

    it(`${viewport}: the department's synonym table`, async () => {
      const page = await s.page({ viewport, user: 'admin' });
      await page.goto(`${s.url}/admin/search-synonyms`);
      assert.match(await page.innerText('main'), /磁共振/);
      await fitsAndPasses(page, `${viewport} synonyms`);
    });

    it(`${viewport}: checkout asks for the paperwork, prefilled from the unit's default address`, async () => {
      const page = await s.page({ viewport, user: 'purchaser' });
      await page.goto(`${s.url}/cart`);
      if ((await page.locator('a[href="/checkout"]').count()) === 0) {
        // An empty cart: put the first listing the unit may buy into it (within the direct-purchase limit: a dearer
        // one's page offers 政府首购 instead of the cart).
        await page.goto(`${s.url}/products?badge=boutique&priceMax=1000000`);
        await page.locator('.product-card a, [data-product-id] a').first().click();
        await Promise.all([page.waitForURL(/\/cart$/), page.click('.buy-form button[type="submit"]')]);
      }
      await page.goto(`${s.url}/checkout`);
      assert.notEqual(await page.inputValue('#co-address'), '', 'the default address is prefilled');
      assert.notEqual(await page.inputValue('#co-phone'), '', 'the contact phone is prefilled');
      assert.equal(await page.getAttribute('#co-date', 'required'), '', 'a delivery date is required');
      await fitsAndPasses(page, `${viewport} checkout`);
    });
  }
});
