import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { AppState } from './state';

/** One log line per request, tagged with a request id (taken from X-Request-Id when the host sends one). */
export function requestLog(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    const incoming = ctx.get('x-request-id');
    state.requestId = /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    state.log = log.child({ reqId: state.requestId });
    ctx.set('X-Request-Id', state.requestId);
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      state.log.info({ method: ctx.method, url: ctx.originalUrl, status: ctx.status, ms: Math.round(ms * 10) / 10, user: state.actor?.id }, 'request');
    }
  };
}
