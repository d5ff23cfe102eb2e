import http from 'node:http';

/**
 * A raw HTTP client for the fuzzer: the path goes on the wire exactly as given (no URL normalisation, so `%00`,
 * `%zz` and over-long paths reach the server as they are), the body is bytes, every header is ours, and a request
 * that takes longer than `timeoutMs` is a hang (status 0, `timedOut`), never a stuck test.
 */
export interface RawRequest {
  method: string;
  /** Path and query, already percent-encoded as they should appear on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
  timedOut: boolean;
  /** The body was longer than the 2 MB kept (`text` is its beginning). */
  truncated?: boolean;
  /** The size of the response's header block (names, values, separators). */
  headerBytes: number;
  /** A transport error (connection reset, refused…): also a failure, the server should answer everything. */
  error?: string;
}

export class RawClient {
  // One connection per request, never queued behind another: a request whose body the server refused unread (413,
  // 400) must not hold up the next one on its half-written connection (the client's artefact, not the app's).
  private readonly agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

  constructor(
    readonly port: number,
    readonly timeoutMs = 10_000,
  ) {}

  send(req: RawRequest): Promise<RawResponse> {
    const started = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: Omit<RawResponse, 'ms'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...r, ms: Date.now() - started });
      };
      const headers: Record<string, string> = { ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.length);
      let r: http.ClientRequest;
      try {
        // Read answers with headers of any size (1 MB), so that an oversized one is reported as such, not as a parse error.
        r = http.request({ host: '127.0.0.1', port: this.port, method: req.method, path: req.path, headers, agent: this.agent, maxHeaderSize: 1_000_000 });
      } catch (err) {
        // Node refuses to send it (an invalid header character, say): not something a server ever sees.
        finish({ status: -1, headers: {}, headerBytes: 0, text: '', timedOut: false, error: `client refused: ${(err as Error).message}` });
        return;
      }
      const timer = setTimeout(() => {
        r.destroy(new Error('timeout'));
        finish({ status: 0, headers: {}, headerBytes: 0, text: '', timedOut: true });
      }, this.timeoutMs);
      r.on('response', (res) => {
        const headerBytes = res.rawHeaders.reduce((n, h, i) => n + Buffer.byteLength(h) + (i % 2 ? 4 : 0), 0);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep at most 2 MB of an answer (an export can be large; the checks need its beginning).
          if (size < 2_000_000) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          // Answered: stop sending whatever of the body the server did not read.
          r.destroy();
          finish({ status: res.statusCode ?? 0, headers: res.headers, headerBytes, text: Buffer.concat(chunks).toString('utf8'), timedOut: false, truncated: size > 2_000_000 });
        });
        res.on('error', (err) => finish({ status: res.statusCode ?? 0, headers: res.headers, headerBytes, text: '', timedOut: false, error: err.message }));
      });
      r.on('error', (err) => finish({ status: 0, headers: {}, headerBytes: 0, text: '', timedOut: false, error: err.message }));
      if (req.body) r.end(req.body);
      else r.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The value of cookie `name` among a response's Set-Cookie headers: '' when cleared, null when not set. */
export function setCookieValue(headers: http.IncomingHttpHeaders, name: string): string | null {
  for (const c of headers['set-cookie'] ?? []) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return null;
}

/** Percent-encodes every byte outside the unreserved set (a lone surrogate becomes U+FFFD, as a browser sends it). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** application/x-www-form-urlencoded from ordered pairs. */
export function formEncode(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
}
