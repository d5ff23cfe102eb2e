import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { formEncode, type RawRequest, type RawResponse } from './client';
import type { BodySpec, FuzzRequest, UploadFile } from './generators';
import { SESSION_ROUTES } from './routes';
import { SESSION_COOKIE, changedTables, type FuzzWorld, type Identity, type LoggedError } from './world';

/**
 * Sends one fuzzed request and checks what must hold for every request, whoever sends what:
 *  - never a 5xx, never a hang (no answer within the client's timeout), never a dropped connection, never a
 *    header block a Node client cannot read (over 16 KB);
 *  - a 4xx of an /api route has the error shape `{"error":{"code","message","field"?}}`; a 2xx JSON answer parses,
 *    and the money in it is a string, never a JSON number (API.md; the OCDS export follows OCDS instead);
 *  - a 4xx writes nothing to the business tables (the world's fingerprint, before and after), and neither does
 *    any GET or HEAD (docs/security.md: "No state changes on GET").
 */

export type FailureKind = 'crash' | '5xx' | 'hang' | 'transport' | 'oversized-header' | 'bad-json' | 'money-not-string' | 'expectation' | 'error-shape' | 'wrote-on-4xx' | 'wrote-on-get';

export interface Failure {
  kind: FailureKind;
  detail: string;
}

export interface Outcome {
  request: FuzzRequest;
  wire: RawRequest;
  response: RawResponse;
  failures: Failure[];
  /** What the app logged as unhandled while answering (the cause of a 500). */
  errors: LoggedError[];
}

