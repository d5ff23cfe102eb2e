import { FakeClock } from '../src/clock';
import { executorFor, inUnitOfWork, type Db, type Executor } from '../src/db';
import { FirstPurchaseService } from '../src/first-purchase/service';
import type { CaseStatus } from '../src/first-purchase/transitions';
import { BudgetService } from '../src/ledger/budgets';
import { SettingsService } from '../src/settings/service';
import { Money } from '../src/money';
import { shanghaiDay } from '../src/time';
import { toActor, type ActorColumns } from '../src/auth/repo';
import type { Actor } from '../src/web/state';
import { addWorkdays } from '../src/workdays';
import type { CatalogueIds } from './lib/catalogue';

/*
 * The government first purchases (政府首购, single source) of the demo data, every one walked through
 * FirstPurchaseService step by step (notice, objections, approval, negotiation, contract, acceptance, payment) with a
 * frozen FakeClock dating each step (approvals and contract filings by the `finance` account), so the ledger, the notices and the statistics hold what a real procedure leaves.
 *
 * - 2020, the report's figure (DESIGN §5): exactly 4 settled first purchases of high-end medical equipment
 *   (64排CT, 1.5T MR, 全自动流式荧光化学发光一体化分析系统 ×2) totalling ¥11,200,000.00.
 * - 2021–2025: one or two settled cases a year, so year-on-year figures exist; one terminated over budget.
 * - The demo accounts: `purchaser` has a case in every state, all naming the products of `vendor`; `purchaser2` has
 *   cases for `vendor2`'s medical equipment. The cases in their notice period are published the working day before
 *   the demo is loaded (or before DEMO_TODAY), so a visitor finds a 公示 open for objections.
 *
 * This file lives directly in seeds/, where knex runs every file that exports `seed`; its `seed` is a no-op because
 * the demo loader (seeds/demo.ts) calls `seedDemoFirstPurchases` inside its own transaction.
 */

const DEMO_TODAY = '2026-11-27';

/** DESIGN §5: the 2020 first purchases. */
export const REPORT_2020_FIRST_PURCHASES = { count: 4, fen: 11_200_000_00, field: '高端医疗装备' } as const;

type Buyer = 'purchaser' | 'purchaser2' | { type: 'hospital' | 'agency' | 'school' | 'other'; nth: number };
type Objection = 'open' | 'dismissed' | 'upheld';

interface CasePlan {
  buyer: Buyer;
  product: string;
  projectName: string;
  projectContent: string;
  budget: string;
  amount?: string;
  quantity?: number;
  /** The working day the case is opened and published. */
  start: string;
  stopAt: CaseStatus;
  objection?: Objection;
  /** A terminated case: by an upheld objection, or a price above the budget. */
  terminatedBy?: 'objection' | 'over_budget';
}

const EXPERT_POOL = [
  { name: '王建国', unit: '浙江大学医学院附属第一医院', title: '主任医师' },
  { name: '李敏', unit: '浙江省医疗器械检验研究院', title: '高级工程师' },
  { name: '陈立新', unit: '浙江工业大学机械工程学院', title: '教授' },
  { name: '周晓燕', unit: '浙江省医学科学院', title: '研究员' },
  { name: '吴志强', unit: '浙江大学控制科学与工程学院', title: '教授' },
  { name: '沈丽华', unit: '浙江省机电设计研究院有限公司', title: '正高级工程师' },
  { name: '郑海涛', unit: '浙江省测绘科学技术研究院', title: '正高级工程师' },
];

const REASONS: Record<string, string> = {
  高端医疗装备: '该产品为我省认定的首台（套）产品，核心部件采用供应商自主知识产权的专利技术，经专家论证，只能从唯一供应商处采购。依据《政府采购法》第三十一条及我省首台（套）产品政府首购政策，拟采用单一来源方式采购。',
  数控机床: '该设备为首台（套）认定产品，其多轴联动控制与关键部件为供应商专有技术，国内无其他供应商能提供满足技术指标的同类产品，拟按首台（套）政府首购政策采用单一来源方式采购。',
  航空装备: '该系统为首台（套）认定产品，长航时测绘平台与任务载荷的集成方案为供应商独有，满足应急测绘保障需求的仅此一家，拟采用单一来源方式采购。',
  工程机械: '该设备为首台（套）认定产品，遥控凿岩控制系统为供应商专利技术，满足项目技术要求的仅有该供应商，拟采用单一来源方式采购。',
};

