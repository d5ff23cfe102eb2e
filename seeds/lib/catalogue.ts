import { hashPassword } from '../../src/auth/passwords';
import { certificateNumber } from '../../src/certification/rules';
import { productSearchText } from '../../src/search-text';
import { isoNow, type Clock } from '../../src/clock';
import { withCheckChar } from '../../src/credit-code';
import { insertRows, type Executor } from '../../src/db';
import { CITIES, FIELDS, KINDS, UNCERTIFIED_KIND, type CityName, type FieldName, type Kind, type Level, type ProductKind } from '../../src/domain';
import { BOUTIQUE_ITEMS } from '../lists/boutique';
import { FIELD_SPECS, fieldSpec, productNameAndUnit } from '../lists/fields';
import { FIXED_BOUTIQUE, FIXED_CERTS, FIXED_VENDORS, type FixedCert } from '../lists/named';
import { BRANDS, CITY_DETAILS, PROVINCIAL_PURCHASERS, SURNAMES, cityPurchasers, type PurchaserSpec } from '../lists/parties';
import { Rng, addDays, at, maxDay, minDay, validityEnd } from './random';

/** The fixed seed: the same demo data on every run and every engine. */
export const DEMO_SEED = 20_201_231;
/** The day the demo data describes: certificate statuses (valid / expired) are as of this day. */
export const DEMO_TODAY = '2026-11-27';
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERNAMES = ['admin', 'purchaser', 'purchaser2', 'vendor', 'vendor2', 'finance'] as const;
export type DemoUsername = (typeof DEMO_USERNAMES)[number];

/**
 * Certificates issued per year, fixed ones included: 首台（套）装备 (equipment) with its international and domestic ones
 * (the rest provincial), and 首批次新材料 (material) and 首版次软件 (software) counted apart. 2020 is the report's
 * figure: 216 equipment certificates, 2 international and 30 domestic; materials and software came into scope in
 * October 2020, so they start with that year's second batch. The other years are demo data, a plausible series around
 * 2020: steady growth before it, and after it toward the report's target for 2021–2025 of at least 1,200 new
 * certificates (1,216 equipment ones alone here) and at least 15 international ones (17).
 */
export const CERTS_PER_YEAR: Record<number, { equipment: number; international: number; domestic: number; material: number; software: number }> = {
  2016: { equipment: 118, international: 0, domestic: 12, material: 0, software: 0 },
  2017: { equipment: 134, international: 1, domestic: 15, material: 0, software: 0 },
  2018: { equipment: 152, international: 1, domestic: 19, material: 0, software: 0 },
  2019: { equipment: 181, international: 1, domestic: 23, material: 0, software: 0 },
  2020: { equipment: 216, international: 2, domestic: 30, material: 14, software: 8 },
  2021: { equipment: 228, international: 3, domestic: 32, material: 30, software: 18 },
  2022: { equipment: 236, international: 3, domestic: 34, material: 34, software: 20 },
  2023: { equipment: 244, international: 3, domestic: 36, material: 38, software: 22 },
  2024: { equipment: 250, international: 4, domestic: 38, material: 40, software: 24 },
  2025: { equipment: 258, international: 4, domestic: 40, material: 44, software: 26 },
  2026: { equipment: 262, international: 4, domestic: 41, material: 46, software: 28 },
};
/** The 2020 report's equipment certificates (首台（套）装备): materials and software are not among them. */
export const REPORT_2020 = { kind: 'equipment', total: 216, international: 2, domestic: 30, provincial: 184 } as const;

/** What the trading step (budgets, orders, first purchases) needs to know about the catalogue it builds on. */
export interface CatalogueIds {
  users: Record<DemoUsername, number>;
  /** The purchasing units of the `purchaser` and `purchaser2` accounts. */
  demoPurchasers: { purchaser: number; purchaser2: number };
  /** The enterprises of the `vendor` and `vendor2` accounts. */
  demoVendors: { vendor: number; vendor2: number };
  /** Every demo purchasing unit, in id order. */
  purchasers: number[];
  /** Every approved vendor, in id order. */
  vendors: number[];
  /** Every approved listing, in id order. */
  products: number[];
  /** Approved boutique (精品馆) listings, in id order. */
  boutiqueProducts: number[];
  /** The 2020 report's named products: title → product id. */
  namedProducts: Record<string, number>;
}

const CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const MODEL_LETTERS = 'ABCDEFGHJKLMNPRSTWXYZ';
const LEVEL_LABEL: Record<Level, string> = { international: '国际', domestic: '国内', provincial: '省内' };
const KIND_LABEL: Record<Kind, string> = { equipment: '首台（套）装备', material: '首批次新材料', software: '首版次软件' };
const GENERATIONS = ['Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ', 'Ⅶ', 'Ⅷ', 'Ⅸ', 'Ⅹ'];

const REVOKED_REASONS = [
  '企业申报材料弄虚作假，撤销认定',
  '产品质量监督抽查不合格，撤销认定',
  '企业已注销，认定证书收回',
  '认定产品发生重大质量事故，撤销认定',
];
const REJECTED_LISTING_REASONS = [
  '商品价格明显高于同类产品市场价，请补充价格构成说明',
  '商品描述中的关键技术指标与认定证书不一致',
  '产品图片与认定产品型号不符，请重新上传',
  '未提供有效的售后服务承诺',
];
const REJECTED_BOUTIQUE_REASONS = ['浙江制造认证证书已过期，请上传有效证书', '商品标题含有“最好”“第一”等夸大宣传用语'];

interface VendorPlan {
  key: string;
  name: string;
  credit_code: string;
  city: CityName;
  field: FieldName;
  address: string;
  contact: string;
  status: 'approved' | 'pending' | 'rejected';
  review_reason: string | null;
  created: string;
  reviewed: string | null;
  prefix: string;
  inPool: boolean;
}

interface CertPlan {
  cert_no: string;
  vendor: VendorPlan;
  product_name: string;
  unit: string;
  kind: Kind;
  level: Level;
  field: FieldName;
  year: number;
  issued: string;
  valid_until: string;
  status: 'valid' | 'expired' | 'revoked';
  revoked_reason: string | null;
  revokedOn: string | null;
  indicators: string[];
  fixed: FixedCert | null;
}

interface ProductPlan {
  vendor: VendorPlan;
  cert: CertPlan | null;
  boutique: boolean;
  boutique_evidence: string | null;
  title: string;
  model: string;
  field: FieldName;
  /** The certificate's kind; `boutique` for an uncertified 浙江制造精品 item, which has no first-unit kind. */
  kind: ProductKind;
  price_fen: number;
  unit: string;
  stock: number;
  status: 'approved' | 'pending_review' | 'rejected' | 'delisted';
  review_reason: string | null;
  /** Why the catalogue took it down: its certificate was revoked or expired. */
  delist_cause: 'cert_revoked' | 'cert_expired' | null;
  created: string;
  updated: string;
}

interface PurchaserPlan extends PurchaserSpec {
  city: CityName;
  credit_code: string;
  created: string;
}

export interface CataloguePlan {
  purchasers: PurchaserPlan[];
  vendors: VendorPlan[];
  certs: CertPlan[];
  products: ProductPlan[];
}

const daysBetween = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

/**
 * Draws the whole catalogue in memory, from the fixed seed alone: no clock, no database, so two runs (and two
 * engines) produce the same rows in the same order.
 */
