import { creditCode, makeProduct } from '../helpers/factories';
import type { AuthMode, BodySpec, FuzzRequest } from './generators';
import { execute, type Outcome } from './harness';
import { pct } from './client';
import type { FuzzWorld, Role } from './world';

/**
 * The seed corpus: requests that once broke the app (or that the fuzzer found), replayed before any generated run.
 * Each case is a short sequence; every request of it is checked like a generated one (no 5xx, no hang, the error
 * shape, nothing written on a 4xx). A case may also look at what it got back (`expect`).
 */
export interface CorpusCase {
  name: string;
  /** Where it came from: the list of known defects, or the fuzzer (with the date and seed). */
  origin: string;
  /**
   * A defect found and reported but not fixed yet, in code its owner is changing: `npm test` lists the case as
   * pending (FUZZ_OPEN=1 runs it); `npm run fuzz` always runs it. Remove the flag with the fix.
   */
  open?: true;
  run(w: FuzzWorld): Promise<Outcome[]>;
}

interface Step {
  route: string;
  path: string;
  role: Role;
  auth?: AuthMode;
  csrfIn?: 'header' | 'field';
  headers?: Record<string, string>;
  body?: BodySpec;
  method?: string;
}

export const request = (s: Step): FuzzRequest => ({
  route: s.route,
  method: s.method ?? s.route.split(' ')[0],
  path: s.path,
  role: s.role,
  auth: s.auth ?? (s.role === 'anonymous' ? 'none' : 'bearer'),
  csrfIn: s.csrfIn ?? 'header',
  headers: s.headers ?? {},
  body: s.body ?? { kind: 'none' },
});

/** Runs the steps in order (each gets fresh values from the world when it is a function). */
async function steps(w: FuzzWorld, list: Array<Step | ((w: FuzzWorld) => Promise<Step> | Step)>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const s of list) out.push(await execute(w, request(typeof s === 'function' ? await s(w) : s)));
  return out;
}

const json = (value: unknown): BodySpec => ({ kind: 'json', value });
const form = (value: Record<string, string>): BodySpec => ({ kind: 'form', pairs: Object.entries(value) });
const noticeCase = (w: FuzzWorld) => w.ids.case[1];
const noticeOf = async (w: FuzzWorld, caseId: number) => (await w.db('notices').where({ case_id: caseId }).first('id')).id as number;

const NUL = 'a\u0000b';
const registration = (w: FuzzWorld, over: Record<string, string>) => {
  const n = w.unique();
  return { enterpriseName: `语料注册企业${n}`, creditCode: creditCode(90_000 + n), city: '杭州', contact: '0571-1', username: `corpus${n}`, password: 'tangerine-harbour-42', ...over };
};
const listing = (w: FuzzWorld, over: Record<string, string>) => ({ certNo: w.certA.cert_no, title: `语料产品 ${w.unique()}`, model: 'C-1', description: '说明', price: '100.00', unit: '台', stock: '5', ...over });
const objection = { name: '异议人', organization: '某单位', contact: '0571-2', content: '异议内容' };

