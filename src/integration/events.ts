import { eventsAfter, type OutboxRow } from '../audit';
import type { Executor } from '../db';
import { parseStoredJson } from '../errors';
import { apiTime } from '../time';

/** An outbox event as the events feed and the webhooks carry it (API.md "Integration"). */
export interface PublicEvent {
  id: string;
  seq: number;
  stream: string;
  /** The event's number within its stream (1, 2, …). */
  streamSeq: number;
  type: string;
  occurredAt: string;
  data: unknown;
}

export const eventView = (r: OutboxRow): PublicEvent => ({
  id: r.id,
  seq: Number(r.seq),
  stream: r.stream,
  streamSeq: Number(r.stream_seq),
  type: r.type,
  occurredAt: apiTime(r.occurred_at),
  data: parseStoredJson(r.data, { table: 'outbox_events', column: 'data', id: Number(r.seq) }),
});

export interface EventPage {
  items: PublicEvent[];
  /** The cursor for the next call (`after=`): the last item's seq, or the one given when there is none. */
  next: number;
  hasMore: boolean;
}

/** `GET /api/v1/events?after=<seq>`: cursor-paged, oldest first. */
export async function eventPage(db: Executor, after: number, pageSize: number): Promise<EventPage> {
  const rows = await eventsAfter(db, after, pageSize + 1);
  const items = rows.slice(0, pageSize).map(eventView);
  return { items, next: items.length ? items[items.length - 1].seq : after, hasMore: rows.length > pageSize };
}
