import type { CityName, FieldName, Kind, Level } from '../../src/domain';

/**
 * The fixed part of the demo data: the products the 2020 Zhejiang high-end equipment manufacturing report names,
 * the two demo vendors behind the `vendor` and `vendor2` accounts, and a light aircraft with a real-looking model
 * number for search demos. Enterprise names are invented; prices are realistic list prices in whole yuan.
 */
export interface FixedVendor {
  key: string;
  name: string;
  city: CityName;
  field: FieldName;
  /** May also receive generated certificates of its field. */
  inPool: boolean;
}

export interface FixedCert {
  vendor: string;
  productName: string;
  kind: Kind;
  level: Level;
  field: FieldName;
  issued: string;
  validityYears: number;
  indicators: string[];
  /** The listing; omitted when the certificate has none. */
  listing?: {
    model: string;
    priceYuan: number;
    unit: string;
    stock: number;
    listedOn: string;
    /** Also a 浙江制造精品 item. */
    boutique?: boolean;
  };
  /** One of the named products of the 2020 report. */
  named?: boolean;
}

/** A 浙江制造精品 item without a certificate: its kind is `boutique`. */
export interface FixedBoutique {
  vendor: string;
  title: string;
  field: FieldName;
  model: string;
  priceYuan: number;
  unit: string;
  stock: number;
  listedOn: string;
}

export const FIXED_VENDORS: FixedVendor[] = [
  { key: 'vendor', name: '杭州精锐数控机床股份有限公司', city: '杭州', field: '数控机床', inPool: false },
  { key: 'vendor2', name: '宁波甬影医疗科技有限公司', city: '宁波', field: '高端医疗装备', inPool: false },
  { key: 'drill', name: '衢州恒岩矿山机械有限公司', city: '衢州', field: '工程机械', inPool: true },
  { key: 'crusher', name: '金华双岳重型机械股份有限公司', city: '金华', field: '工程机械', inPool: true },
  { key: 'yacht', name: '舟山海翔游艇制造有限公司', city: '舟山', field: '船舶', inPool: true },
  { key: 'uav', name: '台州天翼航空科技有限公司', city: '台州', field: '航空装备', inPool: true },
  { key: 'fibre', name: '湖州康纤医用装备有限公司', city: '湖州', field: '智能装备', inPool: true },
  { key: 'clia', name: '嘉兴博瑞生物医疗科技有限公司', city: '嘉兴', field: '高端医疗装备', inPool: true },
  { key: 'aircraft', name: '绍兴云翔通用航空制造有限公司', city: '绍兴', field: '航空装备', inPool: true },
];

const FIRST_BATCH_2020 = '2020-05-20';

