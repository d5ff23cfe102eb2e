import assert from 'node:assert/strict';
import type { Marketplace } from '../../src/app';
import type { Db } from '../../src/db';
import type { Actor } from '../../src/web/state';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { agentFor, csrfFor, loginAgent, type Agent } from '../helpers/session';
import { checkoutForm, orderInState, tradingSide, type TradingSide } from '../helpers/trading';
import { ACCEPTANCE, FINANCE_DEPARTMENT, caseBody, caseForm, caseInState, makeFinanceUser, type FpStage } from '../helpers/first-purchase';
import { CASE_WORKFLOW } from '../../src/first-purchase/transitions';
import { ORDER_WORKFLOW } from '../../src/orders/transitions';
import { CERT_DESK } from '../../src/certification/transitions';
import { LISTING_DESK, LISTING_REVIEW, VENDOR_WORKFLOW } from '../../src/vendors/transitions';
import { stepRoutes, type Step, type Workflow } from '../../src/workflow';
import { ADMIN_APPLICATION, VENDOR_APPLICATION } from '../../src/recognition/transitions';
import { Ledger } from '../../src/ledger';
import { LIST_ENTRY, applicationBody } from '../helpers/recognition';
import { ADMIN_CLAIM, FINANCE_CLAIM, VENDOR_CLAIM } from '../../src/insurance/transitions';

/**
 * The access-control matrix: every registered route × every role (and anonymous) × own / another's object → the
 * status expected. One table, ROWS, below; a route that is registered but has no row (and is not in PENDING) fails
 * the coverage test, so a new route cannot land without saying who may call it.
 *
 * To add your routes: append rows with `rows(route, { anonymous, purchaser, vendor, admin }, options)` (and
 * `other: {…}` for the roles whose access depends on whose object the URL names), add what your rows need to the
 * World (a fresh object per call keeps rows independent of their order), and remove the route from PENDING.
 *
 * Conventions: JSON routes are called with a bearer token (no CSRF), pages with a logged-in cookie session and, for
 * POSTs, the form's CSRF token — so what is tested is the role and object check, not the CSRF check. An anonymous
 * page GET is redirected to the login page (302); an anonymous page POST is a 401 page.
 */

export type Role = 'anonymous' | 'purchaser' | 'vendor' | 'admin' | 'finance' | 'expert';
export type Whose = 'own' | 'other' | 'none';
type Status = number | readonly number[];

export interface MatrixRow {
  /** 'METHOD /path' exactly as registered on the router. */
  route: string;
  role: Role;
  /** Whose object the URL names, seen from the caller (own vendor / own purchasing unit), or 'none'. */
  whose: Whose;
  expect: Status;
  /** The URL to call; default the route's path. Called once per row, so it may create a fresh object. */
  url?: (w: World, whose: Whose) => string | Promise<string>;
  body?: (w: World, whose: Whose) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** A file to upload as multipart field `file` (or `field`). */
  file?: { name: string; data: (w: World) => Buffer; field?: string };
  /**
   * Use a freshly logged-in session (pages) or a fresh bearer token (JSON) for this row (for routes that end or
   * replace the session or the token).
   */
  freshSession?: boolean;
}

const ROLES: Role[] = ['anonymous', 'purchaser', 'vendor', 'admin', 'finance', 'expert'];

/** Every object the rows need. `own` is vendor A / purchaser A (whom the role users act for); `other` is B. */
export class World {
  vendorA!: { id: number; name: string; city: string; credit_code: string };
  vendorB!: { id: number; name: string; city: string; credit_code: string };
  certA!: { id: number; cert_no: string; level: string; kind: string; field: string };
  certB!: { id: number; cert_no: string; level: string; kind: string; field: string };
  purchaserA!: { id: number };
  usernames = {} as Record<Exclude<Role, 'anonymous'>, string>;
  tokens = {} as Record<Role, string | null>;
  agents = {} as Record<Role, Agent>;
  private n = 0;

  constructor(
    readonly db: Db,
    readonly t: TestApp,
  ) {}

  get app(): Marketplace {
    return this.t.app;
  }

  unique(): number {
    return ++this.n;
  }

  async setup(): Promise<void> {
    this.vendorA = await makeVendor(this.db, { city: '杭州' });
    this.vendorB = await makeVendor(this.db, { city: '温州', name: '别家供应商 SECRET-B 有限公司' });
    this.certA = await makeCert(this.db, this.vendorA);
    this.certB = await makeCert(this.db, this.vendorB);
    this.purchaserA = await makePurchaser(this.db);
    this.usernames.purchaser = (await makeUser(this.db, { role: 'purchaser', purchaser_id: this.purchaserA.id })).username;
    this.usernames.vendor = (await makeUser(this.db, { role: 'vendor', vendor_id: this.vendorA.id })).username;
    this.usernames.admin = (await makeUser(this.db, { role: 'admin' })).username;
    this.usernames.finance = (await makeFinanceUser(this.db)).username;
    this.usernames.expert = (await makeUser(this.db, { role: 'expert' })).username;
    this.tokens.anonymous = null;
    this.agents.anonymous = agentFor(this.app);
    await this.agents.anonymous.get('/login'); // a session to carry the form's CSRF token
    for (const role of ['purchaser', 'vendor', 'admin', 'finance', 'expert'] as const) {
      this.tokens[role] = await bearer(this.t.http, this.usernames[role]);
      this.agents[role] = await this.session(role);
    }
  }

  async session(role: Role): Promise<Agent> {
    if (role === 'anonymous') {
      const a = agentFor(this.app);
      await a.get('/login');
      return a;
    }
    return loginAgent(this.app, this.usernames[role]);
  }

  /** A fresh listing of vendor A (own) or B (other); B's titles carry SECRET-B so a leak is visible. */
  async product(whose: Whose, status = 'approved'): Promise<number> {
    const other = whose === 'other';
    const p = await makeProduct(this.db, other ? this.vendorB : this.vendorA, {
      cert: other ? this.certB : this.certA,
      status,
      title: other ? `SECRET-B 产品 ${this.unique()}` : `矩阵产品 ${this.unique()}`,
    });
    return p.id;
  }

  private sides: Promise<{ own: TradingSide; other: TradingSide }> | null = null;

  /** An order of purchaser A with vendor A (own), or of another unit with vendor B (other), walked to `status`. */
  async order(whose: Whose, status: string): Promise<number> {
    this.sides ??= (async () => {
      const unitB = await makePurchaser(this.db);
      const buyerB = await makeUser(this.db, { role: 'purchaser', purchaser_id: unitB.id });
      const sellerB = await makeUser(this.db, { role: 'vendor', vendor_id: this.vendorB.id });
      return { own: await tradingSide(this.db, this.usernames.purchaser, this.usernames.vendor), other: await tradingSide(this.db, buyerB.username, sellerB.username) };
    })();
    const sides = await this.sides;
    return orderInState(this.db, whose === 'other' ? sides.other : sides.own, status as Parameters<typeof orderInState>[2]);
  }

  /** The product of the own side (vendor A, approved, plenty of stock), for the cart and order rows. */
  async tradingProduct(): Promise<number> {
    await this.order('own', 'placed');
    return (await this.sides!).own.productId;
  }

  private fpParties: Promise<Record<'own' | 'other', { buyer: Actor; productId: number }> & { admin: Actor; finance: Actor }> | null = null;

  /**
   * A single-source case walked to `stage`: purchaser A buying vendor A's product (own), or another unit buying
   * vendor B's product (other). Fresh per call.
   */
  async fpCase(whose: Whose, stage: FpStage): Promise<{ id: number; objectionId: number | null }> {
    this.fpParties ??= (async () => {
      const actor = async (username: string): Promise<Actor> => {
        const u = await this.db('users').where({ username }).first();
        return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
      };
      const unitB = await makePurchaser(this.db);
      const buyerB = await makeUser(this.db, { role: 'purchaser', purchaser_id: unitB.id });
      return {
        admin: await actor(this.usernames.admin),
        finance: await actor(this.usernames.finance),
        own: { buyer: await actor(this.usernames.purchaser), productId: await this.product('own') },
        other: { buyer: await actor(buyerB.username), productId: await this.product('other') },
      };
    })();
    const p = await this.fpParties;
    const side = whose === 'other' ? p.other : p.own;
    return caseInState(this.db, this.t.clock.now(), { ...side, admin: p.admin, finance: p.finance }, stage);
  }

  async fpNotice(): Promise<number> {
    const { id } = await this.fpCase('own', 'notice');
    return (await this.db('notices').where({ case_id: id }).first('id')).id as number;
  }

  async pendingVendor(): Promise<number> {
    return (await makeVendor(this.db, { status: 'pending' })).id;
  }

  async cert(): Promise<number> {
    return (await makeCert(this.db, this.vendorA)).id;
  }

  certInput(): Record<string, unknown> {
    return {
      certNo: `MX-${this.unique()}`,
      productName: '矩阵证书产品',
      enterpriseName: this.vendorA.name,
      creditCode: this.vendorA.credit_code,
      kind: 'equipment',
      level: 'provincial',
      field: '智能装备',
      year: 2026,
      validUntil: '2029-12-31',
    };
  }

  listingInput(): Record<string, unknown> {
    return { certNo: this.certA.cert_no, title: `矩阵新品 ${this.unique()}`, model: 'MX', description: '', price: '100.00', unit: '台', stock: 1 };
  }

  registration(): Record<string, unknown> {
    const n = this.unique();
    return { enterpriseName: `矩阵注册企业${n}`, creditCode: creditCode(60000 + n), city: '杭州', contact: 'c', username: `mxreg${n}`, password: 'tangerine-harbour-42' };
  }

  // ── the certification lifecycle (认定) ──
  private recPoolReady: Promise<number> | null = null;

  /** The expert pool of the field: the World's expert (with its login) and four others; the expert's pool id. */
  recPool(): Promise<number> {
    this.recPoolReady ??= (async () => {
      const user = await this.db('users').where({ username: this.usernames.expert }).first('id');
      const row = (n: string, userId: number | null) => ({ name: n, unit: `矩阵研究院${n}`, title: '教授', fields: JSON.stringify(['数控机床']), user_id: userId, active: true, demo: false, created_at: '2026-01-05T02:00:00.000Z' });
      const [mine] = await this.db('experts').insert(row('甲', user.id)).returning('id');
      await this.db('experts').insert(['乙', '丙', '丁', '戊'].map((n) => row(n, null)));
      return typeof mine === 'object' ? (mine as { id: number }).id : (mine as number);
    })();
    return this.recPoolReady;
  }

  async recEntry(): Promise<number> {
    const [r] = await this.db('indicator_list').insert({ year: 2026, field: '数控机床', product: '矩阵清单产品', indicators: JSON.stringify(LIST_ENTRY.indicators), demo: false, created_at: '2026-01-05T02:00:00.000Z', updated_at: '2026-01-05T02:00:00.000Z' }).returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }

