import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, screenshot } from '../helpers/browser';
import { ENGINE } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';

/**
 * One insurance compensation claim (保险补偿) from draft to payout in a real browser against the real server, in zh-CN
 * at desktop width (issue 16 item 6): the vendor fills the claim form, previews the computed compensation, saves the
 * draft and submits it; the department passes the 初审; finance passes the 联审 and pays it out; the statistics and the
 * year report then count it. axe on every page.
 */
describe(`an insurance claim from draft to payout in a real browser (${ENGINE})`, function () {
  this.timeout(300000);
  const users = { vendor: '', admin: '', finance: '' };
  let certNo = '';
  let vendorId = 0;
  let claimId = 0;
  const s = browserSuite({
    data: 'migrated',
    clock: '2026-03-02T10:00:00+08:00',
    prepare: async (db) => {
      const vendor = await makeVendor(db, { city: '杭州', name: '杭州精工机床有限公司' });
      vendorId = vendor.id;
      users.vendor = (await makeUser(db, { role: 'vendor', vendor_id: vendor.id })).username;
      users.admin = (await makeUser(db, { role: 'admin' })).username;
      users.finance = (await makeUser(db, { role: 'finance' })).username;
      certNo = (await makeCert(db, vendor, { level: 'international', field: '数控机床', year: 2025, valid_until: '2030-12-31', product_name: '五轴联动数控机床' })).cert_no;
    },
  });
  const as = (user: string): Promise<Page> => s.page({ user });

  const submit = (page: Page, selector: string) => Promise.all([page.waitForNavigation(), page.click(selector)]);
  const status = async () => (await s.db('insurance_claims').where({ id: claimId }).first('status')).status as string;

  it('the vendor fills the claim form, sees the computed compensation, saves the draft and submits it', async () => {
    const page = await as(users.vendor);
    await page.goto(`${s.url}/vendor/insurance-claims`);
    assert.match(await page.innerText('h1'), /首台（套）保险补偿申报/);
    await s.expectAccessible(page, 'vendor claims');
    // The certificate is chosen among the vendor's own, not typed.
    await page.selectOption('#c-certNo', certNo);
    await page.fill('#c-policyNo', 'PICC-ZJ-2026-0001');
    await page.fill('#c-insurer', '中国人民财产保险股份有限公司浙江省分公司');
    await page.fill('#c-insuredValue', '10,000,000');
    await page.fill('#c-premium', '150000');
    await page.fill('#c-policyStart', '2026-01-10');
    await page.fill('#c-policyEnd', '2027-01-09');
    await page.selectOption('#c-policyYear', '1');
    await page.selectOption('#c-unitOrdinal', '1');
    await page.fill('#c-purchaserName', '浙江某某集团有限公司');
    await page.fill('#c-contractNo', 'HT-2025-088');
    await page.selectOption('#c-nationalSubsidy', 'false');
    await page.click('button[name="action"][value="preview"]');
    await page.waitForSelector('.insurance-preview');
    const preview = await page.innerText('.insurance-preview');
    assert.match(preview, /2021/, 'the rule version');
    assert.match(preview, /90%/);
    assert.match(preview, /¥135,000\.00/);
    await s.expectAccessible(page, 'claim preview');
    await submit(page, 'button[name="action"][value="save"]');
    const m = /\/vendor\/insurance-claims\/(\d+)$/.exec(new URL(page.url()).pathname);
    assert.ok(m, page.url());
    claimId = Number(m[1]);
    assert.match(await page.innerText('main'), /草稿/);
    assert.match(await page.innerText('main'), /¥135,000\.00/);
    // The saved message writes the amount as every figure on the page does (it read "135000.00 元").
    assert.match(await page.innerText('main'), /核定补偿 ¥135,000\.00/);
    await s.expectAccessible(page, 'claim (draft)');
    await submit(page, 'form.step-submit button[data-action="submit"]');
    assert.match(await page.innerText('main'), /待初审/);
    assert.equal(await status(), 'submitted');
  });

  it('the department finds it in the 初审 queue and passes it to 联审', async () => {
    const page = await as(users.admin);
    await page.goto(`${s.url}/admin/insurance-claims`);
    await s.expectAccessible(page, '初审 queue');
    await submit(page, `#ia-queue ~ * a[href="/admin/insurance-claims/${claimId}"]`);
    await page.selectOption('#ar-passed', 'true');
    await page.fill('#ar-opinion', '材料齐全，保单与购销合同一致，同意提交联审。');
    await submit(page, 'form.step-review button[data-action="review"]');
    assert.match(await page.innerText('main'), /待联审/);
    await s.expectAccessible(page, 'claim (admin, passed)');
    assert.equal(await status(), 'joint_review');
  });

  it('finance passes the 联审 (payout due in 30 days) and pays it out through the subsidy fund', async () => {
    const page = await as(users.finance);
    await page.goto(`${s.url}/finance/insurance-claims`);
    await s.expectAccessible(page, '联审 desk');
    await submit(page, `#if-joint ~ * a[href="/finance/insurance-claims/${claimId}"]`);
    await page.selectOption('#fr-passed', 'true');
    await page.fill('#fr-opinion', '同意补偿。');
    await submit(page, 'form.step-review button[data-action="review"]');
    assert.match(await page.innerText('main'), /待拨付/);
    assert.match(await page.innerText('main'), /拨付期限/, 'the payout deadline is shown');
    const due = await s.db('insurance_claims').where({ id: claimId }).first('approved_at', 'payout_due_at');
    assert.equal(new Date(due.payout_due_at).getTime() - new Date(due.approved_at).getTime(), 30 * 86_400_000, 'due 30 days after the 联审');
    await s.expectAccessible(page, 'claim (approved)');
    // A payout that cannot be undone asks for a tick first: the browser will not send the form without it.
    await page.click('form.step-disburse button[data-action="disburse"]');
    assert.equal(await status(), 'approved', 'not paid without the tick');
    await page.check('form.step-disburse input[name="_confirm"]');
    await submit(page, 'form.step-disburse button[data-action="disburse"]');
    assert.match(await page.innerText('main'), /已拨付补偿资金 ¥135,000\.00/);
    await screenshot(page, 'insurance-claim-paid-desktop');
    await s.expectAccessible(page, 'claim (paid)');
    assert.equal(await status(), 'paid');
    const pay = await s.db('ledger_transfers').where({ idempotency_key: `insurance:${claimId}:pay` }).first('kind', 'amount_fen');
    assert.deepEqual([pay.kind, Number(pay.amount_fen)], ['pay_subsidy', 135_000_00]);
    const account = await s.db('ledger_accounts').where({ code: `vendor:${vendorId}` }).first('balance_fen');
    assert.equal(Number(account.balance_fen), 135_000_00);
  });

  it('the paid claim counts in the insurance statistics and on the year report, both accessible', async () => {
    const page = await as(users.finance);
    await page.goto(`${s.url}/admin/insurance-stats?year=2026&groupBy=city`);
    assert.match(await page.innerText('#is-totals tr[data-key="province"]'), /1\s+¥10,000,000\.00[\s\S]*¥135,000\.00/);
    assert.match(await page.innerText('#is-rows tr[data-key="杭州"]'), /杭州\s+1[\s\S]*¥135,000\.00\s+100\.0%/);
    await s.expectAccessible(page, 'insurance statistics');
    await page.goto(`${s.url}/reports/2026`);
    assert.match(await page.innerText('#report-paragraph'), /确定1项首台（套）重大技术装备保险补偿项目/);
    assert.equal(await page.locator('#report-charts svg[role="img"]').count(), 5);
    await screenshot(page, 'report-2026-desktop');
    await s.expectAccessible(page, 'year report with charts');
  });
});
