import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { createMarketplace, type Marketplace } from '../../src/app';
import { hashPassword, verifyPassword } from '../../src/auth/passwords';
import { FakeClock } from '../../src/clock';
import type { Db } from '../../src/db';
import type { Actor } from '../../src/web/state';
import { DEMO_PASSWORD, makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { allocate, caseInState, makeFinanceUser, type FpStage } from '../helpers/first-purchase';
import { orderInState, tradingSide, type TradingSide } from '../helpers/trading';
import { RawClient, formEncode, setCookieValue } from './client';

export type Role = 'anonymous' | 'purchaser' | 'vendor' | 'admin' | 'finance';
export const ROLES: readonly Role[] = ['anonymous', 'purchaser', 'vendor', 'admin', 'finance'];
export const SESSION_COOKIE = 'fum_sid';

/** How one role calls: a bearer token, and a cookie session with its CSRF token. */
export interface Identity {
  token: string | null;
  cookie: string | null;
  csrf: string | null;
}

/** The kinds of object a route parameter names. */
export type IdKind = 'product' | 'order' | 'case' | 'notice' | 'objection' | 'vendor' | 'cert' | 'purchaser';

/** The instant the world starts at (a Monday), as in the access matrix. */
export const WORLD_START = new Date('2026-03-02T02:00:00Z');

/**
 * Tables that are bookkeeping, not business data: a refused request may write them (a failed login counts against
 * the account, a refused request binds its Idempotency-Key, an anonymous form gets a session, a rate limit counts, a session touched bumps the auth cache's version counter auth_state),
 * so the "nothing written on a 4xx" check leaves them out. Everything else the migrations create is compared.
 */
export const BOOKKEEPING_TABLES = /^(sessions|auth_state|login_attempts|idempotency_keys|api_tokens|rate_limits?|.*_rate_limits?|.*throttles?|.*_attempts|knex_migrations.*|sqlite_.*|catalogue_dirty|products_fts.*)$/;

/** Append-only tables: a new row is the only possible change, so count and max(id) are enough. */
const APPEND_ONLY = new Set(['audit_log', 'ledger_transfers', 'trades', 'order_history', 'fp_history', 'order_items']);

/** An unhandled error the app logged (the cause of a 500). */
export interface LoggedError {
  msg: string;
  /** The request's id (X-Request-Id), on what the app logged while answering one. */
  reqId?: string;
  err?: { type?: string; message?: string; stack?: string };
}

/**
 * Everything the fuzzer needs around the app: a fresh, migrated database with objects of every kind in every state,
 * the plugin listening on a free local port (so requests go over real HTTP, byte for byte), a logged-in identity
 * per role, and a fingerprint of the business tables to prove that a refused request wrote nothing.
 */
export class FuzzWorld {
  readonly ids: Record<IdKind, number[]> = { product: [], order: [], case: [], notice: [], objection: [], vendor: [], cert: [], purchaser: [] };
  /** The caller's own objects by state ('order:accepted', 'case:approved', 'product:delisted'…), for the step that takes them on. */
  readonly byState: Record<string, number[]> = {};
  /** [caseId, objectionId] pairs of open objections. */
  readonly objections: Array<[number, number]> = [];
  readonly certNos: string[] = [];
  /** Certificate lists to upload: a valid CSV and a valid XLSX workbook (the generators break them). */
  readonly samples = { csv: '', xlsx: Buffer.alloc(0) };
  /** Approved listings with stock, of both vendors: what an order or a case can name and succeed with. */
  readonly orderable: number[] = [];
  readonly usernames = {} as Record<Exclude<Role, 'anonymous'>, string>;
  readonly identities = {} as Record<Role, Identity>;
  /** Errors the app logged since the last `takeErrors()`. */
  private logged: LoggedError[] = [];
  /** What the harness had to put right to keep the roles usable (a locked account, a changed password…). */
  readonly repairs: string[] = [];
  private fingerprintSql = '';
  businessTables: string[] = [];
  private allTables: string[] = [];
  private n = 0;
  private onCrash: ((reason: unknown) => void) | null = null;
  private demoHash = '';
  private sides: { own: TradingSide; other: TradingSide } | null = null;
  private parties: { admin: Actor; own: { buyer: Actor; productId: number }; other: { buyer: Actor; productId: number } } | null = null;
  vendorA!: { id: number; name: string; city: string; credit_code: string };
  vendorB!: { id: number; name: string; city: string; credit_code: string };
  certA!: { id: number; cert_no: string; level: string; kind: string; field: string };
  purchaserA!: { id: number };

  private constructor(
    readonly db: Db,
    readonly app: Marketplace,
    readonly clock: FakeClock,
    readonly server: http.Server,
    readonly client: RawClient,
  ) {}

  /** The plugin over `db` (migrated, empty), listening on 127.0.0.1, with the objects and identities set up. */
  static async create(db: Db, options: { timeoutMs?: number } = {}): Promise<FuzzWorld> {
    const clock = new FakeClock();
    clock.set(WORLD_START);
    const sink: LoggedError[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void sink.push(JSON.parse(line) as LoggedError) });
    const app = createMarketplace({ db, clock, logger, metrics: true, config: { env: 'test', fakeClock: true, logLevel: 'error' } });
    app.on('error', (err: Error) => sink.push({ msg: 'koa error', err: { type: err.name, message: err.message, stack: err.stack } }));
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const w = new FuzzWorld(db, app, clock, server, new RawClient(port, options.timeoutMs ?? 10_000));
    w.logged = sink;
    // A rejection nobody handles stops a Node server (the default since Node 15): record it against the request.
    w.onCrash = (reason: unknown) => {
      const err = reason instanceof Error ? reason : new Error(String(reason));
      sink.push({ msg: 'unhandled rejection (would stop the server process)', err: { type: err.name, message: err.message, stack: err.stack } });
    };
    process.on('unhandledRejection', w.onCrash);
    await w.setup();
    return w;
  }

  unique(): number {
    return ++this.n;
  }

  takeErrors(): LoggedError[] {
    return this.logged.splice(0, this.logged.length);
  }

  private async setup(): Promise<void> {
    await this.discoverTables();
    this.demoHash = await hashPassword(DEMO_PASSWORD);
    this.vendorA = await makeVendor(this.db, { city: '杭州' });
    this.vendorB = await makeVendor(this.db, { city: '温州', name: '别家供应商有限公司' });
    this.certA = await makeCert(this.db, this.vendorA, { valid_until: '2099-12-31' });
    const certB = await makeCert(this.db, this.vendorB, { valid_until: '2099-12-31' });
    this.purchaserA = await makePurchaser(this.db);
    this.usernames.purchaser = (await makeUser(this.db, { role: 'purchaser', purchaser_id: this.purchaserA.id })).username;
    this.usernames.vendor = (await makeUser(this.db, { role: 'vendor', vendor_id: this.vendorA.id })).username;
    this.usernames.admin = (await makeUser(this.db, { role: 'admin' })).username;
    this.usernames.finance = (await makeFinanceUser(this.db)).username;
    this.ids.vendor.push(this.vendorB.id);
    await this.makeSamples();
    this.ids.cert.push(this.certA.id, certB.id);
    this.certNos.push(this.certA.cert_no, certB.cert_no);
    this.ids.purchaser.push(this.purchaserA.id);
    const unitB = await makePurchaser(this.db);
    this.ids.purchaser.push(unitB.id);
    const buyerB = await makeUser(this.db, { role: 'purchaser', purchaser_id: unitB.id });
    const sellerB = await makeUser(this.db, { role: 'vendor', vendor_id: this.vendorB.id });
    this.sides = {
      own: await tradingSide(this.db, this.usernames.purchaser, this.usernames.vendor),
      other: await tradingSide(this.db, buyerB.username, sellerB.username),
    };
    this.ids.product.push(this.sides.own.productId, this.sides.other.productId);
    const actor = async (username: string): Promise<Actor> => {
      const u = await this.db('users').where({ username }).first();
      return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
    };
    this.parties = {
      admin: await actor(this.usernames.admin),
      own: { buyer: await actor(this.usernames.purchaser), productId: (await makeProduct(this.db, this.vendorA, { cert: this.certA, title: '首购模糊测试产品' })).id },
      other: { buyer: await actor(buyerB.username), productId: (await makeProduct(this.db, this.vendorB, { cert: certB, title: '别家首购产品' })).id },
    };
    this.ids.product.push(this.parties.own.productId, this.parties.other.productId);
    await this.refresh();
    for (const role of ROLES) this.identities[role] = await this.login(role);
  }

  /**
   * More objects in every state (listings, orders, cases, notices, objections, pending vendors, certificates): the
   * fuzzer's successful requests use them up (an order paid stays paid), so a long run calls this now and then.
   */
  async refresh(): Promise<void> {
    const sides = this.sides!;
    const p = this.parties!;
    // Fresh certificates and products for the new orders and cases: the fuzzer may have revoked, delisted or sold
    // out the earlier ones. A step that still fails is noted and skipped, never fatal.
    const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
      try {
        return await fn();
      } catch (err) {
        this.repairs.push(`refresh: ${what}: ${(err as Error).message}`);
        return null;
      }
    };
    for (const [side, vendor] of [['own', this.vendorA], ['other', this.vendorB]] as const) {
      await attempt(`products of ${side}`, async () => {
        const cert = await makeCert(this.db, vendor, { valid_until: '2099-12-31' });
        // Key supported, so that cases stay possible when a fuzzed request limited 政府首购 to those.
        await this.db('certifications').where({ id: cert.id }).update({ key_supported: true });
        sides[side].productId = (await makeProduct(this.db, vendor, { cert, title: `模糊测试订单商品 ${this.unique()}`, price_fen: 100_00, stock: 100_000 })).id;
        p[side].productId = (await makeProduct(this.db, vendor, { cert, title: `模糊测试首购产品 ${this.unique()}` })).id;
        this.ids.product.push(sides[side].productId, p[side].productId);
        this.orderable.push(sides[side].productId, p[side].productId);
        await allocate(this.db, sides[side].buyer.purchaserId as number, 100_000_000_00, `fuzz-refresh-${side}-${this.unique()}-${process.pid}`);
      });
    }
    for (const status of ['approved', 'pending_review', 'delisted', 'rejected']) {
      await attempt(`a ${status} listing`, async () => this.keep('product', status, (await makeProduct(this.db, this.vendorA, { cert: this.certA, status, title: `模糊测试产品 ${this.unique()}` })).id));
    }
    await attempt('a listing of B', async () => this.ids.product.push((await makeProduct(this.db, this.vendorB, { status: 'pending_review', title: `别家待审 ${this.unique()}` })).id));
    for (const status of ['placed', 'confirmed', 'delivered', 'accepted', 'accepted', 'paid', 'cancelled', 'refunded'] as const) {
      await attempt(`an order ${status}`, async () => this.keep('order', status, await orderInState(this.db, sides.own, status)));
    }
    for (const status of ['placed', 'accepted', 'paid'] as const) await attempt(`an order of B ${status}`, async () => this.ids.order.push(await orderInState(this.db, sides.other, status)));
    const stages: FpStage[] = ['draft', 'notice', 'objection', 'noticeEnded', 'approved', 'awarded', 'contracted', 'accepted'];
    for (const stage of stages) {
      await attempt(`a case ${stage}`, async () => {
        const c = await caseInState(this.db, this.clock.now(), { ...p.own, admin: p.admin }, stage);
        this.keep('case', stage, c.id);
        if (c.objectionId) {
          this.ids.objection.push(c.objectionId);
          this.objections.push([c.id, c.objectionId]);
        }
      });
    }
    for (const stage of ['draft', 'notice'] as FpStage[]) await attempt(`a case of B ${stage}`, async () => this.ids.case.push((await caseInState(this.db, this.clock.now(), { ...p.other, admin: p.admin }, stage)).id));
    const notices = await this.db('notices').whereIn('case_id', this.ids.case).pluck('id');
    for (const id of notices as number[]) if (!this.ids.notice.includes(id)) this.ids.notice.push(id);
    this.keep('vendor', 'pending', (await makeVendor(this.db, { status: 'pending' })).id);
    const cert = await makeCert(this.db, this.vendorA, { valid_until: '2099-12-31' });
    this.ids.cert.push(cert.id);
    this.certNos.push(cert.cert_no);
    await this.clearThrottles();
    // Keep the pools from growing without bound in a long run: the newest objects are the useful ones.
    for (const k of Object.keys(this.ids) as IdKind[]) if (this.ids[k].length > 60) this.ids[k].splice(0, this.ids[k].length - 60);
    for (const pool of Object.values(this.byState)) if (pool.length > 6) pool.splice(0, pool.length - 6);
    if (this.objections.length > 20) this.objections.splice(0, this.objections.length - 20);
    if (this.orderable.length > 12) this.orderable.splice(0, this.orderable.length - 12);
    if (this.certNos.length > 20) this.certNos.splice(0, this.certNos.length - 20);
  }

  /** A certificate list of three rows for vendor A, as CSV and as an XLSX workbook (ExcelJS, as an office would). */
  private async makeSamples(): Promise<void> {
    const header = ['certNo', 'productName', 'enterpriseName', 'creditCode', 'kind', 'level', 'field', 'year', 'validUntil'];
    const rows = [1, 2, 3].map((i) => [`FZ-IMPORT-${i}`, `导入产品${i}`, this.vendorA.name, this.vendorA.credit_code, 'equipment', 'provincial', '智能装备', '2026', '2029-12-31']);
    this.samples.csv = [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('认定名单');
    sheet.addRow(header);
    for (const r of rows) sheet.addRow(r);
    this.samples.xlsx = Buffer.from(await book.xlsx.writeBuffer());
  }

  private keep(kind: IdKind, state: string, id: number): void {
    this.ids[kind].push(id);
    (this.byState[`${kind}:${state}`] ??= []).push(id);
  }

  /** A fresh order of the world's purchaser and vendor (own) or of the other pair, walked to `status`. */
  order(status: Parameters<typeof orderInState>[2], whose: 'own' | 'other' = 'own'): Promise<number> {
    return orderInState(this.db, this.sides![whose], status);
  }

  // ── identities ──

  /** A fresh identity for `role`: a bearer token and a logged-in cookie session with its CSRF token. */
  async login(role: Role): Promise<Identity> {
    // A fuzzed login may have locked the account or the address; the harness's own logins must still work.
    await this.clearThrottles();
    const csrfOf = async (cookie: string | null): Promise<{ cookie: string | null; csrf: string }> => {
      const res = await this.client.send({ method: 'GET', path: '/api/v1/auth/csrf', headers: cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {} });
      if (res.status !== 200) throw new Error(`csrf: ${res.status} ${res.text.slice(0, 200)}`);
      return { cookie: setCookieValue(res.headers, SESSION_COOKIE) || cookie, csrf: (JSON.parse(res.text) as { token: string }).token };
    };
    if (role === 'anonymous') {
      const { cookie, csrf } = await csrfOf(null);
      return { token: null, cookie, csrf };
    }
    const username = this.usernames[role];
    const tok = await this.client.send({
      method: 'POST',
      path: '/api/v1/auth/token',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ username, password: DEMO_PASSWORD })),
    });
    if (tok.status !== 200) throw new Error(`token for ${role}: ${tok.status} ${tok.text.slice(0, 200)}`);
    const first = await csrfOf(null);
    const res = await this.client.send({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${SESSION_COOKIE}=${first.cookie}` },
      body: Buffer.from(formEncode([['username', username], ['password', DEMO_PASSWORD], ['_csrf', first.csrf]])),
    });
    if (res.status !== 302) throw new Error(`login ${role}: ${res.status}`);
    const session = await csrfOf(setCookieValue(res.headers, SESSION_COOKIE));
    return { token: `Bearer ${(JSON.parse(tok.text) as { token: string }).token}`, cookie: session.cookie, csrf: session.csrf };
  }

  /**
   * Empties the login throttle and the rate-limit counters (bookkeeping): every fuzzed request comes from one
   * address, which would otherwise soon be refused everything that is counted per address.
   */
  async clearThrottles(): Promise<void> {
    for (const table of ['login_attempts', 'rate_limits']) if (this.allTables.includes(table)) await this.db(table).delete();
  }

  /** Puts back what fuzzed requests may have changed about the role users (password, status, their units). */
  async repairUsers(): Promise<void> {
    for (const role of ['purchaser', 'vendor', 'admin', 'finance'] as const) {
      const u = await this.db('users').where({ username: this.usernames[role] }).first();
      if (u.status !== 'active' || !(await verifyPassword(u.password_hash, DEMO_PASSWORD))) {
        this.repairs.push(`${role}: password or status reset`);
        await this.db('users').where({ id: u.id }).update({ password_hash: this.demoHash, status: 'active' });
      }
    }
    const v = await this.db('vendors').where({ id: this.vendorA.id }).first();
    if (v.status !== 'approved') {
      this.repairs.push(`vendor A: status ${v.status} → approved`);
      await this.db('vendors').where({ id: v.id }).update({ status: 'approved' });
    }
  }

  /** Checks each role still is who it should be (on its token and on its cookie); logs in again where not. */
  async ensureSessions(): Promise<void> {
    const probe: Record<Exclude<Role, 'anonymous'>, string> = { purchaser: '/api/v1/budget', vendor: '/api/v1/vendor/profile', admin: '/api/v1/admin/queues', finance: '/api/v1/finance/desk' };
    let repaired = false;
    for (const role of ['purchaser', 'vendor', 'admin', 'finance'] as const) {
      const id = this.identities[role];
      const viaToken = await this.client.send({ method: 'GET', path: probe[role], headers: { authorization: id.token ?? '' } });
      const viaCookie = await this.client.send({ method: 'GET', path: probe[role], headers: { cookie: `${SESSION_COOKIE}=${id.cookie}` } });
      if (viaToken.status === 200 && viaCookie.status === 200) continue;
      if (!repaired) await this.repairUsers();
      repaired = true;
      this.identities[role] = await this.login(role);
    }
    const anon = await this.client.send({ method: 'GET', path: '/api/v1/auth/csrf', headers: { cookie: `${SESSION_COOKIE}=${this.identities.anonymous.cookie}` } });
    if (anon.status !== 200 || setCookieValue(anon.headers, SESSION_COOKIE)) this.identities.anonymous = await this.login('anonymous');
  }

  // ── the fingerprint ──

  private async discoverTables(): Promise<void> {
    const pg = this.db.client.config.client === 'pg';
    const names: string[] = pg
      ? ((await this.db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).rows as Array<{ name: string }>).map((r) => r.name)
      : ((await this.db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")) as Array<{ name: string }>).map((r) => r.name);
    this.allTables = names;
    this.businessTables = names.filter((t) => !BOOKKEEPING_TABLES.test(t)).sort();
    const parts: string[] = [];
    for (const t of this.businessTables) {
      const cols = await this.db(t).columnInfo();
      const terms = ['CAST(count(*) AS TEXT)'];
      if ('id' in cols) terms.push('CAST(max(id) AS TEXT)');
      if (!APPEND_ONLY.has(t)) {
        for (const [name, info] of Object.entries(cols)) {
          if (name === 'id' || name === 'created_at') continue;
          const type = String((info as { type: string }).type).toLowerCase();
          const q = `"${name}"`;
          if (type.includes('bool')) terms.push(`CAST(sum(CASE WHEN ${q} THEN 1 ELSE 0 END) AS TEXT)`);
          else if (/int|numeric|decimal|real|double|float/.test(type)) terms.push(`CAST(sum(${q}) AS TEXT)`);
          else terms.push(`CAST(sum(length(CAST(${q} AS TEXT))) AS TEXT)`);
        }
      }
      parts.push(`SELECT '${t}' AS t, ${terms.map((x) => `COALESCE(${x}, '-')`).join(` || ',' || `)} AS f FROM "${t}"`);
    }
    this.fingerprintSql = parts.join(' UNION ALL ');
  }

  /**
   * Per business table: row count, max(id), and for tables whose rows change (not the append-only journals) a sum
   * over every column (numbers summed, texts by length) — cheap, and moved by any insert, delete or most updates.
   */
  async fingerprint(): Promise<Record<string, string>> {
    const res = await this.db.raw(this.fingerprintSql);
    const rows = (Array.isArray(res) ? res : res.rows) as Array<{ t: string; f: string }>;
    return Object.fromEntries(rows.map((r) => [r.t, r.f]));
  }

  async close(): Promise<void> {
    if (this.onCrash) process.off('unhandledRejection', this.onCrash);
    this.client.close();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