export function planCatalogue(): CataloguePlan {
  const rng = new Rng(DEMO_SEED);
  const dayBetween = (a: string, b: string): string => addDays(a, rng.int(0, Math.max(0, daysBetween(a, b))));

  const usedCodes = new Set<string>();
  const creditCode = (registry: string, division: string): string => {
    for (;;) {
      let body = '';
      if (rng.chance(0.6)) {
        body = 'MA2';
        for (let i = 0; i < 6; i++) body += rng.pick([...CODE_ALPHABET]);
      } else {
        for (let i = 0; i < 8; i++) body += String(rng.int(0, 9));
        body += rng.pick([...CODE_ALPHABET]);
      }
      const code = withCheckChar(`${registry}${division}${body}`);
      if (!usedCodes.has(code)) {
        usedCodes.add(code);
        return code;
      }
    }
  };
  const division = (city: CityName): string => CITIES.find((c) => c.name === city)!.division;
  const phone = (city: CityName): string => `${CITY_DETAILS[city].areaCode}-8${rng.int(1_000_000, 9_999_999)}`;
  const address = (city: CityName): string => {
    const d = CITY_DETAILS[city];
    return `浙江省${city}市${rng.pick(d.districts)}${rng.pick(d.roads)}${rng.int(1, 999)}号`;
  };
  const prefix = (): string => rng.pick([...MODEL_LETTERS]) + rng.pick([...MODEL_LETTERS]);

  // ---- purchasing units: eight per city and five provincial units in 杭州
  const purchasers: PurchaserPlan[] = [];
  for (const c of CITIES) {
    const specs = [...cityPurchasers(c.name), ...(c.name === '杭州' ? PROVINCIAL_PURCHASERS : [])];
    for (const s of specs) {
      purchasers.push({
        ...s,
        city: c.name,
        credit_code: creditCode(s.registry, c.division),
        contact: `${s.contact} ${phone(c.name)}`,
        created: dayBetween('2018-01-02', '2018-12-28'),
      });
    }
  }

  // ---- vendors: in each city one approved enterprise per field (the fixed ones first), then the review queue
  const usedNames = new Set<string>(FIXED_VENDORS.map((v) => v.name));
  const vendorName = (city: CityName, field: FieldName): string => {
    const trades = fieldSpec(field).trades;
    for (;;) {
      const name = `${city}${rng.pick(BRANDS)}${rng.pick(trades)}${rng.chance(0.7) ? '有限公司' : '股份有限公司'}`;
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const contact = (city: CityName): string => `${rng.pick(SURNAMES)}${rng.pick(['先生', '女士'])} ${phone(city)}`;
  const vendors: VendorPlan[] = [];
  const approvedVendor = (key: string, name: string, city: CityName, field: FieldName, inPool: boolean, joined: [string, string]): VendorPlan => {
    const created = dayBetween(joined[0], joined[1]);
    return {
      key,
      name,
      credit_code: creditCode('91', division(city)),
      city,
      field,
      address: address(city),
      contact: contact(city),
      status: 'approved',
      review_reason: null,
      created,
      reviewed: addDays(created, rng.int(2, 15)),
      prefix: prefix(),
      inPool,
    };
  };
  // The fixed enterprises joined first: their fixed listings date from 2018.
  for (const f of FIXED_VENDORS) vendors.push(approvedVendor(f.key, f.name, f.city, f.field, f.inPool, ['2017-10-09', '2017-12-28']));
  for (const c of CITIES) {
    const taken = new Set(FIXED_VENDORS.filter((f) => f.city === c.name).map((f) => f.field));
    for (const f of FIELDS) {
      if (taken.has(f.name)) continue;
      vendors.push(approvedVendor(`${c.code}-${f.code}`, vendorName(c.name, f.name), c.name, f.name, true, ['2017-10-09', '2019-12-20']));
    }
  }
  // A second enterprise per city and field: some two hundred certificates a year need more than one maker each.
  for (const c of CITIES) {
    for (const f of FIELDS) vendors.push(approvedVendor(`${c.code}-${f.code}-2`, vendorName(c.name, f.name), c.name, f.name, true, ['2017-10-09', '2021-06-30']));
  }
  const queue: Array<[CityName, FieldName, 'pending' | 'rejected']> = [
    ['温州', '智能装备', 'pending'],
    ['湖州', '新材料', 'pending'],
    ['丽水', '环保装备', 'pending'],
    ['嘉兴', '软件', 'pending'],
    ['金华', '节能与新能源汽车', 'pending'],
    ['衢州', '工程机械', 'rejected'],
  ];
  queue.forEach(([city, field, status], i) => {
    const created = status === 'pending' ? dayBetween('2026-11-02', '2026-11-25') : '2026-09-02';
    vendors.push({
      key: `queue-${i}`,
      name: vendorName(city, field),
      credit_code: creditCode('91', division(city)),
      city,
      field,
      address: address(city),
      contact: contact(city),
      status,
      review_reason: status === 'rejected' ? '上传的营业执照副本已过期，请更新后重新申请' : null,
      created,
      reviewed: status === 'rejected' ? '2026-09-09' : null,
      prefix: prefix(),
      inPool: false,
    });
  });
  const vendorByKey = new Map(vendors.map((v) => [v.key, v]));

  // ---- certificates
  const certs: CertPlan[] = [];
  const namesOf = new Map<string, Set<string>>(); // vendor key → product names it already holds
  const holds = (v: VendorPlan, name: string): boolean => namesOf.get(v.key)?.has(name) ?? false;
  const hold = (v: VendorPlan, name: string): void => {
    if (!namesOf.has(v.key)) namesOf.set(v.key, new Set());
    namesOf.get(v.key)!.add(name);
  };
  const batches = (year: number): string[] => (year === 2026 ? ['2026-05-20', '2026-10-15'] : [`${year}-05-20`, `${year}-11-16`]);
  const cert = (p: Omit<CertPlan, 'cert_no' | 'valid_until' | 'status' | 'revoked_reason' | 'revokedOn'> & { validityYears: number }): CertPlan => {
    hold(p.vendor, p.product_name);
    const { validityYears, ...rest } = p;
    return { ...rest, cert_no: '', valid_until: validityEnd(p.issued, validityYears), status: 'valid', revoked_reason: null, revokedOn: null };
  };

  for (const f of FIXED_CERTS) {
    const v = vendorByKey.get(f.vendor)!;
    certs.push(
      cert({
        vendor: v,
        product_name: f.productName,
        unit: f.listing?.unit ?? fieldSpec(f.field).unit,
        kind: f.kind,
        level: f.level,
        field: f.field,
        year: Number(f.issued.slice(0, 4)),
        issued: f.issued,
        validityYears: f.validityYears,
        indicators: f.indicators,
        fixed: f,
      }),
    );
  }
  // Two enterprises of the review queue apply with a certificate of this year.
  const applicants = vendors.filter((v) => v.status === 'pending').slice(0, 2);

  const pool = vendors.filter((v) => v.inPool);
  const equipmentFields = FIELD_SPECS.filter((s) => s.kind === 'equipment');
  const fieldWeight = (field: FieldName, year: number): number =>
    ({ 数控机床: 14, 智能装备: 16, 高端医疗装备: 12, 节能与新能源汽车: 10, 工程机械: 8, 环保装备: 8, 航空装备: 5, 船舶: 5, 自然灾害防治装备: 6, 防疫物资生产装备: year === 2020 ? 14 : 4 })[
      field as string
    ] ?? 5;
  const validity: Array<readonly [number, number]> = [[3, 10], [4, 10], [5, 15], [6, 10], [7, 25], [8, 30]];
  const generatedCert = (year: number, kind: Kind, level: Level, vendorOverride?: VendorPlan): CertPlan => {
    const field: FieldName =
      vendorOverride?.field ??
      (kind === 'material' ? '新材料' : kind === 'software' ? '软件' : rng.weighted(equipmentFields.map((s) => [s.field, fieldWeight(s.field, year)] as const)));
    const spec = fieldSpec(field);
    const vendor = vendorOverride ?? rng.pick(pool.filter((v) => v.field === field));
    const fresh = spec.products.filter((e) => !holds(vendor, productNameAndUnit(e, spec).name));
    const picked = productNameAndUnit(rng.pick(fresh.length ? fresh : spec.products), spec);
    // An enterprise certified again for a product it already holds: a new model of it (Ⅱ型, Ⅲ型, …).
    let name = picked.name;
    for (let k = 0; holds(vendor, name); k++) name = `${picked.name}（${GENERATIONS[k % GENERATIONS.length]}${k >= GENERATIONS.length ? Math.floor(k / GENERATIONS.length) + 1 : ''}型）`;
    // Materials and software came into scope in October 2020: that year they are in the second batch only.
    const issued = kind !== 'equipment' && year === 2020 ? batches(year)[1] : rng.pick(batches(year));
    return cert({
      vendor,
      product_name: name,
      unit: picked.unit,
      kind,
      level,
      field,
      year,
      issued,
      validityYears: rng.weighted(validity),
      indicators: rng.sample(spec.indicators, rng.int(3, 4)).map((ind) => ind(rng)),
      fixed: null,
    });
  };

  for (const [y, plan] of Object.entries(CERTS_PER_YEAR)) {
    const year = Number(y);
    const drawn: Array<[Kind, Level, VendorPlan?]> = [];
    const applying = year === 2026 ? applicants : [];
    for (const kind of KINDS) {
      const fixedOf = certs.filter((c) => c.year === year && c.kind === kind);
      const mine = applying.filter((v) => fieldSpec(v.field).kind === kind);
      const n = plan[kind] - fixedOf.length - mine.length;
      let levels: Level[];
      if (kind === 'equipment') {
        // Exactly the year's international and domestic certificates, the rest provincial.
        const intl = plan.international - fixedOf.filter((c) => c.level === 'international').length;
        const dom = plan.domestic - fixedOf.filter((c) => c.level === 'domestic').length;
        levels = rng.shuffle([...Array<Level>(intl).fill('international'), ...Array<Level>(dom).fill('domestic'), ...Array<Level>(n - intl - dom).fill('provincial')]);
      } else {
        levels = Array.from({ length: n }, () => rng.weighted<Level>([['international', 2], ['domestic', 18], ['provincial', 80]]));
      }
      for (const level of levels) drawn.push([kind, level]);
      for (const v of mine) drawn.push([kind, 'provincial', v]);
    }
    for (const [kind, level, v] of drawn) certs.push(generatedCert(year, kind, level, v));
  }

  // A few certificates were revoked after issue; the rest are valid or expired as of DEMO_TODAY.
  const revocable = certs.filter((c) => !c.fixed && c.year >= 2017 && c.year <= 2025 && c.vendor.status === 'approved');
  for (const c of rng.sample(revocable, 36)) {
    c.status = 'revoked';
    c.revoked_reason = rng.pick(REVOKED_REASONS);
    c.revokedOn = minDay(addDays(c.issued, rng.int(200, 900)), addDays(DEMO_TODAY, -30));
  }
  for (const c of certs) if (c.status !== 'revoked' && c.valid_until < DEMO_TODAY) c.status = 'expired';

  // Numbers in issue order within each year: ZJ-STT-2020-0001 (STT 首台套, SPC 首批次, SBC 首版次).
  certs.sort((a, b) => (a.issued < b.issued ? -1 : a.issued > b.issued ? 1 : 0));
  const seqOf = new Map<number, number>();
  for (const c of certs) {
    const seq = (seqOf.get(c.year) ?? 0) + 1;
    seqOf.set(c.year, seq);
    c.cert_no = certificateNumber(c.kind, c.year, seq);
  }

  // ---- listings
  const products: ProductPlan[] = [];
  const evidence = (listed: string): string => {
    const y = Math.max(2016, Number(listed.slice(0, 4)) - rng.int(0, 2));
    return `浙江制造认证证书号 CZJM${y}P${rng.int(1_000_000, 1_999_999)}；执行标准 T/ZZB ${rng.int(100, 2999)}—${y - rng.int(0, 2)}`;
  };
  const model = (v: VendorPlan): string => `${v.prefix}-${rng.pick([...MODEL_LETTERS])}${rng.int(100, 9990)}`;
  const listedAfter = (c: CertPlan): string => minDay(maxDay(addDays(c.issued, rng.int(15, 150)), addDays(c.vendor.reviewed ?? c.issued, rng.int(1, 30))), addDays(DEMO_TODAY, -rng.int(2, 35)));

  for (const c of certs) {
    if (c.vendor.status !== 'approved') continue;
    const spec = fieldSpec(c.field);
    const f = c.fixed;
    let status: ProductPlan['status'] | null;
    let reason: string | null = null;
    let boutique = false;
    if (f) {
      if (!f.listing) continue;
      status = c.status === 'valid' ? 'approved' : 'delisted';
      boutique = f.listing.boutique ?? false;
    } else if (c.status === 'revoked') {
      status = 'delisted';
    } else if (c.status === 'expired') {
      status = rng.chance(0.35) ? 'delisted' : null;
    } else {
      const r = rng.next();
      status = r < 0.8 ? 'approved' : r < 0.86 ? 'pending_review' : r < 0.9 ? 'rejected' : null;
      boutique = status === 'approved' && rng.chance(0.1);
    }
    if (!status) continue;
    let created = f?.listing ? f.listing.listedOn : listedAfter(c);
    let updated = created;
    if (status === 'delisted') {
      reason = c.status === 'revoked' ? c.revoked_reason : null;
      const end = c.status === 'revoked' ? c.revokedOn! : addDays(c.valid_until, 1);
      if (created >= end) continue; // ended before the vendor joined: never listed here
      updated = end;
    } else if (status === 'pending_review') {
      created = maxDay(created, dayBetween('2026-11-03', '2026-11-25'));
      updated = created;
    } else if (status === 'rejected') {
      reason = rng.pick(REJECTED_LISTING_REASONS);
      updated = minDay(addDays(created, rng.int(2, 7)), DEMO_TODAY);
    }
    products.push({
      vendor: c.vendor,
      cert: c,
      boutique,
      boutique_evidence: boutique ? evidence(created) : null,
      title: c.product_name,
      model: f?.listing?.model ?? model(c.vendor),
      field: c.field,
      kind: c.kind,
      price_fen: (f?.listing?.priceYuan ?? rng.priceYuan(spec.price[0], spec.price[1])) * 100,
      unit: c.unit,
      stock: f?.listing?.stock ?? rng.int(spec.stock[0], spec.stock[1]),
      status,
      review_reason: reason,
      delist_cause: status === 'delisted' ? (c.status === 'revoked' ? 'cert_revoked' : 'cert_expired') : null,
      created,
      updated,
    });
  }

  // Boutique-only items (no certificate, no level): the demo vendors' fixed ones, then generated ones.
  for (const b of FIXED_BOUTIQUE) {
    const v = vendorByKey.get(b.vendor)!;
    products.push({
      vendor: v,
      cert: null,
      boutique: true,
      boutique_evidence: evidence(b.listedOn),
      title: b.title,
      model: b.model,
      field: b.field,
      kind: UNCERTIFIED_KIND,
      price_fen: b.priceYuan * 100,
      unit: b.unit,
      stock: b.stock,
      status: 'approved',
      review_reason: null,
      delist_cause: null,
      created: b.listedOn,
      updated: b.listedOn,
    });
  }
  const sellers = vendors.filter((v) => v.status === 'approved' && v.inPool);
  const boutiqueTitles = new Set<string>();
  const statuses: Array<ProductPlan['status']> = [...Array(130).fill('approved'), ...Array(8).fill('pending_review'), ...Array(5).fill('rejected')];
  let cycle: typeof BOUTIQUE_ITEMS = [];
  for (const status of rng.shuffle(statuses)) {
    if (cycle.length === 0) cycle = rng.shuffle(BOUTIQUE_ITEMS);
    const item = cycle.pop()!;
    let v = sellers[0];
    for (let tries = 0; tries < 20; tries++) {
      const same = sellers.filter((s) => s.field === item.field);
      v = rng.chance(0.75) && same.length ? rng.pick(same) : rng.pick(sellers);
      if (!boutiqueTitles.has(`${v.key}|${item.title}`)) break;
    }
    boutiqueTitles.add(`${v.key}|${item.title}`);
    let created = rng.chance(0.7) ? dayBetween('2018-03-01', '2019-12-20') : dayBetween('2020-01-06', '2026-10-30');
    created = maxDay(created, addDays(v.reviewed!, rng.int(1, 20)));
    if (status === 'pending_review') created = dayBetween('2026-11-03', '2026-11-25');
    const updated = status === 'rejected' ? addDays(created, rng.int(2, 7)) : created;
    products.push({
      vendor: v,
      cert: null,
      boutique: true,
      boutique_evidence: evidence(created),
      title: item.title,
      model: model(v),
      field: item.field,
      kind: UNCERTIFIED_KIND,
      price_fen: rng.priceYuan(item.price[0], item.price[1]) * 100,
      unit: item.unit,
      stock: rng.int(300, 3000),
      status,
      review_reason: status === 'rejected' ? rng.pick(REJECTED_BOUTIQUE_REASONS) : null,
      delist_cause: null,
      created,
      updated,
    });
  }
  products.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));

  return { purchasers, vendors, certs, products };
}

