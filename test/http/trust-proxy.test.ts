import assert from 'node:assert/strict';
import Koa from 'koa';
import mount from 'koa-mount';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace } from '../../src/app';
import { THROTTLE } from '../../src/auth/throttle';
import type { Config } from '../../src/config';
import { clientAddress } from '../../src/ops/client-address';
import { useMigratedDb } from '../helpers/db';

/** What the per-address login throttle counted under: the addresses of `login_attempts`' `ip:` keys. */
async function countedAddresses(db: ReturnType<typeof useMigratedDb>['db']): Promise<string[]> {
  const rows: Array<{ key: string }> = await db('login_attempts').where('key', 'like', 'ip:%').select('key');
  return rows.map((r) => r.key.slice('ip:'.length)).sort();
}

const production = (over: Partial<Config> = {}): Partial<Config> => ({ env: 'production', fakeClock: false, logLevel: 'silent', sessionSecret: 'p'.repeat(48), ...over });

describe('the client address (TRUST_PROXY)', () => {
  describe('clientAddress, by rule', () => {
    it('none: the peer, whatever X-Forwarded-For says', () => {
      assert.equal(clientAddress('192.0.2.1', '6.6.6.6', false), '192.0.2.1');
    });

    it('a hop count: the n-th entry from the right (what the nearest n proxies appended), the peer without the header', () => {
      assert.equal(clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.7', 1), '198.51.100.7');
      assert.equal(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.1', 2), '198.51.100.7');
      assert.equal(clientAddress('10.0.0.1', '', 1), '10.0.0.1');
    });

    it('a list of proxies: the header only from one of them, then the rightmost address that is not one of them', () => {
      const proxies = ['10.0.0.1', '10.0.0.2'];
      assert.equal(clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.2', proxies), '198.51.100.7');
      assert.equal(clientAddress('::ffff:10.0.0.1', '198.51.100.7', proxies), '198.51.100.7', 'an IPv4 peer on a dual-stack socket');
      assert.equal(clientAddress('192.0.2.9', '198.51.100.7', proxies), '192.0.2.9', 'from any other peer the header is ignored');
      assert.equal(clientAddress('10.0.0.1', 'garbage, 10.0.0.2', proxies), '10.0.0.2', 'an entry that is no address stops the walk at the proxy that wrote it');
      assert.equal(clientAddress('10.0.0.1', '', proxies), '10.0.0.1');
    });
  });

  describe('login throttling by address, in production', function () {
    this.timeout(120000);
    const ctx = useMigratedDb();
    beforeEach(async () => {
      await ctx.db('login_attempts').del();
    });

    /** `n` wrong passwords, each for another unknown username (no account lock), each with the X-Forwarded-For made by `xff`. */
    async function failures(http: ReturnType<typeof request>, n: number, xff: (i: number) => string): Promise<number[]> {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await http.post('/api/v1/auth/token').set('X-Forwarded-For', xff(i)).send({ username: `nobody${i}`, password: 'wrong-password' });
        statuses.push(res.status);
      }
      return statuses;
    }

    it('regression: forgeable client address in production — a forged X-Forwarded-For no longer escapes the per-address limit', async () => {
      const app = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production() });
      const statuses = await failures(request(app.callback()), 60, (i) => `203.0.113.${i}`);
      assert.ok(statuses.slice(0, THROTTLE.maxPerAddress).every((s) => s === 401), JSON.stringify(statuses));
      assert.ok(statuses.slice(THROTTLE.maxPerAddress).every((s) => s === 429), JSON.stringify(statuses));
      const addresses = await countedAddresses(ctx.db);
      assert.equal(addresses.length, 1, `all counted under the real address: ${addresses.join(' ')}`);
      assert.ok(!addresses[0].startsWith('203.0.113.'));
    });

    it('TRUST_PROXY=1: the rightmost X-Forwarded-For entry is the client; what the client put to its left changes nothing', async () => {
      const app = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production({ trustProxy: 1 }) });
      const http = request(app.callback());
      // The proxy appends each client's real address: sixty clients, each forging the left part.
      const distinct = await failures(http, 60, (i) => `6.6.6.6, 198.51.100.${i}`);
      assert.ok(distinct.every((s) => s === 401), JSON.stringify(distinct));
      assert.equal((await countedAddresses(ctx.db)).length, 60);
      assert.ok((await countedAddresses(ctx.db)).every((a) => a.startsWith('198.51.100.')));
      // One client forging a new left part each time is still one client.
      await ctx.db('login_attempts').del();
      const one = await failures(http, THROTTLE.maxPerAddress + 5, (i) => `203.0.113.${i}, 192.0.2.77`);
      assert.ok(one.slice(THROTTLE.maxPerAddress).every((s) => s === 429), JSON.stringify(one));
      assert.deepEqual(await countedAddresses(ctx.db), ['192.0.2.77']);
    });

    it('a list of proxies: believed from the listed peer only', async () => {
      const trusted = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production({ trustProxy: ['127.0.0.1', '::1', '10.0.0.2'] }) });
      await failures(request(trusted.callback()), 1, () => '6.6.6.6, 198.51.100.9, 10.0.0.2');
      assert.deepEqual(await countedAddresses(ctx.db), ['198.51.100.9']);
      await ctx.db('login_attempts').del();
      const other = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production({ trustProxy: ['10.0.0.2'] }) });
      await failures(request(other.callback()), 1, () => '198.51.100.9');
      const [address] = await countedAddresses(ctx.db);
      assert.match(address, /^(::ffff:)?127\.0\.0\.1$|^::1$/, 'the test client is the peer, not a listed proxy');
    });

    it('mounted in a host whose Koa trusts proxies: the plugin still ignores X-Forwarded-For unless given trustProxy', async () => {
      const host = new Koa({ proxy: true });
      host.use(mount('/market', createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production() })));
      const res = await request(host.callback()).post('/market/api/v1/auth/token').set('X-Forwarded-For', '203.0.113.5').send({ username: 'nobody', password: 'wrong-password' });
      assert.equal(res.status, 401);
      assert.ok(!(await countedAddresses(ctx.db)).includes('203.0.113.5'));

      const trusting = new Koa({ proxy: false });
      trusting.use(mount('/market', createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: production({ trustProxy: 1 }) })));
      await request(trusting.callback()).post('/market/api/v1/auth/token').set('X-Forwarded-For', '203.0.113.6').send({ username: 'nobody', password: 'wrong-password' });
      assert.ok((await countedAddresses(ctx.db)).includes('203.0.113.6'), 'trustProxy is the plugin’s, whatever the host’s Koa says');
    });
  });
});
