import { executorFor, type Db } from '../src/db';
import { InsuranceService } from '../src/insurance/service';
import { ClaimInput, NationalInput } from '../src/insurance/schema';
import type { Unanswered } from '../src/domain';
import type { Actor } from '../src/web/state';
import type { CatalogueIds } from './lib/catalogue';
import { Rng } from './lib/random';

/*
 * Insurance compensation's demo data (保险补偿, DESIGN §7–§8, issue 16), written through InsuranceService inside the
 * demo loader's unit of work. Every paid claim went through the real rule and review: created by its vendor against
 * its own certificate, submitted (computed under the rule version of its start year), passed at 初审 (admin) and 联审
 * (finance), and paid from the subsidy fund within 30 days — each step at its own date (the service's clock is set
 * step by step). Nothing is inserted as a total.
 *
 * - 2020: 86 paid claims, ¥2,494,000,000.00 insured, ¥55,655,000.00 of compensation (the report's figures), under the
 *   pre-2021 version (counted premium = min(premium, 3% × insured value), 80%); the demo `vendor`'s claim among them,
 *   under its certificate of 2019 (valid at the policy start, expired since; DESIGN §7);
 * - 2019: 61 paid claims, ¥35,025,000.00 of compensation, so that 2020 is +58.9% on 2019 (55,655,000 / 35,025,000 =
 *   1.58901 → 58.9% rounded to one decimal); some 2019 policies are claimed again in 2020 as policy year 2;
 * - a few claims of each year rejected at a review (with the reason), which count for nothing;
 * - for the demo accounts, claims in the desks' queues on the demo day: `vendor` a draft and one waiting for 初审,
 *   `vendor2` one in 联审 and one approved and due for payout;
 * - the national scheme (kept apart, entered by admin): 8 projects of 2020, ¥1,867,000,000.00 insured,
 *   ¥43,860,000.00 of subsidy.
 */

export const DEMO_INSURANCE = {
  2019: { projects: 61, insuredYuan: 1_562_000_000, compensationYuan: 35_025_000 },
  2020: { projects: 86, insuredYuan: 2_494_000_000, compensationYuan: 55_655_000 },
  national2020: { projects: 8, insuredYuan: 1_867_000_000, subsidyYuan: 43_860_000 },
} as const;

const SEED = 20200616;
/** The loader shows nothing of the services' answers: they need not read each claim back (src/domain.ts). */
const QUIET: Unanswered = { answer: false };
const INSURERS = ['中国人民财产保险股份有限公司浙江省分公司', '中国太平洋财产保险股份有限公司浙江分公司', '中国平安财产保险股份有限公司浙江分公司', '中国人寿财产保险股份有限公司浙江省分公司', '太平财产保险有限公司浙江分公司'];
const INSURER_CODES = ['PICC', 'CPIC', 'PAIC', 'CLPC', 'TPIC'];
const BUYERS = ['浙江能源集团有限公司', '杭州钢铁集团有限公司', '宁波舟山港集团有限公司', '浙江省交通投资集团有限公司', '巨化集团有限公司', '浙江省机场集团有限公司', '温州市公用事业投资集团有限公司', '浙江大学医学院附属第一医院', '绍兴市水务集团有限公司', '台州市城市建设投资发展集团有限公司'];

interface CertCandidate {
  id: number;
  cert_no: string;
  year: number;
  valid_until: string;
  vendor_id: number;
}

/** `total` split into whole parts in proportion to `weights` (the remainder to the first parts); they sum to `total`. */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const rest = total - parts.reduce((s, p) => s + p, 0);
  for (let i = 0; i < rest; i++) parts[i % parts.length]! += 1;
  return parts;
}

/**
 * One year's paid claims: insured values (whole ¥10,000) summing to the year's total, premiums (whole yuan, at most 3%
 * of the insured value so the whole premium counts) summing to compensation ÷ 80% — so that 80% of each premium is a
 * whole number of 分 and the compensations add up to the year's figure exactly.
 */
