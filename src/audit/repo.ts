import type { Executor } from '../db';
import type { AuditRow } from './service';

export interface AuditFilters {
  entity?: string;
  entityId?: string;
  action?: string;
  actor?: string;
  /** ISO instants, inclusive from, exclusive to. */
  fromIso?: string;
  toIso?: string;
}

export async function listAudit(db: Executor, f: AuditFilters, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  const q = db<AuditRow>('audit_log');
  if (f.entity) q.where('entity', f.entity);
  if (f.entityId) q.where('entity_id', f.entityId);
  if (f.action) q.where('action', f.action);
  if (f.actor) q.where('actor_name', f.actor);
  if (f.fromIso) q.where('at', '>=', f.fromIso);
  if (f.toIso) q.where('at', '<', f.toIso);
  const rows = await q.clone().orderBy('id', 'desc').limit(limit).offset(offset);
  const c = await q.clone().count<{ n: number }[]>({ n: '*' }).first();
  return { rows: rows as AuditRow[], total: Number(c?.n ?? 0) };
}

/** The values the filters offer: every entity and action that occurs. */
export async function auditVocabulary(db: Executor): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db('audit_log').distinct('entity').orderBy('entity'),
    db('audit_log').distinct('action').orderBy('action'),
  ]);
  return { entities: entities.map((r: { entity: string }) => r.entity), actions: actions.map((r: { action: string }) => r.action) };
}

/** Where a party's objects live, for `recentActs`: the table, its owner column and the audit records' entity name. */
export interface OwnedObjects {
  entity: string;
  table: 'orders' | 'fp_cases' | 'products' | 'cert_applications' | 'insurance_claims' | 'cert_awards' | 'objections';
  owner: 'purchaser_id' | 'vendor_id';
  /**
   * Where the owner is on another row the object names (an objection's 政府首购 case): that table and the object's
   * column holding its id. The owner and the answered `columns` are then that row's.
   */
  via?: { table: 'fp_cases'; key: 'case_id' };
}

/** One act of someone else on a party's object (see `recentActs`), with the object's row. */
export interface RecentAct {
  id: number;
  action: string;
  actor_name: string;
  at: string;
  object: Record<string, unknown>;
}

/**
 * What others did lately to a party's objects: the audit records of `actions` on the rows of `objects.table` whose
 * `owner` is `ownerId`, at or after `sinceIso`, newest first — read from the objects to their records (the index on
 * entity and entity_id), never the other way — leaving out what the party's own users did (a user of the same
 * purchasing unit or vendor). `columns` are the object's columns to answer with; the actor by their display name
 * (none for an act of no user).
 */
export async function recentActs(db: Executor, objects: OwnedObjects, ownerId: number, actions: readonly string[], sinceIso: string, limit: number, columns: readonly string[]): Promise<RecentAct[]> {
  // `x` is the object the records are of; `o` the row that has the owner (the object itself, or the one it names).
  const query = objects.via ? db(`${objects.table} as x`).join(`${objects.via.table} as o`, 'o.id', `x.${objects.via.key}`) : db(`${objects.table} as o`);
  const object = objects.via ? 'x' : 'o';
  const rows = await query
    .join('audit_log as a', (j) => j.on('a.entity', db.raw('?', [objects.entity])).andOn('a.entity_id', db.raw(`CAST(${object}.id AS TEXT)`)))
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .where(`o.${objects.owner}`, ownerId)
    .where((w) => w.whereNull(`u.${objects.owner}`).orWhereNot(`u.${objects.owner}`, ownerId))
    .whereIn('a.action', [...actions])
    .where('a.at', '>=', sinceIso)
    .orderBy([{ column: 'a.at', order: 'desc' }, { column: 'a.id', order: 'desc' }])
    .limit(limit)
    .select('a.id', 'a.action', 'a.actor_id', 'a.actor_name', 'u.display_name as actor_display', 'a.at', ...columns.map((c) => `o.${c} as o_${c}`));
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    action: String(r.action),
    // An act of no user (the public filing an objection, the system's hourly checks) names nobody.
    actor_name: r.actor_id == null ? '' : String(r.actor_display || r.actor_name || ''),
    at: String(r.at),
    object: Object.fromEntries(columns.map((c) => [c, r[`o_${c}`]])),
  }));
}
