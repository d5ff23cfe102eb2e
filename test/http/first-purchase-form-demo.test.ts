import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { DEMO_LOADED_AT, useDemoDb } from '../helpers/demo-db';
import { loginAgent } from '../helpers/session';

/**
 * The 政府首购 form on the demo data: a hospital finds its equipment there. The product list once stopped at 500 of
 * some 1,400 eligible products, partway through the second field, so 64排CT and 1.5T MR were not among them.
 */
describe(`the 政府首购 form offers every eligible product, by field (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date(DEMO_LOADED_AT), { freeze: true });
  });

  it('every product with a current certificate of its own vendor is an option, grouped by field; 64排CT among them', async () => {
    const agent = await loginAgent(t.app, 'purchaser');
    const page = await agent.get('/first-purchases/new');
    assert.equal(page.status, 200);
    const select = /<select id="f-product"[\s\S]*?<\/select>/.exec(page.text)?.[0] ?? '';
    const options = [...select.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    const eligible = await ctx.db('products as p')
      .join('vendors as v', 'v.id', 'p.vendor_id')
      .join('certifications as c', 'c.id', 'p.cert_id')
      .where('p.status', 'approved')
      .where('c.status', 'valid')
      .where('c.valid_until', '>=', DEMO_LOADED_AT.slice(0, 10))
      .whereRaw('c.credit_code = v.credit_code')
      .count({ n: '*' })
      .first();
    assert.ok(options.length > 500, `${options.length} options`);
    assert.equal(options.length, Number(eligible?.n));
    assert.match(select, /<optgroup label="高端医疗装备">[\s\S]*?64排CT/);
    assert.ok((select.match(/<optgroup /g) ?? []).length >= 5, 'one group a field');
  });
});
