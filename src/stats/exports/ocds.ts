import type { DetailRow } from '../repo';
import { apiTime } from '../../time';
import { yuanNumber } from './cells';

/**
 * OCDS 1.1 release package, one release per trade (a settlement, or a refund that reverses one). Releases of the
 * same order or first-purchase case share its ocid. The data is published in Chinese (`language: zh`), whatever the
 * reader's interface language.
 *
 * The ocid prefix must be registered with the Open Contracting Partnership for a real publication; this default
 * marks the demo deployment.
 */
export const DEFAULT_OCID_PREFIX = 'ocds-zjsttx';

export const PUBLISHER = '浙江省首台（套）产品推广应用平台';
export const METHOD_FIRST_PURCHASE = '单一来源（政府首购）';
export const METHOD_BOUTIQUE = '电子卖场直购（浙江制造精品馆目录采购）';
const RATIONALE_FIRST_PURCHASE = '首台（套）认定产品，依法采用单一来源方式实施政府首购';
const LEVEL_NAMES: Record<string, string> = { international: '国际首台（套）', domestic: '国内首台（套）', provincial: '省内首台（套）' };
// A descriptive label: a deployment should use the org-id.guide list code for China's credit-code register.
const ID_SCHEME = 'CN-USCC';

interface OrgRef {
  id: string;
  name: string;
}

type Json = Record<string, unknown>;

function party(ref: OrgRef, code: string, city: string, roles: string[], street?: string): Json {
  return {
    id: ref.id,
    name: ref.name,
    ...(code ? { identifier: { scheme: ID_SCHEME, id: code, legalName: ref.name } } : {}),
    address: { ...(street ? { streetAddress: street } : {}), locality: city, region: '浙江省', countryName: '中国' },
    roles,
  };
}

export function releaseOf(r: DetailRow, prefix = DEFAULT_OCID_PREFIX): Json {
  const refund = r.countDelta < 0;
  const first = r.channel === 'first_purchase';
  // An order's releases share its number (ZJJP-2026-000123), as a case's share the case; an order without a number
  // (a row written outside the service) still groups its releases.
  const proc = r.caseId ? `fp-${r.caseId}` : r.orderNo ? r.orderNo : r.orderId ? `order-${r.orderId}` : `trade-${r.id}`;
  const ocid = `${prefix}-${proc}`;
  const value = { amount: yuanNumber(Math.abs(r.amountFen)), currency: 'CNY' };
  const buyer: OrgRef = { id: `purchaser-${r.purchaserId}`, name: r.purchaserName };
  const supplier: OrgRef = { id: `vendor-${r.vendorId}`, name: r.vendorName };
  const item = {
    id: r.productId ? `product-${r.productId}` : '1',
    description: r.productTitle,
    ...(r.certNo
      ? { classification: { scheme: 'ZJ-FIRST-UNIT-CERT', id: r.certNo, description: [r.level ? LEVEL_NAMES[r.level] : null, r.field].filter(Boolean).join(' · ') } }
      : {}),
    quantity: 1,
  };
  const transaction = {
    id: `trade-${r.id}`,
    date: apiTime(r.at),
    value,
    payer: refund ? supplier : buyer,
    payee: refund ? buyer : supplier,
  };
  const awardID = `${proc}-award`;
  const contract = {
    id: r.contractNo ?? `${proc}-contract`,
    awardID,
    ...(refund ? {} : { title: r.projectName ?? r.productTitle, status: 'active', value, items: [item] }),
    // The case keeps the signing day; OCDS wants a date-time: the start of that day in Shanghai.
    ...(!refund && r.signedAt ? { dateSigned: /^\d{4}-\d{2}-\d{2}$/.test(r.signedAt) ? `${r.signedAt}T00:00:00+08:00` : r.signedAt } : {}),
    implementation: { transactions: [transaction] },
  };
  const base: Json = {
    ocid,
    id: `trade-${r.id}`,
    date: apiTime(r.at),
    language: 'zh',
    initiationType: 'tender',
    parties: [
      party(buyer, r.purchaserCode, r.purchaserCity, refund ? ['buyer', 'procuringEntity', 'payee'] : ['buyer', 'procuringEntity', 'payer']),
      party(supplier, r.vendorCode, r.vendorCity, refund ? ['supplier', 'payer'] : ['supplier', 'payee'], r.vendorAddress || undefined),
    ],
    buyer,
  };
  if (refund) return { ...base, tag: ['implementationUpdate'], contracts: [contract] };
  return {
    ...base,
    tag: ['tender', 'award', 'contract', 'implementation'],
    tender: {
      id: `${proc}-tender`,
      title: r.projectName ?? r.productTitle,
      status: 'complete',
      procuringEntity: buyer,
      items: [item],
      value,
      procurementMethod: 'direct',
      procurementMethodDetails: first ? METHOD_FIRST_PURCHASE : METHOD_BOUTIQUE,
      ...(first ? { procurementMethodRationale: RATIONALE_FIRST_PURCHASE } : {}),
      mainProcurementCategory: 'goods',
      numberOfTenderers: 1,
    },
    awards: [{ id: awardID, status: 'active', date: apiTime(r.at), value, suppliers: [supplier], items: [item] }],
    contracts: [contract],
  };
}

export interface PackageMeta {
  uri: string;
  publishedDate: string;
  ocidPrefix?: string;
}

/** The package as JSON text, streamed: the envelope, then each release as its page arrives. */
export async function* ocdsChunks(pages: AsyncIterable<DetailRow[]>, meta: PackageMeta): AsyncGenerator<string> {
  const head = JSON.stringify({ uri: meta.uri, version: '1.1', publishedDate: meta.publishedDate, publisher: { name: PUBLISHER } });
  yield `${head.slice(0, -1)},"releases":[`;
  let first = true;
  for await (const page of pages) {
    if (!page.length) continue;
    const body = page.map((r) => JSON.stringify(releaseOf(r, meta.ocidPrefix))).join(',\n');
    yield (first ? '\n' : ',\n') + body;
    first = false;
  }
  yield '\n]}\n';
}