const OPINIONS: Record<string, string> = {
  高端医疗装备: '经论证，该产品的关键技术指标达到国内领先水平，其核心部件为供应商专利技术，市场上无其他供应商能提供同等性能的首台（套）产品，供应商具有唯一性。',
  数控机床: '经论证，该机床的五轴联动数控系统及关键功能部件为供应商自主研发并拥有专利，其他供应商无法提供满足本项目指标的产品，供应商具有唯一性。',
  航空装备: '经论证，该系统的续航时间与载荷指标为目前国内唯一满足应急测绘需求的首台（套）产品，供应商具有唯一性。',
  工程机械: '经论证，该钻机的遥控凿岩技术为供应商专利，其他供应商无法满足，供应商具有唯一性。',
};

/** Every demo case. Amounts are what the negotiation agreed; the four 2020 ones sum to ¥11,200,000.00. */
const PLANS: CasePlan[] = [
  // 2020 — the report's four first purchases of high-end medical equipment.
  { buyer: { type: 'hospital', nth: 0 }, product: '64排CT', projectName: '64排螺旋CT采购项目', projectContent: '采购64排螺旋CT一台，含安装调试、操作培训及三年原厂保修', budget: '3800000', amount: '3760000', start: '2020-06-15', stopAt: 'paid' },
  { buyer: { type: 'hospital', nth: 1 }, product: '1.5T MR', projectName: '1.5T磁共振成像系统采购项目', projectContent: '采购1.5T超导磁共振成像系统一套，含磁屏蔽工程与三年原厂保修', budget: '5200000', amount: '5140000', start: '2020-07-06', stopAt: 'paid', objection: 'dismissed' },
  { buyer: { type: 'hospital', nth: 2 }, product: '全自动流式荧光化学发光一体化分析系统', projectName: '化学发光免疫分析系统采购项目', projectContent: '采购全自动流式荧光化学发光一体化分析系统一台，用于检验科免疫检测', budget: '1100000', amount: '1090000', start: '2020-08-10', stopAt: 'paid' },
  { buyer: { type: 'hospital', nth: 3 }, product: '全自动流式荧光化学发光一体化分析系统', projectName: '化学发光免疫分析系统（含前处理模块）采购项目', projectContent: '采购全自动流式荧光化学发光一体化分析系统一台，含配套样本前处理模块与三年维保', budget: '1250000', amount: '1210000', start: '2020-09-14', stopAt: 'paid' },

  // 2021–2025: the years around the report.
  { buyer: { type: 'agency', nth: 1 }, product: 'CH-4 中航时固定翼无人机航空应急测绘系统', projectName: '航空应急测绘系统采购项目', projectContent: '采购中航时固定翼无人机航空应急测绘系统一套，用于自然灾害应急测绘保障', budget: '9800000', amount: '9520000', start: '2021-04-12', stopAt: 'paid' },
  { buyer: { type: 'hospital', nth: 4 }, product: '64排CT', projectName: '64排CT采购项目', projectContent: '采购64排螺旋CT一台', budget: '3800000', amount: '3690000', start: '2022-03-14', stopAt: 'paid' },
  { buyer: { type: 'school', nth: 0 }, product: '五轴数控卧式侧拉床', projectName: '智能制造实训中心五轴侧拉床采购项目', projectContent: '采购五轴数控卧式侧拉床一台，用于智能制造实训教学', budget: '6600000', amount: '6450000', start: '2023-05-08', stopAt: 'paid' },
  { buyer: { type: 'hospital', nth: 5 }, product: '1.5T MR', projectName: '磁共振成像系统采购项目', projectContent: '采购1.5T磁共振成像系统一套', budget: '4800000', amount: '5080000', start: '2023-09-04', stopAt: 'terminated', terminatedBy: 'over_budget' },
  { buyer: { type: 'hospital', nth: 5 }, product: '1.5T MR', projectName: '磁共振成像系统采购项目（重新采购）', projectContent: '采购1.5T磁共振成像系统一套（原单一来源采购因报价超预算终止，调整预算后重新采购）', budget: '5200000', amount: '5050000', start: '2024-03-11', stopAt: 'paid' },
  { buyer: { type: 'agency', nth: 2 }, product: '智能遥控中深孔钻机', projectName: '矿山应急救援钻机采购项目', projectContent: '采购智能遥控中深孔钻机一台，用于矿山应急救援', budget: '1300000', amount: '1260000', start: '2025-06-09', stopAt: 'paid' },

  // The demo account `purchaser`: a case in every state, naming the products of `vendor`.
  { buyer: 'purchaser', product: '数控车铣复合机床', projectName: '数控车铣复合机床采购项目（二期）', projectContent: '采购数控车铣复合机床一台', budget: '1700000', start: '2026-11-25', stopAt: 'draft' },
  { buyer: 'purchaser', product: '立式五轴联动数控机床', projectName: '立式五轴联动加工中心采购项目', projectContent: '采购立式五轴联动数控机床两台，用于精密零部件加工', budget: '4800000', quantity: 2, start: 'live', stopAt: 'notice', objection: 'open' },
  { buyer: 'purchaser', product: '五轴数控卧式侧拉床', projectName: '五轴数控卧式侧拉床采购项目', projectContent: '采购五轴数控卧式侧拉床一台', budget: '6600000', start: '2026-10-26', stopAt: 'approved' },
  { buyer: 'purchaser', product: '数控车铣复合机床', projectName: '数控车铣复合机床采购项目', projectContent: '采购数控车铣复合机床一台', budget: '1700000', amount: '1650000', start: '2026-10-19', stopAt: 'awarded' },
  { buyer: 'purchaser', product: '立式五轴联动数控机床', projectName: '五轴联动加工中心采购项目', projectContent: '采购立式五轴联动数控机床一台', budget: '2400000', amount: '2350000', start: '2026-10-12', stopAt: 'contracted' },
  { buyer: 'purchaser', product: '五轴数控卧式侧拉床', projectName: '拉削加工设备更新项目', projectContent: '采购五轴数控卧式侧拉床一台，替换老旧拉床', budget: '6600000', amount: '6520000', start: '2026-09-01', stopAt: 'accepted' },
  { buyer: 'purchaser', product: '数控车铣复合机床', projectName: '车铣复合加工设备采购项目', projectContent: '采购数控车铣复合机床一台', budget: '1700000', amount: '1660000', start: '2026-07-06', stopAt: 'paid', objection: 'dismissed' },
  { buyer: 'purchaser', product: '立式五轴联动数控机床', projectName: '五轴加工设备采购项目', projectContent: '采购立式五轴联动数控机床一台', budget: '2400000', start: '2026-11-02', stopAt: 'terminated', terminatedBy: 'objection', objection: 'upheld' },

  // The demo account `purchaser2`: `vendor2`'s medical equipment.
  { buyer: 'purchaser2', product: '移动式数字化X射线摄影系统', projectName: '移动DR采购项目', projectContent: '采购移动式数字化X射线摄影系统两台', budget: '1360000', quantity: 2, start: '2026-11-26', stopAt: 'draft' },
  { buyer: 'purchaser2', product: '64排CT', projectName: '64排CT采购项目', projectContent: '采购64排螺旋CT一台', budget: '3800000', start: 'live', stopAt: 'notice' },
  { buyer: 'purchaser2', product: '1.5T MR', projectName: '1.5T磁共振采购项目', projectContent: '采购1.5T磁共振成像系统一套', budget: '5200000', amount: '5090000', start: '2026-10-19', stopAt: 'awarded' },
  { buyer: 'purchaser2', product: '移动式数字化X射线摄影系统', projectName: '床旁移动DR采购项目', projectContent: '采购移动式数字化X射线摄影系统一台', budget: '700000', amount: '668000', start: '2025-08-04', stopAt: 'paid' },
  { buyer: 'purchaser2', product: '1.5T MR', projectName: '磁共振设备采购项目', projectContent: '采购1.5T磁共振成像系统一套', budget: '4500000', amount: '4980000', start: '2026-09-14', stopAt: 'terminated', terminatedBy: 'over_budget' },
];