/** The known reproductions of issue 12, in its order. */
export const CORPUS: CorpusCase[] = [
  {
    name: 'pay with Idempotency-Key and a JSON body nested 6000 deep (36 KB)',
    origin: 'issue 12 (1)',
    run: (w) =>
      steps(w, [
        async (w) => ({ route: 'POST /api/v1/orders/:id/pay', path: `/api/v1/orders/${await w.order('accepted')}/pay`, role: 'purchaser', headers: { 'idempotency-key': `corpus-deep-${w.unique()}` }, body: { kind: 'deep', depth: 6000, shape: 'object' } }),
        async (w) => ({ route: 'POST /api/v1/orders/:id/pay', path: `/api/v1/orders/${await w.order('accepted')}/pay`, role: 'purchaser', auth: 'cookie', headers: { 'idempotency-key': `corpus-deep-${w.unique()}` }, body: { kind: 'deep', depth: 6000, shape: 'array' } }),
        async (w) => ({ route: 'POST /api/v1/orders', path: '/api/v1/orders', role: 'purchaser', headers: { 'idempotency-key': `corpus-deep-${w.unique()}` }, body: { kind: 'deep', depth: 6000, shape: 'object' } }),
      ]),
  },
  {
    name: 'POST /checkout on a cookie session with X-CSRF-Token, Content-Type text/plain, body {}',
    origin: 'issue 12 (2)',
    run: (w) =>
      steps(w, [
        { route: 'POST /cart/items', path: '/cart/items', role: 'purchaser', auth: 'cookie', csrfIn: 'field', body: form({ productId: String(w.ids.product[0]), quantity: '1' }) },
        { route: 'POST /checkout', path: '/checkout', role: 'purchaser', auth: 'cookie', csrfIn: 'header', body: { kind: 'raw', contentType: 'text/plain', text: '{}' } },
        { route: 'POST /api/v1/orders', path: '/api/v1/orders', role: 'purchaser', auth: 'cookie', csrfIn: 'header', body: { kind: 'raw', contentType: 'text/plain', text: '{}' } },
        { route: 'POST /login', path: '/login', role: 'anonymous', auth: 'cookie', csrfIn: 'header', body: { kind: 'raw', contentType: 'text/plain', text: 'hello' } },
      ]),
  },
  {
    name: 'NUL in the search, the certificate lookup, the login username, vendor registration, objections, listing descriptions',
    origin: 'issue 12 (3)',
    run: (w) =>
      steps(w, [
        { route: 'GET /api/v1/products', path: '/api/v1/products?q=a%00b', role: 'anonymous' },
        { route: 'GET /products', path: '/products?q=a%00b', role: 'anonymous' },
        { route: 'GET /api/v1/certificates/:certNo', path: '/api/v1/certificates/a%00b', role: 'anonymous' },
        { route: 'GET /certificates', path: '/certificates?certNo=a%00b', role: 'anonymous' },
        { route: 'POST /api/v1/auth/token', path: '/api/v1/auth/token', role: 'anonymous', body: json({ username: NUL, password: 'demo-password' }) },
        { route: 'POST /login', path: '/login', role: 'anonymous', auth: 'cookie', csrfIn: 'field', body: form({ username: NUL, password: 'demo-password' }) },
        (w) => ({ route: 'POST /api/v1/vendors', path: '/api/v1/vendors', role: 'anonymous', body: json(registration(w, { enterpriseName: `企业${NUL}`, contact: NUL })) }),
        (w) => ({ route: 'POST /api/v1/vendors', path: '/api/v1/vendors', role: 'anonymous', body: json(registration(w, { address: NUL, displayName: NUL })) }),
        (w) => ({ route: 'POST /vendor/register', path: '/vendor/register', role: 'anonymous', auth: 'cookie', csrfIn: 'field', body: form(registration(w, { enterpriseName: `企业${NUL}` })) }),
        (w) => ({ route: 'POST /api/v1/first-purchases/:id/objections', path: `/api/v1/first-purchases/${noticeCase(w)}/objections`, role: 'anonymous', body: json({ ...objection, content: NUL }) }),
        (w) => ({ route: 'POST /api/v1/first-purchases/:id/objections', path: `/api/v1/first-purchases/${noticeCase(w)}/objections`, role: 'anonymous', body: json({ ...objection, name: NUL, organization: NUL }) }),
        async (w) => ({ route: 'POST /notices/:id/objections', path: `/notices/${await noticeOf(w, noticeCase(w))}/objections`, role: 'anonymous', auth: 'cookie', csrfIn: 'field', body: form({ ...objection, content: NUL }) }),
        (w) => ({ route: 'POST /api/v1/vendor/products', path: '/api/v1/vendor/products', role: 'vendor', body: json(listing(w, { description: NUL })) }),
        (w) => ({ route: 'POST /api/v1/vendor/products', path: '/api/v1/vendor/products', role: 'vendor', body: json(listing(w, { title: NUL })) }),
        (w) => ({ route: 'POST /vendor/products', path: '/vendor/products', role: 'vendor', auth: 'cookie', csrfIn: 'field', body: form(listing(w, { description: NUL })) }),
        (w) => ({ route: 'PATCH /api/v1/vendor/products/:id', path: `/api/v1/vendor/products/${w.ids.product[0]}`, role: 'vendor', body: json({ description: NUL }) }),
        (w) => ({ route: 'POST /vendor/products/:id', path: `/vendor/products/${w.ids.product[0]}`, role: 'vendor', auth: 'cookie', csrfIn: 'field', body: form(listing(w, { description: NUL })) }),
      ]),
  },
  {
    name: 'a budget of 9999999999999.99, then the purchaser’s desk, cart, checkout and the admin’s budgets and ledger pages',
    origin: 'issue 12 (4)',
    run: (w) =>
      steps(w, [
        (w) => ({ route: 'POST /api/v1/admin/budgets', path: '/api/v1/admin/budgets', role: 'admin', body: json({ purchaserId: w.purchaserA.id, amount: '9999999999999.99' }) }),
        { route: 'GET /purchaser', path: '/purchaser', role: 'purchaser', auth: 'cookie' },
        { route: 'GET /cart', path: '/cart', role: 'purchaser', auth: 'cookie' },
        { route: 'GET /checkout', path: '/checkout', role: 'purchaser', auth: 'cookie' },
        { route: 'GET /api/v1/budget', path: '/api/v1/budget', role: 'purchaser' },
        { route: 'GET /admin/budgets', path: '/admin/budgets', role: 'admin', auth: 'cookie' },
        { route: 'GET /admin/ledger', path: '/admin/ledger', role: 'admin', auth: 'cookie' },
        { route: 'GET /api/v1/admin/budgets', path: '/api/v1/admin/budgets', role: 'admin' },
        { route: 'GET /api/v1/admin/ledger/accounts', path: '/api/v1/admin/ledger/accounts', role: 'admin' },
        { route: 'GET /api/v1/admin/ledger/verify', path: '/api/v1/admin/ledger/verify', role: 'admin' },
        // The same amount again: the unit's budget passes what one allocation may be.
        (w) => ({ route: 'POST /api/v1/admin/budgets', path: '/api/v1/admin/budgets', role: 'admin', body: json({ purchaserId: w.purchaserA.id, amount: '9999999999999.99' }) }),
        { route: 'GET /purchaser', path: '/purchaser', role: 'purchaser', auth: 'cookie' },
        { route: 'GET /admin/budgets', path: '/admin/budgets', role: 'admin', auth: 'cookie' },
        { route: 'GET /admin/ledger', path: '/admin/ledger', role: 'admin', auth: 'cookie' },
      ]),
  },
  {
    name: 'a listing priced 9999999999999.99 ordered 10000 times (API order, cart, checkout)',
    origin: 'issue 12 (4)',
    run: async (w) => {
      const p = await makeProduct(w.db, w.vendorA, { cert: w.certA, title: `天价产品 ${w.unique()}`, price_fen: 999_999_999_999_999, stock: 1_000_000 });
      return steps(w, [
        (w) => ({ route: 'POST /api/v1/vendor/products', path: '/api/v1/vendor/products', role: 'vendor', body: json(listing(w, { price: '9999999999999.99', stock: '10000' })) }),
        { route: 'GET /api/v1/products/:id', path: `/api/v1/products/${p.id}`, role: 'anonymous' },
        { route: 'GET /products/:id', path: `/products/${p.id}`, role: 'purchaser', auth: 'cookie' },
        { route: 'GET /api/v1/products', path: '/api/v1/products?sort=price_desc&priceMin=9999999999999.99', role: 'anonymous' },
        { route: 'POST /api/v1/orders', path: '/api/v1/orders', role: 'purchaser', body: json({ items: [{ productId: p.id, quantity: 10000 }] }) },
        { route: 'POST /api/v1/orders', path: '/api/v1/orders', role: 'purchaser', body: json({ items: [{ productId: p.id, quantity: 10000 }, { productId: p.id, quantity: 10000 }] }) },
        { route: 'POST /cart/items', path: '/cart/items', role: 'purchaser', auth: 'cookie', csrfIn: 'field', body: form({ productId: String(p.id), quantity: '10000' }) },
        { route: 'POST /cart/items', path: '/cart/items', role: 'purchaser', auth: 'cookie', csrfIn: 'field', body: form({ productId: String(p.id), quantity: '10000' }) },
        { route: 'GET /cart', path: '/cart', role: 'purchaser', auth: 'cookie' },
        { route: 'GET /checkout', path: '/checkout', role: 'purchaser', auth: 'cookie' },
        { route: 'POST /checkout', path: '/checkout', role: 'purchaser', auth: 'cookie', csrfIn: 'field', body: form({}) },
        { route: 'POST /cart/items/:productId', path: `/cart/items/${p.id}`, role: 'purchaser', auth: 'cookie', csrfIn: 'field', body: form({ quantity: '0' }) },
      ]);
    },
  },
];

