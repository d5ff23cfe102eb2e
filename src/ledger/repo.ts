import type { Executor } from '../db';
import type { AccountType, TransferKind } from './accounts';

export interface AccountRow {
  id: number;
  code: string;
  type: AccountType;
  owner_id: number | null;
  balance_fen: number;
  created_at: string;
}

export interface TransferRow {
  id: number;
  debit_account_id: number;
  credit_account_id: number;
  amount_fen: number;
  kind: TransferKind;
  order_id: number | null;
  case_id: number | null;
  idempotency_key: string;
  actor_id: number | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

export const findAccount = (db: Executor, code: string): Promise<AccountRow | undefined> => db<AccountRow>('ledger_accounts').where({ code }).first();

/** Creates the account if it does not exist yet (concurrent creators both end with the one row). */
export async function ensureAccount(db: Executor, code: string, type: AccountType, ownerId: number | null, now: string): Promise<AccountRow> {
  const existing = await findAccount(db, code);
  if (existing) return existing;
  await db('ledger_accounts').insert({ code, type, owner_id: ownerId, balance_fen: 0, created_at: now }).onConflict('code').ignore();
  return (await findAccount(db, code)) as AccountRow;
}

/**
 * Moves `amount` out of one account: a single conditional UPDATE, so two concurrent debits can never both pass
 * the balance check. Returns false when the balance would go below zero (the treasury alone may go negative).
 */
export async function debit(db: Executor, accountId: number, amount: number, allowNegative: boolean): Promise<boolean> {
  const q = db('ledger_accounts').where({ id: accountId });
  if (!allowNegative) q.andWhere('balance_fen', '>=', amount);
  const n = await q.update({ balance_fen: db.raw('balance_fen - ?', [amount]) });
  return n === 1;
}

export async function credit(db: Executor, accountId: number, amount: number): Promise<void> {
  await db('ledger_accounts').where({ id: accountId }).update({ balance_fen: db.raw('balance_fen + ?', [amount]) });
}

export const findTransferByKey = (db: Executor, key: string): Promise<TransferRow | undefined> =>
  db<TransferRow>('ledger_transfers').where({ idempotency_key: key }).first();

export async function insertTransfer(db: Executor, row: Omit<TransferRow, 'id'>): Promise<TransferRow> {
  const [inserted] = await db('ledger_transfers').insert(row).returning('*');
  return inserted as TransferRow;
}

export interface TradeRow {
  transfer_id: number;
  channel: 'boutique' | 'first_purchase';
  day: string;
  year: number;
  month: string;
  count_delta: number;
  amount_fen: number;
  purchaser_id: number;
  purchaser_city: string;
  purchaser_type: string;
  vendor_id: number;
  vendor_city: string;
  order_id: number | null;
  case_id: number | null;
  product_id: number | null;
  product_title: string;
  cert_no: string | null;
  level: string | null;
  field: string;
  kind: string;
}

/** The trade fact and its monthly rollup, written in the settlement's own transaction. */
export async function insertTrade(db: Executor, trade: TradeRow): Promise<void> {
  await db('trades').insert(trade);
  const dims = {
    month: trade.month,
    year: trade.year,
    channel: trade.channel,
    field: trade.field,
    level: trade.level ?? '',
    kind: trade.kind,
    purchaser_city: trade.purchaser_city,
    vendor_city: trade.vendor_city,
    purchaser_type: trade.purchaser_type,
    purchaser_id: trade.purchaser_id,
    vendor_id: trade.vendor_id,
  };
  await db('trade_rollup')
    .insert({ ...dims, trade_count: trade.count_delta, amount_fen: trade.amount_fen })
    .onConflict(['month', 'channel', 'field', 'level', 'kind', 'purchaser_city', 'vendor_city', 'purchaser_type', 'purchaser_id', 'vendor_id'])
    .merge({
      trade_count: db.raw('trade_rollup.trade_count + ?', [trade.count_delta]),
      amount_fen: db.raw('trade_rollup.amount_fen + ?', [trade.amount_fen]),
    });
}

export async function sumTransfers(db: Executor, where: { kind: TransferKind; debit?: number; credit?: number }): Promise<number> {
  const q = db('ledger_transfers').where('kind', where.kind);
  if (where.debit !== undefined) q.andWhere('debit_account_id', where.debit);
  if (where.credit !== undefined) q.andWhere('credit_account_id', where.credit);
  const row = await q.sum<{ s: number | null }[]>({ s: 'amount_fen' }).first();
  return Number(row?.s ?? 0);
}