/** The finance department's contacts in the demo (illustrative, not the department's real ones). */
const DEMO_FINANCE_DEPARTMENT = { name: '浙江省财政厅（政府采购监管处）', address: '浙江省杭州市（演示地址）', contactPerson: '政府采购监管处 经办人（演示）', phone: '0571-00000000' };

const ORDER: CaseStatus[] = ['draft', 'notice', 'approved', 'awarded', 'contracted', 'accepted', 'paid'];
const reached = (plan: CasePlan, s: CaseStatus) => plan.stopAt === 'terminated' || ORDER.indexOf(plan.stopAt) >= ORDER.indexOf(s);

const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;

export interface DemoFirstPurchasesSummary {
  cases: number;
  byStatus: Record<string, number>;
  paid2020: { count: number; fen: number };
}

interface Actors {
  admin: Actor;
  /** The finance department (财政部门): it approves the single-source method and files the contracts. */
  finance: Actor;
  purchaserOf: (unitId: number) => Actor;
}

/** The acting user of each purchasing unit: its account, or a disabled operator account made for the demo. */
async function actorsFor(db: Executor, ids: CatalogueIds, units: number[]): Promise<Actors> {
  type UserRow = ActorColumns;
  const load = async (): Promise<UserRow[]> => db('users').select('id', 'username', 'role', 'purchaser_id', 'vendor_id', 'display_name');
  let users = await load();
  const has = (unit: number) => users.some((u) => u.role === 'purchaser' && Number(u.purchaser_id) === unit);
  const missing = [...new Set(units)].filter((u) => !has(u));
  if (missing.length) {
    const names = new Map<number, string>((await db('purchasers').whereIn('id', missing).select('id', 'name')).map((r: { id: number; name: string }) => [Number(r.id), r.name]));
    const now = `${DEMO_TODAY}T00:00:00.000Z`;
    await db('users').insert(
      missing.map((p) => ({ username: `demo-ops-p${p}`, password_hash: '!', role: 'purchaser', purchaser_id: p, vendor_id: null, display_name: `${names.get(p)} 经办人`, status: 'disabled', created_at: now })),
    );
    users = await load();
  }
  const admin = users.find((u) => Number(u.id) === ids.users.admin);
  if (!admin) throw new Error('demo first purchases: the demo admin account is missing');
  const finance = users.find((u) => Number(u.id) === ids.users.finance);
  if (!finance) throw new Error('demo first purchases: the demo finance account is missing');
  // The demo accounts themselves act for their units, before any operator account.
  const byUnit = new Map<number, UserRow>();
  for (const u of [...users].sort((a, b) => Number(a.id) - Number(b.id))) {
    if (u.role === 'purchaser' && u.purchaser_id !== null && !byUnit.has(Number(u.purchaser_id))) byUnit.set(Number(u.purchaser_id), u);
  }
  return { admin: toActor(admin), finance: toActor(finance), purchaserOf: (unit) => toActor(byUnit.get(unit) as UserRow) };
}

