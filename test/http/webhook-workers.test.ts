import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { recordAudit } from '../../src/audit';
import { FakeClock, SystemClock } from '../../src/clock';
import { verifySignature, WebhookService, WebhookWorker } from '../../src/integration';
import type { Actor } from '../../src/web';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeUser } from '../helpers/factories';
import { PROJECT_ROOT } from '../helpers/server';
import { webhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'shared-outbox-secret-0123456789';

/**
 * Several delivery workers share the outbox (on PostgreSQL each claims webhooks with FOR UPDATE SKIP LOCKED and a
 * lease): while both are healthy no delivery is sent twice to an endpoint, and a worker killed in the middle of a batch
 * loses none — the delivery it was sending comes again (same event id), the rest follow in order.
 */
describe(`webhook workers sharing the outbox (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let admin: Actor;
  let nextOrder = 50_000;

  before(async () => {
    const u = await makeUser(ctx.db, { role: 'admin' });
    admin = { id: u.id, username: u.username, role: 'admin', displayName: 'a', purchaserId: null, vendorId: null };
  });

  /** `n` committed events (orders placed), returned as their seqs. */
  const place = async (n: number): Promise<number[]> => {
    await ctx.db.transaction(async (trx) => {
      for (let i = 0; i < n; i++) await recordAudit(trx, new FakeClock(), { actor: null, action: 'order.place', entity: 'order', entityId: nextOrder++, after: { i } });
    });
    const rows = await ctx.db('outbox_events').orderBy('seq', 'desc').limit(n).select('seq');
    return rows.map((r) => Number(r.seq)).reverse();
  };

  const register = async (url: string): Promise<number> => (await new WebhookService(ctx.db, new SystemClock(), false).register(admin, { url, events: ['order.placed'], secret: SECRET })).id;

  it('two workers at once: each delivery is made once per endpoint, in order, and both workers take a share', async () => {
    const receivers = await Promise.all([1, 2, 3, 4].map(() => webhookReceiver(SECRET)));
    for (const r of receivers) await register(r.url);
    const seqs = await place(12);
    const silent = pino({ level: 'silent' });
    // One webhook per round each, so that the two rounds running side by side must claim different webhooks.
    const a = new WebhookWorker(ctx.db, new SystemClock(), silent, { claimLimit: 1, batch: 5 });
    const b = new WebhookWorker(ctx.db, new SystemClock(), silent, { claimLimit: 1, batch: 5 });
    const totals = { a: 0, b: 0 };
    for (let round = 0; round < 100 && receivers.some((r) => r.accepted.length < seqs.length); round++) {
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      totals.a += ra.delivered;
      totals.b += rb.delivered;
    }
    for (const r of receivers) {
      assert.deepEqual(r.all.map((e) => e.seq), seqs, 'every event once, in order, no second send');
      assert.ok(r.all.every((e) => e.validSignature));
    }
    assert.equal(totals.a + totals.b, seqs.length * receivers.length);
    assert.ok(totals.a > 0 && totals.b > 0, `both workers delivered (${totals.a} and ${totals.b})`);
    const pending = await ctx.db('webhook_deliveries').whereNot('status', 'delivered').count<{ n: number }[]>({ n: '*' }).first();
    assert.equal(Number(pending?.n), 0);
    await Promise.all(receivers.map((r) => r.close()));
    await ctx.db('webhooks').update({ active: false });
  });

  it('a worker process killed (SIGKILL) in the middle of a batch loses no delivery: another worker sends the rest, the interrupted one again with the same event id', async () => {
    // An endpoint that stores what it is sent, and holds the answer to the third delivery until the worker dies.
    const got: Array<{ id: string; seq: number; answered: boolean; valid: boolean }> = [];
    let third!: () => void;
    const thirdArrived = new Promise<void>((resolve) => (third = resolve));
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const e = JSON.parse(body) as { id: string; seq: number };
        const ts = req.headers['x-marketplace-timestamp'] as string;
        const entry = { id: e.id, seq: e.seq, answered: false, valid: verifySignature(SECRET, req.headers['x-marketplace-signature'] as string, ts, body, Number(ts)) };
        got.push(entry);
        if (got.length === 3) {
          third(); // no answer: the worker waits on it when it is killed
          return;
        }
        entry.answered = true;
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hook = await register(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    const seqs = await place(8);

    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: ctx.url, LOG_LEVEL: 'silent', NODE_ENV: 'development', WEBHOOK_INTERVAL_MS: '50' };
    delete env.TEST_DB;
    delete env.FAKE_CLOCK;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await Promise.race([thirdArrived, exited.then(() => Promise.reject(new Error(`worker exited early: ${stderr}`)))]);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const states = await ctx.db('webhook_deliveries').where({ webhook_id: hook }).orderBy('event_seq').select('event_seq', 'status');
    assert.deepEqual(states.map((d) => d.status), ['delivered', 'delivered', ...seqs.slice(2).map(() => 'pending')], 'two recorded, the interrupted one and the rest still pending');

    // Another worker, once the dead one's lease has run out (its clock a few minutes on), takes over.
    const later = new FakeClock();
    later.set(new Date(Date.now() + 5 * 60_000), { freeze: true });
    const survivor = new WebhookWorker(ctx.db, later, pino({ level: 'silent' }));
    const report = await survivor.drain();
    assert.equal(report.delivered, seqs.length - 2);

    assert.deepEqual(got.map((g) => g.seq), [seqs[0], seqs[1], seqs[2], ...seqs.slice(2)], 'the interrupted delivery comes again, then the rest in order');
    assert.equal(got[2].id, got[3].id, 'the duplicate carries the same event id');
    const stored = [...new Map(got.filter((g) => g.answered).map((g) => [g.id, g])).values()];
    assert.deepEqual(stored.map((g) => g.seq), seqs, 'deduplicated on the event id, the endpoint holds every event once');
    assert.ok(got.every((g) => g.valid));
    const left = await ctx.db('webhook_deliveries').where({ webhook_id: hook }).whereNot('status', 'delivered').count<{ n: number }[]>({ n: '*' }).first();
    assert.equal(Number(left?.n), 0);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
