import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { IntentionService } from '../../src/integration';
import type { Actor } from '../../src/web';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseBody, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent } from '../helpers/session';

/** The Atom feed per notice type, the purchase-intention rule on the settings page, and the 公示's link to its intention. */
describe(`integration pages: Atom per notice type, the intention rule's checkbox, the 公示's intention (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let buyer: string;

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db, { worker: false });
    buyer = await bearer(t.http, w.users.purchaser);
  });

  const entryTitles = (xml: string): string[] => [...xml.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => decodeEntities(m[1]));

  describe('GET /notices.atom?type=', () => {
    it('each public notice type has its feed — certification rounds included — and an unknown type is a 422 naming type', async () => {
      const c = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.ct, { projectName: 'Atom 单一来源' }));
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal((await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer)).status, 200);
      const now = t.clock.now().toISOString();
      const [round] = await ctx.db('cert_rounds').insert({ year: 2026, status: 'notice', published_at: now, period_ends_at: now }).returning('id');
      const roundId = Number(typeof round === 'object' ? round.id : round);
      await ctx.db('notices').insert({ round_id: roundId, type: 'certification', title: '2026年度首台（套）拟认定名单公示', content: JSON.stringify({ year: 2026, list: [] }), published_at: now });

      const cert = await t.http.get('/notices.atom?type=certification');
      assert.equal(cert.status, 200);
      assert.match(cert.headers['content-type'], /^application\/atom\+xml/);
      assert.deepEqual(entryTitles(cert.text), ['2026年度首台（套）拟认定名单公示']);
      assert.match(cert.text, /<category term="certification"/);
      assert.match(cert.text, /<link rel="self" type="application\/atom\+xml" href="http:\/\/[^"]+\/notices.atom\?type=certification"\/>/, 'the self link is absolute, on the site');
      assert.doesNotMatch(cert.text, /href="null/, 'links never rest on a missing Origin header');

      const single = await t.http.get('/notices.atom?type=single_source');
      assert.ok(entryTitles(single.text).some((x) => x.includes('Atom 单一来源')));
      assert.ok(!entryTitles(single.text).some((x) => x.includes('拟认定名单')));
      for (const type of ['result', 'contract', 'termination']) assert.equal((await t.http.get(`/notices.atom?type=${type}`)).status, 200, type);
      assert.equal(entryTitles((await t.http.get('/notices.atom')).text).length, 2, 'without a type: every notice');

      const bad = await t.http.get('/notices.atom?type=certificate').set('Accept', 'application/json');
      assert.equal(bad.status, 422);
      assert.match(decodeEntities(bad.text), /公告类型：/, 'the message names the field (公告类型, type)');
    });
  });

  describe('/admin/settings: the purchase-intention rule', () => {
    it('the admin ticks the checkbox (CSRF-protected form), the rule is on and a case without an intention cannot be submitted; unticked, it is off again', async () => {
      const agent = await loginAgent(t.app, w.users.admin);
      const page = await agent.get('/admin/settings');
      assert.equal(page.status, 200);
      assert.match(page.text, /<form method="post" action="\/admin\/settings\/purchase-intentions"/);
      assert.match(page.text, /<input type="checkbox" name="required" value="on">/, 'off by default: unticked');
      assert.match(page.text, /name="minDays"[^>]*value="30"/);
      const csrf = csrfOf(page.text);

      assert.equal((await agent.post('/admin/settings/purchase-intentions').type('form').send({ required: 'on', minDays: '30' })).status, 403, 'no CSRF token, no change');
      assert.equal((await t.http.get('/api/v1/admin/settings/purchase-intentions').set('Authorization', await bearer(t.http, w.users.admin))).body.required, false);

      const badDays = await agent.post('/admin/settings/purchase-intentions').type('form').send({ _csrf: csrf, required: 'on', minDays: 'thirty' });
      assert.equal(badDays.status, 422);
      assert.match(badDays.text, /id="rule-days-err"/, 'the error stands beside the days field');
      assert.match(badDays.text, /name="minDays"[^>]*value="thirty"/, 'what was typed is kept');

      const on = await agent.post('/admin/settings/purchase-intentions').type('form').send({ _csrf: csrf, required: 'on', minDays: '30' });
      assert.equal(on.status, 302);
      assert.match(on.headers.location, /\/admin\/settings\?saved=1#purchase-intention-rule$/);
      const after = await agent.get('/admin/settings');
      assert.match(after.text, /<input type="checkbox" name="required" value="on" checked>/);

      const c = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.mr, { projectName: '没有采购意向的项目' }));
      const refused = await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer);
      assert.equal(refused.status, 409, 'the rule holds the case back');

      const off = await agent.post('/admin/settings/purchase-intentions').type('form').send({ _csrf: csrf, minDays: '30' });
      assert.equal(off.status, 302, 'an unticked checkbox sends nothing: off');
      assert.equal((await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer)).status, 200);
      const audit = await ctx.db('audit_log').where({ action: 'settings.purchase_intention_rule' }).count<{ n: number }[]>({ n: '*' }).first();
      assert.equal(Number(audit?.n), 2, 'each change audited');
    });

    it('others may not change it', async () => {
      const agent = await loginAgent(t.app, w.users.purchaser);
      assert.equal((await agent.get('/admin/settings')).status, 403);
    });
  });

  describe('the 公示 of a single-source case', () => {
    it('links the matching purchase intention, and says nothing of one when there is none', async () => {
      const user: Actor = { id: w.userIds.purchaser, username: w.users.purchaser, role: 'purchaser', displayName: 'p', purchaserId: w.unit.id, vendorId: null };
      const clock = new FakeClock();
      clock.set(new Date(t.clock.now().getTime() - 40 * 86400000), { freeze: true });
      const intention = await new IntentionService(ctx.db, clock).publish(user, { projectName: '影像科设备更新', goods: '64排CT 一台', budget: 3_500_000_00, expectedMonth: '2027-01', productId: w.products.ct });

      const c = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.ct, { projectName: '影像科设备更新项目（CT）' }));
      const submitted = await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer);
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
      const notice = await ctx.db('notices').where({ case_id: c.body.id, type: 'single_source' }).first('id');
      const html = await t.http.get(`/notices/${notice.id}`);
      assert.equal(html.status, 200);
      const link = new RegExp(`<a href="/purchase-intentions/${intention.id}" class="notice-intention">影像科设备更新，公开于 `);
      assert.match(html.text, link);
      const en = await t.http.get(`/notices/${notice.id}?lang=en`);
      assert.match(decodeEntities(en.text), /影像科设备更新, published /);

      const other = await loginAgent(t.app, w.users.purchaser2);
      const token = await bearer(t.http, w.users.purchaser2);
      const c2 = await t.http.post('/api/v1/first-purchases').set('Authorization', token).send(caseBody(w.products.mr, { projectName: '无意向项目' }));
      assert.equal((await t.http.post(`/api/v1/first-purchases/${c2.body.id}/submit`).set('Authorization', token)).status, 200);
      const n2 = await ctx.db('notices').where({ case_id: c2.body.id, type: 'single_source' }).first('id');
      const plain = await other.get(`/notices/${n2.id}`);
      assert.equal(plain.status, 200);
      assert.doesNotMatch(plain.text, /notice-intention/);
    });
  });
});
