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

  const optionsOf = (html: string) => {
    const select = /<select id="f-product"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    return [...select.matchAll(/<option value="(\d+)"( selected)?>([^<]*)</g)].map((m) => ({ id: Number(m[1]), selected: Boolean(m[2]), text: m[3]! }));
  };

  it('查找产品 narrows the list to what holds every word (name, model, enterprise, certificate number), and says how many', async () => {
    const agent = await loginAgent(t.app, 'purchaser');
    const all = optionsOf((await agent.get('/first-purchases/new')).text);
    const page = await agent.get('/first-purchases/new').query({ find: '64排ct' });
    assert.equal(page.status, 200);
    const found = optionsOf(page.text);
    assert.ok(found.length >= 1 && found.length < all.length, `${found.length} of ${all.length}`);
    for (const o of found) assert.match(o.text, /64排CT/);
    assert.match(page.text, new RegExp(`“64排ct”：找到 ${found.length} 个产品（共 ${all.length} 个）`));
    // A certificate number finds its products too; two words must both be there.
    const certNo = /· ([^·]+) · [^·]+$/.exec(found[0]!.text)![1]!.trim();
    const byCert = optionsOf((await agent.get('/first-purchases/new').query({ find: certNo })).text);
    assert.ok(byCert.some((o) => o.id === found[0]!.id));
    assert.ok(byCert.every((o) => o.text.includes(certNo)));
    const vendor = /· ([^·]+) · [^·]+ · [^·]+$/.exec(found[0]!.text)![1]!.trim();
    const two = optionsOf((await agent.get('/first-purchases/new').query({ find: `64排CT ${vendor}` })).text);
    assert.ok(two.length >= 1 && two.every((o) => o.text.includes('64排CT') && o.text.includes(vendor)));
  });

  it('查找产品: a single find is chosen; nothing found lists every product and says so; a chosen product stays listed', async () => {
    const agent = await loginAgent(t.app, 'purchaser');
    const all = optionsOf((await agent.get('/first-purchases/new')).text);
    // A product whose certificate number no other listed product shares.
    const certOf = (o: { text: string }) => o.text.split(' · ')[2]!;
    const one = all.find((o) => all.filter((x) => certOf(x) === certOf(o)).length === 1)!;
    const certNo = certOf(one);
    const single = optionsOf((await agent.get('/first-purchases/new').query({ find: certNo })).text);
    assert.deepEqual(single.map((o) => [o.id, o.selected]), [[one.id, true]]);
    const none = await agent.get('/first-purchases/new').query({ find: '没有这种产品<script>' });
    assert.equal(none.status, 200);
    assert.equal(optionsOf(none.text).length, all.length);
    assert.match(none.text, new RegExp(`没有找到“没有这种产品&lt;script&gt;”，下方列出全部 ${all.length} 个产品`));
    const kept = optionsOf((await agent.get('/first-purchases/new').query({ find: '64排CT', productId: one.id })).text);
    assert.equal(kept[0]!.id, one.id);
    assert.equal(kept[0]!.selected, true);
  });
});
