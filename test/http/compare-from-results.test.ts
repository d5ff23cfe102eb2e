import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/**
 * Comparing from the search results (issue 18 item 5): each result has a checkbox in one GET form to /compare, so a
 * purchaser ticks several and compares them without JavaScript; more than four is the comparison's 422 naming `ids`.
 */
describe(`compare ticked search results (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const ids: number[] = [];

  before(async () => {
    t = testApp(ctx.db);
    const vendor = await makeVendor(ctx.db);
    for (const [i, model] of ['VMC-850', 'VMC-1160', 'VMC-1370', 'VMC-1580', 'VMC-1890'].entries()) {
      ids.push((await makeProduct(ctx.db, vendor, { title: `立式加工中心 ${model}`, model, price_fen: (500_000 + i * 100_000) * 100, field: '数控机床' })).id);
    }
  });

  it('the results are one GET form to /compare, a labelled checkbox per product, the button before and after them', async () => {
    const html = decodeEntities((await t.http.get('/products').query({ q: '加工中心' })).text);
    const form = /<form method="get" action="\/compare" class="compare-pick-form">([\s\S]*?)<\/form>/.exec(html)?.[1];
    assert.ok(form, 'a GET form to /compare around the results');
    for (const id of ids) {
      assert.match(form, new RegExp(`<label class="compare-pick"><input type="checkbox" name="ids" value="${id}"> 选择对比<span class="visually-hidden">：立式加工中心 VMC-\\d+</span></label>`));
    }
    assert.equal(form.match(/<button type="submit" class="button" aria-describedby="compare-pick-hint">对比所选产品<\/button>/g)?.length, 2);
    assert.match(form, /勾选最多 4 个产品/);
    // The home page's cards keep their one-click compare link and have no checkbox.
    const home = (await t.http.get('/')).text;
    assert.doesNotMatch(home, /name="ids"/);
  });

  it('the ticked products, as the form sends them (ids=…&ids=…), are compared side by side', async () => {
    const res = await t.http.get(`/compare?ids=${ids[0]}&ids=${ids[2]}&ids=${ids[3]}`);
    assert.equal(res.status, 200);
    const page = text(res.text);
    for (const model of ['VMC-850', 'VMC-1370', 'VMC-1580']) assert.ok(page.includes(`立式加工中心 ${model}`), model);
    assert.ok(!page.includes('立式加工中心 VMC-1160'), 'an unticked product is not compared');
    assert.match(page, /¥700,000\.00/);
  });

  it('five ticked is refused as the comparison refuses it: 422 saying how many may be compared, nothing compared', async () => {
    const res = await t.http.get(`/compare?${ids.map((id) => `ids=${id}`).join('&')}`);
    assert.equal(res.status, 422);
    const page = text(res.text);
    assert.match(page, /最多比较 4 个产品/);
    assert.doesNotMatch(page, /ids : /, 'the message, not the raw parameter as a label');
    assert.ok(!page.includes('VMC-850'), 'no product is shown');
  });

  it('nothing ticked opens the empty comparison, which says how to add products', async () => {
    const res = await t.http.get('/compare');
    assert.equal(res.status, 200);
    assert.match(text(res.text), /还没有要对比的产品/);
  });

  it('in English: the checkbox, its hint and the button', async () => {
    const html = decodeEntities((await t.http.get('/products').query({ q: '加工中心', lang: 'en' })).text);
    assert.match(html, /> Select to compare<span class="visually-hidden">: 立式加工中心 VMC-850<\/span>/);
    assert.match(html, /Tick up to 4 products, then “Compare selected” to see them side by side\./);
    assert.match(html, />Compare selected<\/button>/);
    assert.doesNotMatch(text(html), /选择对比|对比所选/);
  });
});
