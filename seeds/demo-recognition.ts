import { hashPassword } from '../src/auth/passwords';
import { executorFor, type Db } from '../src/db';
import { FIELDS } from '../src/domain';
import { RecognitionService } from '../src/recognition/service';
import { ListEntryInput } from '../src/recognition/schema';
import type { Level } from '../src/domain';
import type { Actor } from '../src/web/state';
import { BulkApplications, type BulkApplication, type BulkFiling } from './lib/bulk-recognition';
import type { CatalogueIds } from './lib/catalogue';
import { Rng } from './lib/random';

/*
 * The certification lifecycle's demo data (认定, DESIGN §7–§8), written through RecognitionService inside the demo
 * loader's unit of work:
 *
 * - the expert pool (专家库): DEMO_EXPERTS experts, each in two fields (8 per field, so a draw of 5 succeeds even with
 *   conflicts), each with a login `expert1` … `expertN` (password `demo-password`, like the other demo accounts);
 * - the 2020 key technical indicator list (清单): 63 entries across the report's fields, each with its thresholds;
 * - 2020's certification (seedDemo2020Round): for each of the registry's 2020 首台（套）装备 certificates (seeds/lib:
 *   2 international, 30 domestic, 184 provincial) its enterprise's application, walked through every step with the
 *   service's own rules and rows (a step for all 216 at a time, seeds/lib/bulk-recognition.ts) — submitted, 形式审查, 3 experts drawn at random (seeded) who score it and recommend the
 *   certificate's level, recommended — then one round (the 拟认定名单 公示 of 2 November 2020, 5 working days) finalized
 *   with each application confirming the certificate the registry already holds (no second set), so its award falls
 *   due at the setting's amount by level; finance pays every award through the ledger in December 2020. 8 of them
 *   are list-track (清单认定). Awards: 2 × 460万 + 30 × 100万 + 184 × 20万 = ¥76,000,000.00;
 * - a draft application of the `vendor` account, for its desk.
 *
 * This file lives directly in seeds/, where knex runs every file that exports `seed`; its `seed` is a no-op because
 * the demo loader (seeds/demo.ts) calls `seedDemoRecognition` inside its own transaction.
 */

export const DEMO_EXPERTS = 48;
export const DEMO_LIST_2020 = 63;
const DEMO_PASSWORD = 'demo-password';
const SEED = 20201215;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高', '郑', '梁', '谢', '宋'];
const GIVEN = ['建国', '海峰', '晓明', '立新', '丽华', '志强', '文杰', '永红', '国平', '慧敏', '学军', '春生', '佳宁', '振华', '秀英', '明远'];
const UNITS = [
  '浙江大学机械工程学院',
  '浙江工业大学',
  '杭州电子科技大学',
  '宁波大学',
  '中国计量大学',
  '浙江理工大学',
  '浙江省机电设计研究院有限公司',
  '浙江省特种设备科学研究院',
  '浙江省医疗器械检验研究院',
  '中国科学院宁波材料技术与工程研究所',
  '浙江省船舶行业协会',
  '浙江清华长三角研究院',
];
const TITLES = ['教授', '研究员', '正高级工程师', '高级工程师'];

