import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { actorOf, parseInput, requireRole, validate, withoutEmpty, type AppState } from '../web';
import type { Deps } from '../deps';
import { parseStoredJson } from '../errors';
import { authorize } from '../policies';
import { apiTime, shanghaiMidnight } from '../time';
import { dateInput, wholeNumber } from '../schema';
import { hasKey } from '../i18n';
import { actionLabel, actorNames, actorText, changeLines, entityKey, objectNames, referencedObjects } from './pages';
import { auditVocabulary, listAudit } from './repo';
import { verifyAudit, type AuditRow } from './service';

/** Filters of the audit log; dates are calendar days in Asia/Shanghai, both inclusive. */
export const AuditQuery = z
  .object({
    entity: z.string().trim().max(50, 'validation.too_long').optional(),
    entityId: z.string().trim().max(50, 'validation.too_long').optional(),
    action: z.string().trim().max(50, 'validation.too_long').optional(),
    actor: z.string().trim().max(100, 'validation.too_long').optional(),
    from: dateInput.optional(),
    to: dateInput.optional(),
    page: wholeNumber(1, 100000).optional().default(1),
    pageSize: wholeNumber(1, 100).optional().default(20),
    lang: z.string().optional(),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'validation.date_range', path: ['to'] });
export type AuditQuery = z.output<typeof AuditQuery>;

/** A snapshot as recordAudit stored it (JSON, or null for none); one that does not parse is a corrupt row. */
const snapshot = (r: AuditRow, column: 'before' | 'after'): unknown => {
  const s = r[column];
  return s === null ? null : parseStoredJson(s, { table: 'audit_log', column, id: r.id });
};

export const auditView = (r: AuditRow) => ({
  id: r.id,
  at: apiTime(r.at),
  actor: { id: r.actor_id, name: r.actor_name },
  action: r.action,
  entity: r.entity,
  entityId: r.entity_id,
  before: snapshot(r, 'before'),
  after: snapshot(r, 'after'),
  hash: r.hash,
});

const nextDay = (day: string) => new Date(shanghaiMidnight(day).getTime() + 24 * 3600 * 1000).toISOString();

async function query(deps: Deps, q: AuditQuery) {
  const { rows, total } = await listAudit(
    deps.db,
    {
      entity: q.entity,
      entityId: q.entityId,
      action: q.action,
      actor: q.actor,
      fromIso: q.from ? shanghaiMidnight(q.from).toISOString() : undefined,
      toIso: q.to ? nextDay(q.to) : undefined,
    },
    q.pageSize,
    (q.page - 1) * q.pageSize,
  );
  return { items: rows.map(auditView), total, page: q.page, pageSize: q.pageSize };
}

/** The audit log: filterable, read-only, and a verify that walks the hash chain and names the first broken record. */
export function auditRoutes(deps: Deps): Router {
  const router = new Router();
  const admin = requireRole('admin');
  const check = (ctx: Context) => authorize(actorOf(ctx), 'audit.read', null);

  router.get('/api/v1/admin/audit', admin, validate(AuditQuery, 'query'), async (ctx) => {
    check(ctx);
    ctx.body = await query(deps, ctx.state.input as AuditQuery);
  });

  router.get('/api/v1/admin/audit/verify', admin, async (ctx) => {
    check(ctx);
    ctx.body = await verifyAudit(deps.db);
  });

  router.get('/admin/audit', admin, async (ctx) => {
    check(ctx);
    const state = ctx.state as AppState;
    const raw = withoutEmpty(ctx.query as Record<string, unknown>);
    const q = parseInput(AuditQuery, raw);
    const [page, vocab] = await Promise.all([query(deps, q), auditVocabulary(deps.db)]);
    // The objects the records are about, and those their snapshots name by id (a vendor, an expert, a case…), named.
    const refs = referencedObjects(page.items.flatMap((i) => [i.before, i.after]));
    const [names, people] = await Promise.all([objectNames(deps.db, [...page.items, ...refs]), actorNames(deps.db, page.items.map((i) => i.actor.id))]);
    const totalPages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const current = Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === 'string' && k !== 'page')) as Record<string, string>;
    const entityText = (e: string) => (hasKey(state.locale, entityKey(e)) ? state.t(entityKey(e)) : e);
    ctx.body = state.render('audit/log', {
      title: state.t('audit.title'),
      items: page.items.map((i) => ({
        ...i,
        // Who, what and on what in words; the change field by field; the raw record (JSON) behind a <details>.
        actorName: actorText(state.t, i.actor.id, i.actor.name) ?? (i.actor.id !== null ? people.get(i.actor.id) : null) ?? i.actor.name ?? '',
        actorLogin: actorText(state.t, i.actor.id, i.actor.name) !== null ? '' : (i.actor.name ?? ''),
        actionText: actionLabel(state.locale, state.t, i.action),
        entityText: entityText(i.entity),
        objectName: names.get(`${i.entity}:${i.entityId ?? ''}`) ?? '',
        changes: changeLines(state.locale, state.t, i.entity, i.before, i.after, { action: i.action, names }),
        beforeText: i.before === null ? '' : JSON.stringify(i.before, null, 1),
        afterText: i.after === null ? '' : JSON.stringify(i.after, null, 1),
        entityId: i.entityId ?? '',
        shortHash: i.hash.slice(0, 12),
      })),
      total: page.total,
      current,
      filter: { entityId: q.entityId ?? '', actor: q.actor ?? '', from: q.from ?? '', to: q.to ?? '' },
      entities: vocab.entities.map((v) => ({ value: v, label: entityText(v), selected: q.entity === v })),
      actions: vocab.actions.map((v) => ({ value: v, label: actionLabel(state.locale, state.t, v), selected: q.action === v })),
      pagination: { page: page.page, totalPages, prev: page.page > 1 ? page.page - 1 : null, next: page.page < totalPages ? page.page + 1 : null },
    });
  });

  router.get('/admin/audit/verify', admin, async (ctx) => {
    check(ctx);
    const state = ctx.state as AppState;
    const report = await verifyAudit(deps.db);
    ctx.body = state.render('audit/verify', { title: state.t('audit.verify_title'), report, firstBad: report.firstBadRecord ?? null });
  });

  return router;
}