/** `{"a":{"a":…1…}}` `depth` levels deep (or `[[…]]`); as a form, `a[a][a]…=1`. */
export function deepText(depth: number, shape: 'object' | 'array', contentType = 'application/json'): string {
  if (contentType.startsWith('application/x-www-form-urlencoded')) return `${'a'}${'[a]'.repeat(depth)}=1`;
  return shape === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

function multipart(fields: Array<[string, string]>, file: UploadFile | undefined): { type: string; body: Buffer } {
  const boundary = `----fuzz${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/"/g, '%22')}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name.replace(/"/g, '%22')}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(Buffer.from(file.data, file.base64 ? 'base64' : 'utf8'), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

/** The body on the wire, with the CSRF token as a field where the caller puts it there. */
export function serialiseBody(body: BodySpec, csrfField: string | null): { type: string | null; data: Buffer | undefined; encoding?: string } {
  switch (body.kind) {
    case 'none':
      return { type: null, data: undefined };
    case 'json': {
      let value = body.value;
      if (csrfField !== null && value && typeof value === 'object' && !Array.isArray(value)) value = { ...(value as object), _csrf: csrfField };
      return { type: body.contentType ?? 'application/json', data: Buffer.from(JSON.stringify(value) ?? 'null') };
    }
    case 'raw':
      if (body.gzip) return { type: body.contentType, data: gzipSync(body.text), encoding: 'gzip' };
      return { type: body.contentType, data: Buffer.from(body.text), encoding: body.encoding };
    case 'form':
      return { type: body.contentType ?? 'application/x-www-form-urlencoded', data: Buffer.from(formEncode(csrfField !== null ? [...body.pairs, ['_csrf', csrfField]] : body.pairs)) };
    case 'multipart': {
      const m = multipart(csrfField !== null ? [...body.fields, ['_csrf', csrfField]] : body.fields, body.file);
      return { type: m.type, data: m.body };
    }
    case 'deep':
      return { type: body.contentType ?? 'application/json', data: Buffer.from(deepText(body.depth, body.shape, body.contentType)) };
  }
}

/** The request on the wire for the caller's identity (token, session cookie, CSRF token where the mode says so). */
export function toWire(req: FuzzRequest, id: Identity): RawRequest {
  const headers: Record<string, string> = { ...req.headers };
  const bearer = req.auth === 'bearer' || req.auth === 'both';
  const cookie = req.auth === 'cookie' || req.auth === 'cookie-no-csrf' || req.auth === 'cookie-bad-csrf' || req.auth === 'both';
  if (bearer && id.token && !headers.authorization) headers.authorization = id.token;
  let csrf: string | null = null;
  if (cookie && id.cookie) {
    headers.cookie = headers.cookie ? `${headers.cookie}; ${SESSION_COOKIE}=${id.cookie}` : `${SESSION_COOKIE}=${id.cookie}`;
    if (req.auth === 'cookie' || req.auth === 'both') csrf = id.csrf;
    if (req.auth === 'cookie-bad-csrf') csrf = 'bad-csrf-token';
  }
  let csrfField: string | null = null;
  if (csrf !== null) {
    const b = req.body;
    const fieldFits = b.kind === 'form' || b.kind === 'multipart' || (b.kind === 'json' && b.value !== null && typeof b.value === 'object' && !Array.isArray(b.value));
    if (req.csrfIn === 'field' && fieldFits) csrfField = csrf;
    else if (!headers['x-csrf-token']) headers['x-csrf-token'] = csrf;
  }
  const body = serialiseBody(req.body, csrfField);
  if (body.type !== null) headers['content-type'] = body.type;
  if (body.encoding && !headers['content-encoding']) headers['content-encoding'] = body.encoding;
  return { method: req.method, path: req.path, headers, body: body.data };
}

const MONEY_KEYS = /^(total|amount|price|unitPrice|allocated|reserved|available|spent|balance|budget)$/;

/** The paths of JSON numbers under money-like keys (a list page's `total`, beside `pageSize`, is a count). */
export function moneyNumbers(body: unknown, path = '$'): string[] {
  if (Array.isArray(body)) return body.flatMap((v, i) => moneyNumbers(v, `${path}[${i}]`));
  if (!body || typeof body !== 'object') return [];
  const obj = body as Record<string, unknown>;
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'number' && MONEY_KEYS.test(k) && !(k === 'total' && 'pageSize' in obj) ? [`${path}.${k}`] : moneyNumbers(v, `${path}.${k}`),
  );
}

/** The error shape of API.md, or what is wrong with the answer. */
export function errorShapeProblem(res: RawResponse): string | null {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.includes('application/json')) return `Content-Type ${type || '(none)'}, not JSON: ${res.text.slice(0, 120)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    return `not JSON: ${res.text.slice(0, 120)}`;
  }
  const e = (parsed as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== 'object') return `no "error" object: ${res.text.slice(0, 120)}`;
  if (typeof e.code !== 'string' || !e.code) return `error.code is ${JSON.stringify(e.code)}`;
  if (typeof e.message !== 'string' || !e.message) return `error.message is ${JSON.stringify(e.message)}`;
  if (e.field !== undefined && typeof e.field !== 'string') return `error.field is ${JSON.stringify(e.field)}`;
  const extra = Object.keys(e).filter((k) => !['code', 'message', 'field'].includes(k));
  if (extra.length) return `error has other keys: ${extra.join(', ')}`;
  return null;
}

/**
 * Sends `req` as its role and checks the invariants. Session-changing routes (login, logout, password, token) get a
 * throwaway login of that role, so the role's own session and token survive them; a POST that moves the testing
 * clock has it put back.
 */
export async function execute(w: FuzzWorld, req: FuzzRequest): Promise<Outcome> {
  const throwaway = SESSION_ROUTES.has(req.route);
  const id = throwaway ? await w.login(req.role) : w.identities[req.role];
  const wire = toWire(req, id);
  const clockBefore = w.clock.now();
  w.takeErrors();
  const before = await w.fingerprint();
  const response = await w.client.send(wire);
  // Let a rejection that nobody handled surface (Node reports it once the microtasks have run).
  await new Promise((resolve) => setImmediate(resolve));
  const errors = w.takeErrors();
  const failures = checkResponse(w, req, response, errors);
  const { status } = response;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if ((status >= 400 && status < 500) || (read && !response.timedOut)) {
    const changed = changedTables(before, await w.fingerprint());
    if (changed.length) failures.push({ kind: read ? 'wrote-on-get' : 'wrote-on-4xx', detail: `${status}, changed: ${changed.join(', ')}` });
  }
  if (req.route === 'POST /api/v1/admin/clock') w.clock.set(clockBefore);
  if (throwaway && status > 0 && status < 400) await w.ensureSessions();
  return { request: req, wire, response, failures, errors };
}

/**
 * Sends `reqs` all at once (the long run's --concurrency): every check but "nothing written", which cannot tell
 * whose write it saw. Each request carries its own X-Request-Id (unless the generator chose one), so that an error
 * the app logged is laid at its request's door; a rejection nobody handled, which names no request, at the first's.
 */
export async function executeMany(w: FuzzWorld, reqs: FuzzRequest[]): Promise<Outcome[]> {
  const clockBefore = w.clock.now();
  const prepared = await Promise.all(
    reqs.map(async (req, i) => {
      const throwaway = SESSION_ROUTES.has(req.route);
      const wire = toWire(req, throwaway ? await w.login(req.role) : w.identities[req.role]);
      const reqId = wire.headers['x-request-id'] ?? `fz-${process.pid}-${w.unique()}-${i}`;
      wire.headers['x-request-id'] ??= reqId;
      return { req, wire, reqId, throwaway };
    }),
  );
  w.takeErrors();
  const responses = await Promise.all(prepared.map((p) => w.client.send(p.wire)));
  await new Promise((resolve) => setImmediate(resolve));
  const errors = w.takeErrors();
  const known = new Set(prepared.map((p) => p.reqId));
  const outcomes = prepared.map((p, i) => {
    // An error of no request we know (a rejection; an id the app replaced because it was invalid) goes to the first.
    const mine = errors.filter((e) => e.reqId === p.reqId || (i === 0 && !(e.reqId && known.has(e.reqId))));
    return { request: p.req, wire: p.wire, response: responses[i], failures: checkResponse(w, p.req, responses[i], mine), errors: mine };
  });
  if (reqs.some((r) => r.route === 'POST /api/v1/admin/clock')) w.clock.set(clockBefore);
  if (prepared.some((p, i) => p.throwaway && responses[i].status > 0 && responses[i].status < 400)) await w.ensureSessions();
  return outcomes;
}

/** The checks that need only the answer (and what the app logged while giving it). */
function checkResponse(w: FuzzWorld, req: FuzzRequest, response: RawResponse, errors: LoggedError[]): Failure[] {
  const failures: Failure[] = [];
  const { status } = response;
  const crash = errors.find((e) => e.msg.startsWith('unhandled rejection'));
  if (crash) failures.push({ kind: 'crash', detail: `${crash.msg}: ${crash.err?.message ?? ''} ${(crash.err?.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' ← ')}` });
  if (response.timedOut) failures.push({ kind: 'hang', detail: `no answer within ${w.client.timeoutMs} ms` });
  else if (status >= 500) failures.push({ kind: '5xx', detail: `${status} ${firstError(errors) ?? response.text.slice(0, 200)}` });
  else if (status <= 0 || response.error) failures.push({ kind: 'transport', detail: response.error ?? `status ${status}` });
  // Node's own limit for a header block (16 KB): past it, a Node client or proxy cannot read the answer at all
  // (nginx's default proxy buffer is 4–8 KB and answers 502).
  if (response.headerBytes > 16_384) {
    const [name, value] = Object.entries(response.headers).sort((a, b) => String(b[1]).length - String(a[1]).length)[0] ?? ['', ''];
    failures.push({ kind: 'oversized-header', detail: `${status} with ${response.headerBytes} bytes of headers; ${name}: ${String(value).length} characters (${String(value).slice(0, 100)}…)` });
  }
  const api = req.path.startsWith('/api/');
  // 431 (headers too large) comes from Node's HTTP parser, before the app: not the app's to shape.
  if (status >= 400 && status < 500 && status !== 431 && api && req.method !== 'HEAD') {
    const problem = errorShapeProblem(response);
    if (problem) failures.push({ kind: 'error-shape', detail: `${status}: ${problem}` });
  }
  // A JSON answer parses, and money in it is a string (API.md), never a JSON number.
  if (status >= 200 && status < 300 && req.method !== 'HEAD' && String(response.headers['content-type'] ?? '').includes('application/json') && !response.error && !response.truncated) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.text);
    } catch (err) {
      failures.push({ kind: 'bad-json', detail: `${status}: ${(err as Error).message}: ${response.text.slice(0, 120)}` });
    }
    // The OCDS export and the OCDS release feed follow the OCDS schema, where an amount is a JSON number.
    const ocds = req.path.includes('/stats/export') || req.path.startsWith('/api/v1/ocds/');
    // The report's figures and the certification statistics (API.md: `equipment:{total, …}`) count certificates and
    // applications: there a `total` is a count, and money (awards, compensation) is still a string.
    const counts = req.path.startsWith('/api/v1/reports/') || req.path.startsWith('/api/v1/admin/certification-stats');
    const floats = parsed === undefined || ocds ? [] : moneyNumbers(parsed).filter((p) => !(counts && p.endsWith('.total')));
    if (floats.length) failures.push({ kind: 'money-not-string', detail: `${status}: ${floats.slice(0, 5).join(', ')}` });
  }
  return failures;
}