/** Per field: products of the list and their indicators (name, comparator, threshold, unit). */
const LIST: Record<string, { products: string[]; indicators: Array<[string, '>=' | '<=' | '=', number, string]> }> = {
  数控机床: { products: ['五轴联动数控机床', '精密数控磨床', '数控卧式侧拉床', '高速钻攻中心', '数控龙门加工中心', '数控车铣复合机床'], indicators: [['定位精度', '<=', 0.005, 'mm'], ['重复定位精度', '<=', 0.003, 'mm'], ['主轴最高转速', '>=', 15000, 'r/min']] },
  节能与新能源汽车: { products: ['纯电动客车动力系统', '燃料电池发动机', '驱动电机控制器', '动力电池管理系统', '电动汽车充电机'], indicators: [['系统效率', '>=', 92, '%'], ['功率密度', '>=', 3.5, 'kW/kg']] },
  智能装备: { products: ['智能遥控中深孔钻机', '工业机器人', '智能物流分拣系统', '视觉检测装备', '智能焊接工作站', '协作机器人'], indicators: [['重复定位精度', '<=', 0.05, 'mm'], ['平均无故障时间', '>=', 5000, 'h']] },
  高端医疗装备: { products: ['64排CT', '1.5T MR', '全自动流式荧光化学发光一体化分析系统', '血液透析用中空纤维膜自动纺丝线', '数字化X射线摄影系统', '医用直线加速器'], indicators: [['空间分辨率', '>=', 15, 'lp/cm'], ['平均无故障时间', '>=', 3000, 'h']] },
  航空装备: { products: ['CH-4 中航时固定翼无人机航空应急测绘系统', '航空发动机叶片加工装备', '通用飞机航电系统', '无人机起降系统', '航空零部件检测装备'], indicators: [['续航时间', '>=', 10, 'h'], ['测绘精度', '<=', 0.1, 'm']] },
  船舶: { products: ['70英尺双体动力豪华游艇', 'LNG 动力内河船', '船用低速柴油机', '电力推进系统', '船舶压载水处理装置'], indicators: [['航速', '>=', 25, 'kn'], ['油耗', '<=', 180, 'g/kWh']] },
  自然灾害防治装备: { products: ['高能颚式破碎机', '应急排涝装备', '山体滑坡监测预警系统', '移动式应急通信车', '森林消防装备'], indicators: [['处理能力', '>=', 500, 't/h'], ['连续工作时间', '>=', 72, 'h']] },
  防疫物资生产装备: { products: ['全自动口罩生产线', '熔喷布生产线', '防护服自动生产线', '核酸检测试剂自动灌装线', '医用手套生产线'], indicators: [['生产速度', '>=', 120, '片/min'], ['良品率', '>=', 99, '%']] },
  新材料: { products: ['高性能碳纤维复合材料', '锂电池隔膜材料', '高纯电子化学品', '特种工程塑料', '稀土永磁材料', '石墨烯导热膜'], indicators: [['拉伸强度', '>=', 3500, 'MPa'], ['纯度', '>=', 99.99, '%']] },
  软件: { products: ['工业互联网平台', '制造执行系统', '工业设计仿真软件', '数控系统软件', '智能运维平台'], indicators: [['并发用户数', '>=', 10000, '个'], ['响应时间', '<=', 2, 's']] },
  工程机械: { products: ['大吨位全地面起重机', '智能盾构机', '电动挖掘机', '高空作业平台', '智能压路机'], indicators: [['最大起重量', '>=', 200, 't'], ['整机能耗', '<=', 85, '%']] },
  环保装备: { products: ['垃圾焚烧烟气处理系统', '工业废水零排放装置', 'VOCs 治理装备', '污泥干化装备', '脱硝催化装置', '土壤修复装备'], indicators: [['去除率', '>=', 95, '%'], ['能耗', '<=', 30, 'kWh/t']] },
};

/** The 63 entries of the 2020 list: every field's products in turn until 63. */
export function planList2020(): Array<{ field: string; product: string; indicators: Array<{ name: string; comparator: string; threshold: number; unit: string }> }> {
  const out: ReturnType<typeof planList2020> = [];
  for (let round = 0; out.length < DEMO_LIST_2020; round++) {
    for (const f of FIELDS) {
      const spec = LIST[f.name];
      const product = spec?.products[round];
      if (!spec || !product || out.length >= DEMO_LIST_2020) continue;
      out.push({ field: f.name, product, indicators: spec.indicators.map(([name, comparator, threshold, unit]) => ({ name, comparator, threshold, unit })) });
    }
  }
  return out;
}

