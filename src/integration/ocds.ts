import { recordAudit, type OutboxRow } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db } from '../db';
import { AppError, invalidField, parseStoredJson } from '../errors';
import { Money } from '../money';
import { apiTime } from '../time';
import type { Actor } from '../web';
import {
  caseFacts,
  contractNotices,
  intentionsByIds,
  noticesByIds,
  readOcidPrefix,
  releaseEventsAfter,
  writeOcidPrefix,
  type CaseFacts,
  type IntentionFacts,
  type NoticeDoc,
  type PartyFacts,
} from './ocds-repo';

/**
 * The incremental OCDS 1.1 release feed (issue 17): one release per public stage of a contracting process, each made
 * from one outbox event, so each release appears exactly once and in commit order, and its id (the event's id) never
 * changes. A purchase intention is a planning process of its own (`<prefix>-pi-<id>`, tag `planning`); a 政府首购
 * case is one contracting process (`<prefix>-fp-<id>`) with a release per notice — 公示 `tender`, 成交结果 `award`,
 * 合同 `contract`, 终止 `tenderCancellation` — and `implementation` for the payment; its releases name the intention
 * its 公示 linked as a related `planning` process. The data is what the published documents say (`language: zh`).
 */
export const DEFAULT_OCID_PREFIX = 'ocds-zjsttx';
export const OCID_PREFIX_PATTERN = /^ocds-[a-z0-9]{6}$/;
export const PUBLISHER = '浙江省首台（套）产品推广应用平台';
export const METHOD_DETAILS = '单一来源（政府首购）';
const ID_SCHEME = 'CN-USCC';

type Json = Record<string, unknown>;

export interface ReleasePage {
  releases: Json[];
  /** The cursor for the next call (`after=`): the last event read, or the one given when there was none. */
  next: number;
  hasMore: boolean;
}

const amount = (yuan: string | Money): Json => ({ amount: (typeof yuan === 'string' ? Money.parse(yuan) : yuan).toYuanNumber(), currency: 'CNY' });
const orgRef = (kind: 'purchaser' | 'vendor', p: PartyFacts): Json => ({ id: `${kind}-${p.id}`, name: p.name });