export function planYear(rng: Rng, projects: number, insuredYuan: number, compensationYuan: number): Array<{ insuredYuan: number; premiumYuan: number }> {
  const premiumTotal = (compensationYuan * 5) / 4;
  if (!Number.isInteger(premiumTotal)) throw new Error('compensation must be a multiple of ¥4 for whole-yuan premiums');
  const insured = split(insuredYuan / 10_000, Array.from({ length: projects }, () => 0.4 + rng.next() * 1.6)).map((w) => w * 10_000);
  const rate = premiumTotal / insuredYuan;
  const raw = insured.map((v) => Math.floor(v * rate * (0.93 + rng.next() * 0.1)));
  let rest = premiumTotal - raw.reduce((s, p) => s + p, 0);
  // Spread what is left where there is room under the 3% cap.
  for (let i = 0; rest !== 0; i = (i + 1) % raw.length) {
    const room = Math.floor(insured[i]! * 0.03) - raw[i]!;
    const delta = rest > 0 ? Math.min(room, Math.ceil(rest / 8)) : Math.max(-raw[i]! + 1, Math.floor(rest / 8));
    raw[i]! += delta;
    rest -= delta;
  }
  return insured.map((v, i) => ({ insuredYuan: v, premiumYuan: raw[i]! }));
}

const day = (year: number, dayOfYear: number): string => new Date(Date.UTC(year, 0, dayOfYear)).toISOString().slice(0, 10);
const at = (d: string, hour = 10): Date => new Date(`${d}T${String(hour - 8).padStart(2, '0')}:00:00Z`);
const plusDays = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const yuan = (v: number): string => `${v}.00`;

