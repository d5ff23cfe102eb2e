import assert from 'node:assert/strict';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace } from '../../src/app';
import { migrateLatest } from '../../src/db';
import { Readiness } from '../../src/ops/readiness';
import { bearer, testApp } from '../helpers/app';
import { ENGINE, freshDatabase, useMigratedDb, type TestDatabase } from '../helpers/db';
import { makeUser } from '../helpers/factories';
import { acceptedOrders, tradingCast } from '../helpers/trading';

const silent = pino({ level: 'silent' });

/** A logger at info that keeps its lines. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** The value of one sample of a Prometheus text exposition (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

describe('operations endpoints: /healthz, /readyz, /metrics', function () {
  this.timeout(60000);
  const ctx = useMigratedDb();

  describe('health and readiness', () => {
    it('GET /healthz and /readyz answer anyone, with no session, no cookie and no info log line', async () => {
      const { logger, lines } = capturingLogger();
      const t = testApp(ctx.db, { logger });
      const user = await makeUser(ctx.db, { role: 'admin' });
      const auth = await bearer(t.http, user.username);
      const sessionsBefore = (await ctx.db('sessions').count({ n: '*' }))[0].n;
      lines.length = 0;
      for (const who of [null, auth]) {
        const health = who ? await t.http.get('/healthz').set('Authorization', who) : await t.http.get('/healthz');
        assert.equal(health.status, 200);
        assert.deepEqual(health.body, { status: 'ok' });
        assert.equal(health.headers['set-cookie'], undefined);
        assert.equal(health.headers['cache-control'], 'no-store');
        const ready = who ? await t.http.get('/readyz').set('Authorization', who) : await t.http.get('/readyz');
        assert.equal(ready.status, 200);
        assert.deepEqual(ready.body, { status: 'ready' });
        assert.equal(ready.headers['set-cookie'], undefined);
      }
      assert.equal((await t.http.head('/healthz')).status, 200);
      assert.equal((await ctx.db('sessions').count({ n: '*' }))[0].n, sessionsBefore, 'no session row');
      assert.deepEqual(lines.filter((l) => Number(l.level) >= 30), [], 'nothing at info');
      await t.http.get('/api/v1/products');
      assert.ok(lines.some((l) => l.msg === 'request' && l.url === '/api/v1/products'), 'other requests are still logged');
    });

    it('another method on them is a 405 naming what is allowed; /metrics is a 404 while metrics are off', async () => {
      const t = testApp(ctx.db);
      for (const path of ['/healthz', '/readyz']) {
        const res = await t.http.post(path).send({});
        assert.equal(res.status, 405, path);
        assert.equal(res.headers.allow, 'GET, HEAD');
      }
      assert.equal((await t.http.get('/metrics')).status, 404);
    });

    it('/readyz: 503 with the reason while the database is not migrated, has a migration missing, or is closed', async function () {
      const fresh: TestDatabase = await freshDatabase();
      try {
        const http = request(createMarketplace({ db: fresh.db, logger: silent, config: { env: 'test', logLevel: 'silent' } }).callback());
        const before = await http.get('/readyz');
        assert.equal(before.status, 503);
        assert.deepEqual(before.body, { status: 'unavailable', reason: 'database not migrated' });
        assert.equal(await fresh.db.schema.hasTable('knex_migrations'), false, 'a probe creates nothing');
        await migrateLatest(fresh.db);
        assert.deepEqual((await http.get('/readyz')).body, { status: 'ready' });
        const last = await fresh.db('knex_migrations').orderBy('id', 'desc').first();
        await fresh.db('knex_migrations').where({ id: last.id }).del();
        const missing = await http.get('/readyz');
        assert.equal(missing.status, 503);
        assert.deepEqual(missing.body, { status: 'unavailable', reason: 'migrations pending: 1' });
        await fresh.db('knex_migrations').insert(last);
        assert.equal((await http.get('/readyz')).status, 200);
        await fresh.db.destroy();
        const closed = await http.get('/readyz');
        assert.equal(closed.status, 503);
        assert.deepEqual(closed.body, { status: 'unavailable', reason: 'database closed' });
        assert.equal((await http.get('/healthz')).status, 200, 'the process still answers');
      } finally {
        await fresh.drop();
      }
    });

    it('/readyz gives up after its timeout when the database does not answer', async () => {
      const readiness = new Readiness(ctx.db, silent, 300);
      assert.equal(await readiness.check(), null);
      let release!: () => void;
      let taken!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const holding = new Promise<void>((r) => (taken = r));
      // SQLite: its one connection busy; PostgreSQL: the migrations table locked.
      const holder = ctx.db.transaction(async (trx) => {
        if (ENGINE === 'postgres') await trx.raw('LOCK TABLE knex_migrations IN ACCESS EXCLUSIVE MODE');
        taken();
        await held;
      });
      try {
        await holding; // the connection (SQLite) or the lock (PostgreSQL) is held now, however loaded the machine
        const started = Date.now();
        assert.equal(await readiness.check(), 'database did not answer within 300 ms');
        assert.ok(Date.now() - started < 2000);
      } finally {
        release();
        await holder;
      }
      assert.equal(await readiness.check(), null);
    });

    it('while draining: /readyz 503 "shutting down", /healthz 200, every answer closes its connection', async () => {
      const t = testApp(ctx.db);
      t.app.ops.drain();
      const ready = await t.http.get('/readyz');
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, { status: 'unavailable', reason: 'shutting down' });
      assert.equal(ready.headers.connection, 'close');
      const health = await t.http.get('/healthz');
      assert.equal(health.status, 200);
      const other = await t.http.get('/api/v1/products');
      assert.equal(other.status, 200);
      assert.equal(other.headers.connection, 'close');
    });
  });

  describe('metrics', () => {
    it('route patterns, never raw paths; payments counted by route and outcome; queue and pool gauges', async () => {
      const t = testApp(ctx.db, { metrics: true });
      const cast = await tradingCast(ctx.db);
      const [first, second] = await acceptedOrders(ctx.db, cast, 2);
      const buyer = await bearer(t.http, cast.users.buyerA.username);
      assert.equal((await t.http.post(`/api/v1/orders/${first}/pay`).set('Authorization', buyer)).status, 200);
      assert.equal((await t.http.post(`/api/v1/orders/${first}/pay`).set('Authorization', buyer)).status, 409);
      const key = `ops-test-${second}`;
      assert.equal((await t.http.post(`/api/v1/orders/${second}/pay`).set('Authorization', buyer).set('Idempotency-Key', key)).status, 200);
      const replay = await t.http.post(`/api/v1/orders/${second}/pay`).set('Authorization', buyer).set('Idempotency-Key', key);
      assert.equal(replay.status, 200);
      await t.http.get('/api/v1/products/987654');
      await t.http.get('/no/such/page/123456');

      const res = await t.http.get('/metrics');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const text = res.text;
      const pay = '/api/v1/orders/:id/pay';
      assert.equal(sample(text, 'marketplace_payments_total', { route: pay, outcome: 'paid' }), 2);
      assert.equal(sample(text, 'marketplace_payments_total', { route: pay, outcome: 'refused' }), 1);
      assert.equal(sample(text, 'marketplace_payments_total', { route: pay, outcome: 'replayed' }), 1);
      assert.equal(sample(text, 'marketplace_http_request_duration_seconds_count', { method: 'POST', route: pay, status: '200' }), 3);
      assert.equal(sample(text, 'marketplace_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/products/:id', status: '404' }), 1);
      assert.equal(sample(text, 'marketplace_http_request_duration_seconds_count', { method: 'GET', route: '(unmatched)', status: '404' }), 1);
      for (const raw of [String(first), '987654', '123456']) assert.ok(!text.includes(`/${raw}`), `no raw path with ${raw}`);
      assert.ok(!/route="\/(healthz|readyz|metrics)"/.test(text), 'the operations endpoints are not timed');
      assert.equal(sample(text, 'marketplace_group_commit_waiting'), 0);
      assert.equal(sample(text, 'marketplace_group_commit_busy_slots'), 0);
      assert.equal(sample(text, 'marketplace_db_pool_connections', { state: 'max' }), ENGINE === 'sqlite' ? 1 : 10);
      assert.notEqual(sample(text, 'marketplace_db_pool_connections', { state: 'used' }), undefined);
      assert.equal(sample(text, 'marketplace_http_requests_in_flight'), 1, 'the scrape itself');
    });

    it('two apps in one process keep their own registries', async () => {
      const a = testApp(ctx.db, { metrics: true });
      const b = testApp(ctx.db, { metrics: true });
      await a.http.get('/api/v1/products');
      await a.http.get('/api/v1/products');
      await b.http.get('/api/v1/products');
      const count = async (t: typeof a) => sample((await t.http.get('/metrics')).text, 'marketplace_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/products', status: '200' });
      assert.equal(await count(a), 2);
      assert.equal(await count(b), 1);
    });

    it('with a metrics token, a scrape needs it as a bearer (401 otherwise)', async () => {
      const token = 'scrape-token-0123456789';
      const t = testApp(ctx.db, { metrics: true, config: { env: 'test', fakeClock: true, logLevel: 'silent', metricsToken: token } });
      const none = await t.http.get('/metrics');
      assert.equal(none.status, 401);
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      assert.equal((await t.http.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status, 401);
      const ok = await t.http.get('/metrics').set('Authorization', `Bearer ${token}`);
      assert.equal(ok.status, 200);
      assert.match(ok.text, /marketplace_http_request_duration_seconds/);
      assert.equal((await t.http.get('/healthz')).status, 200, 'health and readiness need no token');
    });
  });
});
