import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import request from 'supertest';
import { verifySignature } from '../../src/integration';
import { ENGINE } from '../helpers/db';
import { ACCEPTANCE, allocate, caseBody, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';
import { startServer, type RunningServer } from '../helpers/server';

const SECRET = 'crash-host-shared-secret-0123456789';

interface Stored {
  id: string;
  seq: number;
  stream: string;
  streamSeq: number;
  type: string;
}

/**
 * Issue 17 item 5: a host (a small Koa app) receives every event of a full 政府首购 case — in order, each signed —
 * although the plugin's process is killed with SIGKILL in the middle, while a delivery is on its way; a second process
 * on the same database carries on. The host stores an event once per id: the interrupted delivery comes again with the
 * same id and is recognised as a duplicate.
 */
describe(`a host receives every event of a 政府首购 case through a SIGKILL of the plugin (${ENGINE})`, function () {
  this.timeout(300000);
  let host: Server;
  let first: RunningServer | null = null;
  let second: RunningServer | null = null;
  let w!: FpWorld;
  const stored: Stored[] = [];
  /** How many times each event id was delivered (answered or not). */
  const seen = new Map<string, number>();
  let badSignatures = 0;
  /** The delivery to leave unanswered (the plugin is killed while it waits), and who to tell when it comes. */
  let holdType: string | null = 'first_purchase.awarded';
  let held!: () => void;
  const heldArrived = new Promise<void>((resolve) => (held = resolve));
  let waiter: { n: number; stream: string; resolve: () => void } | null = null;

  before(async () => {
    const app = new Koa();
    app.use(async (c) => {
      if (c.path !== '/hooks/market' || c.method !== 'POST') {
        c.status = 404;
        return;
      }
      const raw = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        c.req.on('data', (d: Buffer) => chunks.push(d));
        c.req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      const ts = c.get('x-marketplace-timestamp');
      // The plugin runs on a fake clock here: the signature is checked over its own timestamp.
      if (!verifySignature(SECRET, c.get('x-marketplace-signature'), ts, raw, Number(ts))) {
        badSignatures++;
        c.status = 401;
        return;
      }
      const e = JSON.parse(raw) as Stored;
      seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      if (holdType && e.type === holdType) {
        holdType = null;
        held();
        await new Promise(() => undefined); // never answers: the plugin dies waiting
      }
      if (!stored.some((s) => s.id === e.id)) stored.push({ id: e.id, seq: e.seq, stream: e.stream, streamSeq: e.streamSeq, type: e.type });
      c.status = 204;
      if (waiter && stored.filter((s) => s.stream === waiter?.stream).length >= waiter.n) waiter.resolve();
    });
    host = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => host.once('listening', resolve));
  });

  after(async () => {
    await second?.stop();
    await first?.stop(); // dead already; drops the database it made
    host.closeAllConnections();
    await new Promise((resolve) => host.close(resolve));
  });

  it('no event lost, the duplicate recognisable by its id, the case stream in order', async () => {
    const env = { FAKE_CLOCK: '1', LOG_LEVEL: 'silent' };
    first = await startServer({
      env,
      prepare: async (db) => {
        w = await makeFpWorld(db);
        await allocate(db, w.unit.id, 5_000_000_00, 'crash-test-budget');
      },
    });
    const A = request(first.url);
    const token = async (http: typeof A, who: keyof FpWorld['users']) => {
      const res = await http.post('/api/v1/auth/token').send({ username: w.users[who], password: 'demo-password' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return `Bearer ${res.body.token as string}`;
    };
    const clock = async (http: typeof A, now: string) => assert.equal((await http.post('/api/v1/admin/clock').send({ now })).status, 200);

    await clock(A, '2026-06-01T09:00:00+08:00');
    const hook = await A.post('/api/v1/admin/webhooks')
      .set('Authorization', await token(A, 'admin'))
      .send({ url: `http://127.0.0.1:${(host.address() as AddressInfo).port}/hooks/market`, events: ['*'], secret: SECRET });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    let buyer = await token(A, 'purchaser');
    const created = await A.post('/api/v1/first-purchases').set('Authorization', buyer).send(caseBody(w.products.ct));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    assert.equal((await A.post(`/api/v1/first-purchases/${id}/submit`).set('Authorization', buyer)).status, 200);
    await clock(A, '2026-06-10T09:00:00+08:00'); // the 公示 is over
    buyer = await token(A, 'purchaser');
    const approved = await A.post(`/api/v1/first-purchases/${id}/approve`).set('Authorization', await token(A, 'finance')).send({ opinion: '同意', approvalNo: '浙财采监〔2026〕9号' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const negotiated = await A.post(`/api/v1/first-purchases/${id}/negotiate`).set('Authorization', buyer).send(negotiation('3000000.00', { date: '2026-06-10' }));
    assert.equal(negotiated.status, 200, JSON.stringify(negotiated.body));

    // The award's delivery is on its way and unanswered: the plugin's process dies.
    await heldArrived;
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) => (first?.child.exitCode !== null || first?.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve())));
    assert.equal(first.child.signalCode, 'SIGKILL');
    const beforeRestart = stored.length;

    // A second process on the same database; its clock past the dead one's lease on the webhook.
    second = await startServer({ env, databaseUrl: first.databaseUrl });
    const B = request(second.url);
    await clock(B, '2026-06-10T09:30:00+08:00');
    buyer = await token(B, 'purchaser');
    const done = new Promise<void>((resolve) => (waiter = { n: 10, stream: `first_purchase:${id}`, resolve }));
    const contracted = await B.post(`/api/v1/first-purchases/${id}/contract`).set('Authorization', buyer).send({ contractNo: 'HT-CRASH-1', signedAt: '2026-06-10' });
    assert.equal(contracted.status, 200, JSON.stringify(contracted.body));
    const accepted = await B.post(`/api/v1/first-purchases/${id}/accept`).set('Authorization', buyer).send({ ...ACCEPTANCE, note: '' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const paid = await B.post(`/api/v1/first-purchases/${id}/pay`).set('Authorization', buyer);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    await done;

    const mine = stored.filter((s) => s.stream === `first_purchase:${id}`);
    assert.deepEqual(
      mine.map((s) => s.type),
      ['first_purchase.created', 'first_purchase.submitted', 'notice.published', 'first_purchase.approved', 'first_purchase.awarded', 'notice.published', 'first_purchase.contracted', 'notice.published', 'first_purchase.accepted', 'first_purchase.paid'],
      'every event of the case, none lost',
    );
    assert.deepEqual(mine.map((s) => s.streamSeq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'the stream in order');
    const seqs = stored.map((s) => s.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'all events in global order');
    assert.ok(beforeRestart >= 4 && beforeRestart < mine.length, 'some events came before the kill, the rest after');
    const award = mine.find((s) => s.type === 'first_purchase.awarded');
    assert.ok(award && !stored.slice(0, beforeRestart).some((s) => s.id === award.id), 'the unanswered award was not stored before the kill…');
    assert.equal(badSignatures, 0, 'every delivery signed with the shared secret');
    assert.equal(seen.get(award.id), 2, '…and came once more after it, with the same id');
    assert.equal(new Set(stored.map((s) => s.id)).size, stored.length, 'the host stores each event once');
  });
});
