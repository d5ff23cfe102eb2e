import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { eventsAfter, lastEventSeq } from '../audit';
import type { Clock } from '../clock';
import { isPostgres, writeTransaction, type Db } from '../db';
import { eventView } from './events';
import { DELIVERY_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './signature';
import { safeLookup } from './url-rule';
import { subscribes, webhookEvents, type DeliveryRow, type WebhookRow } from './webhooks';

/** What one POST to a webhook answered: its status, or the error that stopped it (timeout, refused, …). */
export type SendResult = { status: number } | { error: string };
export type Send = (url: string, headers: Record<string, string>, body: string) => Promise<SendResult>;

export interface WorkerOptions {
  /** Attempts before a delivery is dead-lettered (default 8). */
  maxAttempts?: number;
  /** The first retry's delay; each next one doubles, up to `maxDelayMs` (defaults 10 s and 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One POST's time limit (default 10 s). */
  timeoutMs?: number;
  /** How long a worker holds a webhook it claimed (default 60 s of the app's clock). */
  leaseMs?: number;
  /** Deliveries per webhook per round (default 50). */
  batch?: number;
  /** Webhooks one round claims at most (default 20); the others stay free for other workers. */
  claimLimit?: number;
  /** The jitter's source, in [0, 1). */
  random?: () => number;
  send?: Send;
  production?: boolean;
}

/** The delay before attempt `attempts + 1`: exponential, capped, with jitter in [½, 1] of it. */
export function backoffMs(attempts: number, base: number, max: number, random: () => number): number {
  const full = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

export function httpSend(timeoutMs: number, production: boolean): Send {
  const lookup = safeLookup(production);
  return (url, headers, body) =>
    new Promise((resolve) => {
      const u = new URL(url);
      const req = (u.protocol === 'https:' ? https : http).request(
        u,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'first-unit-marketplace-webhooks/1' }, lookup, timeout: timeoutMs },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', (err) => resolve({ error: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ error: err.message }));
      req.end(body);
    });
}

export interface RoundReport {
  delivered: number;
  failed: number;
  dead: number;
}

/**
 * The webhook deliveries (issue 17): each round claims the webhooks no other worker holds (a lease on the webhook's
 * row, claimed with FOR UPDATE SKIP LOCKED on PostgreSQL so several workers share the outbox), copies the events
 * after the webhook's cursor into its deliveries, then POSTs its due deliveries oldest first — in order: a delivery
 * that fails waits for its retry (exponential backoff with jitter, read on the app's clock) and holds the later ones
 * of that webhook back; after `maxAttempts` it is dead-lettered and the next one goes. Delivery runs outside any
 * transaction, so a slow or failing endpoint never holds a lock trading needs. At least once: a worker that dies
 * between the POST and recording it leaves the delivery pending, and it is sent again with the same event id.
 */
export class WebhookWorker {
  private readonly owner = randomUUID();
  private readonly o: Required<Omit<WorkerOptions, 'send' | 'production'>>;
  private readonly send: Send;
  private running: Promise<RoundReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger | null,
    options: WorkerOptions = {},
  ) {
    this.o = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 10_000,
      maxDelayMs: options.maxDelayMs ?? 3_600_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      leaseMs: options.leaseMs ?? 60_000,
      batch: options.batch ?? 50,
      claimLimit: options.claimLimit ?? 20,
      random: options.random ?? Math.random,
    };
    this.send = options.send ?? httpSend(this.o.timeoutMs, options.production ?? false);
  }

  /** Runs rounds every `intervalMs` until `stop()`. */
  start(intervalMs = 1000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      void this.runOnce()
        .catch((err: unknown) => this.log?.error({ err }, 'webhook round failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop; resolves when the round under way (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One round (tests drive it directly); rounds never overlap within one worker. */
  runOnce(): Promise<RoundReport> {
    if (this.running) return this.running;
    this.running = this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Rounds until nothing is due (tests). */
  async drain(maxRounds = 100): Promise<RoundReport> {
    const total: RoundReport = { delivered: 0, failed: 0, dead: 0 };
    for (let i = 0; i < maxRounds; i++) {
      const r = await this.runOnce();
      total.delivered += r.delivered;
      total.failed += r.failed;
      total.dead += r.dead;
      if (r.delivered + r.failed + r.dead === 0) break;
    }
    return total;
  }

  private async round(): Promise<RoundReport> {
    const claimed = await this.claim();
    const reports = await Promise.all(
      claimed.map(async (w) => {
        try {
          await this.fanOut(w);
          return await this.deliverDue(w);
        } finally {
          await this.release(w.id);
        }
      }),
    );
    return reports.reduce((a, r) => ({ delivered: a.delivered + r.delivered, failed: a.failed + r.failed, dead: a.dead + r.dead }), { delivered: 0, failed: 0, dead: 0 });
  }

  /**
   * Claims up to `claimLimit` webhooks that have work (events after their cursor, or a delivery due) and that no live
   * lease holds, least recently claimed first — so no webhook waits behind others that keep a worker busy.
   */
  private async claim(): Promise<WebhookRow[]> {
    return writeTransaction(this.db, async (trx) => {
      const now = this.clock.now();
      const at = now.toISOString();
      const last = await lastEventSeq(trx);
      const q = trx('webhooks')
        .where('active', true)
        .andWhere((b) => b.whereNull('lease_owner').orWhere('lease_until', '<', at))
        .andWhere((b) =>
          b.where('cursor', '<', last).orWhereExists((d) =>
            d.select(trx.raw('1')).from('webhook_deliveries as d').whereRaw('d.webhook_id = webhooks.id').where('d.status', 'pending').where('d.next_attempt_at', '<=', at),
          ),
        )
        // A released webhook keeps the time of its release in lease_until: the oldest goes first.
        .orderByRaw("COALESCE(lease_until, '') ASC")
        .orderBy('id')
        .limit(this.o.claimLimit);
      if (isPostgres(trx)) q.forUpdate().skipLocked();
      const rows: WebhookRow[] = await q;
      if (!rows.length) return [];
      await trx('webhooks')
        .whereIn('id', rows.map((r) => r.id))
        .update({ lease_owner: this.owner, lease_until: new Date(now.getTime() + this.o.leaseMs).toISOString() });
      return rows;
    });
  }

  private async release(id: number): Promise<void> {
    const at = this.clock.now().toISOString();
    await writeTransaction(this.db, (trx) => trx('webhooks').where({ id, lease_owner: this.owner }).update({ lease_owner: null, lease_until: at }));
  }

  /** The events after the webhook's cursor become its deliveries (those it subscribed to), and the cursor moves on. */
  private async fanOut(w: WebhookRow): Promise<void> {
    const events = webhookEvents(w);
    for (;;) {
      const more = await writeTransaction(this.db, async (trx) => {
        const current = await trx('webhooks').where({ id: w.id, lease_owner: this.owner }).first('cursor');
        if (!current) return false;
        const rows = await eventsAfter(trx, Number(current.cursor), 500);
        if (!rows.length) return false;
        const now = this.clock.now().toISOString();
        const wanted = rows.filter((e) => subscribes(events, e.type));
        for (let i = 0; i < wanted.length; i += 100) {
          await trx('webhook_deliveries')
            .insert(wanted.slice(i, i + 100).map((e) => ({ webhook_id: w.id, event_seq: e.seq, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })))
            .onConflict(['webhook_id', 'event_seq'])
            .ignore();
        }
        await trx('webhooks').where({ id: w.id }).update({ cursor: rows[rows.length - 1].seq });
        return rows.length === 500;
      });
      if (!more) return;
    }
  }

  /**
   * Extends this worker's lease on the webhook before a POST; false when the lease is gone (it ran out and another
   * worker took the webhook), and then this worker sends nothing more to it — so two healthy workers never send the
   * same delivery, however long a round takes.
   */
  private async renew(id: number): Promise<boolean> {
    const until = new Date(this.clock.now().getTime() + this.o.leaseMs).toISOString();
    const n = await writeTransaction(this.db, (trx) => trx('webhooks').where({ id, lease_owner: this.owner }).update({ lease_until: until }));
    return Number(n) > 0;
  }

  private async deliverDue(w: WebhookRow): Promise<RoundReport> {
    const report: RoundReport = { delivered: 0, failed: 0, dead: 0 };
    for (let i = 0; i < this.o.batch; i++) {
      if (!(await this.renew(w.id))) break;
      const d: DeliveryRow | undefined = await this.db('webhook_deliveries').where({ webhook_id: w.id, status: 'pending' }).orderBy('event_seq').first();
      if (!d) break;
      const now = this.clock.now();
      if (d.next_attempt_at > now.toISOString()) break; // the oldest waits for its retry, and the later ones with it
      const [event] = await eventsAfter(this.db, Number(d.event_seq) - 1, 1);
      const body = JSON.stringify(eventView(event));
      const timestamp = Math.floor(now.getTime() / 1000);
      const result = await this.send(w.url, {
        [EVENT_ID_HEADER]: event.id,
        [EVENT_TYPE_HEADER]: event.type,
        [DELIVERY_HEADER]: String(d.id),
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(w.secret, timestamp, body),
      }, body);
      const ok = 'status' in result && result.status >= 200 && result.status < 300;
      const attempts = Number(d.attempts) + 1;
      const at = this.clock.now();
      if (ok) {
        await writeTransaction(this.db, (trx) =>
          trx('webhook_deliveries').where({ id: d.id, status: 'pending' }).update({ status: 'delivered', attempts, last_status: (result as { status: number }).status, last_error: null, delivered_at: at.toISOString() }),
        );
        report.delivered++;
        continue;
      }
      const error = 'status' in result ? `HTTP ${result.status}` : result.error.slice(0, 500);
      const dead = attempts >= this.o.maxAttempts;
      const next = new Date(at.getTime() + backoffMs(attempts, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random)).toISOString();
      await writeTransaction(this.db, (trx) =>
        trx('webhook_deliveries')
          .where({ id: d.id, status: 'pending' })
          .update({ status: dead ? 'dead' : 'pending', attempts, last_status: 'status' in result ? result.status : null, last_error: error, next_attempt_at: dead ? at.toISOString() : next }),
      );
      this.log?.warn({ webhook: w.id, delivery: d.id, event: event.id, attempts, error, dead }, dead ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry');
      if (dead) {
        report.dead++;
        continue;
      }
      report.failed++;
      break;
    }
    return report;
  }
}
