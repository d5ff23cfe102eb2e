import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import type { TrustProxy } from '../config';

/** '::ffff:10.0.0.1' (an IPv4 peer on a dual-stack socket) compares as '10.0.0.1'. */
function normal(address: string): string {
  const a = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  return mapped ? mapped[1] : a.toLowerCase();
}

/** X-Forwarded-For's entries, left (the first client named) to right (the nearest proxy's peer). */
function forwardedFor(header: string): string[] {
  return header
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/**
 * The client's address by the TRUST_PROXY rule. Each proxy appends the address it received the request from, so only
 * the entries appended by proxies we trust say something true; what a client sends itself is on the left and may be
 * anything.
 * - `false`: the socket's peer; X-Forwarded-For is ignored.
 * - `n` proxies in front: the n-th entry from the right (Koa's `proxy` + `maxIpsCount`), the peer without the header.
 * - a list of proxies: only when the peer is one of them, the rightmost entry that is not one of them (an entry that
 *   is no IP address stops the walk at the proxy that wrote it); else the peer.
 */
export function clientAddress(peer: string, xff: string, trust: TrustProxy): string {
  if (trust === false) return peer;
  const entries = forwardedFor(xff);
  if (typeof trust === 'number') return entries.slice(-trust)[0] ?? peer;
  const proxies = new Set(trust.map(normal));
  if (!proxies.has(normal(peer))) return peer;
  let client = peer;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (isIP(normal(entries[i])) === 0) break;
    client = entries[i];
    if (!proxies.has(normal(client))) break;
  }
  return client;
}

/** Headers a proxy sets for us: believed only from a peer we trust. */
const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

/**
 * Sets `ctx.ip` (what login throttling counts by) by the TRUST_PROXY rule. It works the same standalone and mounted
 * in a host (where Koa's `app.proxy` would be the host's). With a list of proxies, a request from any other peer has
 * the forwarding headers removed, so Koa never reads a protocol or host a client made up either.
 */
export function trustedClientAddress(trust: TrustProxy) {
  const proxies = Array.isArray(trust) ? new Set(trust.map(normal)) : null;
  return async (ctx: Context, next: Next): Promise<void> => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    ctx.request.ip = clientAddress(peer, ctx.get('x-forwarded-for'), trust);
    if (proxies && !proxies.has(normal(peer))) for (const h of FORWARDED) delete ctx.req.headers[h];
    await next();
  };
}
