import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/integration';

export interface Received {
  id: string;
  type: string;
  seq: number;
  stream: string;
  streamSeq: number;
  body: string;
  validSignature: boolean;
  headers: http.IncomingHttpHeaders;
}

/**
 * A host's webhook endpoint for tests: records every delivery (checking its signature against `secret`), and answers
 * 500 to the first `failFirst` deliveries. `accepted` holds the deliveries answered 2xx.
 */
export async function webhookReceiver(secret: string, opts: { failFirst?: number; nowSeconds?: () => number } = {}) {
  const all: Received[] = [];
  const accepted: Received[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = req.headers['x-marketplace-timestamp'] as string | undefined;
      const now = opts.nowSeconds ? opts.nowSeconds() : Number(ts);
      const e = JSON.parse(body) as { id: string; type: string; seq: number; stream: string; streamSeq: number };
      const r: Received = { ...e, body, headers: req.headers, validSignature: verifySignature(secret, req.headers['x-marketplace-signature'] as string | undefined, ts, body, now) };
      all.push(r);
      calls++;
      if (calls <= (opts.failFirst ?? 0)) {
        res.statusCode = 500;
        res.end('not now');
        return;
      }
      accepted.push(r);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    all,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
