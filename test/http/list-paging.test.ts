import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { clockedTokens, makeFpWorld, type FpWorld } from '../helpers/first-purchase';

type Who = keyof FpWorld['users'] | null;

/** Every JSON list that pages (API.md "Lists"), with a caller who may read it. */
const LISTS: Array<[string, Who]> = [
  ['/api/v1/products', null],
  ['/api/v1/notices', null],
  ['/api/v1/orders', 'purchaser'],
  ['/api/v1/vendor/orders', 'vendor'],
  ['/api/v1/vendor/products', 'vendor'],
  ['/api/v1/vendor/certifications', 'vendor'],
  ['/api/v1/vendor/applications', 'vendor'],
  ['/api/v1/vendor/insurance-claims', 'vendor'],
  ['/api/v1/first-purchases', 'purchaser'],
  ['/api/v1/admin/vendors', 'admin'],
  ['/api/v1/admin/products', 'admin'],
  ['/api/v1/admin/certifications', 'admin'],
  ['/api/v1/admin/applications', 'admin'],
  ['/api/v1/admin/audit', 'admin'],
  ['/api/v1/admin/budgets', 'admin'],
  ['/api/v1/admin/ledger/transfers', 'admin'],
  ['/api/v1/admin/ledger/accounts', 'admin'],
  ['/api/v1/admin/insurance-claims', 'admin'],
  ['/api/v1/admin/webhooks', 'admin'],
  ['/api/v1/finance/awards', 'finance'],
  ['/api/v1/finance/insurance-claims', 'finance'],
];

/** API.md "Lists": `page` from 1, `pageSize` 1–100, default 20, the same on every list. */
describe(`paging of every list (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let token: ReturnType<typeof clockedTokens>;

  before(async () => {
    const w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
  });

  const get = async (path: string, who: Who) => {
    const req = t.http.get(path);
    if (who) req.set('Authorization', await token(who));
    return req;
  };

  it('an empty page or pageSize (`?page=&pageSize=`) is one not given: the first page of 20, on every list', async () => {
    for (const [path, who] of LISTS) {
      const res = await get(`${path}?page=&pageSize=`, who);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body).slice(0, 200)}`);
      assert.equal(res.body.page, 1, path);
      assert.equal(res.body.pageSize, 20, path);
      assert.ok(Array.isArray(res.body.items), path);
    }
  });

  it('pageSize 0 or 101 and page 0 are a 422 naming the field, on every list', async () => {
    for (const [path, who] of LISTS) {
      for (const [q, field] of [
        ['pageSize=0', 'pageSize'],
        ['pageSize=101', 'pageSize'],
        ['page=0', 'page'],
        ['pageSize=abc', 'pageSize'],
      ] as const) {
        const res = await get(`${path}?${q}`, who);
        assert.equal(res.status, 422, `${path}?${q}: ${res.status}`);
        assert.equal(res.body.error.field, field, `${path}?${q}`);
      }
      const ok = await get(`${path}?page=1&pageSize=100`, who);
      assert.equal(ok.status, 200, path);
      assert.equal(ok.body.pageSize, 100, path);
    }
  });
});
