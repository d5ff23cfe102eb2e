import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { loginAgent, type Agent } from '../helpers/session';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { bearer } from '../helpers/app';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/**
 * Admin pages for people (issue 18 item 7): the ledger names the accounts' owners (the code in small print), and the
 * listing review shows what the certificate certifies next to the listing, pointing out a name or model that differs.
 */
describe(`admin pages for people (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: Agent;
  let asAdmin: string;
  const ids: Record<string, number> = {};

  before(async () => {
    t = testApp(ctx.db);
    const ad = await makeUser(ctx.db, { role: 'admin' });
    admin = await loginAgent(t.app, ad.username);
    asAdmin = await bearer(t.http, ad.username);
    const unit = await makePurchaser(ctx.db, { name: '台账测试医院' });
    ids.unit = unit.id;
    await t.http.post('/api/v1/admin/budgets').set('Authorization', asAdmin).send({ purchaserId: unit.id, amount: '1880000' });
    const v = await makeVendor(ctx.db, { name: '精机数控有限公司' });
    const cert = await makeCert(ctx.db, v, { product_name: '数控车铣复合机床' });
    await makeProduct(ctx.db, v, { cert, title: '数控车铣复合机床', model: 'JR-TM300', status: 'approved' });
    ids.same = (await makeProduct(ctx.db, v, { cert, title: '数控车铣复合机床', model: 'JR-TM300', status: 'pending_review' })).id;
    ids.other = (await makeProduct(ctx.db, v, { cert, title: '数控车铣复合机床 加强型', model: 'JR-TM300P', status: 'pending_review' })).id;
  });

  it('the ledger names the purchasing unit and the treasury, with the account code in small print', async () => {
    const page = await admin.get('/admin/ledger');
    assert.equal(page.status, 200);
    const row = /<tr data-transfer-id="\d+" data-kind="allocate">([\s\S]*?)<\/tr>/.exec(page.text);
    assert.ok(row, 'no allocation row');
    const cells = text(row[1]!);
    assert.match(cells, /财政资金 .*treasury/);
    assert.match(cells, new RegExp(`台账测试医院 单位预算 · budget:${ids.unit}`));
    assert.match(cells, /¥1,880,000\.00/);
    assert.match(text(page.text), new RegExp(`台账测试医院 budget:${ids.unit}`));
  });

  it('the review page shows the certified product next to the listing; a different model is pointed out', async () => {
    const same = await admin.get(`/admin/products/${ids.same}`);
    assert.equal(same.status, 200);
    assert.match(same.text, /class="certified-name">数控车铣复合机床</);
    assert.match(text(same.text), /同证书已上架型号： JR-TM300/);
    assert.doesNotMatch(same.text, /class="alert alert-error cert-mismatch"/);
    const other = await admin.get(`/admin/products/${ids.other}`);
    assert.match(other.text, /class="alert alert-error cert-mismatch"/);
    assert.match(text(other.text), /型号 JR-TM300P .*JR-TM300/);
  });
});