  /**
   * An application of vendor A (own) or B (other; its product carries SECRET-B) in `status`. `panel`: the World's
   * expert alone is drawn to it ('assigned'), or a panel of three has scored ('scored').
   */
  async recApp(whose: Whose, status: string, panel: 'none' | 'assigned' | 'scored' = 'none'): Promise<number> {
    const expertId = await this.recPool();
    const vendor = whose === 'other' ? this.vendorB : this.vendorA;
    const now = '2026-03-01T02:00:00.000Z';
    const [r] = await this.db('cert_applications')
      .insert({
        application_no: `MX-RD-${this.unique()}`,
        vendor_id: vendor.id,
        product_name: whose === 'other' ? `SECRET-B 认定产品 ${this.unique()}` : `矩阵认定产品 ${this.unique()}`,
        model: 'MX',
        kind: 'equipment',
        field: '数控机床',
        level_claimed: 'domestic',
        list_entry_id: null,
        indicators: JSON.stringify([{ name: '主轴转速', value: 1 }]),
        description: '矩阵',
        status,
        recommended_level: status === 'recommended' ? 'domestic' : null,
        demo: false,
        created_at: now,
        updated_at: now,
      })
      .returning('id');
    const id = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    if (panel !== 'none') {
      // A scored panel is the smallest that may recommend (3); an assigned one is the World's expert alone — a panel
      // that conflicts have left short, which the department tops up (补抽).
      const scored = panel === 'scored';
      const experts = scored ? ((await this.db('experts').where('unit', 'like', '矩阵研究院%').orderBy('id').limit(3).pluck('id')) as number[]) : [expertId];
      const [d] = await this.db('cert_draws').insert({ application_id: id, reason: 'draw', count: experts.length, pool: JSON.stringify(experts), drawn: JSON.stringify(experts), drawn_by: null, drawn_at: now }).returning('id');
      const drawId = typeof d === 'object' ? (d as { id: number }).id : (d as number);
      await this.db('cert_reviews').insert(
        experts.map((e) => ({ application_id: id, expert_id: e, draw_id: drawId, status: scored ? 'scored' : 'assigned', score: scored ? 80 : null, recommend_level: scored ? 'domestic' : null, opinion: scored ? '好' : null, reviewed_at: scored ? now : null })),
      );
    }
    return id;
  }

  /** A PDF attached to a fresh application of `whose` in `status`; returns the application's and the file's ids. */
  async recFile(whose: Whose, status: string, panel: 'none' | 'assigned' = 'none'): Promise<{ app: number; file: number }> {
    const app = await this.recApp(whose, status, panel);
    const data = Buffer.from('%PDF-1.4\n%%EOF\n');
    const [f] = await this.db('cert_attachments')
      .insert({ application_id: app, kind: 'test_report', stored_name: `mx${this.unique()}${Date.now()}`, filename: 'report.pdf', content_type: 'application/pdf', size: data.length, sha256: 'x'.repeat(64), data, uploaded_by: null, demo: false, created_at: '2026-03-01T02:00:00.000Z' })
      .returning('id');
    return { app, file: typeof f === 'object' ? (f as { id: number }).id : (f as number) };
  }

  /** A round (with its notice) still in its period, or one whose period has ended; with an open objection if asked. */
  async recRound(stage: 'notice' | 'ended'): Promise<{ id: number; noticeId: number; objectionId: number }> {
    const app = await this.recApp('own', 'in_round');
    const ends = stage === 'ended' ? '2026-02-01T15:59:59.000Z' : '2026-12-31T15:59:59.000Z';
    const [r] = await this.db('cert_rounds').insert({ year: 2026, status: 'notice', published_at: '2026-01-05T02:00:00.000Z', period_ends_at: ends, finalized_at: null, created_by: null, demo: false }).returning('id');
    const id = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    await this.db('cert_applications').where({ id: app }).update({ round_id: id, recommended_level: 'provincial' });
    const [n] = await this.db('notices').insert({ round_id: id, case_id: null, type: 'certification', title: '矩阵公示', content: JSON.stringify({ year: 2026, list: [], period: { startsOn: '', endsOn: '', workingDays: 5 }, objections: { howTo: '' } }), published_at: '2026-01-05T02:00:00.000Z', period_ends_at: ends }).returning('id');
    const [o] = await this.db('cert_objections').insert({ round_id: id, application_id: app, name: '异议人', organization: '单位', contact: '1', content: '内容', status: 'open', created_at: '2026-01-06T02:00:00.000Z' }).returning('id');
    const idOf = (x: unknown) => (typeof x === 'object' ? (x as { id: number }).id : (x as number));
    if (stage === 'ended') await this.db('cert_objections').where({ id: idOf(o) }).update({ status: 'dismissed' });
    return { id, noticeId: idOf(n), objectionId: idOf(o) };
  }

  /** An award due to vendor A, funded in the award fund. */
  async recAward(): Promise<number> {
    const app = await this.recApp('own', 'certified');
    const [r] = await this.db('cert_awards').insert({ application_id: app, vendor_id: this.vendorA.id, level: 'provincial', amount_fen: 100_00, status: 'due', due_at: '2026-04-01T02:00:00.000Z', year: 2026, demo: false, created_at: '2026-03-01T02:00:00.000Z' }).returning('id');
    const id = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    await this.db.transaction((trx) => new Ledger(this.t.clock).fundAward(trx, 100_00, `mx-award:${id}:fund`, null));
    return id;
  }

  // ── insurance compensation (保险补偿) ──
  /** A claim body against vendor A's certificate (valid at the policy start). */
  insClaimInput(): Record<string, unknown> {
    const n = this.unique();
    return { certNo: this.certA.cert_no, policyNo: `MX-POL-${n}`, insurer: '矩阵保险公司', insuredValue: '1000000.00', premium: '20000.00', policyStart: '2026-01-05', policyEnd: '2027-01-04', policyYear: 1, unitOrdinal: 1, purchaserName: '矩阵购买单位', contractNo: `MX-HT-${n}`, nationalSubsidy: false };
  }

  /** A claim of vendor A (own) or B (other; its policy carries SECRET-B) in `status`; an approved one is funded. */
  async insClaim(whose: Whose, status: string): Promise<number> {
    const other = whose === 'other';
    const n = this.unique();
    const at = '2026-02-01T02:00:00.000Z';
    const computed = status === 'draft' || status === 'rejected' ? {} : { rule_version: '2021', counted_premium_fen: 20_000_00, percent: 70, uncut_fen: 14_000_00, compensation_fen: 14_000_00, submitted_at: at, active_key: `MX-POL-${n}#1` };
    const [r] = await this.db('insurance_claims')
      .insert({
        claim_no: `MX-BX-${n}`,
        vendor_id: (other ? this.vendorB : this.vendorA).id,
        cert_id: (other ? this.certB : this.certA).id,
        cert_no: (other ? this.certB : this.certA).cert_no,
        policy_no: other ? `SECRET-B-${n}` : `MX-POL-${n}`,
        insurer: '矩阵保险公司',
        insured_value_fen: 1_000_000_00,
        premium_fen: 20_000_00,
        policy_start: '2026-01-05',
        policy_end: '2027-01-04',
        year: 2026,
        policy_year: 1,
        unit_ordinal: 1,
        purchaser_name: '矩阵购买单位',
        contract_no: `MX-HT-${n}`,
        national_subsidy: false,
        status,
        ...computed,
        ...(status === 'approved' ? { approved_at: at, payout_due_at: '2026-03-03T02:00:00.000Z' } : {}),
        demo: false,
        created_at: at,
        updated_at: at,
      })
      .returning('id');
    const id = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    if (status === 'approved') await this.db.transaction((trx) => new Ledger(this.t.clock).transfer(trx, { from: 'treasury', to: 'subsidy_fund', amountFen: 14_000_00, kind: 'fund_subsidy', idempotencyKey: `mx-ins:${id}:fund`, actorId: null }));
    return id;
  }

  private insRuleSlot = 2100;

  /** A fresh rule version (a start year of its own, 2099 downwards). */
  async insRule(): Promise<number> {
    const n = this.unique();
    const year = --this.insRuleSlot;
    const [r] = await this.db('insurance_rules').insert({ version: `mx-${n}`, from_year: year, rate_cap_bp: 200, percents: JSON.stringify({ international: [9, 8, 7], domestic: [8, 7, 6], provincial: [7, 6, 5] }), yearly_cap_fen: null, note: null, demo: false, created_at: '2026-01-05T02:00:00.000Z', updated_at: '2026-01-05T02:00:00.000Z' }).returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }

  private insRuleYear = 2029;

  /** A new version's input, each with a start year of its own (2030, 2031, …). */
  insRuleInput(): Record<string, unknown> {
    const n = this.unique();
    return { version: `mxnew-${n}`, fromYear: ++this.insRuleYear, rateCap: '2', percents: { international: [90, 80, 70], domestic: [80, 70, 60], provincial: [70, 60, 50] }, yearlyCap: '' };
  }

  importFile(): Buffer {
    const n = this.unique();
    return Buffer.from(
      `certNo,productName,enterpriseName,creditCode,kind,level,field,year,validUntil\nMXI-${n},产品,企业,${creditCode(70000 + n)},equipment,provincial,智能装备,2026,2029-12-31\n`,
    );
  }
}

/** Rows for one route: the status per role, and per role for another's object where `other` is given. */
function rows(
  route: string,
  expect: Partial<Record<Role, Status>>,
  opts: Omit<MatrixRow, 'route' | 'role' | 'whose' | 'expect'> & { other?: Partial<Record<Role, Status>> } = {},
): MatrixRow[] {
  const { other, ...rest } = opts;
  const out: MatrixRow[] = [];
  for (const role of ROLES) {
    if (expect[role] !== undefined) out.push({ route, role, whose: other ? 'own' : 'none', expect: expect[role] as Status, ...rest });
    if (other?.[role] !== undefined) out.push({ route, role, whose: 'other', expect: other[role] as Status, ...rest });
  }
  return out;
}

/** Everyone gets the same answer. */
const all = (s: Status) => ({ anonymous: s, purchaser: s, vendor: s, admin: s, finance: s, expert: s });
/** Only `role` passes (with `ok`); anonymous is 401 on the API, redirected to login on a page GET. */
const only = (role: Exclude<Role, 'anonymous'>, ok: Status, page: 'api' | 'get' | 'post' = 'api') => {
  const anon = page === 'get' ? 302 : 401;
  return { anonymous: anon, purchaser: 403, vendor: 403, admin: 403, finance: 403, expert: 403, [role]: ok } as Record<Role, Status>;
};

