import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { csrfFor, loginAgent } from '../helpers/session';

describe(`search synonyms: the department edits them, searches use them at once (${ENGINE})`, () => {
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: string;
  let adminName: string;

  before(async () => {
    t = testApp(ctx.db);
    adminName = (await makeUser(ctx.db, { role: 'admin' })).username;
    admin = await bearer(t.http, adminName);
    const vendor = await makeVendor(ctx.db);
    await makeProduct(ctx.db, vendor, { title: '1.5T MR 超导成像系统', field: '高端医疗装备' });
    await makeProduct(ctx.db, vendor, { title: '全自动激光打标机', field: '智能装备' });
  });

  const titles = async (q: string) => ((await t.http.get('/api/v1/products').query({ q })).body.items as Array<{ title: string }>).map((i) => i.title);

  it('the starting table makes 磁共振, MRI and 核磁共振 find an MR', async () => {
    for (const q of ['磁共振', 'MRI', '核磁共振']) assert.deepEqual(await titles(q), ['1.5T MR 超导成像系统'], q);
  });

  it('a new entry changes what a search finds at once, and deleting it changes it back', async () => {
    assert.deepEqual(await titles('镭雕机'), []);
    const created = await t.http.post('/api/v1/admin/search-synonyms').set('Authorization', admin).send({ term: '镭雕机', synonyms: ['激光打标'], twoWay: false });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.synonyms, ['激光打标']);
    assert.deepEqual(await titles('镭雕机'), ['全自动激光打标机']);
    assert.equal((await t.http.delete(`/api/v1/admin/search-synonyms/${created.body.id}`).set('Authorization', admin)).status, 204);
    assert.deepEqual(await titles('镭雕机'), []);
  });

  it('a one-way entry widens its term only; a two-way one works backwards', async () => {
    const row = await t.http.post('/api/v1/admin/search-synonyms').set('Authorization', admin).send({ term: '打码机', synonyms: ['打标'], twoWay: false });
    assert.deepEqual(await titles('打码机'), ['全自动激光打标机']);
    const edited = await t.http.put(`/api/v1/admin/search-synonyms/${row.body.id}`).set('Authorization', admin).send({ term: '打码机', synonyms: ['打标'], twoWay: true });
    assert.equal(edited.body.twoWay, true);
    const listed = await t.http.get('/api/v1/admin/search-synonyms').set('Authorization', admin);
    assert.ok(listed.body.items.some((r: { term: string }) => r.term === '打码机'));
  });

  it('bad input is a 4xx naming the field: empty term, no synonyms, only the term itself, a term already there', async () => {
    const post = (body: unknown) => t.http.post('/api/v1/admin/search-synonyms').set('Authorization', admin).send(body as object);
    const cases: Array<[unknown, number, string]> = [
      [{ term: '', synonyms: ['x'] }, 422, 'term'],
      [{ term: '某词', synonyms: [] }, 422, 'synonyms'],
      [{ term: '某词', synonyms: '' }, 422, 'synonyms'],
      [{ term: '某词', synonyms: ['某词'] }, 422, 'synonyms'],
      [{ term: '某词', synonyms: [{}] }, 422, 'synonyms'],
      [{ term: '%%%', synonyms: ['x'] }, 422, 'term'],
      [{ term: 'x'.repeat(41), synonyms: ['x'] }, 422, 'term'],
      [{ term: 'ct机', synonyms: ['ct'] }, 409, 'term'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error.field, field, JSON.stringify(body));
    }
    assert.equal((await t.http.put('/api/v1/admin/search-synonyms/999999').set('Authorization', admin).send({ term: 'a1', synonyms: ['b1'] })).status, 404);
  });

  it('the admin page adds an entry through a form with its CSRF token, and shows a field’s error beside it', async () => {
    const agent = await loginAgent(t.app, adminName);
    const page = await agent.get('/admin/search-synonyms');
    assert.equal(page.status, 200);
    assert.match(page.text, /磁共振/);
    const csrf = await csrfFor(agent, '/admin/search-synonyms');
    assert.equal((await agent.post('/admin/search-synonyms').type('form').send({ term: '镭射', synonyms: '激光' })).status, 403, 'no token, no change');
    const saved = await agent.post('/admin/search-synonyms').type('form').send({ _csrf: csrf, term: '镭射', synonyms: '激光，打标', twoWay: 'on' });
    assert.equal(saved.status, 302);
    assert.deepEqual(await titles('镭射'), ['全自动激光打标机']);
    const bad = await agent.post('/admin/search-synonyms').type('form').send({ _csrf: csrf, term: '', synonyms: '激光' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /syn-new-term-err/);
    const english = await agent.get('/admin/search-synonyms?lang=en');
    assert.match(english.text, /Search synonyms/);
  });

  it('a search that finds nothing answers suggestions in JSON and on the page', async () => {
    const res = await t.http.get('/api/v1/products').query({ q: '激光打标几' });
    assert.equal(res.body.total, 0);
    assert.ok(res.body.suggestions.some((s: { q: string; total: number }) => s.q === '激光 打标' || s.total > 0), JSON.stringify(res.body.suggestions));
    const page = await t.http.get('/products').query({ q: '激光打标几' });
    assert.match(page.text, /您是不是要找/);
    const found = await t.http.get('/api/v1/products').query({ q: '激光' });
    assert.equal('suggestions' in found.body, false, 'the contract is unchanged when something is found');
  });
});
