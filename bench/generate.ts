import { productSearchText } from '../src/search-text';
import { withCheckChar } from '../src/credit-code';
import type { Db } from '../src/db';
import { CITIES, FIELDS } from '../src/domain';

/** mulberry32: a fixed seed gives the same catalogue on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

/**
 * Product names by field, as they read in the certification lists: a qualifier and a product noun. Only the CNC field
 * and a few automation items say 机床, so a 机床 search hits a realistic share (about one product in ten).
 */
const NOUNS: Record<string, string[]> = {
  数控机床: ['数控机床', '立式加工中心', '卧式加工中心', '数控车床', '龙门加工中心', '数控磨床', '五轴联动数控机床', '数控侧拉床', '复合加工机床', '数控铣床'],
  节能与新能源汽车: ['纯电动客车', '氢燃料电池重卡', '电驱动总成', '动力电池包', '智能网联专用车', '电动环卫车'],
  智能装备: ['工业机器人', '机床上下料机器人', '智能仓储系统', '视觉检测设备', '协作机器人', 'AGV 搬运车', '智能包装生产线'],
  高端医疗装备: ['64排CT', '1.5T MR 磁共振成像系统', '全自动化学发光分析仪', '血液透析机', '数字化X射线摄影系统', '彩色多普勒超声诊断仪', '手术机器人'],
  航空装备: ['固定翼无人机', '航空应急测绘系统', '通用飞机', '直升机航电系统', '航空发动机叶片'],
  船舶: ['双体动力游艇', 'LNG 动力内河船', '电动渡轮', '海洋调查船', '深远海养殖工船'],
  自然灾害防治装备: ['中深孔钻机', '应急排涝泵车', '地质灾害监测站', '森林消防机器人', '应急通信车'],
  防疫物资生产装备: ['口罩全自动生产线', '熔喷布生产线', '防护服压条机', '核酸检测工作站'],
  新材料: ['中空纤维膜', '碳纤维复合材料', '高性能氟材料', '高纯电子化学品', '特种工程塑料', '高温合金棒材'],
  软件: ['工业互联网平台', 'MES 制造执行系统', '工业设计仿真软件', 'PLC 编程软件', '数字孪生平台', '智能排产软件'],
  工程机械: ['颚式破碎机', '旋挖钻机', '全地面起重机', '智能压路机', '隧道掘进机'],
  环保装备: ['垃圾焚烧炉排', '污泥干化系统', '烟气脱硝装置', 'VOCs 治理设备', '膜生物反应器'],
};
const QUALIFIERS = ['高速', '精密', '智能', '大型', '重型', '高效', '全自动', '节能型', '数字化', '新一代', '高端', '柔性', '模块化', '轻量化', '复合型'];
const VENDOR_WORDS = ['精工', '智造', '科技', '机电', '重工', '医疗', '新材', '海洋', '航空', '环境', '软件', '装备', '数控', '动力', '光电', '电气'];
const UNITS: Record<string, string> = { material: '吨', software: '套', equipment: '台' };
const LEVELS = ['international', 'domestic', 'provincial'] as const;
const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';

async function insertChunks(db: Db, table: string, rows: Record<string, unknown>[], chunk: number): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await db(table).insert(rows.slice(i, i + chunk));
}

export interface Generated {
  products: number;
  vendors: number;
  certifications: number;
}

/** Fills an empty, migrated database with `count` approved products (about 70% first-unit, 30% boutique). */
export async function generateCatalogue(db: Db, count: number, seed = 20201231): Promise<Generated> {
  const r = rng(seed);
  const now = '2026-01-05T02:00:00.000Z';
  const vendorCount = Math.max(10, Math.round(count / 40));
  const vendors = Array.from({ length: vendorCount }, (_, i) => {
    const city = CITIES[i % CITIES.length];
    return {
      id: i + 1,
      name: `${city.name}${r.pick(VENDOR_WORDS)}${r.pick(VENDOR_WORDS)}${i + 1}号有限公司`,
      credit_code: uniqueCode(i + 1, city.division),
      city: city.name,
      address: `浙江省${city.name}市示范路${i + 1}号`,
      contact: '0571-88880000',
      status: 'approved',
      demo: true,
      created_at: now,
    };
  });
  await db.transaction(async (trx) => insertChunks(trx as unknown as Db, 'vendors', vendors, 500));

  const certs: Record<string, unknown>[] = [];
  const products: Record<string, unknown>[] = [];
  const fields = FIELDS.map((f) => f.name);
  for (let i = 0; i < count; i++) {
    const vendor = vendors[r.int(0, vendors.length - 1)];
    const field = r.pick(fields);
    const kind = field === '新材料' ? 'material' : field === '软件' ? 'software' : 'equipment';
    const noun = r.pick(NOUNS[field]);
    const title = `${r.pick(QUALIFIERS)}${noun}`;
    const model = `${String.fromCharCode(65 + r.int(0, 25))}${String.fromCharCode(65 + r.int(0, 25))}-${r.int(100, 9999)}`;
    const firstUnit = r.next() < 0.7;
    let certId: number | null = null;
    let certNo: string | null = null;
    let level: string | null = null;
    if (firstUnit) {
      const year = r.int(2016, 2025);
      level = r.next() < 0.05 ? LEVELS[0] : r.next() < 0.3 ? LEVELS[1] : LEVELS[2];
      certId = certs.length + 1;
      certNo = `ZJSTT-${year}-${String(certId).padStart(6, '0')}`;
      certs.push({
        id: certId,
        cert_no: certNo,
        product_name: title,
        enterprise_name: vendor.name,
        credit_code: vendor.credit_code,
        kind,
        level,
        field,
        year,
        valid_until: `${year + 3}-12-31`,
        status: year + 3 >= 2026 ? 'valid' : 'expired',
        indicators: JSON.stringify([`关键指标 ${r.int(1, 99)}% 优于同类产品`, `连续无故障运行 ≥ ${r.int(500, 5000)} 小时`]),
        key_supported: false,
        demo: true,
        created_at: now,
        updated_at: now,
      });
    }
    const description = `${title}，${vendor.city}${noun}领域的${firstUnit ? '首台（套）认定' : '浙江制造精品'}产品，具备${r.pick(QUALIFIERS)}、${r.pick(QUALIFIERS)}等特点。`;
    const created = new Date(Date.parse('2020-01-01T00:00:00Z') + r.int(0, 6 * 365 * 86400) * 1000).toISOString();
    products.push({
      vendor_id: vendor.id,
      cert_id: certId,
      boutique: !firstUnit || r.next() < 0.1,
      title,
      model,
      description,
      field,
      kind,
      level,
      city: vendor.city,
      price_fen: r.int(10, 50_000) * 10_000,
      unit: UNITS[kind],
      stock: r.int(0, 200),
      status: 'approved',
      search_text: productSearchText({ title, model, field, certNo, vendorName: vendor.name, description }),
      demo: true,
      created_at: created,
      updated_at: created,
    });
  }
  await db.transaction(async (trx) => {
    await insertChunks(trx as unknown as Db, 'certifications', certs, 500);
    await insertChunks(trx as unknown as Db, 'products', products, 500);
  });
  return { products: products.length, vendors: vendors.length, certifications: certs.length };
}

/** 17 characters: '91', the division, then the index in base 31 (padded), so every code is distinct and valid. */
function uniqueCode(n: number, division: string): string {
  let body = '';
  let x = n;
  for (let i = 0; i < 9; i++) {
    body = ALPHA[x % 31] + body;
    x = Math.floor(x / 31);
  }
  return withCheckChar(`91${division}${body}`);
}
