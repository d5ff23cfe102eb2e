import { randomBytes } from 'node:crypto';
import { EVENT_TYPES, lastEventSeq, recordAudit } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db, type Executor } from '../db';
import { AppError, invalidState, notFound, parseStoredJson } from '../errors';
import { apiTime, apiTimeOrNull } from '../time';
import type { Actor, Page } from '../web';
import { checkWebhookUrl, type Resolve, resolveAll } from './url-rule';
import type { WebhookInput } from './schema';

export interface WebhookRow {
  id: number;
  url: string;
  events: string;
  secret: string;
  active: boolean | number;
  cursor: number;
  lease_owner: string | null;
  lease_until: string | null;
  created_by: number | null;
  created_at: string;
}

export interface DeliveryRow {
  id: number;
  webhook_id: number;
  event_seq: number;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface WebhookView {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  /** The delivery state: how many deliveries wait, went through, were dead-lettered; the last event fanned out. */
  delivery: { pending: number; delivered: number; dead: number; cursor: number; lastDeliveredAt: string | null; lastError: string | null };
}

export interface DeliveryView {
  id: number;
  webhookId: number;
  eventSeq: number;
  eventId: string;
  eventType: string;
  status: DeliveryRow['status'];
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export const webhookEvents = (w: Pick<WebhookRow, 'id' | 'events'>): string[] => parseStoredJson(w.events, { table: 'webhooks', column: 'events', id: w.id }) as string[];

/** Whether a webhook subscribed to an event type. */
export const subscribes = (events: readonly string[], type: string): boolean => events.includes('*') || events.includes(type);

/** The shortest signing secret a production server takes (characters). */
export const SECRET_MIN_PRODUCTION = 16;

/** The hosts' webhooks: registering, listing with delivery state, dead letters and redelivery (admin). */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly production: boolean,
    private readonly resolve: Resolve = resolveAll,
  ) {}

  /** Registers a webhook; it receives the events that happen from now on (the feed holds the earlier ones). */
  async register(actor: Actor, input: WebhookInput): Promise<{ id: number }> {
    // As the URL rule: in production a signing secret someone could guess is refused.
    if (this.production && input.secret.length < SECRET_MIN_PRODUCTION) throw new AppError('validation_failed', 'integration.secret_too_short', { min: SECRET_MIN_PRODUCTION }, 'secret');
    const url = await checkWebhookUrl(input.url, this.production, this.resolve);
    const unknown = input.events.find((e) => e !== '*' && !EVENT_TYPES.includes(e));
    if (unknown !== undefined) throw new AppError('validation_failed', 'integration.event_unknown', { event: unknown }, 'events');
    return writeTransaction(this.db, async (trx) => {
      const now = this.clock.now().toISOString();
      const [row] = await trx('webhooks')
        .insert({ url: url.toString(), events: JSON.stringify([...new Set(input.events)]), secret: input.secret, active: true, cursor: await lastEventSeq(trx), created_by: actor.id, created_at: now })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      // The secret never enters the audit log.
      await recordAudit(trx, this.clock, { actor, action: 'webhook.register', entity: 'webhook', entityId: id, after: { url: url.toString(), events: input.events } });
      return { id };
    });
  }

  async list(page: number, pageSize: number): Promise<Page<WebhookView>> {
    const db = executorFor(this.db);
    const rows: WebhookRow[] = await db('webhooks').orderBy('id').limit(pageSize).offset((page - 1) * pageSize);
    const total = Number((await db('webhooks').count<{ n: number }[]>({ n: '*' }).first())?.n ?? 0);
    const items = await Promise.all(rows.map((w) => this.view(db, w)));
    return { items, total, page, pageSize };
  }

  async get(id: number): Promise<WebhookView> {
    const db = executorFor(this.db);
    const w: WebhookRow | undefined = await db('webhooks').where({ id }).first();
    if (!w) throw notFound('integration.webhook_not_found');
    return this.view(db, w);
  }

  private async view(db: Executor, w: WebhookRow): Promise<WebhookView> {
    const counts: Array<{ status: string; n: number | string }> = await db('webhook_deliveries').where('webhook_id', w.id).groupBy('status').select('status').count({ n: '*' });
    const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
    const last: DeliveryRow | undefined = await db('webhook_deliveries').where({ webhook_id: w.id, status: 'delivered' }).orderBy('delivered_at', 'desc').first();
    const failing: DeliveryRow | undefined = await db('webhook_deliveries').where('webhook_id', w.id).whereNotNull('last_error').whereNot('status', 'delivered').orderBy('id', 'desc').first();
    return {
      id: w.id,
      url: w.url,
      events: webhookEvents(w),
      active: !!w.active,
      createdAt: apiTime(w.created_at),
      delivery: { pending: n('pending'), delivered: n('delivered'), dead: n('dead'), cursor: Number(w.cursor), lastDeliveredAt: apiTimeOrNull(last?.delivered_at), lastError: failing?.last_error ?? null },
    };
  }

  /** A webhook's deliveries, newest first; `status` narrows them (`dead`: the dead letters). */
  async deliveries(webhookId: number, status: DeliveryRow['status'] | undefined, page: number, pageSize: number): Promise<Page<DeliveryView>> {
    await this.get(webhookId);
    const db = executorFor(this.db);
    const q = db('webhook_deliveries as d').join('outbox_events as e', 'e.seq', 'd.event_seq').where('d.webhook_id', webhookId);
    if (status) q.where('d.status', status);
    const total = Number((await q.clone().count<{ n: number }[]>({ n: '*' }).first())?.n ?? 0);
    const rows: Array<DeliveryRow & { event_id: string; type: string }> = await q.clone().select('d.*', 'e.id as event_id', 'e.type').orderBy('d.event_seq', 'desc').limit(pageSize).offset((page - 1) * pageSize);
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        webhookId: Number(r.webhook_id),
        eventSeq: Number(r.event_seq),
        eventId: r.event_id,
        eventType: r.type,
        status: r.status,
        attempts: Number(r.attempts),
        nextAttemptAt: r.status === 'pending' ? apiTime(r.next_attempt_at) : null,
        lastStatus: r.last_status === null ? null : Number(r.last_status),
        lastError: r.last_error,
        deliveredAt: apiTimeOrNull(r.delivered_at),
      })),
      total,
      page,
      pageSize,
    };
  }

  /** A dead letter goes back to the queue: attempted again at once, with the same event id. */
  async redeliver(actor: Actor, webhookId: number, deliveryId: number): Promise<{ id: number; status: 'pending' }> {
    return writeTransaction(this.db, async (trx) => {
      const d: DeliveryRow | undefined = await trx('webhook_deliveries').where({ id: deliveryId, webhook_id: webhookId }).first();
      if (!d) throw notFound('integration.delivery_not_found');
      if (d.status !== 'dead') throw invalidState('integration.not_dead', { status: d.status });
      const now = this.clock.now().toISOString();
      const n = await trx('webhook_deliveries').where({ id: deliveryId, status: 'dead' }).update({ status: 'pending', attempts: 0, next_attempt_at: now });
      if (!n) throw invalidState('integration.not_dead', { status: 'pending' });
      await recordAudit(trx, this.clock, { actor, action: 'webhook.redeliver', entity: 'webhook_delivery', entityId: deliveryId, before: { status: 'dead' }, after: { status: 'pending' } });
      return { id: deliveryId, status: 'pending' as const };
    });
  }
}

/** A secret for the registration form's suggestion. */
export const suggestSecret = (): string => randomBytes(24).toString('base64url');
