import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

/**
 * Issue 14 item 13: the certificate figures beside the trade statistics count 首台（套）装备 by default (the report's
 * 216 are equipment certificates), count materials and software apart, and honour the `kind` filter.
 */
describe(`certificate figures by kind (${ENGINE})`, function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: string;
  const api = (q: string) => t.http.get(`/api/v1/admin/stats?from=2021-01-01&to=2021-12-31${q}`).set('Authorization', admin);

  before(async () => {
    t = testApp(ctx.db);
    admin = await bearer(t.http, (await makeUser(ctx.db, { role: 'admin' })).username);
    const vendor = await makeVendor(ctx.db);
    const certs: Array<[string, string, number]> = [
      ['equipment', 'international', 1],
      ['equipment', 'domestic', 2],
      ['equipment', 'provincial', 4],
      ['material', 'domestic', 1],
      ['material', 'provincial', 2],
      ['software', 'provincial', 3],
    ];
    for (const [kind, level, n] of certs) for (let i = 0; i < n; i++) await makeCert(ctx.db, vendor, { kind, level, year: 2021, field: kind === 'material' ? '新材料' : kind === 'software' ? '软件' : '智能装备' });
    await makeCert(ctx.db, vendor, { kind: 'equipment', level: 'international', year: 2022 });
  });

  it('without a kind: the headline is 首台（套）装备, and each kind is counted apart', async () => {
    const res = await api('');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.certifications, {
      fromYear: 2021,
      toYear: 2021,
      kind: 'equipment',
      issued: 7,
      international: 1,
      domestic: 2,
      provincial: 4,
      byKind: [
        { kind: 'equipment', issued: 7, international: 1, domestic: 2, provincial: 4 },
        { kind: 'material', issued: 3, international: 0, domestic: 1, provincial: 2 },
        { kind: 'software', issued: 3, international: 0, domestic: 0, provincial: 3 },
      ],
    });
  });

  it('kind=material counts materials only; kind=boutique counts none (an uncertified item has no certificate)', async () => {
    const material = (await api('&kind=material')).body.certifications;
    assert.deepEqual([material.kind, material.issued, material.domestic, material.provincial], ['material', 3, 1, 2]);
    assert.deepEqual(material.byKind.map((k: { kind: string }) => k.kind), ['material']);
    const boutique = (await api('&kind=boutique')).body.certifications;
    assert.deepEqual([boutique.kind, boutique.issued, boutique.byKind], ['boutique', 0, []]);
  });

  it('the page names the kind it counts and shows the kinds apart', async () => {
    const page = decodeEntities((await t.http.get('/admin/stats?from=2021-01-01&to=2021-12-31').set('Authorization', admin)).text);
    assert.match(page, /首台（套）装备认定情况（2021 年度）/);
    assert.match(page, /data-figure="issued">7</);
    assert.match(page, /<tr data-kind="material"><th scope="row">首批次新材料<\/th><td class="num">3<\/td>/);
    const software = decodeEntities((await t.http.get('/admin/stats?from=2021-01-01&to=2021-12-31&kind=software&lang=en').set('Authorization', admin)).text);
    assert.match(software, /data-figure="issued">3</);
    assert.match(software, /Certifications: First-version software \(registry year 2021\)/);
    const boutique = decodeEntities((await t.http.get('/admin/stats?from=2021-01-01&to=2021-12-31&kind=boutique').set('Authorization', admin)).text);
    assert.match(boutique, /id="stats-certs-none"/);
  });
});
