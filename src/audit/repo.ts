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
