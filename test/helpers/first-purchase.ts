import type { Db } from '../../src/db';
import { Ledger } from '../../src/ledger/service';
import { FakeClock, SystemClock } from '../../src/clock';
import { FirstPurchaseService } from '../../src/first-purchase/service';
import { BudgetService } from '../../src/ledger/budgets';
import type { Actor } from '../../src/web/state';
import { bearer } from './app';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from './factories';

/** The parties of single-source tests: two purchasing units, two vendors, an admin, the finance department, and products to buy. */
export interface FpWorld {
  unit: { id: number; name: string; city: string; type: string };
  otherUnit: { id: number; name: string };
  vendor: { id: number; name: string; city: string };
  otherVendor: { id: number; name: string };
  users: { purchaser: string; purchaser2: string; vendor: string; vendor2: string; admin: string; finance: string };
  userIds: { purchaser: number; admin: number; finance: number };
  certIds: { ct: number; mr: number };
  products: { ct: number; mr: number; expired: number; revoked: number; boutique: number; pending: number; foreignCert: number };
  certNo: string;
}

export async function makeFpWorld(db: Db): Promise<FpWorld> {
  const unit = await makePurchaser(db, { name: '浙江省人民医院', city: '杭州', type: 'hospital' });
  const otherUnit = await makePurchaser(db, { name: '宁波市第一医院', city: '宁波', type: 'hospital' });
  const vendor = await makeVendor(db, { name: '宁波明峰医疗系统股份有限公司', city: '宁波' });
  const otherVendor = await makeVendor(db, { name: '杭州另一家医疗器械有限公司', city: '杭州' });
  const cert = await makeCert(db, vendor, { field: '高端医疗装备', level: 'domestic', year: 2025, valid_until: '2099-12-31', product_name: '64排CT' });
  const cert2 = await makeCert(db, vendor, { field: '高端医疗装备', level: 'international', year: 2025, valid_until: '2099-12-31', product_name: '1.5T MR' });
  const lapsed = await makeCert(db, vendor, { field: '高端医疗装备', valid_until: '2021-12-31' });
  const revoked = await makeCert(db, vendor, { field: '高端医疗装备', status: 'revoked' });
  // A certificate issued to another enterprise, listed by this vendor: not a first-unit product of this vendor.
  const foreign = await makeCert(db, otherVendor, { field: '高端医疗装备', valid_until: '2099-12-31' });
  const ct = await makeProduct(db, vendor, { cert, title: '64排CT', model: 'ScintCare CT 64', price_fen: 3_200_000_00, description: '64 排螺旋 CT' });
  const mr = await makeProduct(db, vendor, { cert: cert2, title: '1.5T MR', model: 'MR-150', price_fen: 5_600_000_00 });
  const expired = await makeProduct(db, vendor, { cert: lapsed, title: '旧款CT' });
  const revokedP = await makeProduct(db, vendor, { cert: revoked, title: '撤销证书的CT' });
  const boutique = await makeProduct(db, vendor, { title: '精品监护仪' });
  const pending = await makeProduct(db, vendor, { cert, title: '待审核CT', status: 'pending_review' });
  const foreignCert = await makeProduct(db, vendor, { cert: foreign, title: '借用证书的CT' });
  const p1 = await makeUser(db, { role: 'purchaser', purchaser_id: unit.id });
  const p2 = await makeUser(db, { role: 'purchaser', purchaser_id: otherUnit.id });
  const v1 = await makeUser(db, { role: 'vendor', vendor_id: vendor.id });
  const v2 = await makeUser(db, { role: 'vendor', vendor_id: otherVendor.id });
  const admin = await makeUser(db, { role: 'admin' });
  const finance = await makeFinanceUser(db);
  await ensureFinanceDepartment(db);
  return {
    unit,
    otherUnit,
    vendor,
    otherVendor,
    users: { purchaser: p1.username, purchaser2: p2.username, vendor: v1.username, vendor2: v2.username, admin: admin.username, finance: finance.username },
    userIds: { purchaser: p1.id, admin: admin.id, finance: finance.id },
    certIds: { ct: cert.id, mr: cert2.id },
    products: { ct: ct.id, mr: mr.id, expired: expired.id, revoked: revokedP.id, boutique: boutique.id, pending: pending.id, foreignCert: foreignCert.id },
    certNo: cert.cert_no,
  };
}

