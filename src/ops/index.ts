import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Db } from '../db';
import { AppError } from '../errors';
import { Metrics, routeOf } from './metrics';
import { Readiness } from './readiness';

export { trustedClientAddress } from './client-address';
export { boundHeapGrowth, growthPercentFor } from './heap-growth';
export { Metrics } from './metrics';

/** The most an ops address reads (and throws away) of a request body before it answers. */
const BODY_LIMIT = 1024 * 1024;

/** Reads the request's body off the connection and discards it: true once it ended within `limit` bytes. */
function discardBody(ctx: Context, limit: number): Promise<boolean> {
  const req = ctx.req;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (req.readableEnded || (!req.headers['transfer-encoding'] && !(declared > 0))) return Promise.resolve(true);
  if (declared > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        req.off('data', onData);
        req.pause();
        resolve(false);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(true));
    req.once('error', () => resolve(false));
    req.once('aborted', () => resolve(false));
  });
}

export interface OpsOptions {
  db: Db;
  log: Logger;
  /** Serve /metrics. */
  metrics: boolean;
  /** With a token, /metrics wants `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
}

const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * What an operator needs from a running app: `GET /healthz` (the process answers), `GET /readyz` (the database
 * answers and its migrations are current; 503 while draining), `GET /metrics` (Prometheus), the count of requests in
 * flight, and draining for a graceful shutdown. The three addresses are public and answered before the request log,
 * sessions and body parsing: fast, no session row, logged at debug only.
 */
export class Ops {
  readonly metrics: Metrics | null;
  private readonly readiness: Readiness;
  private readonly token: Buffer | null;
  private flying = 0;
  private drainingSince: number | null = null;

  constructor(private readonly options: OpsOptions) {
    this.metrics = options.metrics ? new Metrics(options.db, () => this.flying) : null;
    this.readiness = new Readiness(options.db, options.log);
    this.token = options.metricsToken ? digest(options.metricsToken) : null;
  }

  /** Requests begun and not yet answered. */
  get inFlight(): number {
    return this.flying;
  }

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /** From now on /readyz answers 503 and every answer closes its connection (a keep-alive client reconnects elsewhere). */
  drain(): void {
    this.drainingSince ??= Date.now();
  }

  /** First in the chain: answers the three addresses, counts and times every other request. */
  front() {
    return async (ctx: Context, next: Next): Promise<void> => {
      this.flying++;
      try {
        if ((ctx.method === 'GET' || ctx.method === 'HEAD') && PATHS.has(ctx.path) && (await this.answer(ctx))) {
          this.options.log.debug({ path: ctx.path, status: ctx.status }, 'ops request');
          return;
        }
        await this.timed(ctx, next);
      } finally {
        this.flying--;
        // Also for a request begun before the drain: its answer is the connection's last.
        if (this.draining && !ctx.headerSent) ctx.set('Connection', 'close');
      }
    };
  }

  /**
   * Right after the error handler, so that its answers are in the error shape and the caller's language: another
   * method on the three addresses is a 405, a scrape without the metrics token a 401.
   */
  guard() {
    return async (ctx: Context, next: Next): Promise<void> => {
      if (!PATHS.has(ctx.path) || (ctx.path === '/metrics' && !this.metrics)) return next();
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        ctx.set('Allow', 'GET, HEAD');
        ctx.status = 405;
        return;
      }
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthenticated', 'errors.unauthenticated');
    };
  }

  private async timed(ctx: Context, next: Next): Promise<void> {
    if (!this.metrics) return next();
    const path = ctx.path;
    const start = process.hrtime.bigint();
    const c = ctx as unknown as { _matchedRoute?: unknown };
    // A host's router may have matched a route of its own before mounting us: ours is what counts here.
    const outer = c._matchedRoute;
    c._matchedRoute = undefined;
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } finally {
      const route = routeOf(c._matchedRoute, path);
      if (c._matchedRoute === undefined) c._matchedRoute = outer;
      this.metrics.observe(ctx, route, status, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  /** true when answered; false leaves the request to the rest of the chain (no metrics, or a scrape without the token). */
  private async answer(ctx: Context): Promise<boolean> {
    ctx.set('Cache-Control', 'no-store');
    // These addresses read no body, but one may come (a GET with a body is legal HTTP): read it off the connection
    // first, up to a limit, so the client is not cut off mid-upload by an answer sent before its body (found by the
    // fuzzer: a 300 KB body on GET /metrics ended in an aborted upload). Past the limit the connection closes.
    if (!(await discardBody(ctx, BODY_LIMIT))) {
      ctx.set('Connection', 'close');
      ctx.status = 413;
      ctx.body = { status: 'payload too large' };
      return true;
    }
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return true;
    }
    if (ctx.path === '/readyz') {
      const reason = this.draining ? 'shutting down' : await this.readiness.check();
      ctx.status = reason ? 503 : 200;
      ctx.body = reason ? { status: 'unavailable', reason } : { status: 'ready' };
      return true;
    }
    if (!this.metrics || !this.authorized(ctx)) {
      ctx.remove('Cache-Control');
      return false;
    }
    ctx.type = this.metrics.registry.contentType;
    ctx.body = await this.metrics.registry.metrics();
    return true;
  }

  private authorized(ctx: Context): boolean {
    if (!this.token) return true;
    const m = /^Bearer (\S+)$/i.exec(ctx.get('authorization'));
    return m !== null && timingSafeEqual(digest(m[1]), this.token);
  }
}