const WEBHOOK = { url: 'http://127.0.0.1:9/matrix', events: ['*'], secret: 'matrix-secret-0123456789' };
const INTENTION = { projectName: '矩阵意向', goods: '设备', budget: '100', expectedMonth: '2027-01' };
/** A webhook (inactive, so no worker ever sends to it). */
async function webhook(w: World): Promise<number> {
  const [r] = await w.db('webhooks').insert({ url: WEBHOOK.url, events: '["*"]', secret: WEBHOOK.secret, active: false, cursor: 0, created_at: '2026-03-01T02:00:00.000Z' }).returning('id');
  return typeof r === 'object' ? (r as { id: number }).id : (r as number);
}
/** A fresh row of the search synonym table. */
async function synonym(w: World): Promise<number> {
  const [r] = await w.db('search_synonyms').insert({ term: `矩阵同义${w.unique()}`, synonyms: '["矩阵"]', two_way: true, created_at: '2026-03-01T02:00:00.000Z', updated_at: '2026-03-01T02:00:00.000Z' }).returning('id');
  return typeof r === 'object' ? (r as { id: number }).id : (r as number);
}
/** A fresh address (not the default) in the book of purchasing unit A (own) or of another unit (other). */
async function address(w: World, whose: Whose): Promise<number> {
  const unit = whose === 'other' ? (await makePurchaser(w.db)).id : w.purchaserA.id;
  const at = '2026-03-01T02:00:00.000Z';
  const [r] = await w.db('purchaser_addresses').insert({ purchaser_id: unit, label: `矩阵${w.unique()}`, address: '杭州市西湖区矩阵路1号', contact_person: '张三', phone: '0571-88888888', is_default: false, created_at: at, updated_at: at }).returning('id');
  return typeof r === 'object' ? (r as { id: number }).id : (r as number);
}
/** `<webhook>/deliveries/<delivery>` of a fresh dead letter. */
async function deadLetter(w: World): Promise<string> {
  const hook = await webhook(w);
  const [e] = await w.db('outbox_events').insert({ id: `00000000-0000-4000-8000-${String(w.unique()).padStart(12, '0')}`, stream: `matrix:${w.unique()}`, stream_seq: 1, type: 'order.placed', occurred_at: '2026-03-01T02:00:00.000Z', data: '{}' }).returning('seq');
  const seq = typeof e === 'object' ? (e as { seq: number }).seq : (e as number);
  const [d] = await w.db('webhook_deliveries').insert({ webhook_id: hook, event_seq: seq, status: 'dead', attempts: 8, next_attempt_at: '2026-03-01T02:00:00.000Z', created_at: '2026-03-01T02:00:00.000Z' }).returning('id');
  return `${hook}/deliveries/${typeof d === 'object' ? (d as { id: number }).id : (d as number)}`;
}
async function intention(w: World): Promise<number> {
  const [r] = await w.db('purchase_intentions').insert({ purchaser_id: w.purchaserA.id, project_name: '矩阵意向', goods: '设备', budget_fen: 100, expected_month: '2027-01', published_at: '2026-03-01T02:00:00.000Z' }).returning('id');
  return typeof r === 'object' ? (r as { id: number }).id : (r as number);
}

/** A 1 × 1 PNG (what sharp re-encodes on upload) and a minimal PDF. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const TINY_PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
/** `<product>/images/<image>` (or `/documents/<document>`): a fresh picture or spec sheet of the own or the other vendor's listing. */
async function productFile(w: World, whose: Whose, kind: 'images' | 'documents', status = 'approved'): Promise<string> {
  const product = await w.product(whose, status);
  const at = '2026-03-01T02:00:00.000Z';
  const common = { product_id: product, size: TINY_PNG.length, sha256: 'a'.repeat(64), uploaded_by: null, created_at: at };
  const [r] =
    kind === 'images'
      ? await w.db('product_images').insert({ ...common, position: 1, is_cover: true, alt: '', content_type: 'image/png', width: 1, height: 1, data: TINY_PNG, thumb_content_type: 'image/png', thumb_size: TINY_PNG.length, thumb_sha256: 'b'.repeat(64), thumb_data: TINY_PNG }).returning('id')
      : await w.db('product_documents').insert({ ...common, title: '参数表', filename: 'spec.pdf', content_type: 'application/pdf', data: TINY_PDF }).returning('id');
  return `${product}/${kind}/${typeof r === 'object' ? (r as { id: number }).id : (r as number)}`;
}
const fileUrl = (kind: 'images' | 'documents', path: (at: string) => string, status = 'approved') => async (w: World, whose: Whose) => path(await productFile(w, whose, kind, status));
/** A listing not in the catalogue: its files only for its own vendor and the department; 404 to everyone else. */
const PRIVATE_MEDIA = { anonymous: 404, purchaser: 404, vendor: 200, admin: 200, finance: 404, expert: 404 } as Record<Role, Status>;

const id = (fn: (w: World, whose: Whose) => Promise<number>, path: (id: number) => string) => async (w: World, whose: Whose) => path(await fn(w, whose));
const productUrl = (path: (id: number) => string, status = 'approved') => id((w, whose) => w.product(whose, status), path);
const orderUrl = (status: string, path: (id: number) => string) => id((w, whose) => w.order(whose, status), path);

const fpUrl = (stage: FpStage, path: (id: number) => string) => async (w: World, whose: Whose) => path((await w.fpCase(whose, stage)).id);
const FP_OBJECTION = { name: '矩阵异议人', organization: '某单位', contact: '1', content: '异议内容' };
const FP_NEGOTIATION = {
  amount: '3000000.00',
  record: { date: '2026-03-02', place: '会议室', staff: ['甲', '乙'], costNote: '成本说明', comparablePrices: '同类合同价', patents: '专利说明', agreedTerms: '主要条款' },
};
const fpContract = (w: World) => ({ contractNo: `MX-HT-${w.unique()}`, signedAt: new Date(w.t.clock.now().getTime() + 8 * 3600000).toISOString().slice(0, 10) });

/**
 * The rows of a workflow's step routes, derived from its table (src/workflow): at the door the step's roles pass
 * (200 on the JSON route, a 302 back to the object on the page) and every other role is 403, anonymous 401; on
 * another's object a party (purchaser, vendor) is told it is not theirs (403, API.md) while the departments (admin, finance)
 * act as on their own. `fixture` gives, per step, a fresh object in a state the step leads from, and the step's body.
 */
function workflowRows<S extends string, F>(
  wf: Workflow<S, F>,
  fixture: (step: Step<S, F>) => { object: (w: World, whose: Whose) => Promise<number>; body?: (w: World) => Record<string, unknown> },
): MatrixRow[] {
  return stepRoutes(wf).flatMap((r) => {
    const step = wf.steps.find((s) => s.name === r.step)!;
    const { object, body } = fixture(step);
    const ok = r.surface === 'api' ? 200 : 302;
    const expect = { anonymous: 401, purchaser: 403, vendor: 403, admin: 403, finance: 403, expert: 403 } as Record<Role, Status>;
    const other: Partial<Record<Role, Status>> = {};
    for (const role of r.roles) {
      expect[role] = ok;
      other[role] = role === 'admin' || role === 'finance' ? ok : 403;
    }
    const path = r.route.split(' ')[1]!;
    // A page form that asks for a tick before a payment (StepForm.confirm) is sent ticked, as its browser sends it.
    const tick = r.surface !== 'api' && step.form?.confirm ? { _confirm: 'on' } : null;
    const sent = body || tick ? (w: World) => ({ ...(body ? body(w) : {}), ...(tick ?? {}) }) : undefined;
    return rows(r.route, expect, { url: async (w, whose) => path.replace(':id', String(await object(w, whose))), body: sent, other });
  });
}

