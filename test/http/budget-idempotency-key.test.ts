import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { makePurchaser, makeUser } from '../helpers/factories';

/**
 * An Idempotency-Key may be up to 200 characters (API.md, src/web/idempotency.ts); POST /api/v1/admin/budgets puts it
 * into its transfer's own key (`allocate:<admin id>:<key>`), which must still fit the 200-character column. Found by
 * the fuzzer (issue 12): a 200-character key was a 500 on PostgreSQL ("value too long for type character
 * varying(200)"); SQLite does not enforce the length.
 */
describe('budget allocation with a long Idempotency-Key', () => {
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: string;
  let unit: { id: number };

  before(async () => {
    t = testApp(ctx.db);
    unit = await makePurchaser(ctx.db);
    admin = await bearer(t.http, (await makeUser(ctx.db, { role: 'admin' })).username);
  });

  for (const length of [190, 200]) {
    it(`a ${length}-character key allocates once, and the replay answers the same`, async () => {
      const key = `${length}-`.padEnd(length, 'k');
      const body = { purchaserId: unit.id, amount: '12.34' };
      const first = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).set('Idempotency-Key', key).send(body);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const again = await t.http.post('/api/v1/admin/budgets').set('Authorization', admin).set('Idempotency-Key', key).send(body);
      assert.equal(again.status, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.body, first.body);
      assert.ok((first.body.transfer.idempotencyKey as string).length <= 200);
    });
  }

  it('two keys that differ only past the 200th character of the transfer key stay two allocations', async () => {
    const a = 'x'.repeat(199) + 'a';
    const b = 'x'.repeat(199) + 'b';
    const res = await Promise.all([a, b].map((key) => t.http.post('/api/v1/admin/budgets').set('Authorization', admin).set('Idempotency-Key', key).send({ purchaserId: unit.id, amount: '1.00' })));
    assert.deepEqual(res.map((r) => r.status), [201, 201]);
    assert.notEqual(res[0].body.transfer.id, res[1].body.transfer.id);
  });
});