export const FIXED_CERTS: FixedCert[] = [
  // The named products of the 2020 report (all issued in the year's first batch, valid until 2028).
  {
    vendor: 'drill', productName: '智能遥控中深孔钻机', kind: 'equipment', level: 'domestic', field: '工程机械', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['钻孔直径 Φ64–Φ115 mm', '钻孔深度 ≤ 40 m', '遥控操作距离 ≥ 300 m', '凿岩速度 ≥ 1.2 m/min'],
    listing: { model: 'HY-ZS150', priceYuan: 1_280_000, unit: '台', stock: 6, listedOn: '2020-06-12' },
  },
  {
    vendor: 'crusher', productName: '高能颚式破碎机', kind: 'equipment', level: 'provincial', field: '工程机械', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['进料口尺寸 1200×1500 mm', '处理能力 400–800 t/h', '最大进料粒度 1020 mm', '单位能耗较同规格降低 15%'],
    listing: { model: 'PEH-1215', priceYuan: 860_000, unit: '台', stock: 8, listedOn: '2020-06-18', boutique: true },
  },
  {
    vendor: 'yacht', productName: '70英尺双体动力豪华游艇', kind: 'equipment', level: 'domestic', field: '船舶', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['总长 21.3 m', '最高航速 22 kn', '续航力 ≥ 600 nmile', '核定载客 12 人'],
    listing: { model: 'HX-70C', priceYuan: 18_800_000, unit: '艘', stock: 2, listedOn: '2020-07-02' },
  },
  {
    vendor: 'vendor', productName: '五轴数控卧式侧拉床', kind: 'equipment', level: 'international', field: '数控机床', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['额定拉削力 200 kN', '五轴联动', '定位精度 ≤ 0.005 mm', '重复定位精度 ≤ 0.003 mm'],
    listing: { model: 'JR-LK6320', priceYuan: 6_580_000, unit: '台', stock: 3, listedOn: '2020-06-08' },
  },
  {
    vendor: 'uav', productName: 'CH-4 中航时固定翼无人机航空应急测绘系统', kind: 'equipment', level: 'domestic', field: '航空装备', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['续航时间 ≥ 30 h', '最大起飞重量 1330 kg', '任务载荷 ≥ 345 kg', '测绘成图比例尺 1:500–1:2000'],
    listing: { model: 'CH-4 AMS', priceYuan: 9_600_000, unit: '套', stock: 2, listedOn: '2020-07-15' },
  },
  {
    vendor: 'fibre', productName: '血液透析用中空纤维膜自动纺丝线', kind: 'equipment', level: 'international', field: '智能装备', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['纺丝头数 24', '膜丝内径 200 ± 5 μm', '膜丝壁厚 35 ± 3 μm', '纺丝速度 ≥ 60 m/min'],
    listing: { model: 'KX-HF24', priceYuan: 12_500_000, unit: '条', stock: 2, listedOn: '2020-06-30' },
  },
  {
    vendor: 'clia', productName: '全自动流式荧光化学发光一体化分析系统', kind: 'equipment', level: 'domestic', field: '高端医疗装备', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['检测速度 ≥ 400 测试/小时', '检测灵敏度 ≤ 0.1 pg/mL', '线性范围 ≥ 5 个数量级', '携带污染率 ≤ 10⁻⁶'],
    listing: { model: 'BR-FCL8000', priceYuan: 1_100_000, unit: '台', stock: 10, listedOn: '2020-06-10' },
  },
  {
    vendor: 'vendor2', productName: '64排CT', kind: 'equipment', level: 'domestic', field: '高端医疗装备', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['探测器排数 64 排', '机架旋转速度 0.35 s/圈', '空间分辨率 ≥ 18 lp/cm', '低对比度分辨率 2 mm@0.3%'],
    listing: { model: 'YY-CT64', priceYuan: 3_800_000, unit: '台', stock: 5, listedOn: '2020-06-05' },
  },
  {
    vendor: 'vendor2', productName: '1.5T MR', kind: 'equipment', level: 'domestic', field: '高端医疗装备', issued: FIRST_BATCH_2020, validityYears: 8, named: true,
    indicators: ['磁场强度 1.5 T', '梯度场强 ≥ 33 mT/m', '梯度切换率 ≥ 120 T/m/s', '磁场均匀度 ≤ 0.8 ppm（40 cm DSV）'],
    listing: { model: 'YY-MR15', priceYuan: 5_200_000, unit: '台', stock: 4, listedOn: '2020-06-05' },
  },

  // The demo vendor `vendor`: two more valid certificates (one also a boutique item) and an expired one.
  {
    vendor: 'vendor', productName: '立式五轴联动数控机床', kind: 'equipment', level: 'provincial', field: '数控机床', issued: '2023-05-20', validityYears: 7,
    indicators: ['定位精度 ≤ 0.004 mm', '主轴最高转速 18000 r/min', '快移速度 48 m/min', '数控系统国产化率 100%'],
    listing: { model: 'JR-VMC650', priceYuan: 2_380_000, unit: '台', stock: 6, listedOn: '2023-07-03' },
  },
  {
    vendor: 'vendor', productName: '数控车铣复合机床', kind: 'equipment', level: 'domestic', field: '数控机床', issued: '2025-11-16', validityYears: 8,
    indicators: ['车铣复合 B 轴摆角 ±120°', '重复定位精度 ≤ 0.003 mm', '主轴最高转速 12000 r/min', '加工表面粗糙度 Ra ≤ 0.4 μm'],
    listing: { model: 'JR-TM300', priceYuan: 1_680_000, unit: '台', stock: 5, listedOn: '2025-12-10', boutique: true },
  },
  {
    // DESIGN §7: a 2019 certificate of `vendor`, expired since, under which it claimed insurance compensation in 2020.
    vendor: 'vendor', productName: '精密数控外圆磨床', kind: 'equipment', level: 'provincial', field: '数控机床', issued: '2019-05-20', validityYears: 3,
    indicators: ['圆度 ≤ 0.5 μm', '加工表面粗糙度 Ra ≤ 0.2 μm', '砂轮线速度 60 m/s'],
    listing: { model: 'JR-MK1320', priceYuan: 960_000, unit: '台', stock: 2, listedOn: '2019-06-12' },
  },

  // The demo vendor `vendor2`: a third valid certificate.
  {
    vendor: 'vendor2', productName: '移动式数字化X射线摄影系统', kind: 'equipment', level: 'provincial', field: '高端医疗装备', issued: '2022-11-16', validityYears: 7,
    indicators: ['平板探测器像素尺寸 ≤ 140 μm', '图像空间分辨率 ≥ 3.5 lp/mm', '电池续航 ≥ 200 次曝光', '整机重量 ≤ 380 kg'],
    listing: { model: 'YY-DR60M', priceYuan: 680_000, unit: '台', stock: 8, listedOn: '2023-01-09' },
  },

  // A light aircraft with a model number people search for.
  {
    vendor: 'aircraft', productName: '四座轻型活塞式通用飞机', kind: 'equipment', level: 'domestic', field: '航空装备', issued: '2021-05-20', validityYears: 8,
    indicators: ['最大起飞重量 1310 kg', '最大巡航速度 285 km/h', '航程 ≥ 1400 km', '采用航空煤油活塞发动机'],
    listing: { model: 'DA40NG', priceYuan: 3_680_000, unit: '架', stock: 3, listedOn: '2021-08-16' },
  },
];

export const FIXED_BOUTIQUE: FixedBoutique[] = [
  { vendor: 'vendor', title: '台式数控雕铣机', field: '数控机床', model: 'JR-D6040', priceYuan: 46_800, unit: '台', stock: 40, listedOn: '2019-04-08' },
  { vendor: 'vendor', title: '数控机床用精密滚珠丝杠副', field: '数控机床', model: 'JR-SFU2510', priceYuan: 8_600, unit: '套', stock: 300, listedOn: '2019-04-08' },
  { vendor: 'vendor2', title: '多参数监护仪', field: '高端医疗装备', model: 'YY-M12', priceYuan: 28_600, unit: '台', stock: 120, listedOn: '2019-03-18' },
  { vendor: 'vendor2', title: '医用输液泵', field: '高端医疗装备', model: 'YY-IP300', priceYuan: 9_800, unit: '台', stock: 260, listedOn: '2019-03-18' },
];
