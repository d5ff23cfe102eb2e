import type { Executor } from '../db';
import { Money, formatYuan } from '../money';
import { caseNo } from '../numbers';
import { daysAfter } from '../time';
import { recentActs, type OwnedObjects } from './repo';

/** One kind of a party's objects on its desk's 最近动态: where they live, which acts of others count, how to name one. */
export interface UpdateSource extends OwnedObjects {
  actions: readonly string[];
  columns: readonly string[];
  /** The object's number or name as the desk shows it, and its page. */
  ref: (object: Record<string, unknown>) => { ref: string; title: string; href: string };
}

/** An entry of 最近动态: what was done (the audit label's key), by whom, when, to which object. */
export interface DeskUpdate {
  at: string;
  what: string;
  actor: string;
  ref: string;
  title: string;
  href: string;
}

/** How far back a desk's 最近动态 looks, in days. */
export const UPDATES_DAYS = 30;

/** What others do to a 政府首购 case that its parties hear of (the department's, the finance department's, the other party's acts). */
export const CASE_UPDATES = [
  'first_purchase.submit',
  'first_purchase.approve',
  'first_purchase.award',
  'first_purchase.contract',
  'first_purchase.filing',
  'first_purchase.accept',
  'first_purchase.pay',
  'first_purchase.terminate',
  'first_purchase.withdraw',
  'first_purchase.uphold_objection',
  'first_purchase.over_budget',
  'first_purchase.certificate_revoked',
] as const;

/** What is done about objections to a 政府首购 case that its parties hear of: one filed, answered, or set aside. */
export const OBJECTION_UPDATES = ['first_purchase.objection_file', 'first_purchase.objection_resolve', 'first_purchase.objection_mark'] as const;

/** `actions` on the orders of a party (its column on the order: `owner`), for its desk's 最近动态: each by its number and amount. */
export function orderUpdates(owner: 'purchaser_id' | 'vendor_id', actions: readonly string[]): UpdateSource {
  return {
    entity: 'order',
    table: 'orders',
    owner,
    actions,
    columns: ['id', 'order_no', 'total_fen'],
    ref: (o) => ({ ref: String(o.order_no), title: formatYuan(Money.ofFen(o.total_fen as number | string)), href: `/orders/${String(o.id)}` }),
  };
}

/** A 政府首购 case on a desk: its number, its project's name and its page. */
const CASE_COLUMNS = ['id', 'project_name', 'created_at'] as const;
const caseRef = (c: Record<string, unknown>) => ({ ref: caseNo({ id: Number(c.id), created_at: String(c.created_at) }), title: String(c.project_name), href: `/first-purchases/${String(c.id)}` });

/** `actions` on the 政府首购 cases of a party (its column on the case: `owner`), for its desk's 最近动态. */
export function caseUpdates(owner: 'purchaser_id' | 'vendor_id', actions: readonly string[]): UpdateSource {
  return { entity: 'fp_case', table: 'fp_cases', owner, actions, columns: CASE_COLUMNS, ref: caseRef };
}

/**
 * The objections to a party's 政府首购 cases, for its desk's 最近动态: filed (by anyone, during the 公示), answered or
 * set aside by the department — records of the objection, reached through its case.
 */
export function objectionUpdates(owner: 'purchaser_id' | 'vendor_id'): UpdateSource {
  return { entity: 'fp_objection', table: 'objections', owner, via: { table: 'fp_cases', key: 'case_id' }, actions: OBJECTION_UPDATES, columns: CASE_COLUMNS, ref: caseRef };
}

/**
 * What others did lately to a party's objects — a vendor confirming or declining an order, the finance department
 * approving a case, the department approving a listing — newest first, from the audit log (so it says what the
 * records say, in the audit page's words), over the UPDATES_DAYS before `now`.
 */
export async function deskUpdates(db: Executor, ownerId: number, sources: readonly UpdateSource[], now: Date, limit = 10): Promise<DeskUpdate[]> {
  const sinceIso = daysAfter(now, -UPDATES_DAYS).toISOString();
  const found = await Promise.all(
    sources.map(async (s) =>
      (await recentActs(db, s, ownerId, s.actions, sinceIso, limit, s.columns)).map((r) => ({
        id: r.id,
        at: r.at,
        what: `audit.action_${r.action.replace(/\./g, '_')}`,
        actor: r.actor_name,
        ...s.ref(r.object),
      })),
    ),
  );
  return found
    .flat()
    .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1))
    .slice(0, limit)
    .map(({ id: _id, ...u }) => u);
}
