/** The append-only, hash-chained audit log: every module records its changes through recordAudit, in its own transaction. */
export { auditRoutes } from './routes';
export { recordAudit, recordAudits, verifyAudit, type ChainReport } from './service';
export { recentActs, type OwnedObjects, type RecentAct } from './repo';
export { CASE_UPDATES, OBJECTION_UPDATES, UPDATES_DAYS, caseUpdates, deskUpdates, objectionUpdates, orderUpdates, type DeskUpdate, type UpdateSource } from './updates';
export { EVENTS, EVENT_TYPES, eventOf, eventsAfter, lastEventSeq, type EventRule, type OutboxRow } from './outbox';
export type { AuditEntry } from './service';