/** Adds a failure to `o` unless its status is one of `statuses` (for what the generic checks cannot know). */
export function expectStatus(o: Outcome, statuses: number[], why: string): Outcome {
  if (!statuses.includes(o.response.status)) o.failures.push({ kind: 'expectation', detail: `expected ${statuses.join(' or ')}, got ${o.response.status}: ${why}` });
  return o;
}

/** A page address of `n` characters once percent-encoded, under a page only a logged-in purchaser may see. */
const longCartUrl = (emoji: number) => `/cart?q=${pct('😀'.repeat(emoji))}`;

/** Reproductions the fuzzer found beyond the list (see docs/reliability.md); replayed like the others. */
export const FOUND: CorpusCase[] = [
  {
    name: 'the testing clock set past 9999 (a trade then settled made GET /admin/stats loop forever): refused',
    origin: 'fuzzer, 2026-11-27, seed 31 (PostgreSQL, --concurrency 8); fixed in src/web/clock-routes.ts',
    // 9999-12-31T23:59:59Z is +010000 in Shanghai; a trade settled then was stored with the month '+010000', and the
    // statistics dashboard's monthsBetween never reached the last month. The clock now takes 1900–2999 only.
    run: async (w) => [
      expectStatus(await execute(w, request({ route: 'POST /api/v1/admin/clock', path: '/api/v1/admin/clock', role: 'anonymous', body: json({ now: '9999-12-31T23:59:59Z' }) })), [422], 'an instant past 2999'),
      expectStatus(await execute(w, request({ route: 'POST /api/v1/admin/clock', path: '/api/v1/admin/clock', role: 'anonymous', body: json({ now: '9999-12-31T16:00:00Z' }) })), [422], 'already 10000-01-01 in Shanghai'),
      expectStatus(await execute(w, request({ route: 'GET /admin/stats', path: '/admin/stats', role: 'admin', auth: 'cookie' })), [200], 'the dashboard after'),
      // …and a `now` that is no instant at all stayed the 422 it was (the year check first read an Invalid Date).
      expectStatus(await execute(w, request({ route: 'POST /api/v1/admin/clock', path: '/api/v1/admin/clock', role: 'admin', body: json({ now: '(' }) })), [422], 'no instant'),
    ],
  },
  {
    name: 'a budget allocation with a 200-character Idempotency-Key',
    origin: 'fuzzer, 2026-11-27, seed 41 (PostgreSQL, --concurrency 8); fixed in src/ledger/budgets.ts',
    // The key went into the transfer's own key, `allocate:<admin>:<key>`, past its 200-character column: PostgreSQL
    // refused the insert (500); SQLite does not check lengths.
    run: (w) =>
      steps(w, [
        (w) => ({ route: 'POST /api/v1/admin/budgets', path: '/api/v1/admin/budgets', role: 'admin', headers: { 'idempotency-key': `corpus-${w.unique()}-`.padEnd(200, 'a') }, body: json({ purchaserId: w.purchaserA.id, amount: '0.01' }) }),
        (w) => ({ route: 'POST /api/v1/admin/budgets', path: '/api/v1/admin/budgets', role: 'admin', auth: 'cookie', headers: { 'idempotency-key': `corpus-${w.unique()}-`.padEnd(200, 'b') }, body: { kind: 'multipart', fields: [['purchaserId', String(w.purchaserA.id)], ['amount', '0.01']] } }),
      ]),
  },
  {
    name: 'a long page address opened while logged out: the redirect to the login page fits in 16 KB of headers',
    origin: 'fuzzer, 2026-11-27, seed 101 (SQLite): GET /checkout?q=😀×1000 as an anonymous caller',
    // requireRole puts the whole address, encoded once more, into Location: a 12 KB query became a 36 KB header,
    // which no Node client or proxy reads (nginx's default buffers answer 502 past 4–8 KB).
    run: (w) => steps(w, [{ route: 'GET /cart', path: longCartUrl(1000), role: 'anonymous' }]),
  },
  {
    name: 'logging in from the login page a guarded page sent one to, when that page’s address is over 500 characters',
    origin: 'fuzzer, 2026-11-27 (found while reducing the oversized redirect above)',
    // The login form carries `next` (the address, percent-encoded), but LoginForm refuses a `next` over 500
    // characters: the right password is answered 422 "next: too long" and the user cannot log in from that link.
    run: async (w) => {
      const next = `/cart?q=${pct('机床'.repeat(60))}`;
      const o = await execute(w, request({ route: 'POST /login', path: '/login', role: 'anonymous', auth: 'cookie', csrfIn: 'field', body: form({ username: w.usernames.purchaser, password: 'demo-password', next }) }));
      return [expectStatus(o, [302], `the right password with the next=${next.length}-character address the redirect made`)];
    },
  },
];

FOUND.push(
  {
    name: 'a 300 KB form body on GET /metrics and GET /healthz: the answer waits for the body, the upload is not cut off',
    origin: 'npm run fuzz, 10 minutes on each engine, 2026-12-05 (seeds 20261205 and 20261206): transport aborted',
    run: (w) =>
      steps(w, [
        { route: 'GET /metrics', path: '/metrics?page=1', role: 'purchaser', body: form({ amount: "'".repeat(300_000) }) },
        { route: 'GET /healthz', path: '/healthz', role: 'anonymous', body: form({ note: 'x'.repeat(300_000) }) },
      ]),
  },
);

export const ALL_CASES: CorpusCase[] = [...CORPUS, ...FOUND];
