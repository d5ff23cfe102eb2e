import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseBody, clockedTokens, makeFpWorld, type FpWorld } from '../helpers/first-purchase';

type Who = keyof FpWorld['users'];

/**
 * API.md's order of refusals, 401 → 403 → 404 → 409 → 422: an object that is not the caller's, or not there, is said
 * so whatever the body — an empty or wrong body on someone else's object is its 403, not a 422 that names a field.
 */
describe(`another's object before the input (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;
  let caseId: number;

  const call = async (method: 'post' | 'patch', path: string, who: Who, body?: object): Promise<Response> => {
    const req = t.http[method](path).set('Authorization', await token(who));
    return body === undefined ? req : req.send(body);
  };
  const refused = (res: Response, status: number, code: string) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error.code, code, JSON.stringify(res.body));
  };

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    const created = await call('post', '/api/v1/first-purchases', 'purchaser', caseBody(w.products.ct));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    caseId = created.body.id;
  });

  it('a 政府首购 step with an empty body: 403 for another purchasing unit or vendor, 404 for no case; for the party, 409 where the draft cannot take the step, else 422', async () => {
    // terminate may end a draft; withdraw (from the 公示 on), negotiate and contract may not.
    for (const [step, forTheParty] of [['withdraw', 409], ['negotiate', 409], ['contract', 409], ['terminate', 422]] as const) {
      refused(await call('post', `/api/v1/first-purchases/${caseId}/${step}`, 'purchaser2', {}), 403, 'forbidden');
      refused(await call('post', `/api/v1/first-purchases/${caseId}/${step}`, 'vendor2', {}), 403, 'forbidden');
      refused(await call('post', `/api/v1/first-purchases/999999/${step}`, 'purchaser', {}), 404, 'not_found');
      refused(await call('post', `/api/v1/first-purchases/${caseId}/${step}`, 'purchaser', {}), forTheParty, forTheParty === 409 ? 'invalid_state' : 'validation_failed');
    }
    // The same with a body of the wrong type: the state comes first (the approval waits for the 公示).
    refused(await call('post', `/api/v1/first-purchases/${caseId}/approve`, 'finance', { opinion: 5 }), 409, 'invalid_state');
    refused(await call('post', `/api/v1/first-purchases/${caseId}/approve`, 'finance', {}), 409, 'invalid_state');
    // A body that is not a JSON object at all is malformed, as one that is not JSON is: a 400 before anything is read.
    refused(await t.http.post(`/api/v1/first-purchases/${caseId}/terminate`).set('Authorization', await token('purchaser2')).set('Content-Type', 'application/json').send('[1]'), 400, 'malformed');
    refused(await t.http.post(`/api/v1/first-purchases/${caseId}/terminate`).set('Authorization', await token('purchaser2')).set('Content-Type', 'application/json').send('{"cause":'), 400, 'malformed');
  });

  it('another vendor’s listing: a wrong price, an upload with no file or a bad move is 403; the vendor’s own, a 422', async () => {
    const product = w.products.ct;
    refused(await call('patch', `/api/v1/vendor/products/${product}`, 'vendor2', { price: 'abc' }), 403, 'forbidden');
    refused(await call('patch', `/api/v1/vendor/products/999999`, 'vendor2', { price: 'abc' }), 404, 'not_found');
    refused(await call('patch', `/api/v1/vendor/products/${product}`, 'vendor', { price: 'abc' }), 422, 'validation_failed');
    refused(await call('post', `/api/v1/vendor/products/${product}/images`, 'vendor2', {}), 403, 'forbidden');
    refused(await call('post', `/api/v1/vendor/products/${product}/documents`, 'vendor2', {}), 403, 'forbidden');
    refused(await call('post', `/api/v1/vendor/products/${product}/images`, 'vendor', {}), 422, 'validation_failed');
    refused(await call('post', `/api/v1/vendor/products/${product}/images/1/move`, 'vendor2', { direction: 'sideways' }), 403, 'forbidden');
  });

  it('nothing was written by any of it', async () => {
    const c = await ctx.db('fp_cases').where({ id: caseId }).first('status');
    assert.equal(c.status, 'draft');
    assert.equal(Number((await ctx.db('product_images').count({ n: '*' }).first())?.n ?? 0), 0);
  });
});