export function firstError(errors: LoggedError[]): string | null {
  const e = errors.find((x) => x.err);
  if (!e?.err) return errors[0]?.msg ?? null;
  const at = (e.err.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.includes('/src/') && !l.includes('node_modules'));
  return `${e.err.type ?? 'Error'}: ${e.err.message ?? ''}${at ? ` (${at.replace(/^at /, '').replace(/^.*?(src\/)/, '$1').replace(/\)$/, '')})` : ''}`;
}

const show = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s);

/** A body as a person reads it: short, with the bytes that matter (NUL, lone surrogates) visible. */
export function describeBody(body: BodySpec, max = 400): string {
  const esc = (s: string) => JSON.stringify(s).slice(1, -1);
  switch (body.kind) {
    case 'none':
      return '(no body)';
    case 'json':
      return show(JSON.stringify(body.value) ?? 'undefined', max);
    case 'raw':
      return `${body.gzip ? 'gzip of ' : ''}${show(esc(body.text), max)}`;
    case 'form':
      return show(formEncode(body.pairs), max);
    case 'multipart':
      return `multipart: ${show(formEncode(body.fields), max)}${body.file ? ` + file ${JSON.stringify(body.file.name)} (${body.file.type}, ${body.file.base64 ? `${Buffer.from(body.file.data, 'base64').length} bytes, base64 ${show(body.file.data, 80)}` : `${body.file.data.length} characters: ${show(esc(body.file.data), 80)}`})` : ''}`;
    case 'deep':
      return `${show(deepText(Math.min(body.depth, 8), body.shape, body.contentType), 80)} — nested ${body.depth} levels deep (${deepText(body.depth, body.shape, body.contentType).length} bytes)`;
  }
}

