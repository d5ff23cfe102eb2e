import assert from 'node:assert/strict';
import { CheckoutInput } from '../../src/orders/schema';
import { AppError } from '../../src/errors';
import { parseInput } from '../../src/web/validate';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE } from '../helpers/db';
import { demoClock, useDemoDb } from '../helpers/demo-db';

/**
 * A refused value is named as its form names it and told what is wrong with it (a new user's pass over the pages,
 * 2026-12-08): "首台（套）产品：必填", not "商品：必填"; an empty date "必填", not its format; a year out of range said
 * as such, not "须为整数"; an amount past the money range, not its format.
 */
describe(`messages that name the field as the form does and say what is wrong (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useDemoDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db, { clock: demoClock() });
  });

  const message = (res: { status: number; body: { error?: { message: string; field?: string } } }, field: string): string => {
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.error?.field, field);
    return res.body.error?.message ?? '';
  };

  it('a 政府首购 case without its product names the 首台（套）产品, as the case form labels it', async () => {
    const purchaser = await bearer(t.http, 'purchaser');
    const res = await t.http.post('/api/v1/first-purchases').set('Authorization', purchaser).send({});
    assert.equal(message(res, 'productId'), '首台（套）产品：必填');
  });

  it('an objection without its text names 异议内容及理由, as the notice’s form labels it', async () => {
    const open = await ctx.db('fp_cases').where({ status: 'notice' }).first('id');
    assert.ok(open, 'the demo has a case in its 公示');
    const res = await t.http.post(`/api/v1/first-purchases/${open.id}/objections`).send({ name: '张三', contact: '0571-88888888' });
    assert.equal(message(res, 'content'), '异议内容及理由：必填');
  });

  it('checkout without a contact names the 收货联系人, as the checkout form labels it', () => {
    try {
      parseInput(CheckoutInput, { deliveryAddress: '杭州市', contactPhone: '0571-88888888', deliveryDate: '2026-12-20', invoiceTitle: '某单位' });
      assert.fail('refused');
    } catch (err) {
      assert.ok(err instanceof AppError);
      assert.deepEqual([err.field, err.messageKey, err.params.fieldLabel], ['contactPerson', 'validation.required', 'orders.contact_person']);
    }
  });

  it('an insurance claim with its policy dates left empty is told they are required, not their format', async () => {
    const vendor = await bearer(t.http, 'vendor');
    const first = await t.http.post('/api/v1/vendor/insurance-claims').set('Authorization', vendor).send({
      certNo: 'X', policyNo: 'P-1', insurer: '某保险公司', insuredValue: '1000000', premium: '10000', policyStart: '', policyEnd: '2027-01-01', policyYear: 1, unitOrdinal: 1, purchaserName: '某医院', contractNo: 'HT-1', nationalSubsidy: false,
    });
    assert.match(message(first, 'policyStart'), /：必填$/);
  });

  it('a year out of range on the public statistics is said as such (0 and -1 are whole numbers)', async () => {
    for (const year of ['0', '-1', '3000']) {
      assert.match(message(await t.http.get(`/api/v1/stats/summary?year=${year}`), 'year'), /年度：应为 1900 至 2999 之间的年份$/, year);
      const page = await t.http.get(`/stats?year=${year}`);
      assert.equal(page.status, 422);
      assert.ok(page.text.includes('年度：应为 1900 至 2999 之间的年份'), year);
    }
    assert.match(message(await t.http.get('/api/v1/stats/summary?year=abc'), 'year'), /年度：须为整数$/);
  });

  it('an amount past the money range is told the range; a number past a bound says the bound', async () => {
    const vendor = await bearer(t.http, 'vendor');
    const product = await ctx.db('products').where({ vendor_id: (await ctx.db('users').where({ username: 'vendor' }).first('vendor_id')).vendor_id }).first('id');
    const price = await t.http.patch(`/api/v1/vendor/products/${product.id}`).set('Authorization', vendor).send({ price: '99999999999999' });
    assert.equal(message(price, 'price'), '单价：金额超出范围（最高 9999999999999.99 元）');
    const stock = await t.http.patch(`/api/v1/vendor/products/${product.id}`).set('Authorization', vendor).send({ stock: 2_000_000_000 });
    assert.equal(message(stock, 'stock'), '库存：不能大于 1000000000');
    const paging = await t.http.get('/api/v1/products?pageSize=101');
    assert.match(message(paging, 'pageSize'), /：不能大于 100$/);
  });

  it('the compare page says what is wrong with a hand-edited ids, without the raw parameter as a label', async () => {
    const page = await t.http.get('/compare?ids=abc');
    assert.equal(page.status, 422);
    assert.ok(page.text.includes('ids 应为以逗号分隔的产品编号'));
    assert.doesNotMatch(page.text, /<code>ids<\/code>/);
  });
});