export const ROWS: MatrixRow[] = [
  // ── testing aid (exists only with FAKE_CLOCK=1, as testApp runs) ──
  ...rows('GET /api/v1/admin/clock', all(200)),
  ...rows('POST /api/v1/admin/clock', all(200), { body: (w) => ({ now: w.t.clock.now().toISOString() }) }),

  // ── auth ──
  ...rows('POST /api/v1/auth/token', all(200), { body: (w) => ({ username: w.usernames.vendor, password: 'demo-password' }) }),
  // Revokes the bearer token the call carries (a fresh one per row); without one, 401.
  ...rows('DELETE /api/v1/auth/token', { anonymous: 401, purchaser: 204, vendor: 204, admin: 204, finance: 204, expert: 204 }, { freshSession: true }),
  ...rows('GET /api/v1/auth/csrf', all(200)),
  ...rows('GET /login', all(200)),
  // A wrong password: the session stays as it is, whoever asks.
  ...rows('POST /login', all(401), { body: (w) => ({ username: w.usernames.admin, password: 'not-the-password' }) }),
  ...rows('POST /logout', all(302), { freshSession: true }),
  // Own account only; a wrong current password, so the shared sessions stay valid.
  ...rows('POST /api/v1/auth/password', { anonymous: 401, purchaser: 422, vendor: 422, admin: 422, finance: 422, expert: 422 }, { body: () => ({ currentPassword: 'wrong', newPassword: 'tangerine-harbour-42' }) }),
  ...rows('GET /account/password', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 200 }),
  ...rows('POST /account/password', { anonymous: 401, purchaser: 422, vendor: 422, admin: 422, finance: 422, expert: 422 }, { body: () => ({ currentPassword: 'wrong', newPassword: 'tangerine-harbour-42' }) }),

  // ── public catalogue ──
  ...rows('GET /api/v1/products', all(200)),
  ...rows('GET /api/v1/products/:id', all(200), { url: productUrl((i) => `/api/v1/products/${i}`) }),
  // Not approved yet: public to nobody, its own vendor included (the vendor reads it through /api/v1/vendor/…).
  ...rows('GET /api/v1/products/:id', all(404), { url: productUrl((i) => `/api/v1/products/${i}`, 'pending_review'), other: { vendor: 404 } }),
  ...rows('GET /api/v1/certificates/:certNo', all(200), { url: (w) => `/api/v1/certificates/${w.certA.cert_no}` }),
  ...rows('GET /api/v1/catalogue/overview', all(200)),
  ...rows('GET /', all(200)),
  ...rows('GET /products', all(200)),
  ...rows('GET /products/:id', all(200), { url: productUrl((i) => `/products/${i}`) }),
  ...rows('GET /products/:id', all(404), { url: productUrl((i) => `/products/${i}`, 'rejected') }),
  ...rows('GET /certificates', all(200)),

  // ── product pictures, spec sheets and the comparison (src/media): public for approved listings, the vendor's own to change ──
  ...rows('GET /media/products/:id/cover', all(200), { url: productUrl((i) => `/media/products/${i}/cover`) }),
  ...rows('GET /media/products/:id/cover', PRIVATE_MEDIA, { url: productUrl((i) => `/media/products/${i}/cover`, 'pending_review'), other: { vendor: 404, admin: 200 } }),
  ...rows('GET /media/products/:id/images/:imageId', all(200), { url: fileUrl('images', (at) => `/media/products/${at}`) }),
  ...rows('GET /media/products/:id/images/:imageId', PRIVATE_MEDIA, { url: fileUrl('images', (at) => `/media/products/${at}`, 'pending_review'), other: { vendor: 404, admin: 200 } }),
  ...rows('GET /media/products/:id/images/:imageId/thumb', all(200), { url: fileUrl('images', (at) => `/media/products/${at}/thumb`) }),
  ...rows('GET /media/products/:id/images/:imageId/thumb', PRIVATE_MEDIA, { url: fileUrl('images', (at) => `/media/products/${at}/thumb`, 'rejected'), other: { vendor: 404, admin: 200 } }),
  ...rows('GET /media/products/:id/documents/:documentId', all(200), { url: fileUrl('documents', (at) => `/media/products/${at}`) }),
  ...rows('GET /media/products/:id/documents/:documentId', PRIVATE_MEDIA, { url: fileUrl('documents', (at) => `/media/products/${at}`, 'delisted'), other: { vendor: 404, admin: 200 } }),
  ...rows('GET /api/v1/products/:id/media', all(200), { url: productUrl((i) => `/api/v1/products/${i}/media`) }),
  ...rows('GET /api/v1/products/:id/media', PRIVATE_MEDIA, { url: productUrl((i) => `/api/v1/products/${i}/media`, 'pending_review'), other: { vendor: 404, admin: 200 } }),
  ...rows('GET /compare', all(200), { url: () => `/compare?ids=1,2` }),
  ...rows('GET /api/v1/vendor/products/:id/media', only('vendor', 200), { url: productUrl((i) => `/api/v1/vendor/products/${i}/media`), other: { vendor: 403 } }),
  ...rows('POST /api/v1/vendor/products/:id/images', only('vendor', 201), { url: productUrl((i) => `/api/v1/vendor/products/${i}/images`), file: { name: 'a.png', data: () => TINY_PNG, field: 'image' }, other: { vendor: 403 } }),
  ...rows('POST /api/v1/vendor/products/:id/images/:imageId/cover', only('vendor', 200), { url: fileUrl('images', (at) => `/api/v1/vendor/products/${at}/cover`), other: { vendor: 403 } }),
  ...rows('POST /api/v1/vendor/products/:id/images/:imageId/move', only('vendor', 200), { url: fileUrl('images', (at) => `/api/v1/vendor/products/${at}/move`), body: () => ({ direction: 'down' }), other: { vendor: 403 } }),
  ...rows('DELETE /api/v1/vendor/products/:id/images/:imageId', only('vendor', 200), { url: fileUrl('images', (at) => `/api/v1/vendor/products/${at}`), other: { vendor: 403 } }),
  ...rows('POST /api/v1/vendor/products/:id/documents', only('vendor', 201), { url: productUrl((i) => `/api/v1/vendor/products/${i}/documents`), file: { name: 'spec.pdf', data: () => TINY_PDF, field: 'document' }, other: { vendor: 403 } }),
  ...rows('DELETE /api/v1/vendor/products/:id/documents/:documentId', only('vendor', 200), { url: fileUrl('documents', (at) => `/api/v1/vendor/products/${at}`), other: { vendor: 403 } }),
  ...rows('GET /vendor/products/:id/media', only('vendor', 200, 'get'), { url: productUrl((i) => `/vendor/products/${i}/media`), other: { vendor: 403 } }),
  ...rows('POST /vendor/products/:id/images', only('vendor', 302, 'post'), { url: productUrl((i) => `/vendor/products/${i}/images`), file: { name: 'a.png', data: () => TINY_PNG, field: 'image' }, other: { vendor: 403 } }),
  ...rows('POST /vendor/products/:id/images/:imageId/:step', only('vendor', 302, 'post'), { url: fileUrl('images', (at) => `/vendor/products/${at}/cover`), other: { vendor: 403 } }),
  ...rows('POST /vendor/products/:id/documents', only('vendor', 302, 'post'), { url: productUrl((i) => `/vendor/products/${i}/documents`), file: { name: 'spec.pdf', data: () => TINY_PDF, field: 'document' }, other: { vendor: 403 } }),
  ...rows('POST /vendor/products/:id/documents/:documentId/delete', only('vendor', 302, 'post'), { url: fileUrl('documents', (at) => `/vendor/products/${at}/delete`), other: { vendor: 403 } }),

  // ── vendor registration (anyone) ──
  ...rows('POST /api/v1/vendors', all(201), { body: (w) => w.registration() }),
  ...rows('GET /vendor/register', all(200)),
  ...rows('POST /vendor/register', all(200), { body: (w) => w.registration() }),

  // ── the vendor's own space (JSON) ──
  ...rows('GET /api/v1/vendor/profile', only('vendor', 200)),
  ...rows('GET /api/v1/vendor/certifications', only('vendor', 200)),
  ...rows('GET /api/v1/vendor/products', only('vendor', 200)),
  ...rows('POST /api/v1/vendor/products', only('vendor', 201), { body: (w) => w.listingInput() }),
  ...rows('GET /api/v1/vendor/products/:id', only('vendor', 200), { url: productUrl((i) => `/api/v1/vendor/products/${i}`), other: { vendor: 403 } }),
  ...rows('PATCH /api/v1/vendor/products/:id', only('vendor', 200), {
    url: productUrl((i) => `/api/v1/vendor/products/${i}`),
    body: () => ({ stock: 9 }),
    other: { vendor: 403 },
  }),
  // Delist and relist, JSON and page: derived from the listing table's vendor desk (vendors/transitions.ts). Another
  // vendor's listing is a 403 here, as it always was (API.md: "another vendor's product → 403 (or 404)").
  ...workflowRows(LISTING_DESK, (step) => ({ object: (w, whose) => w.product(whose, step.from[0]) })).map((r) =>
    r.role === 'vendor' && r.whose === 'other' ? { ...r, expect: 403 } : r,
  ),

  // ── the vendor's own space (pages) ──
  ...rows('GET /vendor', only('vendor', 200, 'get')),
  ...rows('GET /vendor/certifications', only('vendor', 200, 'get')),
  ...rows('GET /vendor/products', only('vendor', 200, 'get')),
  ...rows('GET /vendor/products/new', only('vendor', 200, 'get')),
  ...rows('POST /vendor/products', only('vendor', 302, 'post'), { body: (w) => w.listingInput() }),
  ...rows('GET /vendor/products/:id/edit', only('vendor', 200, 'get'), { url: productUrl((i) => `/vendor/products/${i}/edit`), other: { vendor: 403 } }),
  ...rows('POST /vendor/products/:id', only('vendor', 302, 'post'), { url: productUrl((i) => `/vendor/products/${i}`), body: (w) => w.listingInput(), other: { vendor: 403 } }),

  // ── admin: review queues (JSON). A vendor may not review even its own listing. ──
  ...rows('GET /api/v1/admin/queues', only('admin', 200)),
  ...rows('GET /api/v1/admin/vendors', only('admin', 200)),
  ...rows('GET /api/v1/admin/vendors/:id', only('admin', 200), { url: (w) => `/api/v1/admin/vendors/${w.vendorB.id}` }),
  // Approve and reject a vendor, JSON and page: derived from the vendor table (vendors/transitions.ts).
  ...workflowRows(VENDOR_WORKFLOW, (step) => ({ object: (w) => w.pendingVendor(), body: step.input ? () => ({ reason: '材料不全' }) : undefined })),
  ...rows('GET /api/v1/admin/products', only('admin', 200)),
  ...rows('GET /api/v1/admin/products/:id', only('admin', 200), { url: productUrl((i) => `/api/v1/admin/products/${i}`, 'pending_review'), other: { vendor: 403 } }),
  // Approve and reject a listing, JSON and page: derived from the listing table's review desk (vendors/transitions.ts);
  // a vendor may not review even its own listing, nor another's.
  ...workflowRows(LISTING_REVIEW, (step) => ({
    object: (w, whose) => w.product(whose, 'pending_review'),
    body: step.input ? () => ({ reason: '资料不符' }) : undefined,
  })),
  ...stepRoutes(LISTING_REVIEW).flatMap((r) =>
    rows(r.route, {}, {
      url: productUrl((i) => r.route.split(' ')[1]!.replace(':id', String(i)), 'pending_review'),
      body: r.hasInput ? () => ({ reason: '资料不符' }) : undefined,
      other: { vendor: 403 },
    }),
  ),

  // ── admin: review queues (pages) ──
  ...rows('GET /admin', only('admin', 200, 'get')),
  ...rows('GET /admin/vendors', only('admin', 200, 'get')),
  ...rows('GET /admin/products', only('admin', 200, 'get')),
  ...rows('GET /admin/products/:id', only('admin', 200, 'get'), { url: productUrl((i) => `/admin/products/${i}`, 'pending_review'), other: { vendor: 403 } }),

  // ── admin: certification registry ──
  ...rows('GET /api/v1/admin/certifications', only('admin', 200)),
  ...rows('POST /api/v1/admin/certifications', only('admin', 201), { body: (w) => w.certInput() }),
  ...rows('POST /api/v1/admin/certifications/import', only('admin', 200), { file: { name: 'list.csv', data: (w) => w.importFile() } }),
  ...rows('POST /api/v1/admin/certifications/expire', only('admin', 200)),
  ...rows('GET /api/v1/admin/certifications/:id', only('admin', 200), { url: (w) => `/api/v1/admin/certifications/${w.certB.id}` }),
  ...rows('PATCH /api/v1/admin/certifications/:id', only('admin', 200), { url: id((w) => w.cert(), (i) => `/api/v1/admin/certifications/${i}`), body: () => ({ level: 'domestic' }) }),
  // Revoke, JSON and page: derived from the certificate table (certification/transitions.ts).
  ...workflowRows(CERT_DESK, () => ({ object: (w) => w.cert(), body: () => ({ reason: '撤销' }) })),
  ...rows('GET /admin/certifications', only('admin', 200, 'get')),
  ...rows('GET /admin/certifications/new', only('admin', 200, 'get')),
  ...rows('POST /admin/certifications', only('admin', 302, 'post'), { body: (w) => w.certInput() }),
  ...rows('GET /admin/certifications/import', only('admin', 200, 'get')),
  ...rows('POST /admin/certifications/import', only('admin', 200, 'post'), { file: { name: 'list.csv', data: (w) => w.importFile() } }),
  ...rows('POST /admin/certifications/expire', only('admin', 302, 'post')),
  ...rows('GET /admin/certifications/:id', only('admin', 200, 'get'), { url: (w) => `/admin/certifications/${w.certB.id}` }),
  ...rows('POST /admin/certifications/:id', only('admin', 302, 'post'), {
    url: id((w) => w.cert(), (i) => `/admin/certifications/${i}`),
    body: (w) => ({ ...w.certInput(), certNo: undefined }),
  }),

  // ── admin: audit log ──
  ...rows('GET /api/v1/admin/audit', only('admin', 200)),
  ...rows('GET /api/v1/admin/audit/verify', only('admin', 200)),
  ...rows('GET /admin/audit', only('admin', 200, 'get')),
  ...rows('GET /admin/audit/verify', only('admin', 200, 'get')),

  // ── budgets and the ledger (JSON) ──
  ...rows('POST /api/v1/admin/budgets', only('admin', 201), { body: (w) => ({ purchaserId: w.purchaserA.id, amount: '100.00' }) }),
  ...rows('GET /api/v1/admin/budgets', only('admin', 200)),
  ...rows('GET /api/v1/budget', only('purchaser', 200)),
  ...rows('GET /api/v1/admin/ledger/verify', only('admin', 200)),
  ...rows('GET /api/v1/admin/ledger/transfers', only('admin', 200)),
  ...rows('GET /api/v1/admin/ledger/accounts', only('admin', 200)),

  // ── boutique orders (JSON): the order's purchasing unit and vendor, or the department; another's order is 403 ──
  ...rows('POST /api/v1/orders', only('purchaser', 201), { body: async (w) => ({ items: [{ productId: await w.tradingProduct(), quantity: 1 }] }) }),
  ...rows('GET /api/v1/orders', { anonymous: 401, purchaser: 200, vendor: 200, admin: 200, finance: 403, expert: 403 }),
  ...rows('GET /api/v1/vendor/orders', only('vendor', 200)),
  ...rows('GET /api/v1/orders/:id', { anonymous: 401, purchaser: 200, vendor: 200, admin: 200, finance: 403, expert: 403 }, {
    url: orderUrl('placed', (i) => `/api/v1/orders/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200 },
  }),

  // ── trading pages: the purchaser's desk, cart and checkout; order pages; the department's budgets and ledger ──
  ...rows('GET /purchaser', only('purchaser', 200, 'get')),
  ...rows('GET /cart', only('purchaser', 200, 'get')),
  ...rows('POST /cart/items', only('purchaser', 302, 'post'), { body: async (w) => ({ productId: String(await w.tradingProduct()), quantity: '1' }) }),
  ...rows('POST /cart/items/:productId', only('purchaser', 302, 'post'), { url: async (w) => `/cart/items/${await w.tradingProduct()}`, body: () => ({ quantity: '1' }) }),
  ...rows('GET /checkout', only('purchaser', 200, 'get')),
  ...rows('POST /checkout', only('purchaser', 302, 'post'), { body: () => checkoutForm('2026-03-10') }),
  ...rows('GET /orders', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 403, expert: 403 }),
  ...rows('GET /vendor/orders', only('vendor', 200, 'get')),
  ...rows('GET /orders/:id', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 403, expert: 403 }, {
    url: orderUrl('placed', (i) => `/orders/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200 },
  }),
  // 订单确认单 and 验收单, printable and as PDF (issue 18 item 1): the order's parties and the department, as the order.
  ...(['confirmation', 'confirmation.pdf', 'acceptance', 'acceptance.pdf'] as const).flatMap((doc) =>
    rows(`GET /orders/:id/${doc}`, { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 403, expert: 403 }, {
      url: orderUrl('placed', (i) => `/orders/${i}/${doc}`),
      other: { purchaser: 403, vendor: 403, admin: 200 },
    }),
  ),
  // The unit's address book and invoice title: its own purchasers only; another unit's address is 404.
  ...rows('GET /purchaser/addresses', only('purchaser', 200, 'get')),
  ...rows('POST /purchaser/addresses', only('purchaser', 302, 'post'), { body: (w) => ({ label: `矩阵${w.unique()}`, address: '杭州市西湖区矩阵路2号', contactPerson: '李四', phone: '0571-86666666' }) }),
  ...rows('POST /purchaser/addresses/:id/default', { ...only('purchaser', 302, 'post') }, { url: id(address, (i) => `/purchaser/addresses/${i}/default`), other: { purchaser: 404 }, body: () => ({}) }),
  ...rows('POST /purchaser/addresses/:id/delete', { ...only('purchaser', 302, 'post') }, { url: id(address, (i) => `/purchaser/addresses/${i}/delete`), other: { purchaser: 404 }, body: () => ({}) }),
  ...rows('POST /purchaser/invoice-title', only('purchaser', 302, 'post'), { body: () => ({ invoiceTitle: '杭州市矩阵医院' }) }),
  // The order's steps, JSON and page: derived from the step table (orders/transitions.ts).
  // 取消订单, 退款, 拒绝接单 and 退回 carry a reason and, on the page, those that end the order the confirmation (confirm=1;
  // without it the page asks first).
  ...workflowRows(ORDER_WORKFLOW, (step) => ({
    object: (w, whose) => w.order(whose, step.from[0]!),
    body: step.form?.fields?.some((f) => f.field === 'reason') ? () => ({ reason: '矩阵测试原因', ...((step as { confirms?: boolean }).confirms ? { confirm: '1' } : {}) }) : undefined,
  })),
  // The direct-purchase limit: public, no login (API.md "Direct-purchase limit").
  ...rows('GET /api/v1/settings/public', all(200)),
  ...rows('GET /api/v1/admin/settings', only('admin', 200)),
  ...rows('POST /api/v1/admin/settings', only('admin', 200), { body: () => ({ keySupportedOnly: false }) }),
  ...rows('GET /admin/settings', only('admin', 200, 'get')),
  ...rows('POST /admin/settings', only('admin', 302, 'post'), { body: () => ({}) }),
  // The finance department the single-source notices name (art. 38).
  ...rows('GET /api/v1/admin/settings/finance-department', only('admin', 200)),
  ...rows('POST /api/v1/admin/settings/finance-department', only('admin', 200), { body: () => FINANCE_DEPARTMENT }),
  ...rows('POST /admin/settings/finance-department', only('admin', 302, 'post'), { body: () => FINANCE_DEPARTMENT }),
  // Search synonyms (issue 18 item 4): the department's table.
  ...rows('GET /api/v1/admin/search-synonyms', only('admin', 200)),
  ...rows('POST /api/v1/admin/search-synonyms', only('admin', 201), { body: (w) => ({ term: `矩阵词${w.unique()}`, synonyms: ['矩阵'] }) }),
  ...rows('PUT /api/v1/admin/search-synonyms/:id', only('admin', 200), { url: async (w) => `/api/v1/admin/search-synonyms/${await synonym(w)}`, body: (w) => ({ term: `矩阵改${w.unique()}`, synonyms: ['矩阵'] }) }),
  ...rows('DELETE /api/v1/admin/search-synonyms/:id', only('admin', 204), { url: async (w) => `/api/v1/admin/search-synonyms/${await synonym(w)}` }),
  ...rows('GET /admin/search-synonyms', only('admin', 200, 'get')),
  ...rows('POST /admin/search-synonyms', only('admin', 302, 'post'), { body: (w) => ({ term: `矩阵页${w.unique()}`, synonyms: '矩阵', twoWay: 'on' }) }),
  ...rows('POST /admin/search-synonyms/:id', only('admin', 302, 'post'), { url: async (w) => `/admin/search-synonyms/${await synonym(w)}`, body: (w) => ({ term: `矩阵页改${w.unique()}`, synonyms: '矩阵' }) }),
  ...rows('POST /admin/search-synonyms/:id/delete', only('admin', 302, 'post'), { url: async (w) => `/admin/search-synonyms/${await synonym(w)}/delete`, body: () => ({}) }),
  ...rows('GET /admin/budgets', only('admin', 200, 'get')),
  ...rows('POST /admin/budgets', only('admin', 302, 'post'), { body: (w) => ({ purchaserId: String(w.purchaserA.id), amount: '100' }) }),
  ...rows('GET /admin/ledger', only('admin', 200, 'get')),

  // ── government first purchase (政府首购): the case's purchasing unit, the vendor named, or the department ──
  ...rows('POST /api/v1/first-purchases', only('purchaser', 201), { body: async (w) => caseBody(await w.product('own')) }),
  ...rows('GET /api/v1/first-purchases', { anonymous: 401, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }),
  ...rows('GET /api/v1/first-purchases/:id', { anonymous: 401, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('notice', (i) => `/api/v1/first-purchases/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  // A draft is its purchasing unit's own until published: the vendor it names does not find it (the department does).
  ...rows('GET /api/v1/first-purchases/:id', { anonymous: 401, purchaser: 200, vendor: 404, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('draft', (i) => `/api/v1/first-purchases/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  // The purchasing unit corrects its own draft (another unit's → 403); no other role writes it.
  ...rows('PATCH /api/v1/first-purchases/:id', only('purchaser', 200), {
    url: fpUrl('draft', (i) => `/api/v1/first-purchases/${i}`),
    body: async (w) => caseBody(await w.product('own')),
    other: { purchaser: 403 },
  }),
  // 成交通知书: the case's parties (the supplier's vendor among them).
  ...rows('GET /api/v1/first-purchases/:id/award-letter', { anonymous: 401, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('awarded', (i) => `/api/v1/first-purchases/${i}/award-letter`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  ...rows('GET /first-purchases/:id/award-letter', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('awarded', (i) => `/first-purchases/${i}/award-letter`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  // The same letter as a PDF (issue 18 item 1): for the same readers.
  ...rows('GET /first-purchases/:id/award-letter.pdf', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('awarded', (i) => `/first-purchases/${i}/award-letter.pdf`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  // Anyone may object during the notice period, without logging in.
  ...rows('POST /api/v1/first-purchases/:id/objections', all(201), { url: fpUrl('notice', (i) => `/api/v1/first-purchases/${i}/objections`), body: () => FP_OBJECTION }),
  ...rows('POST /api/v1/first-purchases/:id/objections/:oid/resolve', only('admin', 200), {
    url: async (w) => {
      const c = await w.fpCase('own', 'objection');
      return `/api/v1/first-purchases/${c.id}/objections/${c.objectionId}/resolve`;
    },
    body: () => ({ upheld: false, opinion: '异议不成立' }),
  }),
  // Setting an objection aside (spam / duplicate) in one action: the department only.
  ...rows('POST /api/v1/first-purchases/:id/objections/:oid/mark', only('admin', 200), {
    url: async (w) => {
      const c = await w.fpCase('own', 'objection');
      return `/api/v1/first-purchases/${c.id}/objections/${c.objectionId}/mark`;
    },
    body: () => ({ disposition: 'spam' }),
  }),
  ...rows('GET /api/v1/notices', all(200)),
  ...rows('GET /api/v1/notices/:id', all(200), { url: async (w) => `/api/v1/notices/${await w.fpNotice()}` }),
  ...rows('GET /notices', all(200)),
  ...rows('GET /notices/:id', all(200), { url: async (w) => `/notices/${await w.fpNotice()}` }),
  // A notice as a PDF (issue 18 item 1): as public as its page.
  ...rows('GET /notices/:id.pdf', all(200), { url: async (w) => `/notices/${await w.fpNotice()}.pdf` }),
  ...rows('POST /notices/:id/objections', all(302), { url: async (w) => `/notices/${await w.fpNotice()}/objections`, body: () => FP_OBJECTION }),
  // A certification round's 公示 among the public notices, with its objection form (issue 15).
  ...rows('GET /api/v1/notices/:id', all(200), { url: async (w) => `/api/v1/notices/${(await w.recRound('notice')).noticeId}` }),
  ...rows('GET /notices/:id', all(200), { url: async (w) => `/notices/${(await w.recRound('notice')).noticeId}` }),
  ...rows('GET /notices/:id.pdf', all(200), { url: async (w) => `/notices/${(await w.recRound('notice')).noticeId}.pdf` }),
  ...rows('POST /notices/:id/objections', all(302), { url: async (w) => `/notices/${(await w.recRound('notice')).noticeId}/objections`, body: () => FP_OBJECTION }),
  ...rows('GET /first-purchases', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }),
  ...rows('GET /first-purchases/new', only('purchaser', 200, 'get')),
  ...rows('POST /first-purchases', only('purchaser', 302, 'post'), { body: async (w) => caseForm(await w.product('own')) }),
  ...rows('GET /first-purchases/:id/edit', only('purchaser', 200, 'get'), { url: fpUrl('draft', (i) => `/first-purchases/${i}/edit`), other: { purchaser: 403 } }),
  ...rows('POST /first-purchases/:id/edit', only('purchaser', 302, 'post'), {
    url: fpUrl('draft', (i) => `/first-purchases/${i}/edit`),
    body: async (w) => caseForm(await w.product('own')),
    other: { purchaser: 403 },
  }),
  ...rows('GET /first-purchases/:id', { anonymous: 302, purchaser: 200, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('notice', (i) => `/first-purchases/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  ...rows('GET /first-purchases/:id', { anonymous: 302, purchaser: 200, vendor: 404, admin: 200, finance: 200, expert: 403 }, {
    url: fpUrl('draft', (i) => `/first-purchases/${i}`),
    other: { purchaser: 403, vendor: 403, admin: 200, finance: 200 },
  }),
  ...rows('POST /first-purchases/:id/objections/:oid/resolve', only('admin', 302, 'post'), {
    url: async (w) => {
      const c = await w.fpCase('own', 'objection');
      return `/first-purchases/${c.id}/objections/${c.objectionId}/resolve`;
    },
    body: () => ({ upheld: false, opinion: '异议不成立' }),
  }),
  ...rows('POST /first-purchases/:id/objections/:oid/mark', only('admin', 302, 'post'), {
    url: async (w) => {
      const c = await w.fpCase('own', 'objection');
      return `/first-purchases/${c.id}/objections/${c.objectionId}/mark`;
    },
    body: () => ({ disposition: 'duplicate', duplicateOf: '' }),
  }),
  ...rows('GET /admin/first-purchases', only('admin', 200, 'get')),
  // ── the finance department's desk (财政部门) ──
  ...rows('GET /api/v1/finance/desk', only('finance', 200)),
  ...rows('GET /finance', only('finance', 200, 'get')),
  // The case's steps, JSON and page: derived from the step table (first-purchase/transitions.ts).
  ...workflowRows(CASE_WORKFLOW, (step) => ({
    object: (w, whose) => w.fpCase(whose, step.name === 'approve' ? 'noticeEnded' : (step.from[0] as FpStage)).then((c) => c.id),
    body: {
      approve: () => ({ opinion: '同意', approvalNo: '财审-1' }),
      negotiate: () => FP_NEGOTIATION,
      contract: fpContract,
      accept: () => ACCEPTANCE,
      withdraw: () => ({ reason: '需求变更' }),
      terminate: () => ({ cause: 'conditions_changed', explanation: '需求变更' }),
    }[step.name],
  })),

  // ── the certification lifecycle (认定): the list, the pool, applications, reviews, rounds, awards ──
  ...rows('GET /api/v1/indicator-list', all(200)),
  ...rows('POST /api/v1/admin/indicator-list', only('admin', 201), { body: () => LIST_ENTRY }),
  ...rows('GET /api/v1/admin/indicator-list/:id', only('admin', 200), { url: id((w) => w.recEntry(), (i) => `/api/v1/admin/indicator-list/${i}`) }),
  ...rows('PATCH /api/v1/admin/indicator-list/:id', only('admin', 200), { url: id((w) => w.recEntry(), (i) => `/api/v1/admin/indicator-list/${i}`), body: () => LIST_ENTRY }),
  ...rows('GET /api/v1/admin/experts', only('admin', 200)),
  ...rows('POST /api/v1/admin/experts', only('admin', 201), { body: () => ({ name: '矩阵专家', unit: '某院', title: '教授', fields: ['船舶'] }) }),
  ...rows('GET /api/v1/admin/experts/:id', only('admin', 200), { url: id((w) => w.recPool(), (i) => `/api/v1/admin/experts/${i}`) }),
  ...rows('PATCH /api/v1/admin/experts/:id', only('admin', 200), { url: id((w) => w.recPool(), (i) => `/api/v1/admin/experts/${i}`), body: () => ({ title: '研究员' }) }),
  ...rows('POST /api/v1/admin/experts/:id/active', only('admin', 200), { url: id((w) => w.recPool(), (i) => `/api/v1/admin/experts/${i}/active`), body: () => ({ active: true }) }),
  ...rows('POST /api/v1/vendor/applications', only('vendor', 201), { body: () => applicationBody() }),
  ...rows('GET /api/v1/vendor/applications', { ...only('vendor', 200), admin: 200, expert: 200 }, { url: async (w) => (await w.recPool(), '/api/v1/vendor/applications') }),
  // The applicant corrects its own draft (another vendor's: 403).
  ...rows('PATCH /api/v1/vendor/applications/:id', only('vendor', 200), {
    url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/api/v1/vendor/applications/${i}`),
    body: () => applicationBody(),
    other: { vendor: 403 },
  }),
  ...rows('GET /api/v1/admin/applications', only('admin', 200)),
  // The vendor its own (another's: 403), the department any, an expert only what was drawn to them (else 403).
  ...rows('GET /api/v1/applications/:id', { anonymous: 401, purchaser: 403, vendor: 200, admin: 200, finance: 403, expert: 200 }, {
    url: id((w, whose) => w.recApp(whose, 'expert_review', whose === 'other' ? 'none' : 'assigned'), (i) => `/api/v1/applications/${i}`),
    other: { vendor: 403, admin: 200, expert: 403 },
  }),
  // Attachments: the applicant adds to and removes from its draft (another's: 403); the file is read by whoever may
  // read the application (the applicant, the department, an expert drawn to it; another expert 403).
  ...rows('POST /api/v1/vendor/applications/:id/attachments', only('vendor', 201), {
    url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/api/v1/vendor/applications/${i}/attachments`),
    body: () => ({ kind: 'test_report' }),
    file: { name: 'report.pdf', data: () => Buffer.from('%PDF-1.4\n%%EOF\n') },
    other: { vendor: 403 },
  }),
  ...rows('DELETE /api/v1/vendor/applications/:id/attachments/:aid', only('vendor', 200), {
    url: async (w, whose) => {
      const f = await w.recFile(whose, 'draft');
      return `/api/v1/vendor/applications/${f.app}/attachments/${f.file}`;
    },
    other: { vendor: 403 },
  }),
  ...rows('GET /api/v1/applications/:id/attachments/:aid', { anonymous: 401, purchaser: 403, vendor: 200, admin: 200, finance: 403, expert: 200 }, {
    url: async (w, whose) => {
      const f = await w.recFile(whose, 'expert_review', whose === 'other' ? 'none' : 'assigned');
      return `/api/v1/applications/${f.app}/attachments/${f.file}`;
    },
    other: { vendor: 403, admin: 200, expert: 403 },
  }),
  ...rows('POST /vendor/applications/:id/attachments', only('vendor', 302, 'post'), {
    url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/vendor/applications/${i}/attachments`),
    body: () => ({ kind: 'ip' }),
    file: { name: 'patent.pdf', data: () => Buffer.from('%PDF-1.4\n%%EOF\n') },
    other: { vendor: 403 },
  }),
  ...rows('POST /vendor/applications/:id/attachments/:aid/delete', only('vendor', 302, 'post'), {
    url: async (w, whose) => {
      const f = await w.recFile(whose, 'draft');
      return `/vendor/applications/${f.app}/attachments/${f.file}/delete`;
    },
    other: { vendor: 403 },
  }),
  // Submit (vendor), screen, draw, recommend (admin), JSON and page: derived from the tables (recognition/transitions.ts).
  ...workflowRows(VENDOR_APPLICATION, () => ({ object: (w, whose) => w.recApp(whose, 'draft') })),
  ...workflowRows(ADMIN_APPLICATION, (step) => ({
    object: (w, whose) => w.recApp(whose, step.from[0]!, step.name === 'recommend' ? 'scored' : step.name === 'top_up' ? 'assigned' : 'none'),
    body: { screen: () => ({ passed: true, opinion: '齐全' }), experts: () => ({ count: 3 }) }[step.name],
  })),
  ...rows('GET /api/v1/expert/reviews', only('expert', 200), { url: async (w) => (await w.recPool(), '/api/v1/expert/reviews') }),
  ...rows('POST /api/v1/expert/reviews/:applicationId', only('expert', 200), {
    url: id((w) => w.recApp('own', 'expert_review', 'assigned'), (i) => `/api/v1/expert/reviews/${i}`),
    body: () => ({ score: 80, recommendLevel: 'domestic', opinion: '好' }),
  }),
  ...rows('GET /api/v1/admin/certification-rounds', only('admin', 200)),
  ...rows('POST /api/v1/admin/certification-rounds', only('admin', 201), { body: async (w) => ({ year: 2026, applicationIds: [await w.recApp('own', 'recommended')] }) }),
  ...rows('GET /api/v1/admin/certification-rounds/:id', only('admin', 200), { url: async (w) => `/api/v1/admin/certification-rounds/${(await w.recRound('notice')).id}` }),
  ...rows('POST /api/v1/admin/certification-rounds/:id/finalize', only('admin', 200), { url: async (w) => `/api/v1/admin/certification-rounds/${(await w.recRound('ended')).id}/finalize` }),
  ...rows('POST /api/v1/admin/certification-rounds/:id/objections/:oid/resolve', only('admin', 200), {
    url: async (w) => {
      const r = await w.recRound('notice');
      return `/api/v1/admin/certification-rounds/${r.id}/objections/${r.objectionId}/resolve`;
    },
    body: () => ({ upheld: false, opinion: '不成立' }),
  }),
  ...rows('POST /api/v1/certification-rounds/:id/objections', all(201), {
    url: async (w) => `/api/v1/certification-rounds/${(await w.recRound('notice')).id}/objections`,
    body: () => ({ name: '矩阵异议人', organization: '某单位', contact: '1', content: '异议' }),
  }),
  ...rows('GET /api/v1/certification-notices', all(200)),
  ...rows('GET /api/v1/certification-notices/:id', all(200), { url: async (w) => `/api/v1/certification-notices/${(await w.recRound('notice')).noticeId}` }),
  ...rows('GET /api/v1/admin/certification-awards', only('admin', 200)),
  ...rows('POST /api/v1/admin/certification-awards', only('admin', 200), { body: () => ({ international: '4600000', domestic: '1000000', provincial: '200000' }) }),
  ...rows('GET /api/v1/finance/awards', only('finance', 200)),
  ...rows('POST /api/v1/finance/awards/:id/pay', only('finance', 200), { url: id((w) => w.recAward(), (i) => `/api/v1/finance/awards/${i}/pay`) }),
  // pages
  ...rows('GET /indicator-list', all(200)),
  ...rows('GET /certification-notices/:id', all(301), { url: async (w) => `/certification-notices/${(await w.recRound('notice')).noticeId}` }),
  ...rows('GET /vendor/applications', only('vendor', 200, 'get')),
  ...rows('POST /vendor/applications', only('vendor', 302, 'post'), {
    body: () => ({ productName: '矩阵页面申请', model: 'MX', kind: 'equipment', field: '数控机床', levelClaimed: 'provincial', listEntryId: '', indicators: '主轴转速 = 1', description: '说明' }),
  }),
  ...rows('GET /vendor/applications/:id', only('vendor', 200, 'get'), { url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/vendor/applications/${i}`), other: { vendor: 403 } }),
  ...rows('GET /vendor/applications/:id/edit', only('vendor', 200, 'get'), { url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/vendor/applications/${i}/edit`), other: { vendor: 403 } }),
  ...rows('POST /vendor/applications/:id/edit', only('vendor', 302, 'post'), {
    url: id((w, whose) => w.recApp(whose, 'draft'), (i) => `/vendor/applications/${i}/edit`),
    body: () => ({ productName: '矩阵页面申请', model: 'MX2', kind: 'equipment', field: '数控机床', levelClaimed: 'provincial', listEntryId: '', indicators: '主轴转速 = 2', description: '改正' }),
    other: { vendor: 403 },
  }),
  ...rows('GET /admin/applications', only('admin', 200, 'get')),
  ...rows('GET /admin/applications/:id', only('admin', 200, 'get'), { url: id((w) => w.recApp('other', 'submitted'), (i) => `/admin/applications/${i}`) }),
  ...rows('POST /admin/certification-rounds', only('admin', 302, 'post'), { body: async (w) => ({ year: '2026', applicationIds: String(await w.recApp('own', 'recommended')) }) }),
  ...rows('POST /admin/certification-rounds/:id/finalize', only('admin', 302, 'post'), { url: async (w) => `/admin/certification-rounds/${(await w.recRound('ended')).id}/finalize` }),
  ...rows('GET /expert', only('expert', 200, 'get'), { url: async (w) => (await w.recPool(), '/expert') }),
  ...rows('GET /expert/reviews/:applicationId', only('expert', 200, 'get'), { url: id((w) => w.recApp('own', 'expert_review', 'assigned'), (i) => `/expert/reviews/${i}`) }),
  ...rows('POST /expert/reviews/:applicationId', only('expert', 302, 'post'), {
    url: id((w) => w.recApp('own', 'expert_review', 'assigned'), (i) => `/expert/reviews/${i}`),
    body: () => ({ score: '80', recommendLevel: 'domestic', opinion: '好' }),
  }),
  ...rows('GET /finance/awards', only('finance', 200, 'get')),
  // Ticked, as the page's form is sent (the payment asks for the tick beside its button).
  ...rows('POST /finance/awards/:id/pay', only('finance', 302, 'post'), { url: id((w) => w.recAward(), (i) => `/finance/awards/${i}/pay`), body: () => ({ _confirm: 'on' }) }),
  // the department's pool, list, round and statistics pages (issue 15 items 2, 3, 8)
  ...rows('GET /api/v1/admin/certification-stats', only('admin', 200), { url: () => '/api/v1/admin/certification-stats?year=2026' }),
  ...rows('GET /admin/certification-stats', only('admin', 200, 'get')),
  ...rows('GET /admin/experts', only('admin', 200, 'get')),
  ...rows('POST /admin/experts', only('admin', 302, 'post'), { body: () => ({ name: '矩阵页面专家', unit: '某院', title: '教授', fields: '船舶' }) }),
  ...rows('GET /admin/experts/:id', only('admin', 200, 'get'), { url: id((w) => w.recPool(), (i) => `/admin/experts/${i}`) }),
  ...rows('POST /admin/experts/:id', only('admin', 302, 'post'), { url: id((w) => w.recPool(), (i) => `/admin/experts/${i}`), body: () => ({ name: '甲', unit: '矩阵研究院甲', title: '研究员', fields: '数控机床' }) }),
  ...rows('POST /admin/experts/:id/active', only('admin', 302, 'post'), { url: id((w) => w.recPool(), (i) => `/admin/experts/${i}/active`), body: () => ({ active: 'true' }) }),
  ...rows('GET /admin/indicator-list', only('admin', 200, 'get')),
  ...rows('POST /admin/indicator-list', only('admin', 302, 'post'), { body: () => ({ year: '2026', field: '数控机床', product: '矩阵页面清单', ind_name: '主轴转速', ind_comparator: '>=', ind_threshold: '1', ind_unit: 'r/min' }) }),
  ...rows('GET /admin/indicator-list/:id', only('admin', 200, 'get'), { url: id((w) => w.recEntry(), (i) => `/admin/indicator-list/${i}`) }),
  ...rows('POST /admin/indicator-list/:id', only('admin', 302, 'post'), {
    url: id((w) => w.recEntry(), (i) => `/admin/indicator-list/${i}`),
    body: () => ({ year: '2026', field: '数控机床', product: '矩阵清单产品', ind_name: '主轴转速', ind_comparator: '>=', ind_threshold: '2', ind_unit: 'r/min' }),
  }),
  ...rows('GET /admin/certification-rounds/:id', only('admin', 200, 'get'), { url: async (w) => `/admin/certification-rounds/${(await w.recRound('notice')).id}` }),
  ...rows('POST /admin/certification-rounds/:id/objections/:oid/resolve', only('admin', 302, 'post'), {
    url: async (w) => {
      const r = await w.recRound('notice');
      return `/admin/certification-rounds/${r.id}/objections/${r.objectionId}/resolve`;
    },
    body: () => ({ upheld: false, opinion: '不成立' }),
  }),

  // ── insurance compensation (保险补偿): rules, claims, 初审, 联审, payout, national records ──
  ...rows('GET /api/v1/insurance-rules', all(200)),
  ...rows('POST /api/v1/admin/insurance-rules', only('admin', 201), { body: (w) => w.insRuleInput() }),
  ...rows('GET /api/v1/admin/insurance-rules/:id', only('admin', 200), { url: id((w) => w.insRule(), (i) => `/api/v1/admin/insurance-rules/${i}`) }),
  ...rows('PATCH /api/v1/admin/insurance-rules/:id', only('admin', 200), { url: id((w) => w.insRule(), (i) => `/api/v1/admin/insurance-rules/${i}`), body: (w) => w.insRuleInput() }),
  ...rows('POST /api/v1/vendor/insurance-claims/preview', only('vendor', 200), { body: (w) => w.insClaimInput() }),
  ...rows('POST /api/v1/vendor/insurance-claims', only('vendor', 201), { body: (w) => w.insClaimInput() }),
  ...rows('GET /api/v1/vendor/insurance-claims', only('vendor', 200)),
  ...rows('GET /api/v1/admin/insurance-claims', only('admin', 200)),
  ...rows('GET /api/v1/finance/insurance-claims', only('finance', 200)),
  // The vendor its own (another's: 403), the department and finance any.
  ...rows('GET /api/v1/insurance-claims/:id', { anonymous: 401, purchaser: 403, vendor: 200, admin: 200, finance: 200, expert: 403 }, {
    url: id((w, whose) => w.insClaim(whose, 'submitted'), (i) => `/api/v1/insurance-claims/${i}`),
    other: { vendor: 403, admin: 200, finance: 200 },
  }),
  // Submit and correct (vendor), 初审 (admin), 联审 and payout (finance), JSON and page: from the tables (insurance/transitions.ts).
  ...workflowRows(VENDOR_CLAIM, (step) => ({ object: (w, whose) => w.insClaim(whose, step.name === 'correct' ? 'rejected' : 'draft'), body: step.input ? (w) => w.insClaimInput() : undefined })),
  ...workflowRows(ADMIN_CLAIM, () => ({ object: (w, whose) => w.insClaim(whose, 'submitted'), body: () => ({ passed: true, opinion: '材料齐全' }) })),
  ...workflowRows(FINANCE_CLAIM, (step) => ({ object: (w, whose) => w.insClaim(whose, step.from[0]!), body: step.input ? () => ({ passed: true, opinion: '同意' }) : undefined })),
  ...rows('GET /api/v1/admin/national-insurance', only('admin', 200)),
  ...rows('POST /api/v1/admin/national-insurance', only('admin', 201), { body: () => ({ year: 2020, projectName: '矩阵国家项目', enterpriseName: '矩阵企业', insuredValue: '100000000', subsidy: '2000000' }) }),
  // pages
  ...rows('GET /vendor/insurance-claims', only('vendor', 200, 'get')),
  ...rows('POST /vendor/insurance-claims', only('vendor', 302, 'post'), { body: (w) => ({ ...w.insClaimInput(), policyYear: '1', unitOrdinal: '1', nationalSubsidy: 'false', action: 'save' }) }),
  ...rows('GET /vendor/insurance-claims/:id', only('vendor', 200, 'get'), { url: id((w, whose) => w.insClaim(whose, 'draft'), (i) => `/vendor/insurance-claims/${i}`), other: { vendor: 403 } }),
  ...rows('GET /admin/insurance-claims', only('admin', 200, 'get')),
  ...rows('GET /admin/insurance-claims/:id', only('admin', 200, 'get'), { url: id((w) => w.insClaim('other', 'submitted'), (i) => `/admin/insurance-claims/${i}`) }),
  ...rows('GET /finance/insurance-claims', only('finance', 200, 'get')),
  ...rows('GET /finance/insurance-claims/:id', only('finance', 200, 'get'), { url: id((w) => w.insClaim('other', 'joint_review'), (i) => `/finance/insurance-claims/${i}`) }),
  ...rows('GET /admin/insurance-rules', only('admin', 200, 'get')),
  ...rows('POST /admin/insurance-rules', only('admin', 302, 'post'), { body: (w) => w.insRuleInput() }),
  ...rows('POST /admin/insurance-rules/:id', only('admin', 302, 'post'), { url: id((w) => w.insRule(), (i) => `/admin/insurance-rules/${i}`), body: (w) => w.insRuleInput() }),
  ...rows('GET /admin/national-insurance', only('admin', 200, 'get')),
  ...rows('POST /admin/national-insurance', only('admin', 302, 'post'), { body: () => ({ year: '2020', projectName: '矩阵国家项目', enterpriseName: '矩阵企业', units: '1', insuredValue: '100000000', subsidy: '2000000' }) }),
  // The statistics of paid claims: the department and finance (API.md puts them under /admin).
  ...rows('GET /api/v1/admin/insurance-stats', { ...only('admin', 200), finance: 200 }, { url: () => '/api/v1/admin/insurance-stats?year=2020&groupBy=city' }),
  ...rows('GET /admin/insurance-stats', { ...only('admin', 200, 'get'), finance: 200 }, { url: () => '/admin/insurance-stats?year=2020&groupBy=field' }),

  // ── statistics: the department only; the public summary for everyone ──
  ...rows('GET /api/v1/admin/stats', only('admin', 200), { url: () => '/api/v1/admin/stats?from=2026-01-01&to=2026-12-31&groupBy=vendor' }),
  ...rows('GET /api/v1/admin/stats/export', only('admin', 200), { url: () => '/api/v1/admin/stats/export?format=csv' }),
  ...rows('GET /admin/stats', only('admin', 200, 'get'), { url: () => '/admin/stats?from=2026-01-01&to=2026-12-31' }),
  ...rows('GET /admin/stats/export', only('admin', 200, 'get'), { url: () => '/admin/stats/export?format=xlsx' }),
  ...rows('GET /api/v1/stats/summary', all(200)),
  ...rows('GET /stats', all(200)),
  // ── the year report (issue 16 item 5): public ──
  ...rows('GET /api/v1/reports/:year', all(200), { url: () => '/api/v1/reports/2020' }),
  ...rows('GET /reports/:year', all(200), { url: () => '/reports/2020' }),
  // Its downloads (the same routes): the CSV and the XLSX, public like the page.
  ...rows('GET /api/v1/reports/:year', all(200), { url: () => '/api/v1/reports/2020?format=xlsx' }),
  ...rows('GET /reports/:year', all(200), { url: () => '/reports/2020?format=csv' }),

  // ── integration (issue 17): the events feed and webhooks are the department's; the Atom feed and intentions public ──
  ...rows('GET /api/v1/events', only('admin', 200)),
  ...rows('GET /notices.atom', all(200)),
  ...rows('POST /api/v1/admin/webhooks', only('admin', 201), { body: () => WEBHOOK }),
  ...rows('GET /api/v1/admin/webhooks', only('admin', 200)),
  ...rows('GET /api/v1/admin/webhooks/:id', only('admin', 200), { url: id(webhook, (i) => `/api/v1/admin/webhooks/${i}`) }),
  ...rows('GET /api/v1/admin/webhooks/:id/deliveries', only('admin', 200), { url: id(webhook, (i) => `/api/v1/admin/webhooks/${i}/deliveries`) }),
  ...rows('POST /api/v1/admin/webhooks/:id/deliveries/:did/redeliver', only('admin', 200), { url: async (w) => `/api/v1/admin/webhooks/${await deadLetter(w)}/redeliver` }),
  ...rows('GET /admin/webhooks', only('admin', 200, 'get')),
  ...rows('POST /admin/webhooks', only('admin', 302, 'post'), { body: () => ({ ...WEBHOOK, events: '*' }) }),
  ...rows('GET /admin/webhooks/:id', only('admin', 200, 'get'), { url: id(webhook, (i) => `/admin/webhooks/${i}`) }),
  ...rows('POST /admin/webhooks/:id/deliveries/:did/redeliver', only('admin', 302, 'post'), { url: async (w) => `/admin/webhooks/${await deadLetter(w)}/redeliver` }),
  ...rows('POST /api/v1/purchase-intentions', only('purchaser', 201), { body: () => INTENTION }),
  ...rows('POST /purchase-intentions', only('purchaser', 302, 'post'), { body: () => INTENTION }),
  ...rows('GET /api/v1/purchase-intentions', all(200)),
  ...rows('GET /purchase-intentions', all(200)),
  ...rows('GET /api/v1/purchase-intentions/:id', all(200), { url: id(intention, (i) => `/api/v1/purchase-intentions/${i}`) }),
  ...rows('GET /purchase-intentions/:id', all(200), { url: id(intention, (i) => `/purchase-intentions/${i}`) }),
  ...rows('GET /api/v1/admin/settings/purchase-intentions', only('admin', 200)),
  ...rows('POST /api/v1/admin/settings/purchase-intentions', only('admin', 200), { body: () => ({ required: false }) }),
  ...rows('POST /admin/settings/purchase-intentions', only('admin', 302, 'post'), { body: () => ({ minDays: '30' }) }),
  ...rows('GET /notices.atom', all(200), { url: () => '/notices.atom?type=certification' }),
  // Public open data; past the last event there is nothing new: 204.
  ...rows('GET /api/v1/ocds/releases', all(204), { url: () => '/api/v1/ocds/releases?after=2147483647&pageSize=5' }),
  ...rows('GET /api/v1/admin/settings/ocds', only('admin', 200)),
  ...rows('POST /api/v1/admin/settings/ocds', only('admin', 200), { body: () => ({ ocidPrefix: 'ocds-zjsttx' }) }),
];

/**
 * Registered routes whose rows their module's owner has yet to write. Remove a line when you add its rows; the
 * coverage test fails for a registered route that is in neither list, and for a line here whose route has rows.
 */
export const PENDING: string[] = [];

/** Every (method, path) the app's routers register, read from the @koa/router stacks in the middleware chain. */
export function registeredRoutes(app: Marketplace): string[] {
  const out = new Set<string>();
  for (const mw of app.middleware as Array<{ router?: { stack: Array<{ methods: string[]; path: string | RegExp }> } }>) {
    for (const layer of mw.router?.stack ?? []) {
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${String(layer.path)}`);
    }
  }
  return [...out];
}

async function run(w: World, row: MatrixRow): Promise<{ status: number; text: string }> {
  const [method, path] = row.route.split(' ') as [string, string];
  const url = row.url ? await row.url(w, row.whose) : path;
  const body = row.body ? await row.body(w, row.whose) : undefined;
  const verb = method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  if (path.startsWith('/api/')) {
    let req = w.t.http[verb](url);
    const token = row.freshSession && row.role !== 'anonymous' ? await bearer(w.t.http, w.usernames[row.role]) : w.tokens[row.role];
    if (token) req = req.set('Authorization', token);
    if (row.file) {
      for (const [k, v] of Object.entries(body ?? {})) req = req.field(k, String(v));
      req = req.attach(row.file.field ?? 'file', row.file.data(w), row.file.name);
    } else if (body) req = req.send(body);
    const res = await req;
    return { status: res.status, text: res.text };
  }
  const agent = row.freshSession ? await w.session(row.role) : w.agents[row.role];
  if (verb === 'get') {
    const res = await agent.get(url);
    return { status: res.status, text: res.text };
  }
  const csrf = await csrfFor(agent);
  let req = agent[verb](url);
  if (row.file) {
    req = req.field('_csrf', csrf);
    for (const [k, v] of Object.entries(body ?? {})) req = req.field(k, String(v));
    req = req.attach(row.file.field ?? 'file', row.file.data(w), row.file.name);
  }
  else req = req.type('form').send({ ...Object.fromEntries(Object.entries(body ?? {}).filter(([, v]) => v !== undefined)), _csrf: csrf });
  const res = await req;
  return { status: res.status, text: res.text };
}

describe('access-control matrix', function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let w: World;

  before(async () => {
    const t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    w = new World(ctx.db, t);
    await w.setup();
  });

  it('every registered route has rows (or is listed as pending), and every row names a registered route', () => {
    const registered = registeredRoutes(w.app);
    const covered = new Set(ROWS.map((r) => r.route));
    const pending = new Set(PENDING);
    assert.deepEqual(
      registered.filter((r) => !covered.has(r) && !pending.has(r)),
      [],
      'routes without a row: add rows to ROWS in test/http/access-matrix.test.ts',
    );
    assert.deepEqual([...covered].filter((r) => !registered.includes(r)), [], 'rows for routes that do not exist');
    assert.deepEqual([...pending].filter((r) => covered.has(r)), [], 'routes both in PENDING and in ROWS: remove them from PENDING');
  });

  it('every route with rows has a row for each role', () => {
    const missing: string[] = [];
    for (const route of new Set(ROWS.map((r) => r.route))) {
      for (const role of ROLES) if (!ROWS.some((r) => r.route === route && r.role === role)) missing.push(`${route} × ${role}`);
    }
    assert.deepEqual(missing, []);
  });

  // One test per part of the app (its routes' first segments), so that each stays well within its time even on a
  // busy machine, and a failure names the part.
  for (const [part, rows] of partsOf(ROWS)) {
    it(`each row of ${part} answers with the expected status, and another’s object is never shown (${rows.length} rows)`, async () => {
      const failures: string[] = [];
      for (const row of rows) {
        const { status, text } = await run(w, row);
        const ok = Array.isArray(row.expect) ? (row.expect as number[]).includes(status) : status === row.expect;
        if (!ok) failures.push(`${row.route} as ${row.role} (${row.whose}): expected ${String(row.expect)}, got ${status} ${text.slice(0, 160)}`);
        if (row.whose === 'other' && status >= 400 && text.includes('SECRET-B')) failures.push(`${row.route} as ${row.role}: leaked another's data`);
      }
      assert.deepEqual(failures, []);
    });
  }
});

/** Rows by part of the app: `/api/v1/orders`, `/api/v1/admin/settings`, `/admin/experts`, `/notices`, … in route order. */
function partsOf(rows: MatrixRow[]): Map<string, MatrixRow[]> {
  const parts = new Map<string, MatrixRow[]>();
  for (const row of rows) {
    const segments = (row.route.split(' ')[1] ?? '').split('/').filter(Boolean);
    const api = segments[0] === 'api' ? 2 : 0;
    const depth = api + (segments[api] === 'admin' ? 2 : 1);
    const part = `/${segments.slice(0, depth).filter((x) => !x.startsWith(':')).join('/')}`;
    parts.set(part, [...(parts.get(part) ?? []), row]);
  }
  return parts;
}
