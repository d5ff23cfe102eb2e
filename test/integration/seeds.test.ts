import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import { verifyPassword } from '../../src/auth/passwords';
import { SearchQuery } from '../../src/catalogue/schema';
import { productSearchText } from '../../src/search-text';
import { CatalogueService } from '../../src/catalogue/service';
import { FakeClock } from '../../src/clock';
import { isValidCreditCode } from '../../src/credit-code';
import type { Db } from '../../src/db';
import { CITIES, FIELDS, KINDS, LEVELS, PRODUCT_KINDS, PURCHASER_TYPES } from '../../src/domain';
import { parseInput } from '../../src/web/validate';
import { DEMO_PASSWORD, DEMO_TODAY, loadDemoDataIfEmpty, seed } from '../../seeds/demo';
import { DEMO_EXPERTS } from '../../seeds/demo-recognition';
import { DEMO_LOAD_TIMEOUT, ENGINE } from '../helpers/db';
import { useDemoDb } from '../helpers/demo-db';

const log = pino({ level: 'silent' });
const TABLES = ['purchasers', 'vendors', 'certifications', 'products', 'users'] as const;
const NAMED = [
  '智能遥控中深孔钻机',
  '高能颚式破碎机',
  '70英尺双体动力豪华游艇',
  '五轴数控卧式侧拉床',
  'CH-4 中航时固定翼无人机航空应急测绘系统',
  '血液透析用中空纤维膜自动纺丝线',
  '全自动流式荧光化学发光一体化分析系统',
  '64排CT',
  '1.5T MR',
];

interface Cert {
  id: number;
  cert_no: string;
  enterprise_name: string;
  credit_code: string;
  kind: string;
  level: string;
  field: string;
  year: number;
  valid_until: string;
  status: string;
  revoked_reason: string | null;
  indicators: string;
  demo: number | boolean;
  created_at: string;
}
interface Vendor {
  id: number;
  name: string;
  credit_code: string;
  city: string;
  status: string;
  demo: number | boolean;
}
interface Product {
  id: number;
  vendor_id: number;
  cert_id: number | null;
  boutique: number | boolean;
  boutique_evidence: string | null;
  title: string;
  model: string;
  description: string;
  field: string;
  kind: string;
  level: string | null;
  city: string;
  price_fen: number;
  stock: number;
  status: string;
  review_reason: string | null;
  search_text: string;
  demo: number | boolean;
  created_at: string;
  delist_cause?: string | null;
}

const demoClock = (): FakeClock => {
  const clock = new FakeClock();
  clock.set(new Date(`${DEMO_TODAY}T02:00:00.000Z`), { freeze: true });
  return clock;
};

// DESIGN §7: the demo expert pool's members log in as expert1 … expertN.
const DEMO_ACCOUNTS = ['admin', 'finance', 'purchaser', 'purchaser2', 'vendor', 'vendor2', ...Array.from({ length: DEMO_EXPERTS }, (_, i) => `expert${i + 1}`)];

async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await db(t).count<{ n: number }[]>({ n: '*' }).first())?.n ?? 0);
  return out;
}

