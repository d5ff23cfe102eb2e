import assert from 'node:assert/strict';
import pino from 'pino';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makeVendor } from '../helpers/factories';
import { testApp } from '../helpers/app';

describe(`a corrupt stored row over HTTP (${ENGINE})`, () => {
  const ctx = useMigratedDb();

  it('is a logged 500 with the generic message, not a silently empty value', async () => {
    const vendor = await makeVendor(ctx.db, { name: '杭州精机股份有限公司', city: '杭州' });
    const cert = await makeCert(ctx.db, vendor, { valid_until: '2099-12-31' });
    const product = await makeProduct(ctx.db, vendor, { cert });
    await ctx.db('certifications').where({ id: cert.id }).update({ indicators: '["定位精度' });
    const lines: string[] = [];
    const { http } = testApp(ctx.db, { logger: pino({ level: 'error' }, { write: (s: string) => lines.push(s) }) });

    const res = await http.get(`/api/v1/products/${product.id}`);
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: { code: 'internal', message: '服务器内部错误，请稍后再试' } });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; code?: string; params?: Record<string, unknown> });
    const entry = logged.find((l) => l.msg === 'internal error');
    assert.ok(entry, lines.join('\n'));
    assert.equal(entry.code, 'corrupt_data');
    assert.deepEqual(entry.params, { table: 'certifications', column: 'indicators', id: cert.id });

    const page = await http.get(`/products/${product.id}`).set('Accept-Language', 'en');
    assert.equal(page.status, 500);
    assert.match(page.type, /html/);
    assert.doesNotMatch(page.text, /certifications|indicators|corrupt/);
    assert.equal(logged.length + 1, lines.length, 'the page is logged too');
  });
});
