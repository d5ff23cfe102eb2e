import type { Context, Next } from 'koa';

/**
 * A response body made of pieces kept elsewhere (a catalogue page's HTML kept for every caller, with this caller's
 * name and CSRF token between them): written to the socket piece by piece, so no request copies a page of tens of
 * kilobytes into a buffer of its own — on a signed-in search page that copy, with the fresh memory it needs, cost as
 * much as the rest of the request (docs/benchmarks-history.md).
 */
export class PiecedBody {
  readonly length: number;

  constructor(readonly pieces: readonly Buffer[]) {
    this.length = pieces.reduce((n, p) => n + p.length, 0);
  }

  /** The pieces as one buffer, for whoever needs the body whole. */
  whole(): Buffer {
    return Buffer.concat(this.pieces);
  }
}

/** Sets a pieced body, its type and its length (Content-Length: the pieces are not sent chunked). */
export function setPiecedBody(ctx: Context, pieces: readonly Buffer[], type: string): void {
  const body = new PiecedBody(pieces);
  ctx.body = body;
  ctx.type = type;
  ctx.length = body.length;
}

/**
 * The outermost middleware of the app: once every other one is done with the response (cookies and headers set after
 * their `next()`), a PiecedBody is written here — its pieces in one go, which Node sends in one `writev` — instead of
 * by Koa. Where the app is mounted in a host's Koa (koa-mount: the context is the host's), the host's middleware may
 * still read or change the body after ours, so it gets the pieces as one ordinary buffer and Koa writes it as usual.
 */
export function piecedBodies(app: object) {
  return async (ctx: Context, next: Next): Promise<void> => {
    await next();
    const body = ctx.body;
    if (!(body instanceof PiecedBody)) return;
    if (ctx.app !== app || !ctx.writable) {
      // Its Content-Type stays (Koa sets one for a buffer only when there is none).
      ctx.body = body.whole();
      return;
    }
    ctx.respond = false;
    const res = ctx.res;
    if (ctx.method === 'HEAD') {
      res.end();
      return;
    }
    for (const piece of body.pieces) res.write(piece);
    res.end();
  };
}
