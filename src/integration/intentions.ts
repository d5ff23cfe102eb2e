import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db, type Executor } from '../db';
import { AppError, forbidden, notFound } from '../errors';
import { Money } from '../money';
import { intentionRule } from '../settings';
import { apiTime } from '../time';
import type { Actor, Page } from '../web';
import type { IntentionInput } from './schema';

/**
 * 采购意向公开 (财库〔2020〕10号): a purchasing unit publishes what it intends to buy — the project, the goods, the
 * budget and the month it expects to buy — before it buys. A 政府首购 case *matches* an intention when the intention
 * is its own purchasing unit's and either names the case's product (`productId`) or has the same project name (after
 * removing white space and case). With the rule on (settings: `purchase_intention_rule`), a case can be submitted
 * only when a matching intention was published at least `minDays` (30) days before; the 公示 links the intention.
 */
export interface IntentionRow {
  id: number;
  purchaser_id: number;
  purchaser_name?: string;
  project_name: string;
  goods: string;
  budget_fen: number | string;
  expected_month: string;
  product_id: number | null;
  created_by: number | null;
  published_at: string;
}

export interface IntentionView {
  id: number;
  purchaser: { id: number; name: string };
  projectName: string;
  goods: string;
  budget: string;
  expectedMonth: string;
  productId: number | null;
  publishedAt: string;
}

export const intentionView = (r: IntentionRow): IntentionView => ({
  id: Number(r.id),
  purchaser: { id: Number(r.purchaser_id), name: r.purchaser_name ?? '' },
  projectName: r.project_name,
  goods: r.goods,
  budget: Money.ofFen(Number(r.budget_fen)).toString(),
  expectedMonth: r.expected_month,
  productId: r.product_id === null ? null : Number(r.product_id),
  publishedAt: apiTime(r.published_at),
});

const normalized = (v: string): string => v.replace(/\s+/g, '').toLowerCase();
const DAY_MS = 24 * 3600 * 1000;

const withPurchaser = (db: Executor) => db('purchase_intentions as i').join('purchasers as p', 'p.id', 'i.purchaser_id').select('i.*', 'p.name as purchaser_name');

/** The case facts a match looks at. */
export interface CaseForIntention {
  purchaserId: number;
  productId: number;
  projectName: string;
}

/**
 * The newest intention of the case's unit that matches it and was published at least `minDays` days before `now`,
 * or — with `anyAge` — the newest matching one however recent (for the link when the rule is off).
 */
export async function matchingIntention(db: Executor, c: CaseForIntention, now: Date, minDays: number, anyAge = false): Promise<IntentionRow | null> {
  const q = withPurchaser(db).where('i.purchaser_id', c.purchaserId);
  if (!anyAge) q.where('i.published_at', '<=', new Date(now.getTime() - minDays * DAY_MS).toISOString());
  const rows: IntentionRow[] = await q.orderBy('i.published_at', 'desc').orderBy('i.id', 'desc');
  const name = normalized(c.projectName);
  return rows.find((r) => (r.product_id !== null && Number(r.product_id) === c.productId) || normalized(r.project_name) === name) ?? null;
}

/**
 * What a case's submission needs to know (the guard's fact and the 公示's link): whether the rule lets it through,
 * and the intention to link (the matching one public long enough, else — the rule off — any matching one).
 */
export async function intentionForCase(db: Executor, c: CaseForIntention, now: Date): Promise<{ ok: boolean; minDays: number; intention: IntentionRow | null }> {
  const rule = await intentionRule(db);
  const public30 = await matchingIntention(db, c, now, rule.minDays);
  if (public30) return { ok: true, minDays: rule.minDays, intention: public30 };
  if (rule.required) return { ok: false, minDays: rule.minDays, intention: null };
  return { ok: true, minDays: rule.minDays, intention: await matchingIntention(db, c, now, 0, true) };
}

export class IntentionService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async publish(actor: Actor, input: IntentionInput): Promise<IntentionView> {
    if (actor.role !== 'purchaser' || !actor.purchaserId) throw forbidden('errors.wrong_role');
    const purchaserId = actor.purchaserId;
    return writeTransaction(this.db, async (trx) => {
      if (input.productId !== undefined && !(await trx('products').where({ id: input.productId }).first('id'))) {
        throw new AppError('validation_failed', 'integration.intention_product_unknown', {}, 'productId');
      }
      const now = this.clock.now().toISOString();
      const [row] = await trx('purchase_intentions')
        .insert({
          purchaser_id: purchaserId,
          project_name: input.projectName,
          goods: input.goods,
          budget_fen: input.budget,
          expected_month: input.expectedMonth,
          product_id: input.productId ?? null,
          created_by: actor.id,
          published_at: now,
        })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      const view = intentionView({ ...(await withPurchaser(trx).where('i.id', id).first()) } as IntentionRow);
      await recordAudit(trx, this.clock, { actor, action: 'purchase_intention.publish', entity: 'purchase_intention', entityId: id, after: view });
      return view;
    });
  }

  async list(q: { page: number; pageSize: number; purchaserId?: number }): Promise<Page<IntentionView>> {
    const db = executorFor(this.db);
    const base = db('purchase_intentions as i');
    if (q.purchaserId) base.where('i.purchaser_id', q.purchaserId);
    const total = Number((await base.clone().count<{ n: number }[]>({ n: '*' }).first())?.n ?? 0);
    const rows: IntentionRow[] = await withPurchaser(db)
      .modify((b) => {
        if (q.purchaserId) b.where('i.purchaser_id', q.purchaserId);
      })
      .orderBy('i.published_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
    return { items: rows.map(intentionView), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: number): Promise<IntentionView> {
    const row: IntentionRow | undefined = await withPurchaser(executorFor(this.db)).where('i.id', id).first();
    if (!row) throw notFound('integration.intention_not_found');
    return intentionView(row);
  }
}
