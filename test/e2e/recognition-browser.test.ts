import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, screenshot, type ViewportName } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { LIST_ENTRY, REC_FIELD, makeRecWorld, type RecWorld } from '../helpers/recognition';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * One certification application from draft to certificate, in a real browser against the real server, at desktop and
 * phone widths (issue 15 item 7): the vendor fills the form, attaches its test report and submits; the department
 * screens it and draws the experts; each expert scores it; the department recommends it and publishes the round; a
 * member of the public reads the 拟认定名单 among the notices and objects through the page form; after the period
 * (and the ruling) the department finalizes and the vendor finds its certificate number. axe on every page.
 */
describe(`certification from draft to certificate in a real browser (${ENGINE})`, function () {
  this.timeout(300000);
  let w: RecWorld;
  let entryId = 0;
  const s = browserSuite({
    data: 'migrated',
    env: { FAKE_CLOCK: '1' },
    prepare: async (db) => {
      w = await makeRecWorld(db);
      const now = new Date().toISOString();
      const [r] = await db('indicator_list')
        .insert({ year: LIST_ENTRY.year, field: LIST_ENTRY.field, product: LIST_ENTRY.product, indicators: JSON.stringify(LIST_ENTRY.indicators.map((i) => ({ ...i, threshold: Number(i.threshold) }))), demo: false, created_at: now, updated_at: now })
        .returning('id');
      entryId = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    },
  });
  const as = (user: string | null, viewport: ViewportName = 'desktop'): Promise<Page> => s.page({ user, viewport });

  const submit = (page: Page, selector: string) => Promise.all([page.waitForNavigation(), page.click(selector)]);
  const api = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const bearer = async (username: string) => `Bearer ${(await api('/api/v1/auth/token', { username, password: 'demo-password' })).body.token as string}`;

  let applicationId = 0;
  let noticeId = 0;

  it('the vendor fills the application form, attaches its test report and submits it', async () => {
    const page = await as(w.users.vendor);
    await page.goto(`${s.url}/vendor/applications`);
    await s.expectAccessible(page, 'vendor desk');
    await page.fill('#ra-product', '五轴联动卧式加工中心');
    await page.fill('#ra-model', 'VMC-5X');
    await page.selectOption('#ra-kind', 'equipment');
    await page.selectOption('#ra-field', REC_FIELD);
    await page.selectOption('#ra-level', 'domestic');
    await page.selectOption('#ra-entry', String(entryId));
    await page.fill('#ra-ind', '定位精度 = 0.004\n主轴转速 = 24000');
    await page.fill('#ra-desc', '国内首台五轴联动卧式加工中心，定位精度 0.004 mm。');
    await submit(page, 'main form[action$="/vendor/applications"] button[type="submit"]');
    const m = /\/vendor\/applications\/(\d+)$/.exec(new URL(page.url()).pathname);
    assert.ok(m, page.url());
    applicationId = Number(m[1]);
    assert.match(await page.innerText('main'), /草稿/);
    await page.selectOption('#att-kind', 'test_report');
    await page.setInputFiles('#att-file', { name: '检测报告.pdf', mimeType: 'application/pdf', buffer: PDF });
    await submit(page, 'main form[enctype="multipart/form-data"] button[type="submit"]');
    assert.match(await page.innerText('#ra-files ~ *, main'), /检测报告\.pdf/);
    await screenshot(page, 'rd-application-draft-desktop');
    await s.expectAccessible(page, 'application (draft)');
    await submit(page, 'form.step-submit button[data-action="submit"]');
    assert.match(await page.innerText('main'), /已提交|待形式审查|submitted/);
  });

  it('the department screens it and draws three experts', async () => {
    const page = await as(w.users.admin);
    await page.goto(`${s.url}/admin/applications`);
    await s.expectAccessible(page, 'admin desk');
    await submit(page, `a[href="/admin/applications/${applicationId}"]`);
    await page.selectOption('#s-passed', 'true');
    await page.fill('#s-opinion', '材料齐全');
    await submit(page, 'form.step-screen button[data-action="screen"]');
    await page.selectOption('#d-count', '3');
    await submit(page, 'form.step-experts button[data-action="experts"]');
    await s.expectAccessible(page, 'application (admin, drawn)');
    const drawn = await s.db('cert_reviews').where({ application_id: applicationId }).count({ n: '*' }).first();
    assert.equal(Number(drawn?.n), 3);
  });

  it('each expert drawn opens it from “my reviews” and scores it', async () => {
    const usernames = (await s.db('cert_reviews as r').join('experts as e', 'e.id', 'r.expert_id').join('users as u', 'u.id', 'e.user_id').where('r.application_id', applicationId).pluck('u.username')) as string[];
    for (const [i, username] of usernames.entries()) {
      const page = await as(username);
      await page.goto(`${s.url}/expert`);
      if (i === 0) await s.expectAccessible(page, 'expert desk');
      await submit(page, `a[href="/expert/reviews/${applicationId}"]`);
      assert.match(await page.innerText('main'), /检测报告\.pdf/, 'the expert sees the attachments');
      if (i === 0) await s.expectAccessible(page, 'review form');
      await page.fill('#rv-score', String(80 + i * 5));
      await page.selectOption('#rv-level', 'domestic');
      await page.fill('#rv-opinion', '指标先进，同意推荐。');
      await submit(page, 'form:has(#rv-score) button[type="submit"]');
      assert.match(new URL(page.url()).pathname, /\/expert$/);
    }
  });

  it('the department recommends it and publishes the round; the public reads the 拟认定名单 and objects through the form', async () => {
    const admin = await as(w.users.admin);
    await admin.goto(`${s.url}/admin/applications/${applicationId}`);
    await submit(admin, 'form.step-recommend button[data-action="recommend"]');
    await admin.goto(`${s.url}/admin/applications`);
    await submit(admin, 'main form[action$="/admin/certification-rounds"] button[type="submit"]');
    noticeId = Number((await s.db('notices').where({ type: 'certification' }).first('id')).id);

    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await as(null, viewport);
      await page.goto(`${s.url}/notices?type=certification`);
      await s.expectAccessible(page, `certification notices (${viewport})`);
      await submit(page, `a[href="/notices/${noticeId}"]`);
      assert.match(await page.innerText('main'), /拟认定名单/);
      assert.match(await page.innerText('main'), /五轴联动卧式加工中心 VMC-5X/);
      await s.expectNoSidewaysScroll(page, `no horizontal scroll (${viewport})`);
      await screenshot(page, `rd-notice-${viewport}`);
      await s.expectAccessible(page, `certification notice (${viewport})`);
      if (viewport === 'desktop') {
        await page.selectOption('#obj-app', String(applicationId));
        await page.fill('#obj-name', '钱七');
        await page.fill('#obj-org', '某机床公司');
        await page.fill('#obj-contact', '13900000000');
        await page.fill('#obj-content', '请核实主轴转速的检测条件。');
        await submit(page, 'form.objection-form button[type="submit"]');
        assert.match(await page.innerText('main'), /异议已提交/);
        await s.expectAccessible(page, 'notice after an objection');
      }
    }
  });

  it('after the period and the ruling the department finalizes; the vendor finds its certificate, at desktop and phone widths', async () => {
    const round = await s.db('cert_rounds').first('id', 'period_ends_at');
    const objection = await s.db('cert_objections').where({ round_id: round.id }).first('id');
    const resolved = await api(`/api/v1/admin/certification-rounds/${round.id}/objections/${objection.id}/resolve`, { upheld: false, opinion: '检测条件符合标准，异议不成立' }, await bearer(w.users.admin));
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    await s.setClock(new Date(new Date(round.period_ends_at).getTime() + 86_400_000).toISOString());
    const admin = await as(w.users.admin);
    await admin.goto(`${s.url}/admin/applications`);
    // The desk leads to the round's page, which says what finalizing does before the button does it.
    await admin.click(`a[href="/admin/certification-rounds/${round.id}"].button`);
    assert.match(await admin.innerText('#rp-finalize-hint'), /有效证书.*有效期 3 年.*奖励.*不能撤回/s);
    await submit(admin, 'form[action$="/finalize"] button[type="submit"]');
    assert.match(await admin.innerText('main'), /已认定|finalized|完成/);
    const app = await s.db('cert_applications').where({ id: applicationId }).first('status', 'cert_no');
    assert.equal(app.status, 'certified');
    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await as(w.users.vendor, viewport);
      await page.goto(`${s.url}/vendor/applications/${applicationId}`);
      assert.match(await page.innerText('main'), new RegExp(app.cert_no as string));
      await s.expectNoSidewaysScroll(page, `no horizontal scroll (${viewport})`);
      await screenshot(page, `rd-application-certified-${viewport}`);
      await s.expectAccessible(page, `application (certified, ${viewport})`);
    }
  });
});
