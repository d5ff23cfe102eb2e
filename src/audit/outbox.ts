import { v7 as uuidv7 } from 'uuid';
import { isPostgres, jsonRows, type Executor } from '../db';
import { Money } from '../money';
import { shanghaiIso } from '../time';
import type { AuditEntry } from './service';

/**
 * The transactional outbox (issue 17): every audit record whose action is in EVENTS becomes a public domain event,
 * written by recordAudit in the same transaction as the change (a rollback takes both away, a commit keeps both).
 * recordAudit holds the audit chain's lock (PostgreSQL: an advisory transaction lock; SQLite: the one writer) until
 * commit, so events are numbered in commit order: `seq` (global) and `stream_seq` (per stream) never see a later
 * number commit before an earlier one, and a reader polling `seq > n` never skips one.
 */
export interface EventRule {
  /** The public event type, e.g. `order.placed`. */
  type: string;
  /** The stream the event belongs to (its aggregate): `order:12`, `first_purchase:3`, … */
  stream: (entry: AuditEntry) => string;
}

const after = (e: AuditEntry): Record<string, unknown> => (e.after && typeof e.after === 'object' ? (e.after as Record<string, unknown>) : {});
const own = (kind: string) => (e: AuditEntry) => `${kind}:${e.entityId}`;
/** A notice or an objection belongs to its case's stream (so a case's events arrive in one order). */
const ofCase = (kind: string) => (e: AuditEntry) => (after(e).caseId != null ? `first_purchase:${String(after(e).caseId)}` : `${kind}:${e.entityId}`);

const rule = (type: string, stream: EventRule['stream']): EventRule => ({ type, stream });

/** Audit action → public event. A state change whose action is not here stays in the audit log only. */
export const EVENTS: Readonly<Record<string, EventRule>> = {
  'order.place': rule('order.placed', own('order')),
  'order.confirm': rule('order.confirmed', own('order')),
  'order.deliver': rule('order.delivered', own('order')),
  'order.accept': rule('order.accepted', own('order')),
  'order.pay': rule('order.paid', own('order')),
  'order.reject': rule('order.delivery_rejected', own('order')),
  'order.decline': rule('order.declined', own('order')),
  'order.cancel': rule('order.cancelled', own('order')),
  'order.refund': rule('order.refunded', own('order')),
  'first_purchase.create': rule('first_purchase.created', own('first_purchase')),
  'first_purchase.submit': rule('first_purchase.submitted', own('first_purchase')),
  'first_purchase.approve': rule('first_purchase.approved', own('first_purchase')),
  'first_purchase.award': rule('first_purchase.awarded', own('first_purchase')),
  'first_purchase.contract': rule('first_purchase.contracted', own('first_purchase')),
  'first_purchase.filing': rule('first_purchase.filed', own('first_purchase')),
  'first_purchase.accept': rule('first_purchase.accepted', own('first_purchase')),
  'first_purchase.pay': rule('first_purchase.paid', own('first_purchase')),
  'first_purchase.over_budget': rule('first_purchase.terminated', own('first_purchase')),
  'first_purchase.terminate': rule('first_purchase.terminated', own('first_purchase')),
  'first_purchase.withdraw': rule('first_purchase.terminated', own('first_purchase')),
  'first_purchase.uphold_objection': rule('first_purchase.terminated', own('first_purchase')),
  'first_purchase.certificate_revoked': rule('first_purchase.terminated', own('first_purchase')),
  'first_purchase.objection_file': rule('first_purchase.objection_filed', ofCase('objection')),
  'first_purchase.objection_resolve': rule('first_purchase.objection_resolved', ofCase('objection')),
  'notice.publish': rule('notice.published', ofCase('notice')),
  'certification.create': rule('certification.issued', own('certification')),
  'certification.import_add': rule('certification.issued', own('certification')),
  'certification.issue': rule('certification.issued', own('certification')),
  'certification.revoke': rule('certification.revoked', own('certification')),
  'recognition.round_publish': rule('certification_round.published', own('certification_round')),
  'recognition.round_finalize': rule('certification_round.finalized', own('certification_round')),
  'recognition.award_pay': rule('award.paid', own('award')),
  'insurance.finance_disburse': rule('compensation.paid', own('insurance_claim')),
  'product.approve': rule('product.approved', own('product')),
  'product.delist': rule('product.delisted', own('product')),
  'product.delist_by_certificate': rule('product.delisted', own('product')),
  'budget.allocate': rule('budget.allocated', own('budget')),
  'vendor.approve': rule('vendor.approved', own('vendor')),
  'purchase_intention.publish': rule('purchase_intention.published', own('purchase_intention')),
};

/** Every public event type, sorted (what a webhook may subscribe to, besides "*"). */
export const EVENT_TYPES: readonly string[] = [...new Set(Object.values(EVENTS).map((r) => r.type))].sort();

