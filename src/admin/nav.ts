import type { Context, Next } from 'koa';
import type { Clock } from '../clock';
import { readerOf, type Db, type Executor } from '../db';
import type { Actor, AppState } from '../web';
import { MIN_PANEL } from '../recognition';

export interface NavCounts {
  /** The admin's review queues (the vendors' and listings' links). */
  vendors: number;
  products: number;
  /** What waits for the caller on its desk (the navigation's 待办 link), whatever the role; 0 for nobody. */
  desk: number;
  /** The caller's desk (`/purchaser`, `/vendor`, `/admin`, `/finance`, `/expert`), or '' for nobody. */
  deskPath: string;
}

const NAV = Symbol('navCounts');
const NONE: NavCounts = { vendors: 0, products: 0, desk: 0, deskPath: '' };

export const DESK_PATH: Record<Actor['role'], string> = { purchaser: '/purchaser', vendor: '/vendor', admin: '/admin', finance: '/finance', expert: '/expert' };

/** `SELECT (SELECT COUNT(*) …) AS a, (…) AS b`: one round trip for a role's counts, the same SQL on both engines. */
async function counts(db: Executor, parts: Record<string, { sql: string; bindings: readonly unknown[] }>): Promise<Record<string, number>> {
  const names = Object.keys(parts);
  const sql = `SELECT ${names.map((n) => `(${parts[n]!.sql}) AS ${n}`).join(', ')}`;
  const result: unknown = await db.raw(sql, names.flatMap((n) => [...parts[n]!.bindings]) as never);
  const row = (Array.isArray(result) ? result[0] : (result as { rows: unknown[] }).rows[0]) as Record<string, number | string>;
  return Object.fromEntries(names.map((n) => [n, Number(row[n] ?? 0)]));
}

const q = (sql: string, ...bindings: unknown[]) => ({ sql, bindings });

/** What needs a purchasing unit: deliveries to accept, accepted orders to pay, its 首购 cases at a step of its own. */
export const purchaserParts = (unitId: number) => ({
  deliveries: q("SELECT COUNT(*) FROM orders WHERE purchaser_id = ? AND status = 'delivered'", unitId),
  to_pay: q("SELECT COUNT(*) FROM orders WHERE purchaser_id = ? AND status = 'accepted'", unitId),
  cases: q("SELECT COUNT(*) FROM fp_cases WHERE purchaser_id = ? AND status IN ('draft', 'approved', 'awarded', 'contracted', 'accepted')", unitId),
});

/**
 * What needs a vendor: orders to confirm and to deliver, rejected listings, certification applications not yet
 * submitted, insurance claims not yet submitted or sent back by a review.
 */
export const vendorParts = (vendorId: number) => ({
  to_confirm: q("SELECT COUNT(*) FROM orders WHERE vendor_id = ? AND status = 'placed'", vendorId),
  to_deliver: q("SELECT COUNT(*) FROM orders WHERE vendor_id = ? AND status = 'confirmed'", vendorId),
  rejected: q("SELECT COUNT(*) FROM products WHERE vendor_id = ? AND status = 'rejected'", vendorId),
  drafts: q("SELECT COUNT(*) FROM cert_applications WHERE vendor_id = ? AND status = 'draft'", vendorId),
  claims: q("SELECT COUNT(*) FROM insurance_claims WHERE vendor_id = ? AND status IN ('draft', 'rejected')", vendorId),
});

/**
 * What needs the department: its review queues (vendors, listings, certification applications to screen, to draw
 * experts for or to recommend, recommended ones waiting for a round, insurance claims for 初审), open objections
 * (single-source and certification), and rounds whose 公示 period has ended (to finalize).
 */
export const adminParts = (nowIso: string) => ({
  vendors: q("SELECT COUNT(*) FROM vendors WHERE status = 'pending'"),
  products: q("SELECT COUNT(*) FROM products WHERE status = 'pending_review'"),
  to_screen: q("SELECT COUNT(*) FROM cert_applications WHERE status = 'submitted'"),
  to_review: q(
    "SELECT COUNT(*) FROM cert_applications a WHERE a.status = 'expert_review' AND (NOT EXISTS (SELECT 1 FROM cert_reviews r WHERE r.application_id = a.id AND r.status = 'assigned') OR (SELECT COUNT(*) FROM cert_reviews r2 WHERE r2.application_id = a.id AND r2.status <> 'conflict') BETWEEN 1 AND ?)",
    MIN_PANEL - 1,
  ),
  recommended: q("SELECT COUNT(*) FROM cert_applications WHERE status = 'recommended' AND round_id IS NULL"),
  objections: q("SELECT COUNT(*) FROM objections WHERE status = 'open'"),
  round_objections: q("SELECT COUNT(*) FROM cert_objections WHERE status = 'open'"),
  rounds: q("SELECT COUNT(*) FROM cert_rounds WHERE status = 'notice' AND period_ends_at < ?", nowIso),
  claims: q("SELECT COUNT(*) FROM insurance_claims WHERE status = 'submitted'"),
});

