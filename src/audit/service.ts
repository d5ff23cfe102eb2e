import type { Clock } from '../clock';
import { BatchUnfit, GENESIS_HASH, chainHash, inChainOrder, insertRows, lastHash, linkChain, lockChain, type Executor } from '../db';
import type { Actor } from '../web';
import { recordEvents } from './outbox';

export interface AuditEntry {
  actor: Pick<Actor, 'id' | 'username'> | null;
  action: string; // e.g. 'product.approve'
  entity: string; // e.g. 'product'
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
  /**
   * When it happened, if not now by the caller's clock: only for a batched writer (the demo loader's) whose records
   * of one statement happened at different instants.
   */
  at?: string;
}

export interface AuditRow {
  id: number;
  actor_id: number | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before: string | null;
  after: string | null;
  at: string;
  prev_hash: string;
  hash: string;
}

const content = (r: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>) => ({
  actor_id: r.actor_id,
  actor_name: r.actor_name,
  action: r.action,
  entity: r.entity,
  entity_id: r.entity_id,
  before: r.before,
  after: r.after,
  at: r.at,
});

const auditRow = (clock: Clock, entry: AuditEntry): Omit<AuditRow, 'id' | 'prev_hash' | 'hash'> => ({
  actor_id: entry.actor?.id ?? null,
  actor_name: entry.actor?.username ?? 'system',
  action: entry.action,
  entity: entry.entity,
  entity_id: entry.entityId === null ? null : String(entry.entityId),
  before: entry.before === undefined ? null : JSON.stringify(entry.before),
  after: entry.after === undefined ? null : JSON.stringify(entry.after),
  at: entry.at ?? clock.now().toISOString(),
});

/**
 * The chain's last hash as this transaction left it. The transaction holds the chain's lock until it ends (SQLite's
 * one writer, PostgreSQL's advisory lock) and every audit row is written here, so after its first read the tail is
 * known without reading it again — the demo loader's one transaction writes thousands of records. A call outside a
 * transaction always reads.
 */
const tails = new WeakMap<object, string>();

async function tailOf(trx: Executor): Promise<string> {
  return tails.get(trx) ?? lastHash(trx, 'audit_log');
}

function remember(trx: Executor, hash: string | undefined): void {
  if (hash !== undefined && (trx as { isTransaction?: boolean }).isTransaction === true) tails.set(trx, hash);
}

/**
 * Writes one audit record in the caller's transaction (so it commits or rolls back with the change it describes).
 * Every state change in every module calls this.
 */
export function recordAudit(trx: Executor, clock: Clock, entry: AuditEntry): Promise<void> {
  return recordAudits(trx, clock, [entry]);
}

/**
 * Several audit records in one statement, chained in the order given (group commit, src/db/group-commit.ts). Throws
 * `BatchUnfit` if the database did not number them in that order — the chain runs in id order — and the caller rolls
 * back and writes them one by one.
 */
export function recordAudits(trx: Executor, clock: Clock, entries: AuditEntry[]): Promise<void> {
  const records = entries.map((entry) => auditRow(clock, entry));
  const at = clock.now().toISOString();
  return inChainOrder(trx, 'audit_log', async () => {
    await lockChain(trx, 'audit_log');
    const rows = linkChain(await tailOf(trx), records, content);
    const ids = await insertRows<{ id: number; hash: string }>(trx, 'audit_log', rows, ['id', 'hash']);
    const inOrder = [...ids].sort((a, b) => a.id - b.id);
    if (inOrder.some((r, i) => r.hash !== rows[i].hash)) throw new BatchUnfit('audit ids out of chain order');
    remember(trx, rows.at(-1)?.hash);
    await recordEvents(trx, at, entries);
  });
}

export interface ChainReport {
  ok: boolean;
  records: number;
  firstBadRecord?: number;
}

/** Walks the whole chain in id order, in pages, and names the first record whose links or content do not match. */
export async function verifyAudit(db: Executor): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (;;) {
    const rows: AuditRow[] = await db('audit_log').where('id', '>', lastId).orderBy('id').limit(2000);
    if (!rows.length) break;
    for (const r of rows) {
      count++;
      if (r.prev_hash !== prev || chainHash(prev, content(r)) !== r.hash) return { ok: false, records: count, firstBadRecord: r.id };
      prev = r.hash;
      lastId = r.id;
    }
  }
  return { ok: true, records: count };
}
