import assert from 'node:assert/strict';
import Decimal from 'decimal.js';
import { translator } from '../../src/i18n';
import { StatsQuerySchema } from '../../src/stats/schema';
import { StatsService } from '../../src/stats/service';
import { parseInput } from '../../src/web/validate';
import { bearer, testApp } from '../helpers/app';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';
import { decodeEntities } from '../helpers/html';

/** The 2020 report, reproduced on the demo data (DESIGN §5): what a newcomer sees behind the "2020 report" preset. */
describe(`statistics on the demo data: the 2020 report (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  const ctx = useDemoDb();


  it('boutique 1097 trades, 1.18亿元; first purchase 4 trades, exactly ¥11,200,000.00; 216 / 2 / 30 certifications', async () => {
    const service = new StatsService(ctx.db);
    const result = await service.stats(parseInput(StatsQuerySchema, { from: '2020-01-01', to: '2020-12-31', groupBy: 'channel' }), translator('zh-CN'));
    const byChannel = Object.fromEntries(result.rows.map((r) => [r.key, r]));
    assert.equal(byChannel.boutique.count, 1097);
    const boutique = new Decimal(byChannel.boutique.amount);
    assert.ok(boutique.gte('117500000') && boutique.lte('118499999.99'), byChannel.boutique.amount);
    assert.equal(byChannel.first_purchase.count, 4);
    assert.equal(byChannel.first_purchase.amount, '11200000.00');
    // The report's 216 are 首台（套）装备 certificates; materials and software (in scope from October 2020) apart.
    const certs = result.certifications!;
    assert.deepEqual([certs.kind, certs.issued, certs.international, certs.domestic, certs.provincial], ['equipment', 216, 2, 30, 184]);
    assert.deepEqual(certs.byKind.map((k) => k.kind), ['equipment', 'material', 'software']);
    assert.ok(certs.byKind.slice(1).every((k) => k.issued > 0), 'materials and software counted apart');
    const equipment = await service.stats(parseInput(StatsQuerySchema, { from: '2020-01-01', to: '2020-12-31', kind: 'equipment' }), translator('zh-CN'));
    assert.deepEqual([equipment.certifications!.issued, equipment.certifications!.international, equipment.certifications!.domestic], [216, 2, 30]);
    // The report's first purchases are all high-end medical equipment.
    const fields = await service.stats(parseInput(StatsQuerySchema, { from: '2020-01-01', to: '2020-12-31', channel: 'first_purchase', groupBy: 'field' }), translator('zh-CN'));
    assert.deepEqual(
      fields.rows.map((r) => [r.key, r.count, r.amount]),
      [['高端医疗装备', 4, '11200000.00']],
    );
  });

  it('the page behind the "2020 report" preset shows those figures, in ¥ and in 亿/万', async () => {
    const t = testApp(ctx.db);
    const admin = await bearer(t.http, 'admin');
    const home = await t.http.get('/admin/stats').set('Authorization', admin);
    const preset = /id="preset-2020" href="([^"]+)"/.exec(home.text);
    assert.ok(preset, 'the preset link');
    const res = await t.http.get(decodeEntities(preset[1])).set('Authorization', admin);
    assert.equal(res.status, 200);
    const html = decodeEntities(res.text);
    const row = (key: string) => (new RegExp(`<tr data-key="${key}">([\\s\\S]*?)</tr>`).exec(html) as RegExpExecArray)[1];
    assert.match(row('boutique'), /<td class="num">1,097<\/td>/);
    assert.match(row('boutique'), /1\.18亿元/);
    assert.match(row('first_purchase'), /<td class="num">4<\/td>/);
    assert.match(row('first_purchase'), /¥11,200,000\.00/);
    assert.match(row('first_purchase'), /1120万元/);
    assert.match(html, /data-figure="issued">216</);
    assert.match(html, /data-figure="international">2</);
    assert.match(html, /data-figure="domestic">30</);
    const api = await t.http.get('/api/v1/admin/stats?from=2020-01-01&to=2020-12-31&groupBy=channel').set('Authorization', admin);
    assert.deepEqual(
      api.body.rows.map((r: { key: string; count: number }) => [r.key, r.count]).sort(),
      [
        ['boutique', 1097],
        ['first_purchase', 4],
      ],
    );
  });
});
