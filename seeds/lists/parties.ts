import type { CityName, FieldName, PurchaserType } from '../../src/domain';

/** What a demo address and telephone number of each city look like. */
export const CITY_DETAILS: Record<CityName, { areaCode: string; districts: string[]; roads: string[] }> = {
  杭州: { areaCode: '0571', districts: ['滨江区', '余杭区', '萧山区', '钱塘区', '西湖区'], roads: ['江南大道', '文一西路', '建设一路', '伟业路', '之江路'] },
  宁波: { areaCode: '0574', districts: ['鄞州区', '北仑区', '镇海区', '江北区', '余姚市'], roads: ['江南路', '明州路', '聚贤路', '甬江大道', '庐山东路'] },
  温州: { areaCode: '0577', districts: ['鹿城区', '龙湾区', '瓯海区', '瑞安市', '乐清市'], roads: ['滨海大道', '温州大道', '瓯江路', '汤家桥路', '经济开发区滨海二道'] },
  嘉兴: { areaCode: '0573', districts: ['南湖区', '秀洲区', '海宁市', '平湖市', '嘉善县'], roads: ['亚太路', '由拳路', '昌盛南路', '长水路', '东方路'] },
  湖州: { areaCode: '0572', districts: ['吴兴区', '南浔区', '德清县', '长兴县', '安吉县'], roads: ['康山街道创业大道', '西塞山路', '青山路', '太湖路', '科源路'] },
  绍兴: { areaCode: '0575', districts: ['越城区', '柯桥区', '上虞区', '诸暨市', '新昌县'], roads: ['群贤路', '中兴大道', '越王路', '人民东路', '江滨路'] },
  金华: { areaCode: '0579', districts: ['婺城区', '金东区', '义乌市', '永康市', '武义县'], roads: ['宾虹路', '李渔路', '金帆街', '九峰街', '湖海塘路'] },
  衢州: { areaCode: '0570', districts: ['柯城区', '衢江区', '江山市', '龙游县', '常山县'], roads: ['世纪大道', '白云大道', '东港路', '百灵路', '芹江路'] },
  舟山: { areaCode: '0580', districts: ['定海区', '普陀区', '岱山县', '嵊泗县'], roads: ['海天大道', '临港路', '东海西路', '千岛路', '新城大道'] },
  台州: { areaCode: '0576', districts: ['椒江区', '黄岩区', '路桥区', '温岭市', '玉环市'], roads: ['开发大道', '东环大道', '腾达路', '机场路', '海城路'] },
  丽水: { areaCode: '0578', districts: ['莲都区', '龙泉市', '青田县', '缙云县', '松阳县'], roads: ['括苍路', '绿谷大道', '南明山街', '水阁工业区', '丽青路'] },
};

/** Invented trade names (字号) for generated enterprises. */
export const BRANDS = [
  '恒拓', '锐卓', '精诚', '华瑞', '启明', '远航', '博创', '鼎力', '凯盛', '新锐', '瑞丰', '中屹', '卓越', '天成', '宏图',
  '康达', '嘉诚', '明德', '德润', '正泰源', '聚能', '星辰', '海纳', '智航', '泰和', '永新', '盛达', '东晟', '万源', '弘毅',
  '同创', '汇智', '安泰', '众合', '锦程', '英华', '联科', '九州', '方圆', '晨光', '立信', '云帆', '辰星', '长青', '钜丰',
  '申远', '越达', '致远', '群力', '天马', '山海', '通途', '恒信', '润泽', '金鼎', '宇航', '振华', '亿嘉', '和达', '贝斯特',
];

export const SURNAMES = ['王', '李', '张', '陈', '刘', '杨', '黄', '吴', '周', '徐', '孙', '朱', '胡', '郑', '何', '沈', '钱', '金', '方', '俞'];

export interface PurchaserSpec {
  name: string;
  type: PurchaserType;
  /** The first two characters of the credit code: 11 机关, 12 事业单位, 91 企业. */
  registry: '11' | '12' | '91';
  contact: string;
}

const HOSPITALS: Record<CityName, string[]> = {
  杭州: ['杭州市第一人民医院', '杭州市中医院'],
  宁波: ['宁波市第一医院', '宁波市中医院'],
  温州: ['温州市中心医院', '温州市人民医院'],
  嘉兴: ['嘉兴市第一医院', '嘉兴市中医医院'],
  湖州: ['湖州市中心医院', '湖州市第一人民医院'],
  绍兴: ['绍兴市人民医院', '绍兴市中医院'],
  金华: ['金华市中心医院', '金华市人民医院'],
  衢州: ['衢州市人民医院', '衢州市中医医院'],
  舟山: ['舟山医院', '舟山市妇女儿童医院'],
  台州: ['台州医院', '台州市中心医院'],
  丽水: ['丽水市中心医院', '丽水市人民医院'],
};

