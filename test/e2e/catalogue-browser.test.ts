import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, screenshot } from '../helpers/browser';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { seedSample } from '../helpers/catalogue-sample';

describe(`catalogue in a real browser (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  let page: Page;
  let detailPath = '';

  // The demo data as `npm start` loads it (a copy: test/helpers/demo-db.ts), served as `npm start` serves it.
  const s = browserSuite({ data: 'demo', server: { demoData: true, startTimeoutMs: DEMO_LOAD_TIMEOUT / 2 } });

  before(async () => {
    const res = await fetch(`${s.url}/api/v1/products?q=${encodeURIComponent('机床')}&level=domestic`);
    const body = (await res.json()) as { total: number };
    if (body.total < 2) await seedSample(s.db);
    page = await s.page();
  });

  const assertAccessible = (name: string): Promise<void> => s.expectAccessible(page, name);

  it('home page in Chinese: the search box, featured levels, the boutique hall; no serious accessibility issue', async () => {
    const res = await page.goto(`${s.url}/`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.ok(await page.isVisible('#home-q'));
    assert.match(await page.innerText('main'), /国际首台（套）/);
    assert.match(await page.innerText('main'), /浙江制造精品/);
    assert.ok(await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes('Noto Sans CJK SC')));
    await screenshot(page, 'home-desktop');
    await assertAccessible('home');
  });

  it('searches 机床 and sees machine tools, with facet counts', async () => {
    await page.fill('#home-q', '机床');
    await Promise.all([page.waitForURL(/\/products\?/), page.press('#home-q', 'Enter')]);
    assert.equal(new URL(page.url()).searchParams.get('q'), '机床');
    const titles = await page.locator('.product-card .product-title').allInnerTexts();
    assert.ok(titles.length > 0);
    assert.ok(titles.some((t) => t.includes('机床')), titles.join(', '));
    assert.match(await page.innerText('.results-count'), /共 \d+ 件产品/);
    await screenshot(page, 'results-desktop');
    await assertAccessible('results');
  });

  it('filters by level: only 国内首台（套） cards, while the level facet still counts the others', async () => {
    await page.check('input[name="level"][value="domestic"]');
    await Promise.all([page.waitForURL(/level=domestic/), page.click('.filter-form button[type="submit"]')]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('q'), '机床');
    assert.equal(url.searchParams.get('level'), 'domestic');
    const badges = await page.locator('.product-card .badge-domestic').count();
    const cards = await page.locator('.product-card').count();
    assert.ok(cards > 0);
    assert.equal(badges, cards);
    const intlCount = await page.locator('label:has(input[name="level"][value="international"]) .count').innerText();
    assert.match(intlCount, /\([1-9]\d*\)/, 'the international facet still shows its count');
    await screenshot(page, 'results-filtered-desktop');
  });

  it('opens a detail page: the certificate panel, the price in ¥ and 万/亿; no serious accessibility issue', async () => {
    const first = page.locator('.product-card .product-link').first();
    const title = (await first.innerText()).trim();
    await Promise.all([page.waitForURL(/\/products\/\d+$/), first.click()]);
    detailPath = new URL(page.url()).pathname;
    assert.equal((await page.innerText('h1')).trim(), title);
    assert.match(await page.innerText('.price-big'), /^¥[\d,]+\.\d{2}$/);
    assert.match(await page.innerText('.price-large'), /[万亿]元/);
    assert.match(await page.innerText('.cert-panel'), /国内首台（套）/);
    assert.match(await page.innerText('.cert-panel'), /关键技术指标/);
    await screenshot(page, 'detail-desktop');
    await assertAccessible('detail');
  });

  it('switches to English and stays English on the next page', async () => {
    await Promise.all([page.waitForURL(/lang=en/), page.click('.lang-switch')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.innerText('.cert-panel'), /First-unit certification/);
    assert.match(await page.innerText('.cert-panel'), /Key technical indicators/);
    await screenshot(page, 'detail-desktop-en');
    await assertAccessible('detail (English)');
    await page.goto(`${s.url}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.innerText('main'), /Browse by field/);
    await screenshot(page, 'home-desktop-en');
    await assertAccessible('home (English)');
  });

  it('reads well on a phone (390 px): no sideways scrolling on home, results and detail', async () => {
    const phone = await s.context({ viewport: 'phone' });
    try {
      const p = await phone.newPage();
      for (const [name, path] of [
        ['home-phone', '/'],
        ['results-phone', `/products?q=${encodeURIComponent('机床')}`],
        ['detail-phone', detailPath],
      ]) {
        const res = await p.goto(`${s.url}${path}`);
        assert.equal(res?.status(), 200, path);
        // On a mobile viewport the browser widens the layout viewport to fit overflowing content: compared with clientWidth.
        await s.expectNoSidewaysScroll(p, name);
        await screenshot(p, name);
      }
      await s.expectAccessible(p);
      // On a phone the filters fold away behind a 筛选 disclosure; opening it and filtering works without JavaScript.
      await p.goto(`${s.url}/products?q=${encodeURIComponent('机床')}`);
      assert.equal(await p.isVisible('.filter-form'), false, 'filters folded');
      await p.click('.filter-toggle > summary');
      assert.equal(await p.isVisible('.filter-form'), true, 'filters unfolded');
      await p.check('input[name="level"][value="international"]');
      await Promise.all([p.waitForURL(/level=international/), p.click('.filter-form button[type="submit"]')]);
      assert.match(await p.innerText('.filter-toggle > summary'), /已选 1 项/);
      await screenshot(p, 'results-filtered-phone');
    } finally {
      await phone.close();
    }
  });

  it('shows a friendly message for bad filters and a Chinese 404 page', async () => {
    const fresh = await s.context();
    try {
      const p = await fresh.newPage();
      const bad = await p.goto(`${s.url}/products?priceMin=abc`);
      assert.equal(bad?.status(), 422);
      assert.match(await p.innerText('.alert-error'), /最低价/);
      await screenshot(p, 'results-bad-input');
      const missing = await p.goto(`${s.url}/products/999999999`);
      assert.equal(missing?.status(), 404);
      assert.match(await p.innerText('h1'), /页面不存在/);
      await screenshot(p, 'not-found');
    } finally {
      await fresh.close();
    }
  });
});
