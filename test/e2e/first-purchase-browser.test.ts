import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Actor } from '../../src/web/state';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { EXPERTS, FINANCE_DEPARTMENT, caseInState, makeFpWorld, type FpWorld } from '../helpers/first-purchase';

/**
 * A member of the public, in a real browser against the real server: finds a single-source notice (公示) in the
 * notice list, reads everything the law requires it to say, and files an objection through the page form during
 * the notice period; after the period the page refuses further objections. Screenshots in test-artifacts/.
 */
describe(`public notice and objection in a real browser (${ENGINE})`, function () {
  this.timeout(240000);
  let page: Page;
  let w: FpWorld;
  let caseId = 0;
  let noticeId = 0;
  let awardedId = 0;
  let resultNoticeId = 0;

  const s = browserSuite({
    data: 'migrated',
    env: { FAKE_CLOCK: '1' },
    prepare: async (db) => {
      w = await makeFpWorld(db);
      const actor = (id: number, username: string, role: Actor['role'], purchaserId: number | null): Actor => ({ id, username, role, displayName: username, purchaserId, vendorId: null });
      const c = await caseInState(
        db,
        new Date(),
        { buyer: actor(w.userIds.purchaser, w.users.purchaser, 'purchaser', w.unit.id), admin: actor(w.userIds.admin, w.users.admin, 'admin', null), productId: w.products.ct },
        'notice',
      );
      caseId = c.id;
      noticeId = (await db('notices').where({ case_id: c.id, type: 'single_source' }).first('id')).id;
      const awarded = await caseInState(
        db,
        new Date(),
        { buyer: actor(w.userIds.purchaser, w.users.purchaser, 'purchaser', w.unit.id), admin: actor(w.userIds.admin, w.users.admin, 'admin', null), productId: w.products.ct },
        'awarded',
      );
      awardedId = awarded.id;
      resultNoticeId = (await db('notices').where({ case_id: awarded.id, type: 'result' }).first('id')).id;
    },
  });

  before(async () => {
    page = await s.page();
  });

  const assertAccessible = (name: string): Promise<void> => s.expectAccessible(page, name);

  it('the 公告 link in the main navigation leads to the notice list, with the 公示 and its dates', async () => {
    await page.goto(`${s.url}/`);
    await Promise.all([page.waitForURL(/\/notices$/), page.click('.site-nav a[href="/notices"]')]);
    assert.match(await page.innerText('h1'), /公告公示/);
    const row = page.locator('table.notice-list tbody tr', { has: page.locator(`a[href="/notices/${noticeId}"]`) });
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /\d{4}-\d{2}-\d{2}/, 'publication date and period end are shown');
    await screenshot(page, 'fp-notices-list-desktop');
    await assertAccessible('notice list');
  });

  it('the 公示 page states every item the law requires; no serious accessibility issue', async () => {
    await Promise.all([page.waitForURL(new RegExp(`/notices/${noticeId}$`)), page.click('table.notice-list tbody tr a')]);
    const text = await page.innerText('main');
    for (const item of ['浙江省人民医院', '64排CT采购项目', '64 排螺旋 CT', '唯一供应商', w.vendor.name, '浙江省宁波市测试路1号', '唯一性', '张老师', '0571-87666666', '5 个工作日']) {
      assert.ok(text.includes(item), `the notice shows ${item}`);
    }
    for (const e of EXPERTS) for (const v of [e.name, e.unit, e.title]) assert.ok(text.includes(v), `expert ${v}`);
    // Art. 38 contacts: the purchaser's and the finance department's address, contact person and phone, as a table.
    const contacts = await page.innerText('table.notice-contacts');
    for (const item of ['采购人', '浙江省杭州市上城区上塘路158号', '财政部门', FINANCE_DEPARTMENT.address, FINANCE_DEPARTMENT.contactPerson, FINANCE_DEPARTMENT.phone]) {
      assert.ok(contacts.includes(item), `the contacts show ${item}`);
    }
    assert.ok(await page.isVisible('form.objection-form'));
    await screenshot(page, 'fp-notice-detail-desktop');
    await assertAccessible('notice detail');
  });

  it('a form sent without the objection text comes back with the message beside the field', async () => {
    await page.fill('#obj-name', '钱七');
    await page.fill('#obj-contact', '13900000000');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('form.objection-form button[type="submit"]')]);
    assert.match(await page.innerText('#obj-content-err'), /必填/);
    assert.equal(await page.inputValue('#obj-name'), '钱七', 'what was typed is kept');
    assert.equal(await page.getAttribute('#obj-content', 'aria-invalid'), 'true');
    await screenshot(page, 'fp-objection-invalid-desktop');
  });

  it('files an objection through the page form during the notice period', async () => {
    await page.fill('#obj-org', '某医疗器械有限公司');
    await page.fill('#obj-content', '我公司产品同样满足本项目技术要求，请求补充论证供应商的唯一性。');
    await Promise.all([page.waitForURL(new RegExp(`/notices/${noticeId}#objection$`)), page.click('form.objection-form button[type="submit"]')]);
    assert.match(await page.innerText('.objection-panel [role="status"]'), /异议已提交/);
    const rows = await s.db('objections').where({ case_id: caseId });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, '钱七');
    assert.equal(rows[0].organization, '某医疗器械有限公司');
    assert.equal(rows[0].status, 'open');
    await screenshot(page, 'fp-objection-filed-desktop');
  });

  it('after the period the page says objections are closed and shows no form', async () => {
    const ends = (await s.db('fp_cases').where({ id: caseId }).first('notice_ends_at')).notice_ends_at as string;
    await s.setClock(new Date(new Date(ends).getTime() + 60_000).toISOString());
    await page.goto(`${s.url}/notices/${noticeId}`);
    assert.match(await page.innerText('.objection-panel'), /不再受理异议/);
    assert.equal(await page.locator('form.objection-form').count(), 0);
    await screenshot(page, 'fp-notice-closed-desktop');
  });

  it('the result notice names the 单一来源采购人员 and the purchaser’s address; no serious accessibility issue', async () => {
    await page.goto(`${s.url}/notices/${resultNoticeId}`);
    const staff = await page.innerText('section[aria-labelledby="r-staff"]');
    assert.match(staff, /单一来源采购人员名单/);
    assert.ok(staff.includes('甲'), 'the negotiator');
    const text = await page.innerText('main');
    assert.ok(text.includes('浙江省杭州市上城区上塘路158号'), 'the purchaser’s address');
    for (const e of EXPERTS) assert.ok(!staff.includes(e.name), `the uniqueness expert ${e.name} is not listed as procurement staff`);
    await screenshot(page, 'fp-result-notice-desktop');
    await assertAccessible('result notice');
  });

  it('the supplier reads its 成交通知书 from the case page and can print it; no serious accessibility issue', async () => {
    const p = await s.page({ user: w.users.vendor });
    try {
      await p.goto(`${s.url}/first-purchases/${awardedId}`);
      await Promise.all([p.waitForURL(new RegExp(`/first-purchases/${awardedId}/award-letter$`)), p.click(`a[href="/first-purchases/${awardedId}/award-letter"]`)]);
      assert.equal(await p.innerText('h1'), '成交通知书');
      const letter = await p.innerText('article.award-letter');
      for (const item of [w.vendor.name, '64排CT', '¥3,000,000.00', '请于', '签订政府采购合同', '浙江省人民医院']) assert.ok(letter.includes(item), `the letter shows ${item}`);
      await screenshot(p, 'fp-award-letter-desktop');
      await s.expectAccessible(p, 'award letter');
    } finally {
      await p.context().close();
    }
  });

  it('reads well on a phone: no horizontal scrolling', async () => {
    const phone = await s.context({ viewport: 'phone' });
    try {
      const p = await phone.newPage();
      await p.goto(`${s.url}/notices/${noticeId}`);
      await s.expectNoSidewaysScroll(p);
      await screenshot(p, 'fp-notice-detail-phone');
      await p.goto(`${s.url}/notices`);
      await s.expectNoSidewaysScroll(p);
      await screenshot(p, 'fp-notices-list-phone');
    } finally {
      await phone.close();
    }
  });
});