/** A user of the finance department (财政部门); the factories' role list predates the role. */
export function makeFinanceUser(db: Db): Promise<{ id: number; username: string }> {
  return makeUser(db, { role: 'finance' as never });
}

/** The finance department's actor: the given one, else the first finance user of the database (made if none). */
async function financeActor(db: Db, given?: Actor): Promise<Actor> {
  if (given) return given;
  const u = (await db('users').where({ role: 'finance' }).orderBy('id').first()) ?? (await db('users').where({ id: (await makeFinanceUser(db)).id }).first());
  return { id: u.id, username: u.username, role: 'finance', displayName: u.display_name, purchaserId: null, vendorId: null };
}

export const EXPERTS = [
  { name: '王建国', unit: '浙江大学医学院附属第一医院', title: '主任医师' },
  { name: '李敏', unit: '浙江省医疗器械检验研究院', title: '高级工程师' },
  { name: '陈立', unit: '浙江工业大学', title: '教授' },
];

export function caseBody(productId: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    productId,
    projectName: '64排CT采购项目',
    projectContent: '采购64排螺旋CT一台，含安装调试与三年保修',
    budget: '3500000.00',
    reason: '该设备为首台（套）认定产品，具有专利技术，只能从唯一供应商处采购',
    experts: EXPERTS,
    expertOpinion: '经论证，该产品的核心探测器技术为供应商专有，具有唯一性',
    contact: '张老师 0571-87666666',
    purchaserAddress: '浙江省杭州市上城区上塘路158号',
    ...over,
  };
}

/** The finance department's contacts as the demo and the tests set them (the 公示 names them, art. 38). */
export const FINANCE_DEPARTMENT = { name: '浙江省财政厅', address: '浙江省杭州市测试路 1 号', contactPerson: '政府采购监管处 刘处长', phone: '0571-87050000' };

/** Sets the finance department's contacts unless they are set (straight into settings; the admin's route is tested apart). */
export async function ensureFinanceDepartment(db: Db): Promise<void> {
  const row = await db('settings').where({ key: 'finance_department' }).first('key');
  if (!row) await db('settings').insert({ key: 'finance_department', value: JSON.stringify(FINANCE_DEPARTMENT), updated_at: new Date().toISOString() });
}

export const negotiation = (amount: string, over: Record<string, unknown> = {}) => ({
  amount,
  record: {
    date: '2026-10-13',
    place: '浙江省人民医院行政楼 3 楼会议室',
    staff: [
      { name: '张三', confirmed: true },
      { name: '王五', confirmed: true },
      { name: '赵六', confirmed: true, dissent: '认为保修期应延长至五年' },
    ],
    supplierRepresentative: '李四',
    costNote: '供应商提供的成本构成：整机成本 280 万元',
    comparablePrices: '近三年同型号合同价：328 万元、335 万元',
    patents: '探测器与重建算法为供应商发明专利（ZL2019XXXXXXXX.X），无其他许可方',
    agreedTerms: '含安装调试与三年保修，交货期 60 日',
    ...over,
  },
});

/** Budget for a purchasing unit, straight through the ledger (the budgets' own routes belong to another module). */
export async function allocate(db: Db, purchaserId: number, fen: number, key: string): Promise<void> {
  await db.transaction((trx) => new Ledger(new SystemClock()).allocate(trx, purchaserId, fen, key, null));
}

/**
 * Bearer tokens for the world's users that follow the test clock: a token lives 12 hours of the clock, so a test
 * that walks the clock across a notice period logs in again whenever the clock has left the token's window.
 */
