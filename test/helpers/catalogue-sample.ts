import type { Db } from '../../src/db';
import { makeCert, makeProduct, makeVendor } from './factories';

/**
 * A catalogue a purchaser would recognise, for when the demo seed has not loaded any (e.g. it is still being
 * written): the report's named products plus enough generated ones to page and filter.
 */
export async function seedSample(db: Db): Promise<void> {
  const cities = ['杭州', '宁波', '温州', '嘉兴', '湖州', '绍兴', '金华', '衢州', '舟山', '台州', '丽水'];
  const vendors = [];
  for (const [i, name] of ['杭州精机股份有限公司', '宁波明峰医疗系统股份有限公司', '温州航空应急装备有限公司', '湖州新材料科技有限公司'].entries()) {
    vendors.push(await makeVendor(db, { name, city: cities[i * 3 % cities.length] }));
  }
  const [hz, nb, wz, hu] = vendors;
  const named: Array<[typeof hz, string, string, string, string, number]> = [
    [hz, '五轴数控卧式侧拉床', 'LJ-5X', 'international', '数控机床', 150_000_000],
    [hz, '高速精密立式数控机床', 'VMC-850', 'domestic', '数控机床', 98_000_000],
    [hz, '龙门式五轴数控机床', 'GMC-5', 'provincial', '数控机床', 260_000_000],
    [nb, '64排CT', 'NB-CT64', 'domestic', '高端医疗装备', 580_000_000],
    [nb, '1.5T MR 磁共振成像系统', 'NB-MR15', 'domestic', '高端医疗装备', 900_000_000],
    [nb, '全自动流式荧光化学发光一体化分析系统', 'FL-2000', 'provincial', '高端医疗装备', 160_000_000],
    [wz, 'CH-4 中航时固定翼无人机航空应急测绘系统', 'CH-4', 'domestic', '航空装备', 1_280_000_000],
    [hu, '血液透析用中空纤维膜自动纺丝线', 'HF-LINE', 'international', '新材料', 2_300_000_000],
  ];
  for (const [vendor, title, model, level, field, price] of named) {
    const cert = await makeCert(db, vendor, { level, field, kind: field === '新材料' ? 'material' : 'equipment', year: 2020, valid_until: '2099-12-31' });
    await makeProduct(db, vendor, { cert, title, model, price_fen: price, description: `${title}，关键技术指标达到${level === 'international' ? '国际' : '国内'}领先水平。` });
  }
  for (let i = 1; i <= 24; i++) {
    const vendor = vendors[i % vendors.length];
    const level = ['international', 'domestic', 'provincial'][i % 3];
    const cert = await makeCert(db, vendor, { level, field: '数控机床', valid_until: '2099-12-31' });
    await makeProduct(db, vendor, { cert, title: `数控机床 ZJ-${100 + i} 型`, model: `ZJ-${100 + i}`, price_fen: 10_000_000 + i * 1_000_000 });
  }
  for (const [title, field] of [['70英尺双体动力豪华游艇', '船舶'], ['智能遥控中深孔钻机', '工程机械'], ['高能颚式破碎机', '工程机械'], ['智能上下料机器人', '智能装备']]) {
    await makeProduct(db, vendors[0], { title, field, boutique: true, price_fen: 45_000_000 });
  }
}

