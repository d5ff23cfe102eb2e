import type { Executor } from '../db';
import { byDeadline, todo, type TodoItem } from '../purchaser';
import { shanghaiDay } from '../time';
import { MIN_PANEL } from '../recognition';
import { reviewDue } from '../first-purchase';

export interface AdminFigures {
  today: { count: number; amountFen: number };
  year: { count: number; amountFen: number; year: number };
  pendingReviews: number;
  pendingApplications: number;
  pendingClaims: number;
  objectionsDue: number;
  objectionsOverdue: number;
}

/** Trades (settlements less refunds) from `day` on, up to and including `to`. */
async function tradeSums(db: Executor, from: string, to: string): Promise<{ count: number; amountFen: number }> {
  const row: { n?: number | string | null; fen?: number | string | null } | undefined = await db('trades').where('day', '>=', from).andWhere('day', '<=', to).sum({ n: 'count_delta', fen: 'amount_fen' }).first();
  return { count: Number(row?.n ?? 0), amountFen: Number(row?.fen ?? 0) };
}

type Row = Record<string, unknown> & { id: number };
const iso = (v: unknown): string => new Date(String(v)).toISOString();

/**
 * The department's desk (主管部门): the key figures and what waits for it — the same items the navigation counts
 * (admin/nav.ts `adminParts`): vendors and listings in review, certification applications to screen, to draw experts
 * for or to recommend, recommended ones waiting for a round, open objections (single-source with their review
 * deadline; certification), rounds whose 公示 has ended, insurance claims for 初审. Oldest deadline first.
 */
export async function adminDesk(db: Executor, now: Date): Promise<{ figures: AdminFigures; todos: TodoItem[] }> {
  const today = shanghaiDay(now);
  const nowIso = now.toISOString();
  const [vendors, products, screen, review, recommended, objections, roundObjections, rounds, claims, todayTrades, yearTrades] = await Promise.all([
    db('vendors').where({ status: 'pending' }).orderBy('id').limit(200).select('id', 'name', 'created_at') as Promise<Row[]>,
    db('products as p').join('vendors as v', 'v.id', 'p.vendor_id').where('p.status', 'pending_review').orderBy('p.updated_at').limit(200).select('p.id', 'p.title', 'p.model', 'v.name as vendor_name', 'p.updated_at') as Promise<Row[]>,
    db('cert_applications').where({ status: 'submitted' }).orderBy('id').limit(200).select('id', 'application_no', 'product_name', 'submitted_at', 'updated_at') as Promise<Row[]>,
    db('cert_applications as a')
      .where('a.status', 'expert_review')
      // Waiting for the department: a draw, the recommendation once every expert has scored, or a top-up (补抽) of a
      // panel that conflicts left short, even while the others still score.
      .where((w) =>
        w
          .whereNotExists((q) => q.select(db.raw('1')).from('cert_reviews as r').whereRaw('r.application_id = a.id').where('r.status', 'assigned'))
          .orWhereRaw("(SELECT COUNT(*) FROM cert_reviews r2 WHERE r2.application_id = a.id AND r2.status <> 'conflict') BETWEEN 1 AND ?", [MIN_PANEL - 1]),
      )
      .orderBy('a.id')
      .limit(200)
      .select('a.id', 'a.application_no', 'a.product_name', 'a.updated_at') as Promise<Row[]>,
    db('cert_applications').where({ status: 'recommended' }).whereNull('round_id').orderBy('id').limit(200).select('id', 'application_no', 'product_name', 'updated_at') as Promise<Row[]>,
    db('objections as o').join('fp_cases as f', 'f.id', 'o.case_id').where('o.status', 'open').orderBy('o.id').limit(200).select('o.id', 'o.case_id', 'o.organization', 'o.created_at', 'f.project_name', 'f.notice_ends_at') as Promise<Row[]>,
    db('cert_objections').where({ status: 'open' }).orderBy('id').limit(200).select('id', 'round_id', 'organization', 'created_at') as Promise<Row[]>,
    db('cert_rounds').where({ status: 'notice' }).andWhere('period_ends_at', '<', nowIso).orderBy('period_ends_at').limit(200).select('id', 'year', 'period_ends_at') as Promise<Row[]>,
    db('insurance_claims as c').join('vendors as v', 'v.id', 'c.vendor_id').where('c.status', 'submitted').orderBy('c.submitted_at').limit(200).select('c.id', 'c.claim_no', 'c.policy_no', 'v.name as vendor_name', 'c.submitted_at', 'c.updated_at') as Promise<Row[]>,
    tradeSums(db, today, today),
    tradeSums(db, `${today.slice(0, 4)}-01-01`, today),
  ]);
  const item = (what: string, ref: string, title: string, href: string, since: unknown, deadline: string | null = null) => todo(now, { what, ref, title, href, deadline, since: iso(since) });
  const objectionItems = objections.map((o) => {
    // The single-source objections are reviewed within 5 working days after the 公示 period (arts. 39–40).
    const reviewBy = o.notice_ends_at ? reviewDue(String(o.notice_ends_at)) : null;
    return item('admin.todo_objection', `#${o.id}`, `${String(o.project_name)} · ${String(o.organization)}`, `/first-purchases/${o.case_id}`, o.created_at, reviewBy);
  });
  const todos = byDeadline([
    ...vendors.map((v) => item('admin.todo_vendor', `#${v.id}`, String(v.name), '/admin/vendors', v.created_at)),
    ...products.map((p) => item('admin.todo_listing', String(p.model), `${String(p.title)} · ${String(p.vendor_name)}`, `/admin/products/${p.id}`, p.updated_at)),
    ...screen.map((a) => item('admin.todo_screen', String(a.application_no ?? `#${a.id}`), String(a.product_name), `/admin/applications/${a.id}`, a.submitted_at ?? a.updated_at)),
    ...review.map((a) => item('admin.todo_experts', String(a.application_no ?? `#${a.id}`), String(a.product_name), `/admin/applications/${a.id}`, a.updated_at)),
    ...recommended.map((a) => item('admin.todo_round', String(a.application_no ?? `#${a.id}`), String(a.product_name), '/admin/applications', a.updated_at)),
    ...objectionItems,
    ...roundObjections.map((o) => item('admin.todo_round_objection', `#${o.id}`, String(o.organization), '/admin/applications', o.created_at)),
    ...rounds.map((r) => item('admin.todo_finalize', String(r.year), String(r.year), '/admin/applications', r.period_ends_at)),
    ...claims.map((c) => item('admin.todo_claim', String(c.claim_no ?? `#${c.id}`), `${String(c.vendor_name)} · ${String(c.policy_no)}`, `/admin/insurance-claims/${c.id}`, c.submitted_at ?? c.updated_at)),
  ]);
  return {
    figures: {
      today: todayTrades,
      year: { ...yearTrades, year: Number(today.slice(0, 4)) },
      pendingReviews: vendors.length + products.length + screen.length + review.length + recommended.length + claims.length,
      /** Of them, the certification applications (形式审查, the draw, a round to enter). */
      pendingApplications: screen.length + review.length + recommended.length,
      /** Of them, the insurance claims waiting for 初审. */
      pendingClaims: claims.length,
      objectionsDue: objections.length + roundObjections.length,
      objectionsOverdue: objectionItems.filter((i) => i.overdue).length,
    },
    todos,
  };
}
