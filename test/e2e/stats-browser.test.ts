import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { BrowserContext, Page } from 'playwright-core';
import { FakeClock } from '../../src/clock';
import type { Db } from '../../src/db';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { makeCert, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { makeTrade, random, type TradeSpec } from '../helpers/stats-trades';

const ADMIN = 'stats-e2e-admin';

/** A small year of trades in every city and field, made through the ledger, plus a few certificates. */
async function prepare(db: Db): Promise<void> {
  const clock = new FakeClock();
  const rnd = random(7);
  await makeUser(db, { role: 'admin', username: ADMIN });
  const cities = ['杭州', '宁波', '温州', '嘉兴', '湖州', '绍兴', '金华', '衢州', '舟山', '台州', '丽水'];
  const fields = ['数控机床', '智能装备', '高端医疗装备', '船舶', '新材料', '软件'];
  const purchasers = [];
  for (const city of cities) purchasers.push(await makePurchaser(db, { city, type: 'hospital' }));
  const vendors = [await makeVendor(db, { city: '杭州', name: '杭州<b>精机</b>有限公司' }), await makeVendor(db, { city: '宁波' })];
  for (const level of ['international', 'domestic', 'provincial', 'provincial']) await makeCert(db, vendors[0], { level, year: 2020 });
  for (let i = 0; i < 60; i++) {
    const p = purchasers[i % purchasers.length];
    const v = vendors[i % 2];
    const spec: TradeSpec = {
      at: new Date(Date.UTC(2020, Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 27), 3)).toISOString(),
      channel: i % 15 === 0 ? 'first_purchase' : 'boutique',
      purchaser: { id: p.id, city: p.city, type: p.type },
      vendor: { id: v.id, city: v.city },
      amountFen: 1_000_000 + Math.floor(rnd() * 300_000_000),
      field: fields[i % fields.length],
      level: i % 3 === 0 ? 'domestic' : null,
      kind: 'equipment',
      productTitle: i === 7 ? '=HYPERLINK("x")' : `演示产品${i}`,
    };
    await makeTrade(db, clock, spec);
  }
}

describe(`statistics in a real browser (${ENGINE})`, function () {
  this.timeout(240000);
  let context: BrowserContext;
  let page: Page;
  const s = browserSuite({ data: 'migrated', prepare });

  before(async () => {
    // The page must be readable without JavaScript: the charts are server-rendered SVG.
    page = await s.page({ user: ADMIN, freshLogin: { next: '/admin/stats' }, extra: { viewport: { width: 1366, height: 900 }, javaScriptEnabled: false, acceptDownloads: true } });
    context = page.context();
  });

  it('the 2020 preset: the table, the charts drawn without JavaScript, the registry figures', async () => {
    await Promise.all([page.waitForURL(/from=2020-01-01/), page.click('#preset-2020')]);
    const table = await page.innerText('#stats-table');
    assert.match(table, /精品馆直购/);
    assert.match(table, /政府首购/);
    assert.match(table, /¥[\d,]+\.\d{2}/);
    assert.match(table, /万元|亿元/);
    assert.equal(await page.innerText('[data-figure="issued"]'), '4');
    const charts = page.locator('svg.chart');
    assert.equal(await charts.count(), 5);
    for (let i = 0; i < 5; i++) {
      const box = await charts.nth(i).boundingBox();
      assert.ok(box && box.width > 200 && box.height > 40, `chart ${i} is drawn`);
      assert.ok((await charts.nth(i).locator('title').first().textContent())?.length);
    }
    assert.equal(await page.locator('svg.chart-bars rect').count(), 24, '12 months × trades and amount');
    assert.equal(await page.locator('svg.chart-map circle').count(), 11, 'every city on the map');
    assert.ok((await page.innerText('#top-vendors')).includes('杭州<b>精机</b>有限公司'), 'a name is text, never markup');
    await screenshot(page, 'stats-admin-2020');
  });

  it('has no serious accessibility issue (axe, in a JavaScript-enabled twin of the session)', async () => {
    const withJs = await s.context({ viewport: 'laptop' });
    await withJs.addCookies((await context.storageState()).cookies);
    const p = await withJs.newPage();
    await p.goto(`${s.url}/admin/stats?from=2020-01-01&to=2020-12-31&groupBy=channel`);
    try {
      await s.expectAccessible(p);
    } finally {
      await withJs.close();
    }
  });

  it('groups by field with the filter form, in English', async () => {
    await page.goto(`${s.url}/admin/stats?lang=en&from=2020-01-01&to=2020-12-31`);
    await page.selectOption('#stats-groupBy', 'field');
    await Promise.all([page.waitForURL(/groupBy=field/), page.click('.stats-actions button')]);
    assert.match(await page.innerText('#stats-table-title'), /By Field/);
    assert.match(await page.innerText('#stats-table'), /CNC machine tools|数控机床/);
    await screenshot(page, 'stats-admin-by-field-en');
  });

  it('downloads the CSV: BOM, one row per trade, injection neutralised', async () => {
    await page.goto(`${s.url}/admin/stats?from=2020-01-01&to=2020-12-31`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.equal(download.suggestedFilename(), 'trade-stats_2020-01-01_2020-12-31.csv');
    const buf = readFileSync((await download.path()) as string);
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(buf.toString('utf8'), { bom: true });
    assert.equal(rows.length, 61);
    assert.ok(rows.some((r) => r[8] === `'=HYPERLINK("x")`));
  });

  it('the public summary page, anonymously', async () => {
    const p = await s.page({ extra: { viewport: { width: 1280, height: 720 }, javaScriptEnabled: false } });
    const res = await p.goto(`${s.url}/stats`);
    assert.equal(res?.status(), 200);
    assert.match(await p.innerText('#public-years'), /2020/);
    assert.ok(!(await p.content()).includes('精机'), 'no vendor names in public');
    await screenshot(p, 'stats-public');
    await p.context().close();
  });
});