export function clockedTokens(t: { http: ReturnType<typeof import('supertest')>; clock: { now(): Date } }, users: FpWorld['users']) {
  const held: Record<string, { value: string; at: number }> = {};
  return async (who: keyof FpWorld['users']): Promise<string> => {
    const now = t.clock.now().getTime();
    const h = held[who];
    if (!h || now < h.at || now > h.at + 11 * 3600 * 1000) held[who] = { value: await bearer(t.http, users[who]), at: now };
    return held[who].value;
  };
}

export type FpStage = 'draft' | 'notice' | 'noticeEnded' | 'objection' | 'approved' | 'awarded' | 'contracted' | 'accepted';

/**
 * A case walked to `stage` straight through the service (no HTTP), for tests that need cases in given states.
 * 'notice' and 'objection' (a notice with one open objection) are published at `now` so their period is open;
 * every later stage is published 30 days before `now`, so its period has ended. The finance department approves
 * (`parties.finance`, or the database's first finance user). Contracts get their budget first.
 */
export async function caseInState(
  db: Db,
  now: Date,
  parties: { buyer: Actor; admin: Actor; productId: number; finance?: Actor },
  stage: FpStage,
): Promise<{ id: number; objectionId: number | null }> {
  const clock = new FakeClock();
  const live = stage === 'notice' || stage === 'objection';
  clock.set(new Date(now.getTime() - (live ? 0 : 30 * 86400000)), { freeze: true });
  const s = new FirstPurchaseService(db, clock);
  await ensureFinanceDepartment(db);
  const input = { ...(caseBody(parties.productId) as Record<string, unknown>), budget: 3_500_000_00, quantity: 1, contactPerson: null, contactPhone: null, agency: null };
  const { id } = await s.create(parties.buyer, input as Parameters<typeof s.create>[1]);
  if (stage === 'draft') return { id, objectionId: null };
  await s.submit(parties.buyer, id);
  if (stage === 'objection') {
    const o = await s.fileObjection(null, id, { name: '异议人', organization: '', contact: '1', content: '异议' });
    return { id, objectionId: o.id };
  }
  if (stage === 'notice') return { id, objectionId: null };
  clock.set(new Date(now.getTime() - 10 * 86400000), { freeze: true });
  if (stage === 'noticeEnded') return { id, objectionId: null };
  await s.approve(await financeActor(db, parties.finance), id, { opinion: '同意', approvalNo: `财审-${id}` });
  if (stage === 'approved') return { id, objectionId: null };
  const day = new Date(clock.now().getTime() + 8 * 3600000).toISOString().slice(0, 10);
  await s.negotiate(parties.buyer, id, {
    amount: 3_000_000_00,
    record: { date: day, place: '会议室', staff: [{ name: '甲', confirmed: true, dissent: null }], supplierRepresentative: null, costNote: '成本', comparablePrices: '同类合同价', patents: '专利说明', agreedTerms: '主要条款' },
  });
  if (stage === 'awarded') return { id, objectionId: null };
  await new BudgetService(db, clock).allocate(parties.admin, { purchaserId: parties.buyer.purchaserId as number, amountFen: 3_000_000_00 });
  await s.contract(parties.buyer, id, { contractNo: `HT-${id}`, signedAt: day, mainTerms: null });
  if (stage === 'contracted') return { id, objectionId: null };
  await s.accept(parties.buyer, id, { team: ['验收组长 甲', '验收组员 乙'], report: '验收合格', note: '' });
  return { id, objectionId: null };
}

/** The case form as a browser sends it: flat `experts[i][name]` fields. */
export function caseForm(productId: number, over: Record<string, string> = {}): Record<string, string> {
  const body = caseBody(productId) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== 'experts') out[k] = String(v);
  (body.experts as Array<Record<string, string>>).forEach((e, i) => {
    for (const [k, v] of Object.entries(e)) out[`experts[${i}][${k}]`] = v;
  });
  return { ...out, ...over };
}

/** 验收 as the law wants it: the acceptance team and its report. */
export const ACCEPTANCE = { team: ['验收组长 张三（设备科）', '李敏（浙江省医疗器械检验研究院）'], report: '设备到货安装调试完毕，关键技术指标逐项核验合格，验收合格。' };