describe(`demo data seed (${ENGINE})`, function () {
  this.timeout(DEMO_LOAD_TIMEOUT);
  // The demo data as loadDemoDataIfEmpty wrote it into an empty database at the demo's clock (it answered true), once
  // per test run: a copy (test/helpers/demo-db.ts). The only other full load of a pass is `npm start`'s first start
  // (test/e2e/first-start.test.ts), which is compared with it.
  const ctx = useDemoDb();
  let certs: Cert[];
  let vendors: Vendor[];
  let products: Product[];

  before(async () => {
    certs = await ctx.db('certifications').select('*').orderBy('id');
    vendors = await ctx.db('vendors').select('*').orderBy('id');
    products = await ctx.db('products').select('*').orderBy('id');
  });

  it('reproduces the 2020 report: 216 首台（套）装备 certificates, 2 international and 30 domestic; materials and software apart', async () => {
    const rows: Array<{ level: string; n: number }> = await ctx.db('certifications').where({ year: 2020, kind: 'equipment' }).select('level').count({ n: '*' }).groupBy('level');
    const by = Object.fromEntries(rows.map((r) => [r.level, Number(r.n)]));
    assert.deepEqual(by, { international: 2, domestic: 30, provincial: 184 });
    // Materials and software came into scope in October 2020: only in that year's second batch.
    const others = certs.filter((c) => c.year === 2020 && c.kind !== 'equipment');
    assert.deepEqual([...new Set(others.map((c) => c.kind))].sort(), ['material', 'software']);
    assert.ok(others.every((c) => String(c.created_at) >= '2020-10'), 'issued after October 2020');
    assert.equal(certs.filter((c) => c.year < 2020 && c.kind !== 'equipment').length, 0);
  });

  it('grows toward the 2025 target: at least 1,200 new certificates and 15 international ones over 2021–2025', () => {
    const span = certs.filter((c) => c.year >= 2021 && c.year <= 2025 && c.kind === 'equipment');
    assert.ok(span.length >= 1200, `${span.length} equipment certificates 2021–2025`);
    assert.ok(span.filter((c) => c.level === 'international').length >= 15);
    // A plausible series: no year of equipment certificates changes by more than a fifth on the year before.
    const per = (y: number) => certs.filter((c) => c.year === y && c.kind === 'equipment').length;
    for (let y = 2017; y <= 2026; y++) assert.ok(Math.abs(per(y) - per(y - 1)) <= per(y - 1) / 5, `${y}: ${per(y - 1)} → ${per(y)}`);
  });

  it('has certificates of other years, with expired and revoked ones, and plenty valid on the demo day', () => {
    const years = new Set(certs.map((c) => c.year));
    for (let y = 2016; y <= 2026; y++) assert.ok(years.has(y), `year ${y}`);
    const expired = certs.filter((c) => c.status === 'expired');
    const revoked = certs.filter((c) => c.status === 'revoked');
    const valid = certs.filter((c) => c.status === 'valid');
    assert.ok(expired.length >= 20 && expired.every((c) => c.valid_until < DEMO_TODAY));
    assert.ok(revoked.length >= 5 && revoked.every((c) => (c.revoked_reason ?? '').length > 0));
    assert.ok(valid.every((c) => c.valid_until >= DEMO_TODAY));
    assert.ok(valid.length >= 200, `${valid.length} valid`);
    assert.ok(certs.filter((c) => c.year === 2020 && c.status === 'valid').length >= 80, 'a good share of 2020 certificates is still valid');
    assert.equal(new Set(certs.map((c) => c.cert_no)).size, certs.length);
    for (const c of certs) {
      assert.match(c.cert_no, new RegExp(`^ZJ-(STT|SPC|SBC)-${c.year}-\\d{4}$`));
      const ind = JSON.parse(c.indicators) as unknown;
      assert.ok(Array.isArray(ind) && ind.length > 0 && ind.every((s) => typeof s === 'string' && s.length > 0), c.cert_no);
      assert.ok(Boolean(c.demo));
    }
  });

  it('covers every city, field, level, kind and purchaser type', async () => {
    const approved = products.filter((p) => p.status === 'approved');
    const cities = CITIES.map((c) => c.name).sort();
    assert.deepEqual([...new Set(vendors.map((v) => v.city))].sort(), cities);
    assert.deepEqual([...new Set(approved.map((p) => p.city))].sort(), cities);
    const vendorCity = new Map(vendors.map((v) => [v.credit_code, v.city]));
    assert.deepEqual([...new Set(certs.map((c) => vendorCity.get(c.credit_code)))].sort(), cities);
    const purchasers: Array<{ city: string; type: string }> = await ctx.db('purchasers').select('city', 'type');
    assert.deepEqual([...new Set(purchasers.map((p) => p.city))].sort(), cities);
    assert.deepEqual([...new Set(purchasers.map((p) => p.type))].sort(), [...PURCHASER_TYPES].sort());
    for (const rows of [certs, approved]) assert.deepEqual([...new Set(rows.map((r) => r.field))].sort(), FIELDS.map((f) => f.name).sort());
    // Certificates are of the three first-unit kinds; a listing has its certificate's kind, or `boutique` without one.
    assert.deepEqual([...new Set(certs.map((r) => r.kind))].sort(), [...KINDS].sort());
    assert.deepEqual([...new Set(approved.map((r) => r.kind))].sort(), [...PRODUCT_KINDS].sort());
    assert.deepEqual([...new Set(products.filter((p) => p.cert_id === null).map((p) => p.kind))], ['boutique'], 'an uncertified item has no first-unit kind');
    assert.deepEqual([...new Set(certs.map((c) => c.level))].sort(), [...LEVELS].sort());
    assert.deepEqual([...new Set(approved.map((p) => p.level).filter(Boolean))].sort(), [...LEVELS].sort());
  });

  it('gives every party a valid 统一社会信用代码 of its city', async () => {
    const purchasers: Array<{ credit_code: string; city: string; demo: number | boolean }> = await ctx.db('purchasers').select('credit_code', 'city', 'demo');
    const division = new Map(CITIES.map((c) => [c.name as string, c.division as string]));
    for (const p of [...purchasers, ...vendors]) {
      assert.ok(isValidCreditCode(p.credit_code), p.credit_code);
      assert.equal(p.credit_code.slice(2, 8), division.get(p.city), p.credit_code);
      assert.ok(Boolean(p.demo));
    }
    for (const c of certs) assert.ok(isValidCreditCode(c.credit_code), c.credit_code);
  });

  it('issues every certificate to a vendor, and lists first-unit products only against the vendor’s own', () => {
    const byCode = new Map(vendors.map((v) => [v.credit_code, v]));
    for (const c of certs) assert.equal(byCode.get(c.credit_code)?.name, c.enterprise_name, c.cert_no);
    const certById = new Map(certs.map((c) => [c.id, c]));
    const vendorById = new Map(vendors.map((v) => [v.id, v]));
    for (const p of products) {
      const v = vendorById.get(p.vendor_id)!;
      assert.equal(p.city, v.city);
      assert.equal(v.status, 'approved', `${p.title}: listed by a vendor that is not approved`);
      const c = p.cert_id === null ? null : certById.get(p.cert_id)!;
      if (c) {
        assert.equal(c.credit_code, v.credit_code, `${p.title}: certificate of another vendor`);
        assert.deepEqual([p.level, p.kind, p.field], [c.level, c.kind, c.field]);
        if (p.status === 'approved' || p.status === 'pending_review') assert.equal(c.status, 'valid', `${p.title} on ${c.status} ${c.cert_no}`);
        if (c.status === 'revoked') assert.equal(p.status, 'delisted');
        if (p.status === 'delisted' && 'delist_cause' in p) assert.equal(p.delist_cause, c.status === 'revoked' ? 'cert_revoked' : 'cert_expired');
      } else {
        assert.ok(Boolean(p.boutique) && p.level === null && (p.boutique_evidence ?? '').includes('浙江制造'), p.title);
      }
      assert.equal(p.search_text, productSearchText({ title: p.title, model: p.model, certNo: c?.cert_no, field: p.field, vendorName: v.name, description: p.description }));
      assert.ok(p.description.includes('演示数据'));
      assert.ok(Number.isSafeInteger(Number(p.price_fen)) && Number(p.price_fen) > 0 && p.stock > 0);
      assert.match(p.created_at, /^20(1[789]|2\d)-\d\d-\d\dT\d\d:00:00\.000Z$/);
      assert.ok(Boolean(p.demo));
    }
  });

  it('has at least 300 approved listings, boutique items, and listings in review, rejected and delisted', () => {
    const n = (f: (p: Product) => boolean) => products.filter(f).length;
    assert.ok(n((p) => p.status === 'approved') >= 300);
    assert.ok(n((p) => p.status === 'approved' && p.cert_id !== null) >= 200);
    assert.ok(n((p) => p.status === 'approved' && p.cert_id === null && Boolean(p.boutique)) >= 100, 'boutique-only');
    assert.ok(n((p) => p.status === 'approved' && p.cert_id !== null && Boolean(p.boutique)) >= 5, 'certified and boutique');
    assert.ok(n((p) => p.status === 'pending_review') >= 5);
    assert.ok(n((p) => p.status === 'rejected' && (p.review_reason ?? '') !== '') >= 5);
    assert.ok(n((p) => p.status === 'delisted') >= 5);
    assert.equal(n((p) => p.status === 'rejected' && !p.review_reason), 0);
    const boutiquePrices = products.filter((p) => p.cert_id === null).map((p) => Number(p.price_fen));
    assert.ok(boutiquePrices.every((f) => f >= 200_000 && f <= 50_000_000), 'boutique items cost ¥2,000–¥500,000');
    const equipment = products.filter((p) => p.cert_id !== null && p.kind === 'equipment').map((p) => Number(p.price_fen));
    assert.ok(Math.min(...equipment) >= 30_000_000 && Math.max(...equipment) >= 1_000_000_000, 'equipment costs 几十万 to 几千万');
  });

  it('contains the named products of the 2020 report as certified, approved listings', () => {
    const certById = new Map(certs.map((c) => [c.id, c]));
    for (const title of NAMED) {
      const p = products.find((x) => x.title === title && x.status === 'approved' && x.cert_id !== null);
      assert.ok(p, title);
      const c = certById.get(p.cert_id!)!;
      assert.equal(c.year, 2020, title);
      assert.equal(c.status, 'valid', title);
    }
    for (const title of ['64排CT', '1.5T MR', '全自动流式荧光化学发光一体化分析系统']) {
      assert.equal(products.find((p) => p.title === title)?.field, '高端医疗装备');
    }
    assert.ok(products.filter((p) => p.status === 'approved' && p.title.includes('机床')).length >= 5);
    const aircraft = products.find((p) => p.model === 'DA40NG');
    assert.equal(aircraft?.field, '航空装备');
    assert.equal(aircraft?.status, 'approved');
  });

  it('is found by the catalogue search', async () => {
    const service = new CatalogueService(ctx.db, demoClock());
    for (const [q, title] of [['机床', null], ['DA40NG', '四座轻型活塞式通用飞机'], ['64排CT', '64排CT'], ['1.5T MR', '1.5T MR'], ['侧拉床', '五轴数控卧式侧拉床']] as const) {
      const r = await service.search(parseInput(SearchQuery, { q }));
      assert.ok(r.total > 0, q);
      if (title) assert.ok(r.items.some((i) => i.title === title), q);
    }
  });

  it('creates the demo accounts of DESIGN §7', async () => {
    const users: Array<{ username: string; role: string; purchaser_id: number | null; vendor_id: number | null; display_name: string; status: string; password_hash: string }> =
      await ctx.db('users').select('*');
    const u = Object.fromEntries(users.map((x) => [x.username, x]));
    assert.deepEqual(
      ['admin', 'purchaser', 'purchaser2', 'vendor', 'vendor2'].map((n) => u[n]?.role),
      ['admin', 'purchaser', 'purchaser', 'vendor', 'vendor'],
    );
    // The demo accounts can log in; the historical trades' operator accounts (demo-ops-*) are disabled.
    for (const x of users) assert.equal(x.status, DEMO_ACCOUNTS.includes(x.username) ? 'active' : 'disabled', x.username);
    for (const x of users) assert.ok(x.display_name, x.username);
    assert.ok(await verifyPassword(u.vendor.password_hash, DEMO_PASSWORD));
    assert.ok(u.purchaser.purchaser_id && u.purchaser2.purchaser_id && u.purchaser.purchaser_id !== u.purchaser2.purchaser_id);
    assert.ok(u.vendor.vendor_id && u.vendor2.vendor_id && u.vendor.vendor_id !== u.vendor2.vendor_id);
    for (const name of ['vendor', 'vendor2']) {
      const v = vendors.find((x) => x.id === u[name].vendor_id)!;
      assert.equal(v.status, 'approved');
      const current = certs.filter((c) => c.credit_code === v.credit_code && c.status === 'valid' && c.valid_until >= DEMO_TODAY);
      assert.ok(current.length >= 2, `${name} has valid certificates`);
      const listings = products.filter((p) => p.vendor_id === v.id && p.status === 'approved');
      assert.ok(listings.filter((p) => p.cert_id !== null).length >= 2, `${name} has approved first-unit listings`);
      assert.ok(listings.some((p) => Boolean(p.boutique)), `${name} has boutique items`);
    }
    assert.ok(vendors.filter((v) => v.status === 'pending').length >= 3, 'vendors wait for review');
  });

  it('is idempotent: loading again, or running the knex seed, changes nothing', async () => {
    const before = await counts(ctx.db);
    assert.equal(await loadDemoDataIfEmpty(ctx.db, demoClock(), log), false);
    await seed(ctx.db);
    // `knex seed:run` finds seeds/demo.ts — whose `seed` loads into an empty database what the loader writes at any
    // clock: test/e2e/first-start.test.ts compares `npm start`'s first start, at its own clock, with this run's template.
    const [ran] = (await ctx.db.seed.run()) as [string[]];
    assert.ok(ran.map((f) => path.basename(f).replace(/\.[jt]s$/, '')).includes('demo'), `knex's seed runner ran ${ran.join(', ')}`);
    assert.deepEqual(await counts(ctx.db), before);
  });
});