function party(kind: 'purchaser' | 'vendor', p: PartyFacts, roles: string[], street?: string): Json {
  return {
    ...orgRef(kind, p),
    identifier: { scheme: ID_SCHEME, id: p.creditCode, legalName: p.name },
    address: { ...(street ? { streetAddress: street } : {}), locality: p.city, region: '浙江省', countryName: '中国' },
    roles,
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

/** The building blocks a page of events needs, read in a few queries. */
interface Facts {
  prefix: string;
  origin: string;
  notices: Map<number, NoticeDoc>;
  cases: Map<number, CaseFacts>;
  intentions: Map<number, IntentionFacts>;
  contracts: Map<number, NoticeDoc>;
}

function planningRelease(e: OutboxRow, i: IntentionFacts, f: Facts): Json {
  const buyer = orgRef('purchaser', i.purchaser);
  return {
    ocid: `${f.prefix}-pi-${i.id}`,
    id: e.id,
    date: apiTime(e.occurred_at),
    language: 'zh',
    tag: ['planning'],
    initiationType: 'tender',
    parties: [party('purchaser', i.purchaser, ['buyer', 'procuringEntity'])],
    buyer,
    planning: { rationale: '采购意向公开（财库〔2020〕10号）', budget: { description: i.projectName, amount: amount(Money.ofFen(i.budgetFen)) } },
    tender: {
      id: `pi-${i.id}`,
      title: i.projectName,
      description: i.goods,
      status: 'planning',
      procuringEntity: buyer,
      value: amount(Money.ofFen(i.budgetFen)),
      mainProcurementCategory: 'goods',
      // 预计采购时间: the month the unit expects to buy in.
      tenderPeriod: { startDate: `${i.expectedMonth}-01T00:00:00+08:00` },
      items: [{ id: '1', description: i.goods, ...(i.productId ? { classification: { scheme: 'ZJ-FIRST-UNIT-PRODUCT', id: String(i.productId) } } : {}) }],
      documents: [{ id: `pi-${i.id}`, documentType: 'procurementPlan', title: i.projectName, url: `${f.origin}/purchase-intentions/${i.id}`, datePublished: apiTime(i.publishedAt), language: 'zh' }],
    },
  };
}

/** The releases of a case share its ocid, its parties and its link to the intention. */
function caseBase(e: OutboxRow, c: CaseFacts, f: Facts, tag: string): Json {
  return {
    ocid: `${f.prefix}-fp-${c.id}`,
    id: e.id,
    date: apiTime(e.occurred_at),
    language: 'zh',
    tag: [tag],
    initiationType: 'tender',
    parties: [party('purchaser', c.purchaser, ['buyer', 'procuringEntity']), party('vendor', c.vendor, tag === 'tender' || tag === 'tenderCancellation' ? ['tenderer'] : ['tenderer', 'supplier'], c.vendor.address || undefined)],
    buyer: orgRef('purchaser', c.purchaser),
    ...(c.intentionId ? { relatedProcesses: [{ id: `pi-${c.intentionId}`, relationship: ['planning'], title: f.intentions.get(c.intentionId)?.projectName ?? '', scheme: 'ocid', identifier: `${f.prefix}-pi-${c.intentionId}` }] } : {}),
  };
}

const noticeDocument = (n: NoticeDoc, documentType: string, f: Facts): Json => ({ id: `notice-${n.id}`, documentType, title: n.title, url: `${f.origin}/notices/${n.id}`, datePublished: apiTime(n.publishedAt), language: 'zh' });

function goodsItem(n: NoticeDoc): Json {
  const g = obj(n.content.goods);
  const cert = obj(g.certificate);
  return {
    id: '1',
    description: [str(g.name), str(g.model)].filter(Boolean).join(' '),
    ...(str(cert.certNo) ? { classification: { scheme: 'ZJ-FIRST-UNIT-CERT', id: str(cert.certNo) } } : {}),
    ...(typeof g.quantity === 'number' ? { quantity: g.quantity } : {}),
    ...(str(g.unit) ? { unit: { name: str(g.unit), ...(str(g.unitPrice) ? { value: amount(str(g.unitPrice)) } : {}) } } : {}),
  };
}

function noticeRelease(e: OutboxRow, n: NoticeDoc, c: CaseFacts, f: Facts): Json | null {
  const tenderId = `fp-${c.id}`;
  const project = obj(n.content.project);
  const supplier = orgRef('vendor', c.vendor);
  switch (n.type) {
    case 'single_source':
      return {
        ...caseBase(e, c, f, 'tender'),
        tender: {
          id: tenderId,
          title: str(project.name),
          ...(str(project.content) ? { description: str(project.content) } : {}),
          status: 'active',
          procuringEntity: orgRef('purchaser', c.purchaser),
          items: [goodsItem(n)],
          value: amount(str(project.budget)),
          procurementMethod: 'direct',
          procurementMethodDetails: METHOD_DETAILS,
          procurementMethodRationale: str(n.content.reason),
          mainProcurementCategory: 'goods',
          tenderers: [supplier],
          numberOfTenderers: 1,
          documents: [noticeDocument(n, 'tenderNotice', f)],
        },
      };
    case 'result':
      return {
        ...caseBase(e, c, f, 'award'),
        tender: { id: tenderId, title: str(project.name), status: 'complete', procurementMethod: 'direct', procurementMethodDetails: METHOD_DETAILS },
        awards: [{ id: `${tenderId}-award`, title: str(project.name), status: 'active', date: apiTime(n.publishedAt), value: amount(str(n.content.amount)), suppliers: [supplier], items: [goodsItem(n)], documents: [noticeDocument(n, 'awardNotice', f)] }],
      };
    case 'contract':
      return {
        ...caseBase(e, c, f, 'contract'),
        contracts: [
          {
            id: str(n.content.contractNo) || `${tenderId}-contract`,
            awardID: `${tenderId}-award`,
            title: str(n.content.contractName) || str(project.name),
            status: 'active',
            value: amount(str(n.content.amount)),
            items: [goodsItem(n)],
            ...(/^\d{4}-\d{2}-\d{2}$/.test(str(n.content.signedOn)) ? { dateSigned: `${str(n.content.signedOn)}T00:00:00+08:00` } : {}),
            documents: [noticeDocument(n, 'contractNotice', f)],
          },
        ],
      };
    case 'termination':
      return {
        ...caseBase(e, c, f, 'tenderCancellation'),
        tender: { id: tenderId, title: str(project.name), status: 'cancelled', procurementMethod: 'direct', procurementMethodDetails: METHOD_DETAILS, documents: [noticeDocument(n, 'tenderNotice', f)] },
      };
    default:
      return null;
  }
}

function paymentRelease(e: OutboxRow, c: CaseFacts, f: Facts): Json | null {
  const contract = f.contracts.get(c.id);
  if (!contract) return null; // a case is paid only after its contract notice; without one there is nothing public to settle
  const tenderId = `fp-${c.id}`;
  const value = amount(str(contract.content.amount));
  return {
    ...caseBase(e, c, f, 'implementation'),
    contracts: [
      {
        id: str(contract.content.contractNo) || `${tenderId}-contract`,
        awardID: `${tenderId}-award`,
        status: 'terminated',
        implementation: { transactions: [{ id: `${tenderId}-payment`, date: apiTime(e.occurred_at), value, payer: orgRef('purchaser', c.purchaser), payee: orgRef('vendor', c.vendor) }] },
      },
    ],
  };
}

const eventData = (e: OutboxRow): { entityId: unknown; after: Json } => {
  const d = obj(parseStoredJson(e.data, { table: 'outbox_events', column: 'data', id: Number(e.seq) }));
  return { entityId: d.entityId, after: obj(d.after) };
};

/** The feed's reads: releases after a cursor, and the ocid prefix (a setting the admin may set before any release). */
export class OcdsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async ocidPrefix(): Promise<string> {
    return (await readOcidPrefix(executorFor(this.db))) ?? DEFAULT_OCID_PREFIX;
  }

  /**
   * Sets the ocid prefix. An ocid must never change once published, so the prefix is fixed as soon as the feed holds
   * a release: then a different prefix is a 409 naming `ocidPrefix`.
   */
  async setOcidPrefix(actor: Actor, prefix: string): Promise<{ ocidPrefix: string }> {
    if (!OCID_PREFIX_PATTERN.test(prefix)) throw invalidField('ocidPrefix', 'integration.ocid_prefix_invalid');
    return writeTransaction(this.db, async (trx) => {
      const before = (await readOcidPrefix(trx)) ?? DEFAULT_OCID_PREFIX;
      if (before === prefix) return { ocidPrefix: prefix };
      if ((await releaseEventsAfter(trx, 0, 1)).length) throw new AppError('invalid_state', 'integration.ocid_prefix_fixed', { prefix: before, field: 'ocidPrefix' }, 'ocidPrefix');
      await writeOcidPrefix(trx, prefix, this.clock.now().toISOString());
      await recordAudit(trx, this.clock, { actor, action: 'settings.ocds_ocid_prefix', entity: 'settings', entityId: 'ocds_ocid_prefix', before: { ocidPrefix: before }, after: { ocidPrefix: prefix } });
      return { ocidPrefix: prefix };
    });
  }

  /**
   * The releases after the cursor (an outbox `seq`), oldest first, at most `pageSize` of them; `next` is the seq of
   * the last event read. Events that make no release (none today, but a notice without its case would) are read past.
   */
  async releasesAfter(after: number, pageSize: number, origin: string): Promise<ReleasePage> {
    const db = executorFor(this.db);
    const releases: Json[] = [];
    let next = after;
    for (;;) {
      const want = pageSize - releases.length;
      const rows = await releaseEventsAfter(db, next, want + 1);
      const events = rows.slice(0, want);
      releases.push(...(await this.build(events, origin)));
      if (events.length) next = events[events.length - 1].seq;
      if (rows.length <= want) return { releases, next, hasMore: false };
      if (releases.length >= pageSize) return { releases, next, hasMore: true };
    }
  }

  /** One release per event (or none), in the events' order; the facts they need are read in a few queries. */
  private async build(events: OutboxRow[], origin: string): Promise<Json[]> {
    if (!events.length) return [];
    const db = executorFor(this.db);
    const data = events.map(eventData);
    const noticeIds = events.flatMap((e, i) => (e.type === 'notice.published' ? [Number(data[i].entityId)] : []));
    const notices = await noticesByIds(db, noticeIds);
    const caseIds = [
      ...new Set(events.flatMap((e, i) => (e.type === 'first_purchase.paid' ? [Number(data[i].entityId)] : e.type === 'notice.published' ? [notices.get(Number(data[i].entityId))?.caseId ?? 0] : [])).filter((id) => id > 0)),
    ];
    const cases = await caseFacts(db, caseIds);
    const intentionIds = [
      ...new Set([...events.flatMap((e, i) => (e.type === 'purchase_intention.published' ? [Number(data[i].entityId)] : [])), ...[...cases.values()].flatMap((c) => (c.intentionId ? [c.intentionId] : []))]),
    ];
    const f: Facts = {
      prefix: (await readOcidPrefix(db)) ?? DEFAULT_OCID_PREFIX,
      origin,
      notices,
      cases,
      intentions: await intentionsByIds(db, intentionIds),
      contracts: await contractNotices(db, events.some((e) => e.type === 'first_purchase.paid') ? caseIds : []),
    };
    return events.flatMap((e, i) => {
      const id = Number(data[i].entityId);
      if (e.type === 'purchase_intention.published') {
        const intention = f.intentions.get(id);
        return intention ? [planningRelease(e, intention, f)] : [];
      }
      if (e.type === 'notice.published') {
        const n = notices.get(id);
        const c = n?.caseId ? cases.get(n.caseId) : undefined;
        const r = n && c ? noticeRelease(e, n, c, f) : null;
        return r ? [r] : [];
      }
      const c = cases.get(id);
      const r = c ? paymentRelease(e, c, f) : null;
      return r ? [r] : [];
    });
  }

  /**
   * The release package of a page (OCDS 1.1), with the cursor of the next call beside it; null when nothing was
   * released after the cursor (a package must hold a release: the route answers 204 and the reader keeps its cursor).
   */
  async releasePackage(after: number, pageSize: number, origin: string, uri: string): Promise<(Json & { next: number; hasMore: boolean }) | null> {
    const page = await this.releasesAfter(after, pageSize, origin);
    if (!page.releases.length) return null;
    return { uri, version: '1.1', publishedDate: apiTime(this.clock.now().toISOString()), publisher: { name: PUBLISHER }, releases: page.releases, next: page.next, hasMore: page.hasMore };
  }
}