function describe(p: ProductPlan): string {
  if (p.cert) {
    const c = p.cert;
    const lead = `【演示数据】${p.title}（型号 ${p.model}），由${p.vendor.name}自主研制，${c.year}年获评浙江省${LEVEL_LABEL[c.level]}${KIND_LABEL[c.kind]}（证书编号 ${c.cert_no}）。`;
    const indicators = `关键技术指标：${c.indicators.join('；')}。`;
    return lead + indicators + (p.boutique ? '产品同时获“品字标浙江制造”认证，入选浙江制造精品。' : '');
  }
  return `【演示数据】${p.title}（型号 ${p.model}），${p.vendor.name}生产的浙江制造精品，获“品字标浙江制造”认证，质量达到国内先进水平，提供三年质保与 24 小时售后响应。`;
}

/**
 * Each demo purchasing unit's checkout defaults (issue 18 item 1): its invoice title (its name) and a default delivery
 * address with a contact person and phone — the phone its profile's contact already gives. Drawn from a generator of
 * their own, so the catalogue's draws (and every figure of the demo) stay as they were. The two demo accounts' units
 * have a second address in their address book as well.
 */
async function seedUnitProfiles(db: Executor, plan: CataloguePlan, ids: Map<string, number>, demo: { purchaser: number; purchaser2: number }, now: string): Promise<void> {
  if (!(await db.schema.hasTable('purchaser_addresses'))) return;
  const rng = new Rng(DEMO_SEED + 18);
  const rows: Record<string, unknown>[] = [];
  for (const p of plan.purchasers) {
    const id = ids.get(p.credit_code)!;
    const d = CITY_DETAILS[p.city];
    const [dept, phone] = [p.contact.slice(0, p.contact.lastIndexOf(' ')), p.contact.slice(p.contact.lastIndexOf(' ') + 1)];
    const address = `浙江省${p.city}市${rng.pick(d.districts)}${rng.pick(d.roads)}${rng.int(1, 999)}号 ${p.name}`;
    const person = `${dept} ${rng.pick(SURNAMES)}${rng.pick(['老师', '科长', '主任'])}`;
    rows.push({ purchaser_id: id, label: '单位本部', address, contact_person: person, phone, is_default: true, created_at: now, updated_at: now });
    if (id === demo.purchaser || id === demo.purchaser2) {
      const second = `浙江省${p.city}市${rng.pick(d.districts)}${rng.pick(d.roads)}${rng.int(1, 999)}号 ${p.name}${id === demo.purchaser ? '设备仓库' : '教育装备中心'}`;
      rows.push({ purchaser_id: id, label: id === demo.purchaser ? '设备仓库' : '教育装备中心', address: second, contact_person: `${rng.pick(SURNAMES)}${rng.pick(['老师', '主任'])}`, phone: `1${rng.pick(['39', '58', '86', '77'])}${rng.int(10_000_000, 99_999_999)}`, is_default: false, created_at: now, updated_at: now });
    }
  }
  await insertAll(db, 'purchaser_addresses', rows);
  if (await db.schema.hasColumn('purchasers', 'invoice_title')) await db('purchasers').whereIn('id', [...ids.values()]).update({ invoice_title: db.raw('??', ['name']) });
}

