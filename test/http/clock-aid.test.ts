import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { testApp, type TestApp } from '../helpers/app';

/**
 * The testing clock (FAKE_CLOCK=1) takes instants in the years 1900–2999 only, read in Shanghai time. Found by the
 * fuzzer (issue 12): the clock set to 9999-12-31T23:59:59Z reads +010000 in Shanghai, a trade settled then was
 * stored with the month '+010000', and GET /admin/stats then looped forever in monthsBetween, blocking the process.
 */
describe('testing clock: the years it may be set to', () => {
  const ctx = useMigratedDb();
  let t: TestApp;

  before(() => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
  });

  for (const now of ['9999-12-31T23:59:59Z', '9999-12-31T16:00:00Z', '2999-12-31T16:00:00Z', '3000-01-01T00:00:00+08:00']) {
    it(`refuses ${now} (past 2999 in Shanghai) with 422, the clock unchanged`, async () => {
      const before = (await t.http.get('/api/v1/admin/clock')).body.now as string;
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(res.body.error.field, 'now');
      const after = (await t.http.get('/api/v1/admin/clock')).body.now as string;
      assert.equal(after.slice(0, 16), before.slice(0, 16));
    });
  }

  for (const now of ['1899-12-31T15:59:59Z', '0001-01-01T00:00:00Z']) {
    it(`refuses ${now} (before 1900 in Shanghai) with 422`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.field, 'now');
    });
  }

  for (const now of ['(', 'garbage', '2026-13-01T00:00:00Z', '']) {
    it(`refuses ${JSON.stringify(now)} (no instant) with 422 validation.datetime, not a 500`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.field, 'now');
    });
  }

  for (const [now, shown] of [
    ['2999-12-31T15:59:59Z', '2999-12-31T23:59:59'],
    ['1899-12-31T16:00:00Z', '1900-01-01T00:00:00'],
    ['2026-03-02T10:00:00+08:00', '2026-03-02T10:00:00'],
  ]) {
    it(`takes ${now}`, async () => {
      const res = await t.http.post('/api/v1/admin/clock').send({ now });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((res.body.now as string).slice(0, 19), shown);
    });
  }
});