/** Writes the demo's claims (through their steps), and the national records, in the caller's unit of work. */
export async function seedDemoInsurance(db: Db, catalogue: CatalogueIds, now: Date): Promise<{ claims: number; national: number }> {
  const trx = executorFor(db);
  let clockAt = now;
  const service = new InsuranceService(db, { now: () => clockAt });
  const rng = new Rng(SEED);
  const actor = (id: number, username: string, role: Actor['role'], vendorId: number | null = null): Actor => ({ id, username, role, displayName: username, purchaserId: null, vendorId });
  const admin = actor(catalogue.users.admin, 'admin', 'admin');
  const finance = actor(catalogue.users.finance, 'finance', 'finance');

  // Who acts for a vendor: its account, else a disabled operator account (demo-ops-v{id}, as the trades' history has).
  const operators = new Map<number, Actor>();
  const operator = async (vendorId: number): Promise<Actor> => {
    const known = operators.get(vendorId);
    if (known) return known;
    let u = (await trx('users').where({ role: 'vendor', vendor_id: vendorId }).orderBy('id').first('id', 'username')) as { id: number; username: string } | undefined;
    if (!u) {
      const name = ((await trx('vendors').where({ id: vendorId }).first('name')) as { name: string }).name;
      await trx('users').insert({ username: `demo-ops-v${vendorId}`, role: 'vendor', purchaser_id: null, vendor_id: vendorId, display_name: `${name} 经办人`, password_hash: '!', status: 'disabled', created_at: now.toISOString() });
      u = (await trx('users').where({ username: `demo-ops-v${vendorId}` }).first('id', 'username')) as { id: number; username: string };
    }
    const a = actor(u.id, u.username, 'vendor', vendorId);
    operators.set(vendorId, a);
    return a;
  };

  // Certificates of approved vendors, not revoked, certified by 2019 (so valid in both years' policies).
  const candidates = (await trx('certifications as c')
    .join('vendors as v', 'v.credit_code', 'c.credit_code')
    .where('v.status', 'approved')
    .whereNot('c.status', 'revoked')
    .where('c.kind', 'equipment')
    .whereBetween('c.year', [2016, 2019])
    .where('c.valid_until', '>=', '2020-12-31')
    .orderBy('c.id')
    .select('c.id', 'c.cert_no', 'c.year', 'c.valid_until', 'v.id as vendor_id')) as CertCandidate[];
  const byCert = new Map<number, CertCandidate>();
  for (const c of candidates) if (!byCert.has(c.id)) byCert.set(c.id, c);
  const pool = [...byCert.values()];
  // The demo `vendor`: its latest certificate issued by 2019 and valid on its 2020 policy's start (expired since).
  const own = (await trx('certifications as c')
    .join('vendors as v', 'v.credit_code', 'c.credit_code')
    .where('v.id', catalogue.demoVendors.vendor)
    .whereNot('c.status', 'revoked')
    .where('c.year', '<=', 2019)
    .where('c.valid_until', '>=', '2020-12-31')
    .orderBy('c.year', 'desc')
    .first('c.id', 'c.cert_no', 'c.year', 'c.valid_until')) as Omit<CertCandidate, 'vendor_id'> | undefined;
  const vendorCert: CertCandidate | null = own ? { ...own, vendor_id: catalogue.demoVendors.vendor } : null;

  let serial = 0;
  let claims = 0;
  type Paid = { cert: CertCandidate; policyNo: string; insurer: string; insuredYuan: number; premiumYuan: number; buyer: string; contractNo: string };

  /** One claim from draft to paid (or to its rejection), each step on its own day. */
  async function walk(cert: CertCandidate, input: Record<string, unknown>, start: string, outcome: 'paid' | 'reject_admin' | 'reject_finance'): Promise<void> {
    const vendor = await operator(cert.vendor_id);
    let d = plusDays(start, rng.int(20, 60));
    clockAt = at(d, 9);
    const draft = await service.createClaim(vendor, ClaimInput.parse(input), { demo: true, ...QUIET });
    clockAt = at(d, 10);
    await service.submit(vendor, draft.id, QUIET);
    d = plusDays(d, rng.int(3, 10));
    clockAt = at(d, 15);
    if (outcome === 'reject_admin') {
      await service.firstReview(admin, draft.id, { passed: false, opinion: rng.pick(['保单未载明首台（套）产品型号，请补充保险合同附件', '购销合同与保单投保标的不一致']) }, QUIET);
      claims++;
      return;
    }
    await service.firstReview(admin, draft.id, { passed: true, opinion: '证书、保单、购销合同齐全，符合补偿条件，提请联审' }, QUIET);
    d = plusDays(d, rng.int(3, 10));
    clockAt = at(d, 16);
    if (outcome === 'reject_finance') {
      await service.jointReview(finance, draft.id, { passed: false, opinion: '保费发票金额与保单不符，请更正后重新申报' }, QUIET);
      claims++;
      return;
    }
    await service.jointReview(finance, draft.id, { passed: true, opinion: '同意补偿' }, QUIET);
    d = plusDays(d, rng.int(5, 25));
    clockAt = at(d, 11);
    await service.disburse(finance, draft.id, QUIET);
    claims++;
  }

  const inputOf = (p: Paid, start: string, policyYear: number): Record<string, unknown> => ({
    certNo: p.cert.cert_no,
    policyNo: p.policyNo,
    insurer: p.insurer,
    insuredValue: yuan(p.insuredYuan),
    premium: yuan(p.premiumYuan),
    policyStart: start,
    policyEnd: plusDays(`${Number(start.slice(0, 4)) + 1}${start.slice(4)}`, -1),
    policyYear,
    unitOrdinal: rng.weighted([[1, 6], [2, 3], [3, 1]] as const),
    purchaserName: p.buyer,
    contractNo: p.contractNo,
    nationalSubsidy: false,
  });

  const policies2019: Paid[] = [];
  for (const year of [2019, 2020] as const) {
    const spec = DEMO_INSURANCE[year];
    const plan = planYear(rng, spec.projects, spec.insuredYuan, spec.compensationYuan);
    // 2020: the demo `vendor`'s claim first, then 18 of 2019's policies in their second year, then new policies.
    const first = year === 2020 && vendorCert ? 1 : 0;
    const renewals = year === 2020 ? rng.sample(policies2019, 18) : [];
    for (const [i, p] of plan.entries()) {
      const start = day(year, rng.int(5, 250));
      const renewal = i >= first ? renewals[i - first] : undefined;
      const cert = renewal?.cert ?? (i < first && vendorCert ? vendorCert : rng.pick(pool));
      const k = rng.int(0, INSURERS.length - 1);
      const paid: Paid = renewal
        ? { ...renewal, insuredYuan: p.insuredYuan, premiumYuan: p.premiumYuan }
        : { cert, policyNo: `${INSURER_CODES[k]}-SB${year}-${String(++serial).padStart(5, '0')}`, insurer: INSURERS[k]!, insuredYuan: p.insuredYuan, premiumYuan: p.premiumYuan, buyer: rng.pick(BUYERS), contractNo: `HT-${year}-${String(serial).padStart(5, '0')}` };
      await walk(paid.cert, inputOf(paid, start, renewal ? 2 : 1), start, 'paid');
      if (year === 2019) policies2019.push(paid);
    }
    // Claims sent back at a review (the 86 are what passed 初审 and 联审).
    for (const outcome of ['reject_admin', 'reject_admin', 'reject_finance'] as const) {
      const k = rng.int(0, INSURERS.length - 1);
      const p: Paid = { cert: rng.pick(pool), policyNo: `${INSURER_CODES[k]}-SB${year}-${String(++serial).padStart(5, '0')}`, insurer: INSURERS[k]!, insuredYuan: 20_000_000, premiumYuan: 500_000, buyer: rng.pick(BUYERS), contractNo: `HT-${year}-${String(serial).padStart(5, '0')}` };
      const start = day(year, rng.int(5, 250));
      await walk(p.cert, inputOf(p, start, 1), start, outcome);
    }
  }

  // The desks on the demo day (the 2021 rule): `vendor` a draft and one for 初审; `vendor2` one in 联审, one due.
  const today = now.toISOString().slice(0, 10);
  const open = async (username: 'vendor' | 'vendor2', steps: number, daysAgo: number) => {
    const vendorId = catalogue.demoVendors[username];
    const start = plusDays(today, -daysAgo - 40);
    const cert = (await trx('certifications as c').join('vendors as v', 'v.credit_code', 'c.credit_code').where('v.id', vendorId).where('c.status', 'valid').where('c.year', '<=', Number(start.slice(0, 4))).where('c.valid_until', '>=', start).orderBy('c.year', 'desc').first('c.cert_no')) as { cert_no: string } | undefined;
    if (!cert) return;
    const v = actor(catalogue.users[username], username, 'vendor', vendorId);
    const k = rng.int(0, INSURERS.length - 1);
    clockAt = at(plusDays(today, -daysAgo));
    const c = await service.createClaim(v, ClaimInput.parse({ certNo: cert.cert_no, policyNo: `${INSURER_CODES[k]}-SB${start.slice(0, 4)}-${String(++serial).padStart(5, '0')}`, insurer: INSURERS[k], insuredValue: yuan(rng.int(8, 60) * 1_000_000), premium: yuan(rng.int(12, 90) * 10_000), policyStart: start, policyEnd: plusDays(start, 364), policyYear: 1, unitOrdinal: 1, purchaserName: rng.pick(BUYERS), contractNo: `HT-${start.slice(0, 4)}-${String(serial).padStart(5, '0')}`, nationalSubsidy: false }), { demo: true, ...QUIET });
    claims++;
    if (steps >= 1) await service.submit(v, c.id, QUIET);
    if (steps >= 2) {
      clockAt = at(plusDays(today, -daysAgo + 2), 15);
      await service.firstReview(admin, c.id, { passed: true, opinion: '材料齐全，提请联审' }, QUIET);
    }
    if (steps >= 3) {
      clockAt = at(plusDays(today, -daysAgo + 5), 16);
      await service.jointReview(finance, c.id, { passed: true, opinion: '同意补偿' }, QUIET);
    }
  };
  await open('vendor', 0, 3);
  await open('vendor', 1, 6);
  await open('vendor2', 2, 12);
  await open('vendor2', 3, 40); // approved 35 days ago: overdue on the finance desk

  // The national scheme (国家首台（套）保险补偿): 8 projects of 2020, entered by the department.
  const n = DEMO_INSURANCE.national2020;
  const insured = split(n.insuredYuan / 1_000_000, Array.from({ length: n.projects }, () => 0.5 + rng.next())).map((v) => v * 1_000_000);
  const subsidy = split(n.subsidyYuan / 10_000, insured).map((v) => v * 10_000);
  const names = ['大型盾构机', 'LNG 运输船用再液化装置', '高速五轴联动加工中心', '大功率海上风电机组', '1.5T 超导磁共振成像系统', '智能化焦炉机械', '大型超低温液化天然气泵', '高精度数控成形磨齿机'];
  clockAt = at('2020-12-18', 10);
  const nationalVendors = rng.sample(pool, n.projects);
  const vendorNames = new Map((await trx('vendors').whereIn('id', nationalVendors.map((c) => c.vendor_id)).select('id', 'name')).map((v: { id: number; name: string }) => [v.id, v.name]));
  for (let i = 0; i < n.projects; i++) {
    await service.addNationalRecord(admin, NationalInput.parse({ year: 2020, projectName: `【演示数据】${names[i]}`, enterpriseName: vendorNames.get(nationalVendors[i]!.vendor_id) ?? '演示企业', units: 1, insuredValue: yuan(insured[i]!), subsidy: yuan(subsidy[i]!) }), { demo: true });
  }
  return { claims, national: n.projects };
}

/** knex seed entry point: a no-op (the demo loader calls seedDemoInsurance inside its transaction). */
export async function seed(): Promise<void> {}