async function insertAll(db: Executor, table: string, rows: Record<string, unknown>[], chunk = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await insertRows(db, table, rows.slice(i, i + chunk));
}

async function idsBy(db: Executor, table: string, key: string): Promise<Map<string, number>> {
  const rows: Array<{ id: number; k: string }> = await db(table).select('id', `${key} as k`);
  return new Map(rows.map((r) => [r.k, Number(r.id)]));
}

/**
 * Writes the catalogue part of the demo data — purchasing units, vendors, the certification registry, listings and
 * the five demo accounts — and returns the ids the trading step needs. Run it inside one transaction on an empty
 * database. The clock only stamps the demo accounts' creation; everything else comes from the fixed seed.
 */
export async function seedCatalogue(db: Executor, clock: Clock): Promise<CatalogueIds> {
  const plan = planCatalogue();

  await insertAll(
    db,
    'purchasers',
    plan.purchasers.map((p) => ({ name: p.name, credit_code: p.credit_code, city: p.city, type: p.type, contact: p.contact, demo: true, created_at: at(p.created) })),
  );
  await insertAll(
    db,
    'vendors',
    plan.vendors.map((v) => ({
      name: v.name,
      credit_code: v.credit_code,
      city: v.city,
      address: v.address,
      contact: v.contact,
      status: v.status,
      review_reason: v.review_reason,
      demo: true,
      created_at: at(v.created),
      reviewed_at: v.reviewed ? at(v.reviewed, 6) : null,
    })),
  );
  await insertAll(
    db,
    'certifications',
    plan.certs.map((c) => ({
      cert_no: c.cert_no,
      product_name: c.product_name,
      enterprise_name: c.vendor.name,
      credit_code: c.vendor.credit_code,
      kind: c.kind,
      level: c.level,
      field: c.field,
      year: c.year,
      valid_until: c.valid_until,
      status: c.status,
      revoked_reason: c.revoked_reason,
      indicators: JSON.stringify(c.indicators),
      key_supported: false,
      demo: true,
      created_at: at(c.issued),
      updated_at: at(c.status === 'revoked' ? c.revokedOn! : c.status === 'expired' ? addDays(c.valid_until, 1) : c.issued),
    })),
  );
  const purchaserIds = await idsBy(db, 'purchasers', 'credit_code');
  const vendorIds = await idsBy(db, 'vendors', 'credit_code');
  const certIds = await idsBy(db, 'certifications', 'cert_no');

  // Listings a certificate took down carry the cause where the schema records it (products.delist_cause).
  const hasDelistCause = await db.schema.hasColumn('products', 'delist_cause');
  await insertAll(
    db,
    'products',
    plan.products.map((p) => {
      const description = describe(p);
      return {
        vendor_id: vendorIds.get(p.vendor.credit_code)!,
        cert_id: p.cert ? certIds.get(p.cert.cert_no)! : null,
        boutique: p.boutique,
        boutique_evidence: p.boutique_evidence,
        title: p.title,
        model: p.model,
        description,
        field: p.field,
        kind: p.kind,
        level: p.cert?.level ?? null,
        city: p.vendor.city,
        price_fen: p.price_fen,
        unit: p.unit,
        stock: p.stock,
        status: p.status,
        review_reason: p.review_reason,
        ...(hasDelistCause ? { delist_cause: p.delist_cause } : {}),
        search_text: productSearchText({ title: p.title, model: p.model, certNo: p.cert?.cert_no, field: p.field, vendorName: p.vendor.name, description }),
        demo: true,
        created_at: at(p.created),
        updated_at: at(p.updated),
      };
    }),
  );

  // The demo accounts (DESIGN §7). One hash serves them all: they share the password.
  const hash = await hashPassword(DEMO_PASSWORD);
  const now = isoNow(clock);
  const purchaserId = (name: string): number => purchaserIds.get(plan.purchasers.find((p) => p.name === name)!.credit_code)!;
  const vendorId = (key: string): number => vendorIds.get(plan.vendors.find((v) => v.key === key)!.credit_code)!;
  const demoPurchasers = { purchaser: purchaserId('杭州市第一人民医院'), purchaser2: purchaserId('宁波市教育局') };
  const demoVendors = { vendor: vendorId('vendor'), vendor2: vendorId('vendor2') };
  await seedUnitProfiles(db, plan, purchaserIds, demoPurchasers, isoNow(clock));
  const vendorNameOf = (key: string): string => plan.vendors.find((v) => v.key === key)!.name;
  const accounts: Array<{ username: DemoUsername; role: string; purchaser_id: number | null; vendor_id: number | null; display_name: string }> = [
    { username: 'admin', role: 'admin', purchaser_id: null, vendor_id: null, display_name: '浙江省经信厅 管理员' },
    { username: 'purchaser', role: 'purchaser', purchaser_id: demoPurchasers.purchaser, vendor_id: null, display_name: '杭州市第一人民医院 采购员' },
    { username: 'purchaser2', role: 'purchaser', purchaser_id: demoPurchasers.purchaser2, vendor_id: null, display_name: '宁波市教育局 采购员' },
    { username: 'vendor', role: 'vendor', purchaser_id: null, vendor_id: demoVendors.vendor, display_name: `${vendorNameOf('vendor')} 销售经理` },
    { username: 'vendor2', role: 'vendor', purchaser_id: null, vendor_id: demoVendors.vendor2, display_name: `${vendorNameOf('vendor2')} 销售经理` },
    { username: 'finance', role: 'finance', purchaser_id: null, vendor_id: null, display_name: '浙江省财政厅 政府采购监管处' },
  ];
  await insertAll(
    db,
    'users',
    accounts.map((a) => ({ ...a, password_hash: hash, status: 'active', created_at: now })),
  );
  const userIds = await idsBy(db, 'users', 'username');

  const approved: Array<{ id: number; title: string; boutique: number | boolean; cert_id: number | null }> = await db('products')
    .where({ status: 'approved' })
    .select('id', 'title', 'boutique', 'cert_id')
    .orderBy('id');
  const namedTitles = FIXED_CERTS.filter((f) => f.named).map((f) => f.productName);
  const namedProducts: Record<string, number> = {};
  for (const t of namedTitles) {
    const row = approved.find((p) => p.title === t && p.cert_id !== null);
    if (row) namedProducts[t] = Number(row.id);
  }
  const approvedVendorIds = plan.vendors.filter((v) => v.status === 'approved').map((v) => vendorIds.get(v.credit_code)!);
  return {
    users: Object.fromEntries(DEMO_USERNAMES.map((u) => [u, userIds.get(u)!])) as Record<DemoUsername, number>,
    demoPurchasers,
    demoVendors,
    purchasers: [...purchaserIds.values()].sort((a, b) => a - b),
    vendors: approvedVendorIds.sort((a, b) => a - b),
    products: approved.map((p) => Number(p.id)),
    boutiqueProducts: approved.filter((p) => Boolean(p.boutique)).map((p) => Number(p.id)),
    namedProducts,
  };
}
