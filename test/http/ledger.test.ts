import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { moneyFloats, tokens, tradingCast, type Cast } from '../helpers/trading';

function assertError(res: Response, status: number, code: string, field?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code);
  if (field !== undefined) assert.equal(res.body.error.field, field);
  assert.ok(res.body.error.message.length > 0);
}

describe(`ledger over HTTP (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let tok: Awaited<ReturnType<typeof tokens>>;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-01-05T01:30:00Z'));
    cast = await tradingCast(ctx.db);
    tok = await tokens(t.http, cast, bearer);
  });

  const allocate = (body: unknown, who = tok.admin, key?: string) => {
    const req = t.http.post('/api/v1/admin/budgets').set('Authorization', who);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };

  describe('POST /api/v1/admin/budgets', () => {
    it('401 without identity, 403 for a purchaser or a vendor', async () => {
      assertError(await t.http.post('/api/v1/admin/budgets').send({ purchaserId: cast.unitA.id, amount: '100' }), 401, 'unauthenticated');
      assertError(await allocate({ purchaserId: cast.unitA.id, amount: '100' }, tok.buyerA), 403, 'forbidden');
      assertError(await allocate({ purchaserId: cast.unitA.id, amount: '100' }, tok.sellerA), 403, 'forbidden');
    });

    it('422 for an amount that is a number, "1e3", "-1", "12.345", "", "0" or missing', async () => {
      for (const amount of [1000, '1e3', '-1', '12.345', '', '0', undefined, '1,00', '1,000']) {
        assertError(await allocate({ purchaserId: cast.unitA.id, amount }), 422, 'validation_failed', 'amount');
      }
    });

    it('422 naming purchaserId when it is missing, malformed or no such unit', async () => {
      assertError(await allocate({ amount: '100' }), 422, 'validation_failed', 'purchaserId');
      assertError(await allocate({ purchaserId: 'x', amount: '100' }), 422, 'validation_failed', 'purchaserId');
      assertError(await allocate({ purchaserId: 999999, amount: '100' }), 422, 'validation_failed', 'purchaserId');
    });

    it('400 for a body that is not an object', async () => {
      const res = await t.http.post('/api/v1/admin/budgets').set('Authorization', tok.admin).set('content-type', 'application/json').send('[1,2]');
      assertError(res, 400, 'malformed');
    });

    it('201 with the transfer (treasury → budget) and the new budget, money as strings; audited', async () => {
      const res = await allocate({ purchaserId: cast.unitA.id, amount: '1234567.8' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.transfer.kind, 'allocate');
      assert.equal(res.body.transfer.from, 'treasury');
      assert.equal(res.body.transfer.to, `budget:${cast.unitA.id}`);
      assert.equal(res.body.transfer.amount, '1234567.80');
      assert.match(res.body.transfer.createdAt, /^2026-01-05T09:30:\d{2}\.\d{3}\+08:00$/, 'Shanghai time, with its offset');
      assert.deepEqual(res.body.budget, { purchaserId: cast.unitA.id, allocated: '1234567.80', reserved: '0.00', available: '1234567.80', spent: '0.00' });
      assert.deepEqual(moneyFloats(res.body), []);
      const audit = await ctx.db('audit_log').where({ action: 'budget.allocate' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0].entity_id, String(cast.unitA.id));
    });

    it('Idempotency-Key: a replay returns the first answer and allocates nothing more; another body is 409', async () => {
      const first = await allocate({ purchaserId: cast.unitB.id, amount: '500' }, tok.admin, 'alloc-1');
      assert.equal(first.status, 201);
      const again = await allocate({ purchaserId: cast.unitB.id, amount: '500' }, tok.admin, 'alloc-1');
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      assertError(await allocate({ purchaserId: cast.unitB.id, amount: '600' }, tok.admin, 'alloc-1'), 409, 'idempotency_mismatch');
      const budget = (await t.http.get('/api/v1/budget').set('Authorization', tok.buyerB)).body;
      assert.equal(budget.allocated, '500.00');
    });
  });

  describe('GET /api/v1/budget', () => {
    it('401, 403 for a vendor or an admin, 200 for a purchaser with its own unit’s figures', async () => {
      assertError(await t.http.get('/api/v1/budget'), 401, 'unauthenticated');
      assertError(await t.http.get('/api/v1/budget').set('Authorization', tok.sellerA), 403, 'forbidden');
      assertError(await t.http.get('/api/v1/budget').set('Authorization', tok.admin), 403, 'forbidden');
      const res = await t.http.get('/api/v1/budget').set('Authorization', tok.buyerA2);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ['allocated', 'available', 'purchaserId', 'reserved', 'spent']);
      assert.equal(res.body.purchaserId, cast.unitA.id);
      assert.equal(res.body.available, '1234567.80');
      assert.deepEqual(moneyFloats(res.body), []);
    });
  });

  describe('GET /api/v1/admin/ledger/verify, /transfers, /accounts, /budgets', () => {
    it('401 and 403 for everyone but the department', async () => {
      for (const path of ['/api/v1/admin/ledger/verify', '/api/v1/admin/ledger/transfers', '/api/v1/admin/ledger/accounts', '/api/v1/admin/budgets']) {
        assertError(await t.http.get(path), 401, 'unauthenticated');
        assertError(await t.http.get(path).set('Authorization', tok.buyerA), 403, 'forbidden');
        assertError(await t.http.get(path).set('Authorization', tok.sellerA), 403, 'forbidden');
      }
    });

    it('verify: {ok, transfers, balanced, chainIntact} and the extra checks', async () => {
      const res = await t.http.get('/api/v1/admin/ledger/verify').set('Authorization', tok.admin);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true, transfers: 2, balanced: true, chainIntact: true, nonNegative: true, balancesMatch: true });
    });

    it('transfers (newest first, filtered by kind), accounts with owners, budgets per unit; 422 for a bad kind', async () => {
      const transfers = await t.http.get('/api/v1/admin/ledger/transfers?kind=allocate&pageSize=1').set('Authorization', tok.admin);
      assert.equal(transfers.status, 200);
      assert.equal(transfers.body.total, 2);
      assert.equal(transfers.body.items.length, 1);
      assert.equal(transfers.body.items[0].to, `budget:${cast.unitB.id}`);
      assertError(await t.http.get('/api/v1/admin/ledger/transfers?kind=steal').set('Authorization', tok.admin), 422, 'validation_failed', 'kind');
      const accounts = await t.http.get('/api/v1/admin/ledger/accounts').set('Authorization', tok.admin);
      const byCode = Object.fromEntries(accounts.body.items.map((a: { code: string }) => [a.code, a]));
      assert.equal(byCode.treasury.balance, '-1235067.80');
      assert.equal(byCode[`budget:${cast.unitA.id}`].owner, '杭州市测试医院');
      const budgets = await t.http.get('/api/v1/admin/budgets').set('Authorization', tok.admin);
      const unitB = budgets.body.items.find((b: { purchaserId: number }) => b.purchaserId === cast.unitB.id);
      assert.deepEqual(unitB, { purchaserId: cast.unitB.id, name: '宁波市测试学校', city: '宁波', type: 'school', allocated: '500.00', reserved: '0.00', available: '500.00', spent: '0.00' });
      for (const b of [transfers.body, budgets.body]) assert.deepEqual(moneyFloats(b), []);
    });
  });
});
