/** The domain's fixed vocabularies (DESIGN §3). Stored values are the Chinese names; codes are Latin aliases. */

/** The kinds of a first-unit certificate: 首台（套）装备, 首批次新材料, 首版次软件. */
export const KINDS = ['equipment', 'material', 'software'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * The kind of a listing and of a trade: its certificate's kind, or `boutique` (浙江制造精品) for an item listed without
 * a certificate — such an item has no first-unit kind. The catalogue's kind facet and the statistics' `kind`
 * dimension use this vocabulary; certificates use KINDS.
 */
export const PRODUCT_KINDS = [...KINDS, 'boutique'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];
export const UNCERTIFIED_KIND = 'boutique' satisfies ProductKind;

export const LEVELS = ['international', 'domestic', 'provincial'] as const;
export type Level = (typeof LEVELS)[number];

export const CERT_STATUSES = ['valid', 'expired', 'revoked'] as const;
export type CertStatus = (typeof CERT_STATUSES)[number];

export const BADGES = ['first_unit', 'boutique'] as const;
export type Badge = (typeof BADGES)[number];

export const FIELDS = [
  { name: '数控机床', code: 'cnc_machine_tools' },
  { name: '节能与新能源汽车', code: 'new_energy_vehicles' },
  { name: '智能装备', code: 'intelligent_equipment' },
  { name: '高端医疗装备', code: 'medical_equipment' },
  { name: '航空装备', code: 'aviation_equipment' },
  { name: '船舶', code: 'ships' },
  { name: '自然灾害防治装备', code: 'disaster_prevention' },
  { name: '防疫物资生产装备', code: 'epidemic_supplies' },
  { name: '新材料', code: 'new_materials' },
  { name: '软件', code: 'software' },
  { name: '工程机械', code: 'construction_machinery' },
  { name: '环保装备', code: 'environmental_equipment' },
] as const;
export type FieldName = (typeof FIELDS)[number]['name'];

export const CITIES = [
  { name: '杭州', code: 'hangzhou', division: '330100' },
  { name: '宁波', code: 'ningbo', division: '330200' },
  { name: '温州', code: 'wenzhou', division: '330300' },
  { name: '嘉兴', code: 'jiaxing', division: '330400' },
  { name: '湖州', code: 'huzhou', division: '330500' },
  { name: '绍兴', code: 'shaoxing', division: '330600' },
  { name: '金华', code: 'jinhua', division: '330700' },
  { name: '衢州', code: 'quzhou', division: '330800' },
  { name: '舟山', code: 'zhoushan', division: '330900' },
  { name: '台州', code: 'taizhou', division: '331000' },
  { name: '丽水', code: 'lishui', division: '331100' },
] as const;
export type CityName = (typeof CITIES)[number]['name'];

export const PURCHASER_TYPES = ['agency', 'hospital', 'school', 'other'] as const;
export type PurchaserType = (typeof PURCHASER_TYPES)[number];

/** A field given by its Chinese name or its Latin code → the stored name, or null. */
export function fieldName(v: string): FieldName | null {
  return FIELDS.find((f) => f.name === v || f.code === v)?.name ?? null;
}

export function cityName(v: string): CityName | null {
  return CITIES.find((c) => c.name === v || c.code === v)?.name ?? null;
}

export const fieldCode = (name: string): string => FIELDS.find((f) => f.name === name)?.code ?? name;
export const cityCode = (name: string): string => CITIES.find((c) => c.name === name)?.code ?? name;

/**
 * A write's option for a caller that shows nothing of its answer — the demo loader walking hundreds of cases through
 * the services: the change is made and checked exactly as for anyone, but the case is not read back into a view.
 */
export interface Unanswered {
  answer: false;
}