/** A reproduction: who, the request line, the headers (identity values named, not printed) and the body. */
export function describe(o: Pick<Outcome, 'request' | 'wire' | 'response' | 'failures' | 'errors'>): string {
  const r = o.request;
  const via = r.auth === 'cookie' || r.auth === 'both' ? `${r.auth}, CSRF token in ${o.wire.headers['x-csrf-token'] ? 'header' : 'field _csrf'}` : r.auth;
  const lines = [`${o.failures.map((f) => f.kind).join(', ')} — ${r.route} as ${r.role} (${via}) → ${o.response.timedOut ? 'no answer' : o.response.status} in ${o.response.ms} ms`];
  lines.push(`  ${r.method} ${show(r.path, 300)}`);
  for (const [k, v] of Object.entries(o.wire.headers)) {
    if (k === 'content-length') continue;
    let shown = v;
    if (k === 'authorization' && v === o.wire.headers.authorization && /^Bearer [A-Za-z0-9_-]{20,100}$/.test(v)) shown = `Bearer <${r.role}'s token>`;
    if (k === 'cookie') shown = v.replace(new RegExp(`${SESSION_COOKIE}=[A-Za-z0-9_-]{43}`, 'g'), `${SESSION_COOKIE}=<${r.role}'s session>`);
    if (k === 'x-csrf-token' && v.length > 20 && v !== 'bad-csrf-token') shown = '<the session’s CSRF token>';
    lines.push(`  ${k}: ${show(JSON.stringify(shown).slice(1, -1), 200)}`);
  }
  lines.push(`  body: ${describeBody(r.body)}`);
  for (const f of o.failures) lines.push(`  ${f.kind}: ${f.detail}`);
  const cause = firstError(o.errors);
  if (cause && !o.failures.some((f) => f.detail.includes(cause))) lines.push(`  server log: ${cause}`);
  return lines.join('\n');
}