/**
 * The finance department's count, the same items its desk lists (src/finance, its owners'; counted here only):
 * cases waiting for approval (period over, nothing open), open objections (their copies), contracts to file,
 * insurance claims in 联审 and approved claims to pay out, certification awards to pay.
 */
export const financeParts = (nowIso: string) => ({
  to_approve: q("SELECT COUNT(*) FROM fp_cases f WHERE f.status = 'notice' AND f.notice_ends_at < ? AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.case_id = f.id AND o.status = 'open')", nowIso),
  objections: q("SELECT COUNT(*) FROM objections WHERE status = 'open'"),
  filings: q("SELECT COUNT(*) FROM fp_cases WHERE status IN ('contracted', 'accepted') AND filed_at IS NULL"),
  claims: q("SELECT COUNT(*) FROM insurance_claims WHERE status IN ('joint_review', 'approved')"),
  awards: q("SELECT COUNT(*) FROM cert_awards WHERE status = 'due'"),
});

/** An expert's count: the reviews drawn to them still to score. */
export const expertParts = (userId: number) => ({
  reviews: q(
    "SELECT COUNT(*) FROM cert_reviews r JOIN experts e ON e.id = r.expert_id JOIN cert_applications a ON a.id = r.application_id WHERE e.user_id = ? AND r.status = 'assigned' AND a.status = 'expert_review'",
    userId,
  ),
});

/** The parts of a role's to-do count: one query per request, as cheap as a handful of indexed counts. */
export async function deskCounts(db: Executor, actor: Actor, now: Date): Promise<Record<string, number>> {
  const iso = now.toISOString();
  if (actor.role === 'purchaser') return counts(db, purchaserParts(actor.purchaserId ?? -1));
  if (actor.role === 'vendor') return counts(db, vendorParts(actor.vendorId ?? -1));
  if (actor.role === 'admin') return counts(db, adminParts(iso));
  if (actor.role === 'finance') return counts(db, financeParts(iso));
  return counts(db, expertParts(actor.id));
}

const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** How long a caller's counts serve its next pages while nothing was changed through this process (others' changes show within it). */
export const NAV_COUNTS_TTL_MS = 1000;
/** Callers whose counts are kept at most; past it the kept ones are dropped (a new second refills them). */
const NAV_CACHE_MAX = 10_000;

/** Whose counts a caller sees: the department's and finance's are the same for all their members. */
const whose = (actor: Actor): string =>
  actor.role === 'purchaser' ? `p${actor.purchaserId ?? -1}` : actor.role === 'vendor' ? `v${actor.vendorId ?? -1}` : actor.role === 'expert' ? `e${actor.id}` : actor.role;

/**
 * The navigation shows how many things wait on the caller's desk (and, for the admin, the vendors and listings in
 * review beside their links). Loaded only for a logged-in caller's page requests (not the JSON API, not static
 * files), before the handler renders.
 *
 * Kept per desk for `ttlMs` (one count query per desk per second instead of one per page), and dropped at once when
 * this process has answered any request that may change something (every method but GET and HEAD: nothing changes on
 * a GET), so the page after an action shows its effect. What another process changes (a second server, `npm run
 * worker`, the hourly expiry) shows within `ttlMs`.
 */
export function adminNavCounts(db: Db, clock?: Clock, ttlMs = NAV_COUNTS_TTL_MS) {
  // Moves (and empties `kept`) with every answered change; a count read across a change is not kept.
  let epoch = 0;
  const kept = new Map<string, { at: number; counts: NavCounts }>();
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as AppState;
    const actor = state.actor;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      try {
        await next();
      } finally {
        epoch++;
        kept.clear();
      }
      return;
    }
    if (actor && !ctx.path.startsWith('/api/') && !ctx.path.startsWith('/static/')) {
      const key = whose(actor);
      const hit = kept.get(key);
      if (hit && Date.now() - hit.at < ttlMs) {
        (ctx as unknown as Record<symbol, NavCounts>)[NAV] = hit.counts;
      } else {
        const started = epoch;
        // The app's clock (a FakeClock in tests and FAKE_CLOCK=1), as the desks read it.
        const now = (clock ?? (ctx.app as { deps?: { clock?: Clock } }).deps?.clock)?.now() ?? new Date();
        // SQLite: on the read connection, beside the writer (src/db/connection.ts readerOf).
        const c = await deskCounts(readerOf(db), actor, now);
        const counts: NavCounts = { vendors: c.vendors ?? 0, products: c.products ?? 0, desk: sum(c), deskPath: DESK_PATH[actor.role] ?? '' };
        (ctx as unknown as Record<symbol, NavCounts>)[NAV] = counts;
        // Not kept if a change was answered while counting: the counts may predate it.
        if (ttlMs > 0 && started === epoch) {
          if (kept.size >= NAV_CACHE_MAX) kept.clear();
          kept.set(key, { at: Date.now(), counts });
        }
      }
    }
    await next();
  };
}

/** For the layout: the counts, or zeros (strict templates need every key). */
export function navCounts(ctx: Context): NavCounts {
  return (ctx as unknown as Record<symbol, NavCounts | undefined>)[NAV] ?? NONE;
}
