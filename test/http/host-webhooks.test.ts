import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import mount from 'koa-mount';
import pino from 'pino';
import request from 'supertest';
import { createMarketplace, type Marketplace } from '../../src/app';
import { FirstPurchaseService } from '../../src/first-purchase/service';
import { SystemClock } from '../../src/clock';
import { verifySignature } from '../../src/integration';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { bearer } from '../helpers/app';
import { caseInState, makeFpWorld } from '../helpers/first-purchase';

const SECRET = 'host-shared-secret-0123456789';

/**
 * A host's Koa app mounts the plugin with its delivery worker on, registers a webhook to itself and receives every
 * event of a full 政府首购 case, in order, each signed — and a first few deliveries it refuses come again.
 */
describe(`host receives the plugin's webhooks (${ENGINE})`, function () {
  this.timeout(60000);
  let server: Server;
  let market: Marketplace;
  // Registered before useMigratedDb's hooks, so it runs before the database is dropped: a worker round still going
  // would otherwise wait on a destroyed pool until the hook's timeout.
  after(async () => {
    if (!market) return;
    // The host stops first: a delivery under way fails at once (its connection closed) instead of holding up the
    // worker's round, and connections kept alive would otherwise hold close() open until they time out.
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await market.worker.stop();
    await closed;
  });
  const ctx = useMigratedDb();
  const received: Array<{ id: string; type: string; stream: string; streamSeq: number; seq: number; valid: boolean }> = [];
  let refuse = 2;

  before(async () => {
    const host = new Koa();
    host.use(async (c, next) => {
      if (c.path !== '/hooks/market' || c.method !== 'POST') return next();
      const raw = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        c.req.on('data', (d: Buffer) => chunks.push(d));
        c.req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      if (refuse > 0) {
        refuse--;
        c.status = 503;
        return;
      }
      const e = JSON.parse(raw);
      const valid = verifySignature(SECRET, c.get('x-marketplace-signature'), c.get('x-marketplace-timestamp'), raw, Math.floor(Date.now() / 1000));
      if (!received.some((r) => r.id === e.id)) received.push({ ...e, valid });
      c.status = 204;
    });
    market = createMarketplace({ db: ctx.db, logger: pino({ level: 'silent' }), config: { env: 'test', logLevel: 'silent' }, worker: { intervalMs: 50, baseDelayMs: 100, maxDelayMs: 200 } });
    host.use(mount('/market', market));
    server = host.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });

  it('every event of the case arrives, in order, with a valid signature', async () => {
    const { port } = server.address() as AddressInfo;
    const plugin = request(`http://127.0.0.1:${port}/market`);
    const w = await makeFpWorld(ctx.db);
    const token = await bearer(plugin, w.users.admin);
    const reg = await plugin.post('/api/v1/admin/webhooks').set('Authorization', token).send({ url: `http://127.0.0.1:${port}/hooks/market`, events: ['*'], secret: SECRET });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const buyer = { id: w.userIds.purchaser, username: w.users.purchaser, role: 'purchaser' as const, displayName: 'p', purchaserId: w.unit.id, vendorId: null };
    const adminActor = { id: w.userIds.admin, username: w.users.admin, role: 'admin' as const, displayName: 'a', purchaserId: null, vendorId: null };
    const { id } = await caseInState(ctx.db, new Date(), { buyer, admin: adminActor, productId: w.products.ct }, 'accepted');
    await new FirstPurchaseService(ctx.db, new SystemClock()).pay(buyer, id);
    const stream = `first_purchase:${id}`;
    const expected = ['first_purchase.created', 'first_purchase.submitted', 'notice.published', 'first_purchase.approved', 'first_purchase.awarded', 'notice.published', 'first_purchase.contracted', 'notice.published', 'first_purchase.accepted', 'first_purchase.paid'];
    const deadline = Date.now() + 30000;
    while (received.filter((r) => r.stream === stream).length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mine = received.filter((r) => r.stream === stream);
    assert.deepEqual(mine.map((r) => r.type), expected);
    assert.deepEqual(mine.map((r) => r.streamSeq), expected.map((_e, i) => i + 1));
    assert.ok(received.every((r) => r.valid), 'every signature verifies');
    const seqs = received.map((r) => r.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in global order, the refused ones included');
    assert.equal(refuse, 0, 'the first deliveries were refused and came again');
  });
});
