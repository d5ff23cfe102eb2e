import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeUser } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { csrfFor, loginAgent, type Agent } from '../helpers/session';

const text = (html: string) => decodeEntities(html.replace(/<details class="audit-raw">[\s\S]*?<\/details>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

interface AuditItem {
  action: string;
  entity: string;
  entityId: string;
  actor: { id: number; name: string };
  before: unknown;
  after: unknown;
}

/**
 * The department's synonym table is audited like every other admin edit (issue 18): adding, changing and deleting a
 * row — by JSON or by the page's forms — each leaves a record naming who did it and what the row was before and
 * after, in the same transaction (a refused edit leaves none), and the audit log reads it in words in both languages.
 */
describe(`search synonym edits in the audit log (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let token: string;
  let adminName: string;
  let adminId: number;
  let page: Agent;

  const synonymRecords = async (): Promise<AuditItem[]> =>
    ((await t.http.get('/api/v1/admin/audit').query({ entity: 'search_synonym', pageSize: 100 }).set('Authorization', token)).body.items as AuditItem[]).reverse();

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00.000Z'), { freeze: true });
    const admin = await makeUser(ctx.db, { role: 'admin' });
    await ctx.db('users').where({ id: admin.id }).update({ display_name: '同义词管理员' });
    adminName = admin.username;
    adminId = admin.id;
    token = await bearer(t.http, adminName);
    page = await loginAgent(t.app, adminName);
  });

  it('JSON: adding, changing and deleting a row each write a record with the admin, the row before and after', async () => {
    const created = await t.http.post('/api/v1/admin/search-synonyms').set('Authorization', token).send({ term: '镭雕机', synonyms: ['激光打标机'], twoWay: false });
    assert.equal(created.status, 201);
    const id = created.body.id as number;
    const changed = await t.http.put(`/api/v1/admin/search-synonyms/${id}`).set('Authorization', token).send({ term: '镭雕机', synonyms: ['激光打标机', '激光雕刻机'], twoWay: true });
    assert.equal(changed.status, 200);
    assert.equal((await t.http.delete(`/api/v1/admin/search-synonyms/${id}`).set('Authorization', token)).status, 204);

    const records = await synonymRecords();
    assert.deepEqual(
      records.map((r) => [r.action, r.entityId, r.actor.id]),
      [
        ['search_synonym.add', String(id), adminId],
        ['search_synonym.update', String(id), adminId],
        ['search_synonym.remove', String(id), adminId],
      ],
    );
    assert.deepEqual(records[0]!.after, { term: '镭雕机', synonyms: ['激光打标机'], twoWay: false });
    assert.deepEqual(records[1]!.before, { term: '镭雕机', synonyms: ['激光打标机'], twoWay: false });
    assert.deepEqual(records[1]!.after, { term: '镭雕机', synonyms: ['激光打标机', '激光雕刻机'], twoWay: true });
    assert.deepEqual(records[2]!.before, { term: '镭雕机', synonyms: ['激光打标机', '激光雕刻机'], twoWay: true });
    assert.equal(records[2]!.after, null);
  });

  it('a refused edit writes nothing: a duplicate term (409), an unknown row (404), a row of only its term (422)', async () => {
    const before = (await synonymRecords()).length;
    const first = await t.http.post('/api/v1/admin/search-synonyms').set('Authorization', token).send({ term: '立磨', synonyms: ['立式磨机'] });
    assert.equal(first.status, 201);
    assert.equal((await t.http.post('/api/v1/admin/search-synonyms').set('Authorization', token).send({ term: '立磨', synonyms: ['磨机'] })).status, 409);
    assert.equal((await t.http.put('/api/v1/admin/search-synonyms/999999').set('Authorization', token).send({ term: '球磨', synonyms: ['磨机'] })).status, 404);
    assert.equal((await t.http.delete('/api/v1/admin/search-synonyms/999999').set('Authorization', token)).status, 404);
    assert.equal((await t.http.put(`/api/v1/admin/search-synonyms/${first.body.id as number}`).set('Authorization', token).send({ term: '立磨', synonyms: ['立磨'] })).status, 422);
    const after = await synonymRecords();
    assert.equal(after.length, before + 1, 'only the one accepted addition is on record');
    assert.equal(after.at(-1)!.action, 'search_synonym.add');
  });

  it('the page’s forms are audited too, and the log reads them in words: who, what, the term, before → after', async () => {
    const add = await page.post('/admin/search-synonyms').type('form').send({ term: 'RTO', synonyms: '蓄热式焚烧炉，蓄热式氧化炉', twoWay: 'on', _csrf: await csrfFor(page, '/admin/search-synonyms') });
    assert.equal(add.status, 302);
    const row = await ctx.db('search_synonyms').where({ term: 'rto' }).first('id');
    assert.ok(row, 'the row was added (its term kept normalised)');
    const edit = await page.post(`/admin/search-synonyms/${row.id as number}`).type('form').send({ term: 'RTO', synonyms: '蓄热式焚烧炉', _csrf: await csrfFor(page, '/admin/search-synonyms') });
    assert.equal(edit.status, 302);
    const records = await synonymRecords();
    assert.deepEqual(records.slice(-2).map((r) => r.action), ['search_synonym.add', 'search_synonym.update']);

    const log = text((await page.get('/admin/audit').query({ entity: 'search_synonym' })).text);
    assert.match(log, /新增搜索同义词/);
    assert.match(log, /修改搜索同义词/);
    assert.match(log, /删除搜索同义词/);
    assert.match(log, /同义词管理员/, 'the admin by name');
    assert.match(log, /搜索同义词 rto/, 'the row by its term');
    assert.match(log, /双向：是 → 否/, 'the change in words');
    assert.match(log, /同义词：蓄热式焚烧炉、蓄热式氧化炉 → 蓄热式焚烧炉/);
    assert.match(log, /2026-03-02 10:00/, 'Shanghai time');
    assert.doesNotMatch(log, /search_synonym\.(add|update|remove) /, 'no action code outside the raw record');
    // The filter's choices name the entity and the actions in words.
    const filter = decodeEntities((await page.get('/admin/audit')).text);
    assert.match(filter, /<option value="search_synonym">搜索同义词<\/option>/);
    assert.match(filter, /<option value="search_synonym.add">新增搜索同义词<\/option>/);

    const en = text((await page.get('/admin/audit').query({ entity: 'search_synonym', lang: 'en' })).text);
    for (const label of ['Search synonym added', 'Search synonym changed', 'Search synonym deleted', 'Both ways: Yes → No']) assert.ok(en.includes(label), label);
    await page.get('/admin/audit?lang=zh-CN');
  });

  it('the audit chain still verifies after the edits', async () => {
    const verify = await t.http.get('/api/v1/admin/audit/verify').set('Authorization', token);
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true);
  });
});
