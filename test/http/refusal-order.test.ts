import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseBody, clockedTokens, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { makeRecWorld, recommendedApplications, type RecWorld } from '../helpers/recognition';

/**
 * API.md's order of refusals, 401 → 403 → 404 → 409 → 422, on the routes whose object is not the caller's own: an
 * objection (anyone may file one), a ruling on one, and a step whose guard refuses — an empty or wrong body to a case
 * or round that is not there, or not open, is that 404 or 409, never a 422 about the body.
 */
describe(`the order of refusals: the object and its state before the body (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let fp: FpWorld;
  let rec: RecWorld;
  let token: ReturnType<typeof clockedTokens>;
  const recTokens = new Map<string, string>();
  const recTok = async (u: string) => {
    if (!recTokens.has(u)) recTokens.set(u, await bearer(t.http, u));
    return recTokens.get(u)!;
  };
  let inNotice: number;
  let pastNotice: number;
  let objectionId: number;
  let roundId: number;
  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  const post = async (path: string, auth: string | null, body: unknown) => {
    const req = t.http.post(path);
    if (auth) req.set('Authorization', auth);
    return req.send(body as object);
  };
  const expect = (res: { status: number; body: { error?: { code: string } } }, status: number, code: string) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, code);
  };

  before(async () => {
    fp = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, fp.users);
    at('2026-09-29T10:00:00+08:00');
    const a = await post('/api/v1/first-purchases', await token('purchaser'), caseBody(fp.products.ct));
    pastNotice = a.body.id;
    assert.equal((await post(`/api/v1/first-purchases/${pastNotice}/submit`, await token('purchaser'), {})).status, 200);
    const objection = await post(`/api/v1/first-purchases/${pastNotice}/objections`, null, { name: '赵六', organization: '某公司', contact: '138', content: '不具唯一性' });
    assert.equal(objection.status, 201, JSON.stringify(objection.body));
    objectionId = objection.body.id;
    at('2026-10-20T10:00:00+08:00');
    const b = await post('/api/v1/first-purchases', await token('purchaser'), caseBody(fp.products.ct));
    inNotice = b.body.id;
    assert.equal((await post(`/api/v1/first-purchases/${inNotice}/submit`, await token('purchaser'), {})).status, 200);

    rec = await makeRecWorld(ctx.db);
    const { ids } = await recommendedApplications(t.http, rec, recTok, 1);
    const round = await post('/api/v1/admin/certification-rounds', await recTok(rec.users.admin), { year: 2026, applicationIds: ids });
    assert.equal(round.status, 201, JSON.stringify(round.body));
    roundId = round.body.id;
  });

  it('an objection to a case: no such case 404, its period over 409 — whatever the body', async () => {
    expect(await post('/api/v1/first-purchases/999999/objections', null, {}), 404, 'not_found');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections`, null, {}), 409, 'invalid_state');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections`, null, { name: 5 }), 409, 'invalid_state');
    // Open to objections: then the body is what is wrong.
    const refused = await post(`/api/v1/first-purchases/${inNotice}/objections`, null, {});
    expect(refused, 422, 'validation_failed');
    assert.equal((await ctx.db('objections').where({ case_id: inNotice })).length, 0, 'nothing written');
  });

  it('a ruling on an objection: no such case or objection 404, one already ruled on 409 — whatever the body', async () => {
    const admin = await token('admin');
    expect(await post(`/api/v1/first-purchases/999999/objections/${objectionId}/resolve`, admin, {}), 404, 'not_found');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/999999/resolve`, admin, {}), 404, 'not_found');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/999999/mark`, admin, {}), 404, 'not_found');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/${objectionId}/resolve`, await token('purchaser'), {}), 403, 'forbidden');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/${objectionId}/resolve`, admin, {}), 422, 'validation_failed');
    assert.equal((await post(`/api/v1/first-purchases/${pastNotice}/objections/${objectionId}/resolve`, admin, { upheld: false, opinion: '异议不成立' })).status, 200);
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/${objectionId}/resolve`, admin, {}), 409, 'invalid_state');
    expect(await post(`/api/v1/first-purchases/${pastNotice}/objections/${objectionId}/mark`, admin, { disposition: 'nonsense' }), 409, 'invalid_state');
  });

  it('finance approving during the 公示 with a wrong body: the 409 of the period, not a 422 of the body', async () => {
    const finance = await token('finance');
    const res = await post(`/api/v1/first-purchases/${inNotice}/approve`, finance, { opinion: 5 });
    expect(res, 409, 'invalid_state');
    assert.match(res.body.error.message, /公示期尚未结束/);
    expect(await post(`/api/v1/first-purchases/${pastNotice}/approve`, finance, { opinion: 5 }), 422, 'validation_failed');
    assert.equal((await ctx.db('fp_cases').where({ id: pastNotice }).first()).status, 'notice', 'nothing written');
  });

  it('an objection to a certification round, and a ruling on one: 404 and 409 before the body', async () => {
    const admin = await recTok(rec.users.admin);
    expect(await post('/api/v1/certification-rounds/999999/objections', null, {}), 404, 'not_found');
    expect(await post(`/api/v1/certification-rounds/${roundId}/objections`, null, {}), 422, 'validation_failed');
    expect(await post(`/api/v1/admin/certification-rounds/999999/objections/1/resolve`, admin, {}), 404, 'not_found');
    expect(await post(`/api/v1/admin/certification-rounds/${roundId}/objections/999999/resolve`, admin, {}), 404, 'not_found');
    at('2026-12-30T10:00:00+08:00');
    recTokens.clear();
    expect(await post(`/api/v1/certification-rounds/${roundId}/objections`, null, {}), 409, 'invalid_state');
  });
});
