import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { translator } from '../../src/i18n';
import { StatsQuerySchema } from '../../src/stats/schema';
import { StatsService } from '../../src/stats/service';
import { parseInput } from '../../src/web/validate';
import { up as boutiqueKind } from '../../migrations/20261205140000_boutique_kind';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { makeTrade } from '../helpers/stats-trades';

/**
 * Issue 14 item 12: a 浙江制造精品 item without a certificate has no first-unit kind. Its kind is `boutique` in the
 * listing, in its trades, in the statistics' `kind` dimension and in the catalogue's kind facet; a vendor cannot pick
 * a first-unit kind for it; the migration corrects the rows written before.
 */
describe(`uncertified boutique items have the kind boutique (${ENGINE})`, function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let asVendor: string;
  let cert: Awaited<ReturnType<typeof makeCert>>;
  const item = (over: Record<string, unknown> = {}) => ({ boutique: true, boutiqueEvidence: '浙江制造认证证书号 CZJM2026P1234567', title: '医用输液泵', model: 'IP-1', price: '9800.00', unit: '台', stock: 10, field: '高端医疗装备', ...over });

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const vendor = await makeVendor(ctx.db, { city: '杭州' });
    cert = await makeCert(ctx.db, vendor, { level: 'provincial', field: '高端医疗装备' });
    asVendor = await bearer(t.http, (await makeUser(ctx.db, { role: 'vendor', vendor_id: vendor.id })).username);
  });

  it('a listing without a certificate is stored with the kind boutique', async () => {
    const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asVendor).send(item());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await ctx.db('products').where({ id: res.body.id }).first()).kind, 'boutique');
    const said = await t.http.post('/api/v1/vendor/products').set('Authorization', asVendor).send(item({ model: 'IP-2', kind: 'boutique' }));
    assert.equal(said.status, 201);
  });

  it('a vendor cannot pick a first-unit kind for an uncertified listing (422 on kind), at creation or later', async () => {
    for (const kind of ['equipment', 'material', 'software']) {
      const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asVendor).send(item({ model: `IP-${kind}`, kind }));
      assert.equal(res.status, 422, kind);
      assert.equal(res.body.error.field, 'kind');
    }
    const { body } = await t.http.post('/api/v1/vendor/products').set('Authorization', asVendor).send(item({ model: 'IP-3' }));
    const patched = await t.http.patch(`/api/v1/vendor/products/${body.id}`).set('Authorization', asVendor).send({ kind: 'equipment' });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.error.field, 'kind');
  });

  it('with a certificate the certificate gives the kind; dropping the certificate makes it a boutique item', async () => {
    const res = await t.http.post('/api/v1/vendor/products').set('Authorization', asVendor).send(item({ model: 'CT-1', certNo: cert.cert_no, boutique: false }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await ctx.db('products').where({ id: res.body.id }).first()).kind, cert.kind);
    const dropped = await t.http.patch(`/api/v1/vendor/products/${res.body.id}`).set('Authorization', asVendor).send({ certNo: '', boutique: true, boutiqueEvidence: '浙江制造认证证书号 CZJM2026P7654321' });
    assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
    assert.equal((await ctx.db('products').where({ id: res.body.id }).first()).kind, 'boutique');
  });

  it('the listing form offers no kind to pick', async () => {
    const page = await t.http.get('/vendor/products/new').set('Authorization', asVendor);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="kind"/);
    assert.match(page.text, /id="l-kind-hint"/);
  });

  it('the migration moves old uncertified listings and their trades to boutique and rebuilds the statistics', async () => {
    const vendor = await makeVendor(ctx.db, { city: '宁波' });
    const old = await makeProduct(ctx.db, vendor, { kind: 'equipment', boutique: true, status: 'approved' });
    const certified = await makeProduct(ctx.db, vendor, { cert, status: 'approved' });
    const purchaser = await makePurchaser(ctx.db, { city: '宁波', type: 'hospital' });
    const clock = new FakeClock();
    const base = { channel: 'boutique' as const, purchaser: { id: purchaser.id, city: '宁波', type: 'hospital' }, vendor: { id: vendor.id, city: '宁波' }, field: '高端医疗装备', kind: 'equipment' };
    await makeTrade(ctx.db, clock, { ...base, at: '2025-04-10T02:00:00Z', amountFen: 980_000, level: null, productId: old.id, certNo: null });
    await makeTrade(ctx.db, clock, { ...base, at: '2025-04-11T02:00:00Z', amountFen: 3_000_000, level: 'provincial', productId: certified.id, certNo: cert.cert_no });
    const service = new StatsService(ctx.db);
    const byKind = async () =>
      Object.fromEntries(
        (await service.stats(parseInput(StatsQuerySchema, { from: '2025-01-01', to: '2025-12-31', groupBy: 'kind' }), translator('zh-CN'))).rows.map((r) => [r.key, [r.count, r.amount, r.label]]),
      );
    assert.deepEqual(await byKind(), { equipment: [2, '39800.00', '首台（套）装备'] });

    await boutiqueKind(ctx.db);
    assert.equal((await ctx.db('products').where({ id: old.id }).first()).kind, 'boutique');
    assert.equal((await ctx.db('products').where({ id: certified.id }).first()).kind, 'equipment');
    assert.deepEqual(await byKind(), { equipment: [1, '30000.00', '首台（套）装备'], boutique: [1, '9800.00', '浙江制造精品'] });
    // The filter and the cube slice agree with the grouping; a new trade after the migration is kept by the triggers.
    const filtered = await service.stats(parseInput(StatsQuerySchema, { from: '2025-01-01', to: '2025-12-31', kind: 'boutique', groupBy: 'channel' }), translator('en'));
    assert.deepEqual(filtered.rows.map((r) => [r.key, r.count]), [['boutique', 1]]);
    await makeTrade(ctx.db, clock, { ...base, kind: 'boutique', at: '2025-05-11T02:00:00Z', amountFen: 100, level: null, productId: old.id, certNo: null });
    assert.deepEqual((await byKind()).boutique, [2, '9801.00', '浙江制造精品']);
  });

  it('the catalogue filters and counts the kind boutique', async () => {
    const res = await t.http.get('/api/v1/products?kind=boutique&pageSize=100');
    assert.equal(res.status, 200);
    assert.ok(res.body.total >= 1);
    const facets = res.body.facets?.kind ?? {};
    assert.ok((facets.boutique ?? 0) >= 1, JSON.stringify(res.body.facets));
    const page = await t.http.get('/products?kind=boutique');
    assert.equal(page.status, 200);
    assert.match(page.text, /name="kind" value="boutique"[^>]*checked/);
    assert.match(page.text, /浙江制造精品/);
  });
});
