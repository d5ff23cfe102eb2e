import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { REC_FIELD, applicationBody, makeRecWorld, type RecWorld } from '../helpers/recognition';

/** The expert pool's edits (issue 15 item 2): the department changes an expert's unit, title, fields, with history. */
describe(`expert pool edits (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  let admin: string;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    w = await makeRecWorld(ctx.db, { experts: 4 });
    admin = await bearer(t.http, w.users.admin);
  });

  const patch = (id: number, body: unknown, who = admin) => t.http.patch(`/api/v1/admin/experts/${id}`).set('Authorization', who).send(body as object);

  it('edits unit, title and fields; only what changed is on record (history and audit); the detail shows it', async () => {
    const e = w.experts[0]!;
    const res = await patch(e.id, { unit: '浙江大学', title: '研究员', fields: [REC_FIELD, '船舶', REC_FIELD], name: '专家0' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.unit, '浙江大学');
    assert.equal(res.body.title, '研究员');
    assert.deepEqual(res.body.fields, [REC_FIELD, '船舶']);
    const detail = await t.http.get(`/api/v1/admin/experts/${e.id}`).set('Authorization', admin);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.history.length, 1);
    assert.deepEqual(detail.body.history[0].before, { unit: e.unit, title: '教授', fields: [REC_FIELD] });
    assert.deepEqual(detail.body.history[0].after, { unit: '浙江大学', title: '研究员', fields: [REC_FIELD, '船舶'] });
    assert.equal((await ctx.db('audit_log').where({ action: 'recognition.expert_update', entity_id: e.id })).length, 1);
    // Unchanged: nothing written.
    assert.equal((await patch(e.id, { title: '研究员' })).status, 200);
    assert.equal((await t.http.get(`/api/v1/admin/experts/${e.id}`).set('Authorization', admin)).body.history.length, 1);
    // (De)activation is on the same record.
    await t.http.post(`/api/v1/admin/experts/${e.id}/active`).set('Authorization', admin).send({ active: false });
    const after = (await t.http.get(`/api/v1/admin/experts/${e.id}`).set('Authorization', admin)).body;
    assert.deepEqual(after.history.map((h: { action: string }) => h.action), ['update', 'active']);
    await t.http.post(`/api/v1/admin/experts/${e.id}/active`).set('Authorization', admin).send({ active: true });
  });

  it('422 naming the field for an unknown field, an empty unit or an empty body; 404 for an unknown expert', async () => {
    const e = w.experts[1]!;
    for (const [body, field] of [
      [{ fields: ['不存在的领域'] }, 'fields.0'],
      [{ unit: '' }, 'unit'],
      [{ fields: [] }, 'fields'],
      [{}, 'name'],
    ] as const) {
      const res = await patch(e.id, body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.field, field);
    }
    assert.equal((await patch(999999, { title: '教授' })).status, 404);
  });

  it('the next draw reads the new unit: an expert moved to the applicant’s enterprise is never drawn for it', async () => {
    // 4 experts; the last already works at vendor A. Move one more there: 2 eligible, so a draw of 3 is refused.
    assert.equal((await patch(w.experts[2]!.id, { unit: w.vendorA.name })).status, 200);
    const vendor = await bearer(t.http, w.users.vendor);
    const created = await t.http.post('/api/v1/vendor/applications').set('Authorization', vendor).send(applicationBody());
    await t.http.post(`/api/v1/vendor/applications/${created.body.id}/submit`).set('Authorization', vendor);
    await t.http.post(`/api/v1/admin/applications/${created.body.id}/screen`).set('Authorization', admin).send({ passed: true });
    const draw = await t.http.post(`/api/v1/admin/applications/${created.body.id}/experts`).set('Authorization', admin).send({ count: 3 });
    assert.equal(draw.status, 409, JSON.stringify(draw.body));
  });
});
