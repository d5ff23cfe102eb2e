import type { Executor } from '../db';
import { endOfDay, addDays } from '../workdays';
import { reviewDue } from '../first-purchase';
import { shanghaiDay } from '../time';

/**
 * A to-do item of a desk: what to do, on what (its number, a title, a link), by when (a day or an instant; none for
 * steps without a deadline), and since when. `waiting`: listed for its deadline, but someone else acts first (a
 * 公示 running). Every desk lists its items oldest deadline first, those without one after, oldest first.
 */
export interface TodoItem {
  /** Message key of what to do. */
  what: string;
  ref: string;
  title: string;
  href: string;
  deadline: string | null;
  deadlineIsDay: boolean;
  overdue: boolean;
  since: string;
  waiting: boolean;
}

const instant = (i: TodoItem): number => (i.deadline === null ? Infinity : i.deadlineIsDay ? endOfDay(i.deadline).getTime() : Date.parse(i.deadline));

/** Oldest deadline first; without a deadline after, the longest waiting first. */
export function byDeadline(items: TodoItem[]): TodoItem[] {
  return [...items].sort((a, b) => instant(a) - instant(b) || Date.parse(a.since) - Date.parse(b.since) || a.ref.localeCompare(b.ref));
}

/**
 * `overdueWhileWaiting`: a deadline someone else has missed (the department's review of objections holding a case) is
 * marked overdue though the item waits on them.
 */
export function todo(now: Date, item: Omit<TodoItem, 'overdue' | 'deadlineIsDay' | 'waiting'> & { waiting?: boolean; overdueWhileWaiting?: boolean }): TodoItem {
  const { overdueWhileWaiting, ...rest } = item;
  const deadlineIsDay = rest.deadline !== null && /^\d{4}-\d{2}-\d{2}$/.test(rest.deadline);
  const full = { ...rest, deadlineIsDay, waiting: rest.waiting ?? false, overdue: false };
  full.overdue = (!full.waiting || overdueWhileWaiting === true) && instant(full) < now.getTime();
  return full;
}

/** The 首购 steps a purchasing unit takes, by the case's status (the case table: first-purchase/transitions.ts). */
export const CASE_TODO: Record<string, string> = {
  draft: 'purchaser.todo_case_draft',
  approved: 'purchaser.todo_case_approved',
  awarded: 'purchaser.todo_case_awarded',
  contracted: 'purchaser.todo_case_contracted',
  accepted: 'purchaser.todo_case_accepted',
  notice: 'purchaser.todo_case_notice',
};

/**
 * A case whose 公示 period is over but which is still `notice`: what it waits for, in words, and by when. With open
 * objections, their review by the department (5 working days after the period, arts. 39–40: `reviewDue`, as the
 * case and the department's desk read it); without, the finance department's approval. (A workday pass, 2026-12-08: the desk kept saying
 * "公示中，待公示期结束" weeks after the period, while an overdue objection review held the case.)
 */
export function noticeOver(c: { noticeEndsAt: string | null; openObjections: number }, now: Date): { what: string; deadline: string | null } | null {
  if (!c.noticeEndsAt || Date.parse(c.noticeEndsAt) >= now.getTime()) return null;
  if (c.openObjections > 0) return { what: 'purchaser.todo_case_objections', deadline: reviewDue(c.noticeEndsAt) };
  return { what: 'purchaser.todo_case_approval', deadline: null };
}

/** The contract is signed within 30 days of the 成交通知书 (as first-purchase/notices.ts `contractDue`). */
const CONTRACT_DAYS = 30;

export interface OrderTodoRow {
  id: number;
  order_no: string;
  status: string;
  vendor_name: string;
  updated_at: string;
}

/** The unit's orders waiting for it: delivered (to accept) and accepted (to pay). */
export const ordersToAct = (db: Executor, unitId: number): Promise<OrderTodoRow[]> =>
  db('orders as o')
    .join('vendors as v', 'v.id', 'o.vendor_id')
    .where('o.purchaser_id', unitId)
    .whereIn('o.status', ['delivered', 'accepted'])
    .orderBy('o.updated_at')
    .limit(200)
    .select('o.id', 'o.order_no', 'o.status', 'v.name as vendor_name', 'o.updated_at');

/** When each awarded case was awarded (its contract deadline follows from it). */
export async function awardedAt(db: Executor, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows: Array<{ id: number; awarded_at: string | null }> = await db('fp_cases').whereIn('id', ids).select('id', 'awarded_at');
  return new Map(rows.filter((r) => r.awarded_at).map((r) => [Number(r.id), r.awarded_at as string]));
}

export const contractDueDay = (awardedIso: string): string => addDays(shanghaiDay(new Date(awardedIso)), CONTRACT_DAYS);