export interface OutboxRow {
  seq: number;
  id: string;
  stream: string;
  stream_seq: number;
  type: string;
  occurred_at: string;
  data: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const yuanOf = (fen: number | string): string | null => {
  try {
    return Money.ofFen(fen).toString();
  } catch {
    return null;
  }
};
const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * An audit record's before/after as an event carries it, in API.md's terms: names in camelCase, money (`…_fen`, whole
 * fen) as a yuan string under the name without the unit (`amount_fen: 376000000` → `amount: "3760000.00"`), every
 * instant in ISO 8601 with +08:00, and the JSON a column kept as text (a negotiation record, indicators) as JSON.
 */
export function eventData(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') {
    if (typeof value === 'string' && INSTANT.test(value)) return shanghaiIso(new Date(value));
    if (typeof value === 'string' && /^[[{]/.test(value)) {
      try {
        return eventData(JSON.parse(value) as unknown, depth + 1);
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => eventData(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const money = /_fen$/.test(k) && (typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v))) ? yuanOf(v) : null;
    if (money !== null) out[camel(k.slice(0, -4))] = money;
    else out[camel(k)] = eventData(v, depth + 1);
  }
  return out;
}

/** The event an audit entry makes, or null when its action is not public. */
export function eventOf(entry: AuditEntry): { type: string; stream: string; data: Record<string, unknown> } | null {
  const r = EVENTS[entry.action];
  if (!r) return null;
  const entityId = entry.entityId === null ? null : /^\d+$/.test(String(entry.entityId)) ? Number(entry.entityId) : String(entry.entityId);
  return {
    type: r.type,
    stream: r.stream(entry),
    data: { entity: entry.entity, entityId, ...(entry.before !== undefined ? { before: eventData(entry.before) } : {}), ...(entry.after !== undefined ? { after: eventData(entry.after) } : {}) },
  };
}

/** Rows per statement when a batch of audit entries (the demo loader's, a payment batch's) brings many events. */
const CHUNK = 500;

const COLUMNS = ['id', 'stream', 'type', 'occurred_at', 'data'] as const;

/**
 * Writes the events of these audit entries (in order) in the caller's transaction, which already holds the audit
 * chain's lock. One statement per 500 events: each event's `stream_seq` is its stream's last number (read by the
 * statement itself, which sees only the rows there were before it) plus its place among this statement's events of
 * the same stream; the rows go in in the entries' order, so the global `seq` follows it.
 *
 * The event's `id` is a UUIDv7 (time first): a batch's ids sit side by side in the unique index instead of on a
 * random page each (a 16-payment commit wrote a quarter less to the WAL with them).
 */
export async function recordEvents(trx: Executor, at: string, entries: AuditEntry[]): Promise<void> {
  const events = entries.flatMap((entry) => {
    const e = eventOf(entry);
    return e ? [{ ...e, at: entry.at ?? at }] : [];
  });
  const v = (c: (typeof COLUMNS)[number]) => `v.column${COLUMNS.indexOf(c) + 3}`;
  const insert = (source: string) =>
    `INSERT INTO outbox_events (${COLUMNS.join(', ')}, stream_seq)
     SELECT ${COLUMNS.map(v).join(', ')},
            COALESCE((SELECT MAX(o.stream_seq) FROM outbox_events o WHERE o.stream = ${v('stream')}), 0) + v.column2
     FROM ${source} AS v
     ORDER BY v.column1`;
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    const place = new Map<string, number>();
    // Per event: its order, its place in its stream, then COLUMNS.
    const rows = chunk.map((e, n) => {
      const k = (place.get(e.stream) ?? 0) + 1;
      place.set(e.stream, k);
      return [n, k, uuidv7(), e.stream, e.type, e.at, JSON.stringify(e.data)];
    });
    if (isPostgres(trx)) {
      // VALUES' columns are column1… on PostgreSQL.
      const values = rows.map(() => '(CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?, ?, ?)').join(', ');
      await trx.raw(insert(`(VALUES ${values})`), rows.flat());
    } else {
      // On SQLite the chunk is one JSON parameter (src/db/insert-rows.ts): one statement text for every chunk.
      await trx.raw(insert(jsonRows(rows[0].length)), [JSON.stringify(rows)]);
    }
  }
}

/** Events after `seq`, oldest first. */
export async function eventsAfter(db: Executor, seq: number, limit: number): Promise<OutboxRow[]> {
  const rows: OutboxRow[] = await db('outbox_events').where('seq', '>', seq).orderBy('seq').limit(limit);
  return rows.map((r) => ({ ...r, seq: Number(r.seq), stream_seq: Number(r.stream_seq) }));
}

/** The newest event's number (0 when there is none). */
export async function lastEventSeq(db: Executor): Promise<number> {
  const row = await db('outbox_events').max<{ n: number | string | null }[]>({ n: 'seq' }).first();
  return Number(row?.n ?? 0);
}
