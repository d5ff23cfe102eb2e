import type { Context } from 'koa';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { groupCommitLoad, type Db } from '../db';

/** The route label of a request no router matched (404s, 405s from the router): one value, whatever the path. */
export const UNMATCHED = '(unmatched)';

/** knex's pool (tarn), the same for pg and for SQLite's single connection. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

/**
 * Prometheus metrics of one app, in a registry of its own (two apps in one process never clash). Requests are
 * labelled by the route pattern the router matched (`/api/v1/orders/:id/pay`), never by the path asked for, so the
 * number of series stays bounded whatever clients send.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly payments: Counter<'route' | 'outcome'>;

  constructor(db: Db, inFlight: () => number) {
    const registers = [this.registry];
    this.duration = new Histogram({
      name: 'marketplace_http_request_duration_seconds',
      help: 'Time from a request reaching the app to its answer being ready, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.payments = new Counter({
      name: 'marketplace_payments_total',
      help: 'Payment requests (orders and first-purchase cases, JSON and pages) by route and outcome: paid, replayed (an Idempotency-Key answered again), refused (4xx), failed (5xx)',
      labelNames: ['route', 'outcome'],
      registers,
    });
    new Gauge({
      name: 'marketplace_http_requests_in_flight',
      help: 'Requests the app has begun and not yet answered',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: 'marketplace_group_commit_waiting',
      help: 'Payments waiting for a group-commit slot (every queue of this process)',
      registers,
      collect() {
        this.set(groupCommitLoad().waiting);
      },
    });
    new Gauge({
      name: 'marketplace_group_commit_busy_slots',
      help: 'Group-commit slots with a transaction running (every queue of this process)',
      registers,
      collect() {
        this.set(groupCommitLoad().busy);
      },
    });
    new Gauge({
      name: 'marketplace_db_pool_connections',
      help: "The database pool's connections: used, free, max; pending = callers waiting for one, creating = being opened",
      labelNames: ['state'],
      registers,
      collect() {
        const pool = db.client.pool as TarnPool | undefined;
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
        this.set({ state: 'creating' }, pool.numPendingCreates());
        this.set({ state: 'max' }, pool.max);
      },
    });
  }

  /** One answered request; `route` from routeOf. */
  observe(ctx: Context, route: string, status: number, seconds: number): void {
    this.duration.observe({ method: ctx.method, route, status: String(status) }, seconds);
    if (ctx.method === 'POST' && route.endsWith('/pay')) {
      const outcome = status >= 500 ? 'failed' : status >= 400 ? 'refused' : ctx.response.get('Idempotent-Replayed') === 'true' ? 'replayed' : 'paid';
      this.payments.inc({ route, outcome });
    }
  }
}

/** The route pattern @koa/router matched (its layer's path), '/static/*' for assets, else UNMATCHED. */
export function routeOf(matched: unknown, path: string): string {
  if (typeof matched === 'string' || matched instanceof RegExp) return String(matched);
  return path.startsWith('/static/') ? '/static/*' : UNMATCHED;
}