/** The expert pool: names, units, titles and two fields each, deterministic. */
export function planExperts(): Array<{ username: string; name: string; unit: string; title: string; fields: string[] }> {
  const rng = new Rng(SEED);
  return Array.from({ length: DEMO_EXPERTS }, (_, i) => ({
    username: `expert${i + 1}`,
    name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7 + rng.int(0, GIVEN.length - 1)) % GIVEN.length]}`,
    unit: UNITS[(i + rng.int(0, UNITS.length - 1)) % UNITS.length]!,
    title: TITLES[rng.int(0, TITLES.length - 1)]!,
    fields: [FIELDS[i % FIELDS.length]!.name, FIELDS[(i + 5) % FIELDS.length]!.name],
  }));
}

/** The 2020 round's days (Asia/Shanghai): the 公示 from the next working day for 5, finalized after it, paid in December. */
export const ROUND_2020 = { publishedAt: '2020-11-02T10:00:00+08:00', finalizedAt: '2020-11-16T10:00:00+08:00', paidFrom: '2020-12-01T10:00:00+08:00' };
/** How many of 2020's certifications are list-track (清单认定, the report's 8). */
export const DEMO_LIST_TRACK_2020 = 8;

const DAY = 86_400_000;
const roleActor = (id: number, username: string, role: Actor['role'], vendorId: number | null = null): Actor => ({ id, username, role, displayName: username, purchaserId: null, vendorId });

/** Values that meet an entry's thresholds, as an enterprise's test report would give them. */
const meeting = (indicators: Array<{ name: string; comparator: string; threshold: number }>) =>
  indicators.map((i) => ({ name: i.name, value: Number((i.comparator === '>=' ? i.threshold * 1.15 : i.comparator === '<=' ? i.threshold * 0.8 : i.threshold).toFixed(6)) }));

/** Writes the pool (with the expert accounts) and the 2020 list through the service, in the caller's unit of work. */
export async function seedDemoRecognition(db: Db, catalogue: CatalogueIds, now: Date): Promise<{ experts: number; listEntries: number; certified2020: number; awards2020Fen: number }> {
  const trx = executorFor(db);
  const admin: Actor = { id: catalogue.users.admin, username: 'admin', role: 'admin', displayName: 'admin', purchaserId: null, vendorId: null };
  const service = new RecognitionService(db, { now: () => now });
  const hash = await hashPassword(DEMO_PASSWORD);
  const experts = planExperts();
  const at = now.toISOString();
  await trx('users').insert(experts.map((e) => ({ username: e.username, password_hash: hash, role: 'expert', purchaser_id: null, vendor_id: null, display_name: `${e.name}（专家）`, status: 'active', created_at: at })));
  const ids = new Map<string, number>((await trx('users').where({ role: 'expert' }).select('id', 'username')).map((u: { id: number; username: string }) => [u.username, u.id]));
  for (const e of experts) await service.addExpert(admin, { name: e.name, unit: e.unit, title: e.title, fields: e.fields, userId: ids.get(e.username)! }, { demo: true });
  const list = planList2020();
  const entries: Array<{ id: number; field: string; indicators: Array<{ name: string; comparator: string; threshold: number }> }> = [];
  for (const entry of list) entries.push(await service.addListEntry(admin, ListEntryInput.parse({ year: 2020, ...entry }), { demo: true }));
  const round = await seedDemo2020Round(db, catalogue, entries);
  await seedDemoDraft(db, catalogue, entries, now);
  return { experts: experts.length, listEntries: list.length, ...round };
}

/**
 * 2020's applications, round and awards, linked to the registry's 2020 equipment certificates (see the file's head).
 * The applications' steps in batches (seeds/lib/bulk-recognition.ts), the round and the awards through
 * RecognitionService, each on a clock set to the day in 2020.
 */
async function seedDemo2020Round(
  db: Db,
  catalogue: CatalogueIds,
  entries: Array<{ id: number; field: string; indicators: Array<{ name: string; comparator: string; threshold: number }> }>,
): Promise<{ certified2020: number; awards2020Fen: number }> {
  const trx = executorFor(db);
  let at = new Date('2020-03-02T09:00:00+08:00');
  const service = new RecognitionService(db, { now: () => at });
  const admin = roleActor(catalogue.users.admin, 'admin', 'admin');
  const finance = roleActor(catalogue.users.finance, 'finance', 'finance');
  const certs: Array<{ id: number; cert_no: string; product_name: string; credit_code: string; level: Level; field: string; vendor_id: number; model: string | null }> = await trx('certifications as c')
    .join('vendors as v', 'v.credit_code', 'c.credit_code')
    .where({ 'c.year': 2020, 'c.kind': 'equipment', 'v.status': 'approved' })
    .orderBy('c.id')
    .select('c.id', 'c.cert_no', 'c.product_name', 'c.credit_code', 'c.level', 'c.field', 'v.id as vendor_id', trx.raw('(SELECT MIN(p.model) FROM products p WHERE p.cert_id = c.id) as model'));
  // The enterprises' operators (the demo's vendor accounts, else the orders' disabled operator accounts).
  const operators = new Map<number, { id: number; username: string }>();
  for (const u of (await trx('users').where({ role: 'vendor' }).whereIn('vendor_id', [...new Set(certs.map((c) => c.vendor_id))]).orderBy('id').select('id', 'username', 'vendor_id')) as Array<{ id: number; username: string; vendor_id: number }>) {
    if (!operators.has(u.vendor_id)) operators.set(u.vendor_id, u);
  }
  const missing = [...new Set(certs.map((c) => c.vendor_id))].filter((v) => !operators.has(v));
  if (missing.length) {
    await trx('users').insert(missing.map((v) => ({ username: `demo-rd-v${v}`, password_hash: '!', role: 'vendor', purchaser_id: null, vendor_id: v, display_name: '认定申报经办人', status: 'disabled', created_at: at.toISOString() })));
    for (const u of (await trx('users').whereIn('username', missing.map((v) => `demo-rd-v${v}`)).select('id', 'username', 'vendor_id')) as Array<{ id: number; username: string; vendor_id: number }>) operators.set(u.vendor_id, u);
  }
  const entryOf = new Map<string, (typeof entries)[number]>();
  for (const e of entries) if (!entryOf.has(e.field)) entryOf.set(e.field, e);
  let listTrack = 0;
  // Filed in the certificates' order (so the application numbers follow it), each on its own day.
  const filings: BulkFiling[] = certs.map((c, i) => {
    const op = operators.get(c.vendor_id)!;
    const entry = entryOf.get(c.field);
    const standard = !!entry && listTrack < DEMO_LIST_TRACK_2020 && i >= listTrack * 27;
    if (standard) listTrack++;
    return {
      vendor: roleActor(op.id, op.username, 'vendor', c.vendor_id),
      at: new Date(Date.parse('2020-03-02T09:00:00+08:00') + (i % 120) * DAY),
      input: {
        productName: c.product_name,
        model: c.model ?? `${c.cert_no.slice(-4)}型`,
        kind: 'equipment',
        field: c.field,
        levelClaimed: c.level,
        listEntryId: standard ? entry.id : null,
        indicators: entry ? meeting(entry.indicators) : [],
        description: `${c.product_name}：主要技术指标达到${c.level === 'international' ? '国际' : c.level === 'domestic' ? '国内' : '省内'}领先水平，已有首台（套）用户应用。`,
      },
    };
  });
  // Then every application's way to its recommendation, one step for all of them at a time (seeds/lib/bulk-recognition.ts),
  // each on its own days: submitted when filed, screened and drawn a week later, reviewed two weeks after, recommended
  // the week after; its draw and scores from its own seeded generator.
  const bulk = new BulkApplications(trx, { now: () => at });
  const filed = await bulk.file(filings, { demo: true });
  const k = new Map(filed.map((a, i) => [a.id, i]));
  const days = (n: number) => (a: BulkApplication) => new Date(filings[k.get(a.id)!]!.at.getTime() + n * DAY);
  const rngs = new Map(filed.map((a, i) => [a.id, new Rng(SEED + 2020 * 1000 + i)]));
  await bulk.submit(filed, days(0));
  await bulk.screen(filed, admin, days(7), '材料齐全，符合申报条件');
  await bulk.draw(filed, admin, days(7), 3, (a) => (n) => rngs.get(a.id)!.int(0, n - 1));
  await bulk.review(filed, days(21), (a) => ({ conflict: false, score: 76 + rngs.get(a.id)!.int(0, 18), recommendLevel: certs[k.get(a.id)!]!.level, opinion: '技术指标先进，具备首台（套）特征，同意推荐。' }));
  await bulk.recommend(filed, admin, days(28));
  const registered = new Map(filed.map((a, i) => [a.id, certs[i]!.id]));
  const applicationIds = filed.map((a) => a.id);
  at = new Date(ROUND_2020.publishedAt);
  const round = await service.createRound(admin, { year: 2020, applicationIds }, { demo: true });
  at = new Date(ROUND_2020.finalizedAt);
  await service.finalizeRound(admin, round.id, { registered });
  let paid = 0;
  const awards: Array<{ id: number; amount_fen: number | string }> = await trx('cert_awards').where({ year: 2020, status: 'due' }).orderBy('id').select('id', 'amount_fen');
  // Finance's payment runs: 25 awards a day from 1 December.
  for (let i = 0; i < awards.length; i += 25) {
    at = new Date(Date.parse(ROUND_2020.paidFrom) + (i / 25) * DAY);
    const run = awards.slice(i, i + 25);
    await service.payAwards(finance, run.map((w) => w.id));
    paid += run.reduce((sum, w) => sum + Number(w.amount_fen), 0);
  }
  return { certified2020: applicationIds.length, awards2020Fen: paid };
}

/** The `vendor` account's draft, with what is still missing (its desk). */
async function seedDemoDraft(db: Db, catalogue: CatalogueIds, entries: Array<{ id: number; field: string }>, now: Date): Promise<void> {
  const service = new RecognitionService(db, { now: () => now });
  const field = entries[0]!.field;
  const vendor = roleActor(catalogue.users.vendor, 'vendor', 'vendor', catalogue.demoVendors.vendor);
  await service.createApplication(
    vendor,
    { productName: '五轴联动高速加工中心', model: 'HMC-630', kind: 'equipment', field, levelClaimed: 'domestic', listEntryId: entries[0]!.id, indicators: [], description: '拟申报清单认定，待补充检测报告和技术指标。' },
    { demo: true },
  );
}

/** knex seed entry point: a no-op (the demo loader calls seedDemoRecognition inside its transaction). */
export async function seed(): Promise<void> {}