/** Eight purchasing units in each city, of every type; the names are used as demo data only. */
export function cityPurchasers(city: CityName): PurchaserSpec[] {
  const [h1, h2] = HOSPITALS[city];
  const m = `${city}市`;
  return [
    { name: h1, type: 'hospital', registry: '12', contact: '设备采购科' },
    { name: `${m}教育局`, type: 'agency', registry: '11', contact: '计划财务处' },
    { name: `${m}应急管理局`, type: 'agency', registry: '11', contact: '装备财务处' },
    { name: h2, type: 'hospital', registry: '12', contact: '招标采购办公室' },
    { name: `${city}职业技术学院`, type: 'school', registry: '12', contact: '资产与实验室管理处' },
    { name: `${m}经济和信息化局`, type: 'agency', registry: '11', contact: '办公室' },
    { name: `${m}疾病预防控制中心`, type: 'other', registry: '12', contact: '后勤保障科' },
    { name: `${m}第一中学`, type: 'school', registry: '12', contact: '总务处' },
  ];
}

/** Provincial units, located in 杭州. */
export const PROVINCIAL_PURCHASERS: PurchaserSpec[] = [
  { name: '浙江省人民医院', type: 'hospital', registry: '12', contact: '采购中心' },
  { name: '浙江省应急管理厅', type: 'agency', registry: '11', contact: '规划财务处' },
  { name: '浙江省测绘科学技术研究院', type: 'other', registry: '12', contact: '综合办公室' },
  { name: '浙江省交通投资集团有限公司', type: 'other', registry: '91', contact: '物资采购部' },
  { name: '浙江机电职业技术学院', type: 'school', registry: '12', contact: '国有资产管理处' },
];

/**
 * What a purchasing unit plausibly buys in the boutique hall, by the work it does: a hospital buys medical and
 * epidemic-prevention equipment (never CNC machine tools), an education bureau teaching equipment and software (never
 * a CT), an emergency management bureau rescue equipment, drones and boats, and so on. Titles name a few things only
 * one kind of unit buys (a hospital information system, campus safety, police patrols, teaching machines).
 */
const BUYS: Array<{ match: RegExp; fields: FieldName[] }> = [
  { match: /医院$/, fields: ['高端医疗装备', '防疫物资生产装备', '环保装备', '软件', '智能装备', '新材料'] },
  { match: /疾病预防控制中心$/, fields: ['高端医疗装备', '防疫物资生产装备', '环保装备', '软件', '智能装备'] },
  { match: /教育局$/, fields: ['数控机床', '智能装备', '软件', '新材料', '防疫物资生产装备', '环保装备'] },
  { match: /职业技术学院$/, fields: ['数控机床', '工程机械', '节能与新能源汽车', '智能装备', '软件', '新材料', '环保装备', '防疫物资生产装备'] },
  { match: /中学$/, fields: ['数控机床', '智能装备', '软件', '新材料', '环保装备', '防疫物资生产装备'] },
  { match: /应急管理(局|厅)$/, fields: ['自然灾害防治装备', '航空装备', '船舶', '节能与新能源汽车', '工程机械', '智能装备', '防疫物资生产装备', '软件'] },
  { match: /经济和信息化局$/, fields: ['软件', '智能装备', '环保装备', '新材料', '节能与新能源汽车'] },
  { match: /测绘/, fields: ['航空装备', '软件', '智能装备'] },
  { match: /交通投资/, fields: ['工程机械', '节能与新能源汽车', '船舶', '环保装备', '智能装备', '软件', '自然灾害防治装备'] },
];

/** Titles only some units buy: which units (by name) may buy a title matching `title`. */
const ONLY: Array<{ title: RegExp; buyers: RegExp }> = [
  { title: /医院|医用|HIS|监护|输液|血/, buyers: /医院$|疾病预防控制中心$/ },
  { title: /校园|教学|教育/, buyers: /教育局$|职业技术学院$|中学$/ },
  { title: /警用|执法|巡逻|救生|救援|破拆|防汛/, buyers: /应急管理(局|厅)$|交通投资/ },
  { title: /植保/, buyers: /^$/ },
];

export function buys(purchaserName: string, field: FieldName, title: string): boolean {
  const rule = BUYS.find((b) => b.match.test(purchaserName));
  if (!rule || !rule.fields.includes(field)) return false;
  // A school or an education bureau buys desktop and teaching machines for its labs, not production machine tools.
  if (field === '数控机床' && /教育局$|中学$/.test(purchaserName) && !/台式|教学/.test(title)) return false;
  return ONLY.every((o) => !o.title.test(title) || o.buyers.test(purchaserName));
}
