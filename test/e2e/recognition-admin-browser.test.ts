import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, type ViewportName } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { REC_FIELD, makeRecWorld, type RecWorld } from '../helpers/recognition';

/**
 * The department's expert pool and indicator list pages in a real browser (issue 15 items 2, 8): adding an expert
 * with a mistake, seeing the error beside the field, correcting it, editing and deactivating; adding a list entry; the
 * statistics page — at desktop and phone widths, in Chinese and in English, axe on every page.
 */
describe(`the expert pool and indicator list pages in a real browser (${ENGINE})`, function () {
  this.timeout(180000);
  let w: RecWorld;
  const s = browserSuite({ data: 'migrated', prepare: async (db) => void (w = await makeRecWorld(db, { experts: 3 })) });
  const admin = (viewport: ViewportName = 'desktop'): Promise<Page> => s.page({ user: w.users.admin, viewport });
  const submit = (page: Page, selector: string) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  it('adds an expert: a missing field is shown beside it, the corrected form lands on the expert’s page', async () => {
    const page = await admin();
    await page.goto(`${s.url}/admin/experts`);
    await s.expectAccessible(page, 'expert pool');
    await page.fill('#ex-name', '林工');
    await page.fill('#ex-unit', '浙江省机械科学研究院');
    await page.fill('#ex-title', '正高级工程师');
    await submit(page, '#ex-add ~ form button[type=submit]');
    assert.match((await page.textContent('#ex-fields-err')) ?? '', /\S/);
    assert.equal(await page.inputValue('#ex-unit'), '浙江省机械科学研究院', 'what was typed is kept');
    await s.expectAccessible(page, 'expert pool with an error');
    await page.check(`input[name=fields][value="${REC_FIELD}"]`);
    await submit(page, '#ex-add ~ form button[type=submit]');
    assert.match(page.url(), /\/admin\/experts\/\d+$/);
    assert.match((await page.textContent('.alert-ok')) ?? '', /已将 林工 加入专家库/);
    await s.expectAccessible(page, 'expert page');
    await page.fill('#ee-title', '研究员');
    await submit(page, '#ee-edit ~ form button[type=submit]');
    assert.match((await page.textContent('#ee-history ~ .table-wrap')) ?? '', /职称：正高级工程师 → 研究员/);
    await submit(page, 'form[action$="/active"] button');
    assert.equal(await page.getAttribute('[data-state]', 'data-state'), 'inactive');
    await s.expectAccessible(page, 'expert page after deactivation');
  });

  it('the pool, the list editor and the statistics read at phone width and in English', async () => {
    const page = await admin('phone');
    for (const path of ['/admin/experts', '/admin/indicator-list', '/admin/certification-stats']) {
      await page.goto(`${s.url}${path}`);
      await s.expectAccessible(page, `${path} (phone)`);
      await s.expectNoSidewaysScroll(page, path, 1);
    }
    await page.goto(`${s.url}/admin/experts?lang=en`);
    assert.equal(await page.textContent('h1'), 'Expert pool');
    await s.expectAccessible(page, 'expert pool (en)');
  });

  it('adds a list entry from indicator rows; a bad threshold is marked on its own row', async () => {
    const page = await admin();
    await page.goto(`${s.url}/admin/indicator-list`);
    await page.fill('#il-new-year', '2026');
    await page.selectOption('#il-new-field', REC_FIELD);
    await page.fill('#il-new-product', '精密外圆磨床');
    await page.fill('#il-new-ind-1-name', '圆度');
    await page.selectOption('#il-new-ind-1-comparator', '<=');
    await page.fill('#il-new-ind-1-threshold', '0.5');
    await page.fill('#il-new-ind-1-unit', 'μm');
    await page.fill('#il-new-ind-2-name', '砂轮线速度');
    await page.fill('#il-new-ind-2-threshold', '六十');
    await submit(page, '#ila-add ~ form button[type=submit]');
    assert.match((await page.textContent('#il-new-ind-2-threshold-err')) ?? '', /\S/);
    assert.equal(await page.getAttribute('#il-new-ind-2-threshold', 'aria-invalid'), 'true');
    await s.expectAccessible(page, 'list editor with an error');
    await page.fill('#il-new-ind-2-threshold', '60');
    await submit(page, '#ila-add ~ form button[type=submit]');
    assert.match(page.url(), /\/admin\/indicator-list\/\d+$/);
    await s.expectAccessible(page, 'list entry page');
  });
});
