import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors';

/**
 * Where a webhook may point (API.md "Integration"): outside production any http(s) URL, loopback included (local
 * hosts and tests); with NODE_ENV=production https only, and never an address that is not public — loopback,
 * private, link-local, carrier-grade NAT, unique-local, multicast, reserved — so an admin's webhook cannot reach the
 * plugin's own network (SSRF). The host name is resolved and every address it resolves to must be public; the
 * delivery resolves it again through `safeLookup`, so a name that later resolves inward (DNS rebinding) is refused
 * at connection time too.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is a public one (an IPv4-mapped IPv6 address is judged by its IPv4 address). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return false;
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolve = (host: string) => Promise<string[]>;

export const resolveAll: Resolve = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))));

const bad = (key: string) => new AppError('validation_failed', key, {}, 'url');

/** The URL if the rule allows it, else a 422 naming the field `url`. */
export async function checkWebhookUrl(raw: string, production: boolean, resolve: Resolve = resolveAll): Promise<URL> {
  if (!URL.canParse(raw)) throw bad('integration.url_invalid');
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('integration.url_scheme');
  if (url.username || url.password) throw bad('integration.url_credentials');
  if (!production) return url;
  if (url.protocol !== 'https:') throw bad('integration.url_https_only');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw bad('integration.url_unresolvable');
  }
  if (!addresses.length || addresses.some((a) => !isPublicAddress(a))) throw bad('integration.url_private');
  return url;
}

/** A `lookup` for http(s).request that, in production, refuses to connect to an address that is not public. */
export function safeLookup(production: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      if (production && list.some((a) => !isPublicAddress(a.address))) {
        return callback(Object.assign(new Error(`webhook host ${hostname} resolves to an address that is not public`), { code: 'EADDRNOTPUBLIC' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
