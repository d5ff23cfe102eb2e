import { createHash } from 'node:crypto';
import { isPostgres, type Executor } from './connection';

/**
 * Hash chains for the append-only journals (ledger transfers, audit log): each row stores the hash of the previous
 * row and its own hash over (previous hash, canonical content). Editing or deleting any row breaks every later link,
 * so `verify` names the first bad row.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same content always hashes the same on both engines. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  // One pass over the sorted keys (a verify hashes every row of a journal: no intermediate arrays per row).
  let out = '{';
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export function chainHash(prevHash: string, content: Record<string, unknown>): string {
  return chainHashOfJson(prevHash, canonicalJson(content));
}

/** `chainHash` of content already in canonical JSON (a verify that writes a journal's JSON its own faster way). */
export function chainHashOfJson(prevHash: string, json: string): string {
  return createHash('sha256').update(`${prevHash}\n${json}`).digest('hex');
}

/** Links rows onto a chain's head one after another: each gets the previous hash and its own over its content. */
export function linkChain<T extends object>(head: string, rows: T[], content: (row: T) => Record<string, unknown>): Array<T & { prev_hash: string; hash: string }> {
  let prev = head;
  return rows.map((row) => {
    const hash = chainHash(prev, content(row));
    const linked = { ...row, prev_hash: prev, hash };
    prev = hash;
    return linked;
  });
}

const LOCK_IDS: Record<string, number> = { ledger_transfers: 7_001, audit_log: 7_002 };

/** Per transaction and chain: the append under way (each append waits for the one before it). */
const appending = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * One append to a chain — read its head, link the rows, write them — with no other append to that chain of the same
 * transaction in between. Different transactions are kept apart by `lockChain` (and SQLite's one writer); this is
 * for the demo loader, whose one transaction is shared by two flows of work (seeds/demo.ts): without it, both could
 * read the same head and fork the chain. Within a transaction used by one flow at a time it changes nothing.
 */
export function inChainOrder<T>(trx: Executor, table: 'ledger_transfers' | 'audit_log', append: () => Promise<T>): Promise<T> {
  if ((trx as { isTransaction?: boolean }).isTransaction !== true) return append();
  let chains = appending.get(trx);
  if (!chains) appending.set(trx, (chains = new Map()));
  const before = chains.get(table);
  const mine = before ? before.then(append, append) : append();
  chains.set(table, mine.catch(() => undefined));
  return mine;
}

/**
 * Appends are serialised per chain: on PostgreSQL with a transaction-scoped advisory lock (released at commit or
 * rollback); SQLite has a single writer already.
 */
export async function lockChain(trx: Executor, table: 'ledger_transfers' | 'audit_log'): Promise<void> {
  if (isPostgres(trx)) await trx.raw('SELECT pg_advisory_xact_lock(?)', [LOCK_IDS[table]]);
}

export async function lastHash(trx: Executor, table: 'ledger_transfers' | 'audit_log'): Promise<string> {
  const row = await trx(table).orderBy('id', 'desc').first('hash');
  return (row?.hash as string | undefined) ?? GENESIS_HASH;
}
