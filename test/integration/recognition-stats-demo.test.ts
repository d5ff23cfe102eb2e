import assert from 'node:assert/strict';
import type { CertificationStats } from '../../src/recognition/stats';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';
import { decodeEntities } from '../helpers/html';

/**
 * Issue 15 item 8 on the demo data: the certification statistics reproduce the 2020 report — 216 equipment
 * certificates (2 international, 30 domestic, 184 provincial), 63 list entries, 8 certified by the list, ¥76,000,000.00
 * of awards — counted from the registry, the list, the rounds and the awards; the same figures as the trade statistics'
 * certificate panel and the report page.
 */
describe(`certification statistics on the demo data (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();
  let t: TestApp;
  let admin: string;
  const get = (q: string) => t.http.get(`/api/v1/admin/certification-stats${q}`).set('Authorization', admin);

  before(async () => {
    t = testApp(ctx.db);
    admin = await bearer(t.http, 'admin');
  });

  it('2020: 216 equipment certificates (2 / 30 / 184), 63 list entries, 8 by the list, ¥76,000,000.00 of awards, all paid', async () => {
    const res = await get('?year=2020');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const s = res.body as CertificationStats;
    assert.equal(s.year, 2020);
    assert.deepEqual(s.certifications.equipment, { total: 216, international: 2, domestic: 30, provincial: 184 });
    assert.deepEqual(s.indicatorList, { entries: 63, certifiedByList: 8, certifiedFree: 208 });
    assert.deepEqual({ count: s.awards.count, amount: s.awards.amount }, { count: 216, amount: '76000000.00' });
    assert.deepEqual(s.awards.due, { count: 0, amount: '0.00' });
    assert.deepEqual(s.awards.paid, { count: 216, amount: '76000000.00' });
    assert.deepEqual(
      s.awards.byLevel.map((l) => [l.key, l.count, l.amount]),
      [
        ['international', 2, '9200000.00'],
        ['domestic', 30, '30000000.00'],
        ['provincial', 184, '36800000.00'],
      ],
    );
    // Every 2020 application reached its certificate through the rounds.
    assert.equal(s.applications.byStatus.find((r) => r.key === 'certified')?.count, 216);
    assert.deepEqual(s.applications.byYear, [{ year: 2020, total: 216, certified: 216, rejected: 0, open: 0 }]);
  });

  it('the breakdowns add up to the registry total, by kind, level, field and city', async () => {
    const s = (await get('?year=2020')).body as CertificationStats;
    const c = s.certifications;
    const total = (rows: Array<{ count: number }>) => rows.reduce((n, r) => n + r.count, 0);
    for (const rows of [c.byKind, c.byLevel, c.byField, c.byCity]) assert.equal(total(rows), c.total);
    assert.equal(c.byKind.find((k) => k.key === 'equipment')?.count, 216);
    assert.deepEqual(c.byKind.map((k) => k.key), ['equipment', 'material', 'software']);
    assert.deepEqual(c.byLevel.map((k) => k.key), ['international', 'domestic', 'provincial']);
    assert.ok(c.byField.length > 1 && c.byCity.length > 1, 'several fields and cities');
    assert.ok(c.byField.every((r, i) => i === 0 || c.byField[i - 1]!.count >= r.count), 'fields by count, largest first');
  });

  it('agrees with the trade statistics’ certificate panel and with the 2020 report', async () => {
    const s = (await get('?year=2020')).body as CertificationStats;
    const trade = (await t.http.get('/api/v1/admin/stats?from=2020-01-01&to=2020-12-31').set('Authorization', admin)).body;
    assert.equal(trade.certifications.issued, s.certifications.equipment.total);
    assert.equal(trade.certifications.international, s.certifications.equipment.international);
    for (const k of trade.certifications.byKind as Array<{ kind: string; issued: number }>) assert.equal(s.certifications.byKind.find((r) => r.key === k.kind)?.count, k.issued, k.kind);
    const report = (await t.http.get('/api/v1/reports/2020')).body;
    assert.deepEqual(report.indicatorList, { entries: s.indicatorList.entries, certifiedByList: s.indicatorList.certifiedByList });
    assert.equal(report.awards.amount, s.awards.amount);
  });

  it('without a year: every year on record, the 2020 figures among them; the draft on the vendor’s desk is open', async () => {
    const s = (await get('')).body as CertificationStats;
    assert.equal(s.year, null);
    assert.ok(s.years.includes(2020));
    assert.equal(s.certifications.byYear.find((r) => r.key === '2020')?.count, (await get('?year=2020')).body.certifications.total);
    assert.ok(s.applications.byStatus.find((r) => r.key === 'draft')!.count >= 1);
    assert.ok(s.certifications.total > s.certifications.byYear.find((r) => r.key === '2020')!.count, 'other years too');
  });

  it('a year with nothing on record counts zeros; a bad year is a 422 naming year', async () => {
    const s = (await get('?year=2001')).body as CertificationStats;
    assert.equal(s.certifications.total, 0);
    assert.deepEqual(s.certifications.equipment, { total: 0, international: 0, domestic: 0, provincial: 0 });
    assert.equal(s.awards.amount, '0.00');
    const bad = await get('?year=20x0');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'year');
  });

  it('the page shows the 2020 figures in Chinese, and in English one click away', async () => {
    const zh = decodeEntities((await t.http.get('/admin/certification-stats?year=2020').set('Authorization', admin)).text);
    assert.match(zh, /<h1 class="page-title">认定统计（2020 年度）<\/h1>/);
    assert.match(zh, /data-figure="equipment">216</);
    assert.match(zh, /data-figure="international">2</);
    assert.match(zh, /data-figure="domestic">30</);
    assert.match(zh, /data-figure="provincial">184</);
    assert.match(zh, /data-figure="list-entries">63</);
    assert.match(zh, /data-figure="list-track">8</);
    assert.match(zh, /data-figure="awards">7600万元 <small>¥76,000,000.00<\/small>/);
    assert.match(zh, /<a href="\/reports\/2020">2020 年度报告<\/a>/);
    const en = decodeEntities((await t.http.get('/admin/certification-stats?year=2020&lang=en').set('Authorization', admin)).text);
    assert.match(en, /Certification statistics \(2020\)/);
    assert.match(en, /data-figure="awards">76 million yuan/);
    const bad = await t.http.get('/admin/certification-stats?year=abc').set('Authorization', admin);
    assert.equal(bad.status, 422);
    assert.match(decodeEntities(bad.text), /role="alert">[^<]*年度：须为整数</);
  });
});