/**
 * Writes the demo's single-source cases through FirstPurchaseService (and their budgets through BudgetService),
 * inside the loader's unit of work. `now` is the loader's clock: the cases in their notice period are published the
 * working day before it (or before DEMO_TODAY, whichever is later).
 */
export async function seedDemoFirstPurchases(root: Db, ids: CatalogueIds, now: Date = new Date(`${DEMO_TODAY}T09:00:00+08:00`)): Promise<DemoFirstPurchasesSummary> {
  if (!inUnitOfWork()) throw new Error('seedDemoFirstPurchases runs inside the demo loader\'s unit of work (withUnitOfWork)');
  const db = executorFor(root);
  const clock = new FakeClock();
  const service = new FirstPurchaseService(root, clock, (id) => `/first-purchases/${id}/objections`);
  const budgets = new BudgetService(root, clock);

  // The report's named products by their catalogue ids; the demo vendors' own listings by title and vendor.
  const demoVendorIds = [ids.demoVendors.vendor, ids.demoVendors.vendor2];
  const listings: Array<{ id: number; title: string; vendor_id: number; field: string }> = await db('products as p')
    .join('certifications as c', 'c.id', 'p.cert_id')
    .where('p.status', 'approved')
    .where((q) => q.whereIn('p.id', Object.values(ids.namedProducts)).orWhereIn('p.vendor_id', demoVendorIds))
    .orderBy('p.id')
    .select('p.id', 'p.title', 'p.vendor_id', 'c.field');
  const products = new Map<string, { id: number; field: string }>();
  for (const title of new Set(PLANS.map((p) => p.product))) {
    const named = ids.namedProducts[title];
    const row = listings.find((l) => (named ? Number(l.id) === named : l.title === title));
    if (!row) throw new Error(`demo first purchases: the catalogue has no approved listing "${title}"`);
    products.set(title, { id: Number(row.id), field: row.field });
  }

  const units: Array<{ id: number; type: string }> = (await db('purchasers').whereIn('id', ids.purchasers).orderBy('id').select('id', 'type')).map((r: { id: number; type: string }) => ({ id: Number(r.id), type: r.type }));
  const unitNames = new Map<number, { name: string; city: string }>(
    (await db('purchasers').select('id', 'name', 'city')).map((r: { id: number; name: string; city: string }) => [Number(r.id), { name: r.name, city: r.city }]),
  );
  // The demo units' addresses as their cases publish them (art. 38; the units' profiles carry none).
  const addressOf = (unit: number): string => {
    const u = unitNames.get(unit);
    return u ? `浙江省${u.city}市 ${u.name}（演示地址）` : '浙江省杭州市（演示地址）';
  };
  const demoUnits = new Set([ids.demoPurchasers.purchaser, ids.demoPurchasers.purchaser2]);
  const unitOf = (b: Buyer): number => {
    if (b === 'purchaser' || b === 'purchaser2') return ids.demoPurchasers[b];
    const ofType = units.filter((u) => u.type === b.type && !demoUnits.has(u.id));
    const unit = ofType[b.nth % Math.max(ofType.length, 1)];
    if (!unit) throw new Error(`demo first purchases: no demo purchasing unit of type ${b.type}`);
    return unit.id;
  };
  const actors = await actorsFor(db, ids, PLANS.map((p) => unitOf(p.buyer)));

  // The finance department the 公示 names (art. 38), set by the admin as a deployment would; demo contact details.
  clock.set(new Date('2020-01-02T09:00:00+08:00'), { freeze: true });
  await new SettingsService(root, clock).setFinanceDepartment(actors.admin, DEMO_FINANCE_DEPARTMENT);

  const today = shanghaiDay(now) > DEMO_TODAY ? shanghaiDay(now) : DEMO_TODAY;
  const liveDay = addWorkdays(today, -1);

  const cases: Array<{ id: number }> = [];
  type Event = { at: string; seq: number; run: () => Promise<unknown> };
  const events: Event[] = [];
  let seq = 0;
  const on = (when: string, run: () => Promise<unknown>) => events.push({ at: new Date(when).toISOString(), seq: seq++, run });

  PLANS.forEach((plan, i) => {
    const buyer = actors.purchaserOf(unitOf(plan.buyer));
    const admin = actors.admin;
    const product = products.get(plan.product) as { id: number; field: string };
    const d = plan.start === 'live' ? liveDay : plan.start;
    const w = (n: number) => addWorkdays(d, n);
    const c = { id: 0, objection: 0 };
    cases.push(c);
    const experts = [0, 1, 2].map((k) => EXPERT_POOL[(i + k * 2) % EXPERT_POOL.length]);
    const amount = plan.amount ? Money.parse(plan.amount).fen : 0;

    on(at(d, '09:30'), async () => {
      c.id = (
        await service.create(buyer, {
          productId: product.id,
          projectName: plan.projectName,
          projectContent: plan.projectContent,
          budget: Money.parse(plan.budget).fen,
          quantity: plan.quantity ?? 1,
          reason: REASONS[product.field] ?? REASONS['高端医疗装备'],
          experts,
          expertOpinion: OPINIONS[product.field] ?? OPINIONS['高端医疗装备'],
          contact: `采购经办人 0571-8${String(6_000_000 + i * 7_319).padStart(7, '0')}`,
          purchaserAddress: addressOf(unitOf(plan.buyer)),
          contactPerson: null,
          contactPhone: null,
          agency: null,
        })
      ).id;
    });
    if (!reached(plan, 'notice')) return;
    on(at(d, '10:30'), () => service.submit(buyer, c.id));
    if (plan.objection) {
      on(at(plan.start === 'live' ? d : w(2), '15:00'), async () => {
        c.objection = (
          await service.fileObjection(null, c.id, {
            name: '周先生',
            organization: '浙江某医疗科技有限公司',
            contact: '0571-86000000',
            content: '我公司代理的同类产品亦能满足本项目技术要求，采购人认定供应商唯一性的依据不足，请求组织补充论证。',
          })
        ).id;
      });
      if (plan.objection !== 'open') {
        const upheld = plan.objection === 'upheld';
        const opinion = upheld
          ? '经组织专家补充论证，另有供应商能够提供满足本项目技术要求的同类产品，供应商不具有唯一性，异议成立，本项目终止单一来源采购。'
          : '经组织专家补充论证，异议人所述产品的关键技术指标不满足本项目要求，供应商具有唯一性，异议不成立。';
        const reply = upheld
          ? '周先生：您提出的异议经组织专家补充论证，异议成立，本项目已终止单一来源采购，采购人将依法采用其他方式重新开展采购活动。特此答复。'
          : '周先生：您提出的异议经组织专家补充论证，您所述产品的关键技术指标不满足本项目要求，异议不成立。特此答复。';
        on(at(w(6), '10:00'), () => service.resolveObjection(admin, c.id, c.objection, { upheld, opinion, reply }));
      }
    }
    if (plan.terminatedBy === 'objection' || !reached(plan, 'approved')) return;
    on(at(w(6), '16:00'), () =>
      service.approve(actors.finance, c.id, { opinion: '经审核，该项目符合首台（套）产品政府首购政策及单一来源采购方式的适用情形，同意采用单一来源方式采购。', approvalNo: `浙财采监〔${w(6).slice(0, 4)}〕${String(i + 1).padStart(3, '0')}号` }),
    );
    if (!reached(plan, 'awarded') && plan.terminatedBy !== 'over_budget') return;
    on(at(w(8), '10:00'), () =>
      service.negotiate(buyer, c.id, {
        amount,
        record: {
          date: w(8),
          place: '采购人会议室',
          // 单一来源采购人员: the purchaser's staff and a professional; the supplier's representative is not one of them.
          staff: [
            { name: `${buyer.displayName}`, confirmed: true, dissent: null },
            { name: '采购人纪检监督人员', confirmed: true, dissent: null },
            { name: `${experts[0].name}（${experts[0].title}）`, confirmed: true, dissent: null },
          ],
          supplierRepresentative: '供应商授权代表',
          costNote: '供应商提供了整机成本构成（核心部件、装配调试、运输安装、售后服务）及利润测算。',
          comparablePrices: '供应商近两年同型号产品合同价格三份，价格区间与本次报价相当。',
          patents: '核心部件及控制系统为供应商自有发明专利与软件著作权，未授权他人生产，无同类替代供应商。',
          agreedTerms: '交货期 90 日，含安装调试、操作培训，质保三年。',
        },
      }),
    );
    if (plan.terminatedBy || !reached(plan, 'contracted')) return;
    on(at(w(9), '09:00'), () => budgets.allocate(admin, { purchaserId: buyer.purchaserId as number, amountFen: amount }, `demo:fp:${i}`));
    on(at(w(9), '15:00'), () => service.contract(buyer, c.id, { contractNo: `ZJSS-HT-${w(9).slice(0, 4)}-${String(i + 1).padStart(3, '0')}`, signedAt: w(9), mainTerms: null }));
    // 合同备案 by the finance department within 7 working days of signing; the demo's contracted case waits for it.
    if (reached(plan, 'accepted')) on(at(w(12), '10:00'), () => service.filing(actors.finance, c.id));
    if (!reached(plan, 'accepted')) return;
    on(at(w(35), '10:00'), () => service.accept(buyer, c.id, {
        team: [`${buyer.displayName}（使用部门）`, '资产管理部门代表', `${experts[1].name}（${experts[1].unit}）`],
        report: '设备到货安装调试完毕，按合同逐项核验型号、数量与关键技术指标，试运行正常，各项技术指标符合合同约定，验收合格。',
        note: '',
      }));
    if (!reached(plan, 'paid')) return;
    on(at(w(40), '10:00'), () => service.pay(buyer, c.id));
  });

  // One timeline, in time order (a case's own steps keep their order).
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  for (const e of events) {
    clock.set(new Date(e.at), { freeze: true });
    await e.run();
  }

  // Marked as demo data, like every row the demo loader writes.
  const ids2 = cases.map((c) => c.id);
  await db('fp_cases').whereIn('id', ids2).update({ demo: true });
  const byStatus: Record<string, number> = {};
  const rows: Array<{ status: string; n: number | string }> = await db('fp_cases').whereIn('id', ids2).groupBy('status').select('status').count({ n: '*' });
  for (const r of rows) byStatus[r.status] = Number(r.n);
  const paid = await db('trades').where({ channel: 'first_purchase', year: 2020 }).sum({ fen: 'amount_fen' }).count({ n: '*' }).first();
  const summary = { cases: PLANS.length, byStatus, paid2020: { count: Number(paid?.n ?? 0), fen: Number(paid?.fen ?? 0) } };
  if (summary.paid2020.count !== REPORT_2020_FIRST_PURCHASES.count || summary.paid2020.fen !== REPORT_2020_FIRST_PURCHASES.fen) {
    throw new Error(`demo first purchases: 2020 holds ${summary.paid2020.count} trades of ${summary.paid2020.fen} fen, not the report's 4 of 1120万元`);
  }
  return summary;
}

/** knex runs every file in seeds/: the demo loader (seeds/demo.ts) calls `seedDemoFirstPurchases` itself. */
export async function seed(): Promise<void> {}
