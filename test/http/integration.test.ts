import assert from 'node:assert/strict';
import { recordAudit } from '../../src/audit';
import { FakeClock } from '../../src/clock';
import { WebhookService, backoffMs, checkWebhookUrl, isPublicAddress, sign, verifySignature } from '../../src/integration';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { caseBody, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { webhookReceiver } from '../helpers/webhook-receiver';
import { agentFor, csrfFor, loginAgent } from '../helpers/session';

const SECRET = 'a-very-secret-secret-1234';

describe(`integration: events, webhooks, feeds, purchase intentions (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let admin: string;
  let buyer: string;

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db, { worker: false });
    admin = await bearer(t.http, w.users.admin);
    buyer = await bearer(t.http, w.users.purchaser);
  });

  const place = async (n: number) => {
    await ctx.db.transaction(async (trx) => {
      for (let i = 0; i < n; i++) await recordAudit(trx, new FakeClock(), { actor: null, action: 'order.place', entity: 'order', entityId: 10_000 + i, after: { i } });
    });
  };

  describe('GET /api/v1/events', () => {
    it('anonymous 401, a purchaser 403, the admin reads cursor pages oldest first', async () => {
      assert.equal((await t.http.get('/api/v1/events')).status, 401);
      assert.equal((await t.http.get('/api/v1/events').set('Authorization', buyer)).status, 403);
      await place(25);
      const all = await t.http.get('/api/v1/events?after=0&pageSize=100').set('Authorization', admin);
      assert.equal(all.status, 200);
      const last5 = all.body.items.slice(-5);
      assert.deepEqual(Object.keys(last5[0]).sort(), ['data', 'id', 'occurredAt', 'seq', 'stream', 'streamSeq', 'type']);
      const from = last5[0].seq - 1;
      const p1 = await t.http.get(`/api/v1/events?after=${from}&pageSize=2`).set('Authorization', admin);
      assert.deepEqual(p1.body.items.map((e: { seq: number }) => e.seq), [last5[0].seq, last5[1].seq]);
      assert.equal(p1.body.hasMore, true);
      const p2 = await t.http.get(`/api/v1/events?after=${p1.body.next}&pageSize=2`).set('Authorization', admin);
      assert.deepEqual(p2.body.items.map((e: { seq: number }) => e.seq), [last5[2].seq, last5[3].seq]);
      assert.match(p1.body.items[0].occurredAt, /\+08:00$/);
      assert.equal((await t.http.get('/api/v1/events?after=-1').set('Authorization', admin)).status, 422);
      // Not given, the page size is every list's 20 (API.md, Conventions).
      assert.ok(all.body.items.length > 20, `${all.body.items.length} events, enough for a second page`);
      const first = await t.http.get('/api/v1/events?after=0').set('Authorization', admin);
      assert.equal(first.body.items.length, Math.min(20, all.body.items.length), JSON.stringify(first.body).slice(0, 200));
      assert.equal(first.body.hasMore, all.body.items.length > 20);
    });
  });

  describe('webhooks', () => {
    it('registers (201 {id}), refuses bad input (422), lists with the delivery state and no secret', async () => {
      const bad = [
        { url: 'ftp://example.com/x', events: ['*'], secret: SECRET },
        { url: 'not a url', events: ['*'], secret: SECRET },
        { url: 'http://127.0.0.1:9/x', events: ['order.nonsense'], secret: SECRET },
        { url: 'http://127.0.0.1:9/x', events: [], secret: SECRET },
        { url: 'http://127.0.0.1:9/x', events: ['*'], secret: '' },
      ];
      for (const body of bad) assert.equal((await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send(body)).status, 422, JSON.stringify(body));
      assert.equal((await t.http.post('/api/v1/admin/webhooks').send(bad[0])).status, 401);
      assert.equal((await t.http.post('/api/v1/admin/webhooks').set('Authorization', buyer).send({ url: 'http://127.0.0.1:9/x', events: ['*'], secret: SECRET })).status, 403);
      const res = await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send({ url: 'http://127.0.0.1:9/x', events: ['order.placed', 'order.paid'], secret: SECRET });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body), ['id']);
      const list = await t.http.get('/api/v1/admin/webhooks').set('Authorization', admin);
      const hook = list.body.items.find((h: { id: number }) => h.id === res.body.id);
      assert.deepEqual(hook.events, ['order.placed', 'order.paid']);
      assert.equal(hook.delivery.pending, 0);
      assert.ok(!JSON.stringify(list.body).includes(SECRET), 'the secret is never shown');
      await ctx.db('webhooks').where({ id: res.body.id }).update({ active: false });
    });

    it('a short signing secret is taken outside production (API.md sets no length); in production one under 16 characters is a 422 naming it', async () => {
      const short = await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send({ url: 'http://127.0.0.1:9/y', events: ['*'], secret: 's3cret' });
      assert.equal(short.status, 201, JSON.stringify(short.body));
      await ctx.db('webhooks').where({ id: short.body.id }).update({ active: false });
      const production = new WebhookService(ctx.db, new FakeClock(), true, async () => ['93.184.216.34']);
      const actor = { id: 1, username: 'admin', role: 'admin', displayName: 'admin', purchaserId: null, vendorId: null } as unknown as Parameters<WebhookService['register']>[0];
      await assert.rejects(production.register(actor, { url: 'https://hooks.example.com/x', events: ['*'], secret: 's3cret' }), (e: { field?: string; messageKey?: string }) => e.field === 'secret' && e.messageKey === 'integration.secret_too_short');
    });

    it('the URL rule: production takes https to public addresses only, resolving the name (SSRF)', async () => {
      const resolve = (map: Record<string, string[]>) => async (h: string) => map[h] ?? [];
      assert.ok(await checkWebhookUrl('http://localhost:3000/x', false));
      await assert.rejects(checkWebhookUrl('http://example.com/x', true, resolve({ 'example.com': ['93.184.216.34'] })), /url_https_only/);
      assert.ok(await checkWebhookUrl('https://example.com/x', true, resolve({ 'example.com': ['93.184.216.34'] })));
      for (const inward of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
        assert.equal(isPublicAddress(inward), false, inward);
        await assert.rejects(checkWebhookUrl('https://host.example/x', true, resolve({ 'host.example': ['93.184.216.34', inward] })), /url_private/, inward);
      }
      await assert.rejects(checkWebhookUrl('https://[::1]/x', true), /url_private/);
      await assert.rejects(checkWebhookUrl('https://127.0.0.1/x', true), /url_private/);
      await assert.rejects(checkWebhookUrl('https://nowhere.example/x', true, async () => { throw new Error('ENOTFOUND'); }), /url_unresolvable/);
      assert.equal(isPublicAddress('2606:4700::1111'), true);
    });

    it('signatures: HMAC-SHA256 over "<timestamp>.<body>", refused outside the replay window or when altered', () => {
      const body = '{"id":"x"}';
      const s = sign(SECRET, 1_700_000_000, body);
      assert.match(s, /^v1=[0-9a-f]{64}$/);
      assert.ok(verifySignature(SECRET, s, '1700000000', body, 1_700_000_100));
      assert.ok(!verifySignature(SECRET, s, '1700000000', body, 1_700_001_000));
      assert.ok(!verifySignature(SECRET, s, '1700000000', `${body} `, 1_700_000_000));
      assert.ok(!verifySignature('other-secret-other-secret', s, '1700000000', body, 1_700_000_000));
      const delays = [1, 2, 3, 4, 5].map((a) => backoffMs(a, 1000, 60_000, () => 0.999));
      assert.deepEqual(delays.map((d) => Math.round(d / 1000)), [1, 2, 4, 8, 16]);
      assert.equal(backoffMs(20, 1000, 60_000, () => 0), 30_000);
    });

    it('delivers every subscribed event in order, signed, once each', async () => {
      const rx = await webhookReceiver(SECRET);
      try {
        const { body } = await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send({ url: rx.url, events: ['*'], secret: SECRET });
        await place(3);
        await t.app.worker.drain();
        assert.equal(rx.accepted.length, 3);
        assert.ok(rx.accepted.every((r) => r.validSignature && r.type === 'order.placed'));
        const seqs = rx.accepted.map((r) => r.seq);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
        assert.equal(rx.accepted[0].headers['x-marketplace-event-id'], rx.accepted[0].id);
        await t.app.worker.drain();
        assert.equal(rx.all.length, 3, 'nothing is sent twice when all went through');
        const hook = (await t.http.get(`/api/v1/admin/webhooks/${body.id}`).set('Authorization', admin)).body;
        assert.equal(hook.delivery.delivered, 3);
        await ctx.db('webhooks').where({ id: body.id }).update({ active: false });
      } finally {
        await rx.close();
      }
    });

    it('a receiver that fails the first N deliveries gets them again, with the same event id, after a backoff on the app clock', async () => {
      const rx = await webhookReceiver(SECRET, { failFirst: 3 });
      const start = new Date(Date.now() + 1000);
      t.clock.set(start, { freeze: true });
      try {
        const { body } = await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send({ url: rx.url, events: ['order.placed'], secret: SECRET });
        await place(2);
        await t.app.worker.runOnce();
        assert.equal(rx.all.length, 1, 'the first failure holds the later event back (in order)');
        await t.app.worker.runOnce();
        assert.equal(rx.all.length, 1, 'not before its retry is due');
        for (let i = 0; i < 6 && rx.accepted.length < 2; i++) {
          t.clock.set(new Date(t.clock.now().getTime() + 3600_000), { freeze: true });
          await t.app.worker.runOnce();
        }
        assert.equal(rx.accepted.length, 2);
        assert.deepEqual(rx.all.slice(0, 4).map((r) => r.id), [rx.all[0].id, rx.all[0].id, rx.all[0].id, rx.all[0].id], 'the same event id on every retry');
        assert.notEqual(rx.accepted[1].id, rx.accepted[0].id);
        assert.ok(rx.all.every((r) => r.validSignature));
        const deliveries = (await t.http.get(`/api/v1/admin/webhooks/${body.id}/deliveries`).set('Authorization', admin)).body.items;
        assert.deepEqual(deliveries.map((d: { status: string; attempts: number }) => [d.status, d.attempts]), [['delivered', 1], ['delivered', 4]]);
        await ctx.db('webhooks').where({ id: body.id }).update({ active: false });
      } finally {
        t.clock.set(new Date());
        await rx.close();
      }
    });

    it('dead-letters after the limit; the admin redelivers (API and page)', async () => {
      const rx = await webhookReceiver(SECRET, { failFirst: 1000 });
      const app = testApp(ctx.db, { worker: false });
      const worker = new (t.app.worker.constructor as typeof import('../../src/integration').WebhookWorker)(ctx.db, app.clock, null, { maxAttempts: 2, baseDelayMs: 1000 });
      try {
        const { body } = await t.http.post('/api/v1/admin/webhooks').set('Authorization', admin).send({ url: rx.url, events: ['order.placed'], secret: SECRET });
        await place(1);
        await worker.runOnce();
        app.clock.set(new Date(Date.now() + 10_000));
        await worker.runOnce();
        assert.equal(rx.all.length, 2);
        const dead = (await t.http.get(`/api/v1/admin/webhooks/${body.id}/deliveries?status=dead`).set('Authorization', admin)).body.items;
        assert.equal(dead.length, 1);
        assert.equal((await t.http.post(`/api/v1/admin/webhooks/${body.id}/deliveries/${dead[0].id}/redeliver`).set('Authorization', buyer)).status, 403);
        const again = await t.http.post(`/api/v1/admin/webhooks/${body.id}/deliveries/${dead[0].id}/redeliver`).set('Authorization', admin);
        assert.equal(again.status, 200);
        assert.equal(again.body.status, 'pending');
        assert.equal((await t.http.post(`/api/v1/admin/webhooks/${body.id}/deliveries/${dead[0].id}/redeliver`).set('Authorization', admin)).status, 409);
        await worker.runOnce();
        assert.equal(rx.all.length, 3);
        assert.equal(rx.all[2].id, rx.all[0].id);
        app.clock.set(new Date(Date.now() + 20_000));
        await worker.runOnce();
        // The page: the dead letter is listed with a redeliver form, which works.
        const agent = await loginAgent(t.app, w.users.admin);
        const page = await agent.get(`/admin/webhooks/${body.id}?status=dead`);
        assert.equal(page.status, 200);
        assert.match(page.text, /redeliver/);
        const csrf = await csrfFor(agent, `/admin/webhooks/${body.id}?status=dead`);
        const post = await agent.post(`/admin/webhooks/${body.id}/deliveries/${dead[0].id}/redeliver`).type('form').send({ _csrf: csrf });
        assert.equal(post.status, 302);
        assert.equal((await ctx.db('webhook_deliveries').where({ id: dead[0].id }).first()).status, 'pending');
        await ctx.db('webhooks').where({ id: body.id }).update({ active: false });
      } finally {
        await rx.close();
      }
    });

    it('the admin page registers a webhook from its form', async () => {
      const agent = await loginAgent(t.app, w.users.admin);
      const page = await agent.get('/admin/webhooks');
      assert.equal(page.status, 200, page.text.slice(0, 3000));
      const csrf = await csrfFor(agent, '/admin/webhooks');
      const bad = await agent.post('/admin/webhooks').type('form').send({ _csrf: csrf, url: 'gopher://x', events: '*', secret: SECRET });
      assert.equal(bad.status, 422);
      const ok = await agent.post('/admin/webhooks').type('form').send({ _csrf: csrf, url: 'http://127.0.0.1:9/page', events: 'order.placed, order.paid', secret: SECRET });
      assert.equal(ok.status, 302);
      const row = await ctx.db('webhooks').where({ url: 'http://127.0.0.1:9/page' }).first();
      assert.deepEqual(JSON.parse(row.events), ['order.placed', 'order.paid']);
      await ctx.db('webhooks').where({ id: row.id }).update({ active: false });
      assert.equal((await agentFor(t.app).get('/admin/webhooks')).status, 302);
    });
  });

  describe('GET /notices.atom', () => {
    it('is a public Atom feed of the notices, newest first, linked from /notices', async () => {
      const c1 = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.ct, { projectName: 'Atom 一号' }));
      assert.equal(c1.status, 201, JSON.stringify(c1.body));
      assert.equal((await t.http.post(`/api/v1/first-purchases/${c1.body.id}/submit`).set('Authorization', buyer)).status, 200);
      const c2 = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.mr, { projectName: 'Atom 二号' }));
      assert.equal((await t.http.post(`/api/v1/first-purchases/${c2.body.id}/submit`).set('Authorization', buyer)).status, 200);
      const feed = await t.http.get('/notices.atom');
      assert.equal(feed.status, 200);
      assert.match(feed.headers['content-type'], /^application\/atom\+xml/);
      assert.match(feed.text, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
      const titles = [...feed.text.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => m[1]);
      assert.ok(titles.length >= 2);
      const ids = [...feed.text.matchAll(/<entry>\s*<id>[^<]*\/notices\/(\d+)<\/id>/g)].map((m) => Number(m[1]));
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
      assert.equal((await t.http.get('/notices.atom?type=result')).text.includes('<entry>'), false);
      assert.equal((await t.http.get('/notices.atom?type=nonsense')).status, 422);
      const list = await t.http.get('/notices');
      assert.match(list.text, /<head>[\s\S]*<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/notices.atom"[\s\S]*<\/head>/);
    });
  });

  describe('purchase intentions', () => {
    it('a purchaser publishes (201), anyone lists and reads it; others may not publish', async () => {
      const body = { projectName: '意向 CT 项目', goods: '64排CT 一台', budget: '3500000', expectedMonth: '2027-03' };
      assert.equal((await t.http.post('/api/v1/purchase-intentions').send(body)).status, 401);
      assert.equal((await t.http.post('/api/v1/purchase-intentions').set('Authorization', admin).send(body)).status, 403);
      assert.equal((await t.http.post('/api/v1/purchase-intentions').set('Authorization', buyer).send({ ...body, expectedMonth: '2027-13' })).status, 422);
      assert.equal((await t.http.post('/api/v1/purchase-intentions').set('Authorization', buyer).send({ ...body, budget: 5 })).status, 422);
      const res = await t.http.post('/api/v1/purchase-intentions').set('Authorization', buyer).send(body);
      assert.equal(res.status, 201);
      assert.equal(res.body.budget, '3500000.00');
      assert.equal(res.body.purchaser.id, w.unit.id);
      const list = await t.http.get('/api/v1/purchase-intentions');
      assert.equal(list.status, 200);
      assert.ok(list.body.items.some((i: { id: number; projectName: string; goods: string; budget: string; expectedMonth: string }) => i.id === res.body.id && i.expectedMonth === '2027-03'));
      assert.equal((await t.http.get(`/api/v1/purchase-intentions/${res.body.id}`)).body.projectName, '意向 CT 项目');
      assert.match((await t.http.get('/purchase-intentions')).text, /意向 CT 项目/);
      assert.match((await t.http.get(`/purchase-intentions/${res.body.id}`)).text, /64排CT 一台/);
    });

    it('with the rule on, a case is submitted only after a matching intention has been public 30 days; the 公示 links it', async () => {
      const rule = await t.http.post('/api/v1/admin/settings/purchase-intentions').set('Authorization', admin).send({ required: true });
      assert.equal(rule.status, 200);
      assert.deepEqual(rule.body, { required: true, minDays: 30 });
      try {
        const c = await t.http.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.ct, { projectName: '须有意向的项目' }));
        const refused = await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer);
        assert.equal(refused.status, 409);
        // An intention of this unit naming the product, published 31 days ago (another unit's does not count).
        const ago = new Date(Date.now() - 31 * 86400000).toISOString();
        await ctx.db('purchase_intentions').insert({ purchaser_id: w.otherUnit.id, project_name: '须有意向的项目', goods: 'CT', budget_fen: 1, expected_month: '2027-01', product_id: null, published_at: ago });
        assert.equal((await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer)).status, 409);
        const fresh = await t.http.post('/api/v1/purchase-intentions').set('Authorization', buyer).send({ projectName: '须有意向的项目', goods: 'CT', budget: '1', expectedMonth: '2027-01' });
        assert.equal((await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer)).status, 409, 'public for less than 30 days');
        const [{ id: old }] = await ctx.db('purchase_intentions').insert({ purchaser_id: w.unit.id, project_name: '别的名字', goods: 'CT', budget_fen: 1, expected_month: '2027-01', product_id: w.products.ct, published_at: ago }).returning('id');
        const ok = await t.http.post(`/api/v1/first-purchases/${c.body.id}/submit`).set('Authorization', buyer);
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        const notices = (await t.http.get(`/api/v1/first-purchases/${c.body.id}`).set('Authorization', buyer)).body.notices as Array<{ id: number }>;
        const notice = (await t.http.get(`/api/v1/notices/${notices[0].id}`)).body;
        assert.equal(notice.content.intention.id, Number(old));
        assert.equal(notice.content.intention.path, `/purchase-intentions/${Number(old)}`);
        assert.notEqual(fresh.body.id, Number(old));
      } finally {
        await t.http.post('/api/v1/admin/settings/purchase-intentions').set('Authorization', admin).send({ required: false });
      }
    });
  });
});
