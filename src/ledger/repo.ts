import { insertRows, type Executor } from '../db';
import type { AccountType, TransferKind } from './accounts';
import type { TradeRow } from './trade-facts';

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

/** Several accounts by code, in one statement (those that do not exist yet left out). */
export const findAccounts = (db: Executor, codes: string[]): Promise<AccountRow[]> => db<AccountRow>('ledger_accounts').whereIn('code', codes);

/** The accounts of a transfer (or of several), creating those that do not exist yet; in the order asked. */
export async function ensureAccounts(
  db: Executor,
  specs: Array<{ code: string; type: AccountType; ownerId: number | null }>,
  now: string,
): Promise<AccountRow[]> {
  const codes = specs.map((s) => s.code);
  await db('ledger_accounts')
    .insert(specs.map((s) => ({ code: s.code, type: s.type, owner_id: s.ownerId, balance_fen: 0, created_at: now })))
    .onConflict('code')
    .ignore();
  const rows: AccountRow[] = await db('ledger_accounts').whereIn('code', codes);
  return specs.map((s) => rows.find((r) => r.code === s.code) as AccountRow);
}

export interface LedgerSnapshot {
  accounts: AccountRow[];
  /** The (first) transfer already made under one of the idempotency keys, if any. */
  existingId: number | null;
  /** The newest transfer's hash (the chain's head). */
  lastHash: string | null;
}

/**
 * What a transfer (or a batch of them) needs to know, in one round trip: the accounts (those that exist), whether an
 * idempotency key was used, and the chain's head. Read under the chain lock.
 */
export async function ledgerSnapshot(db: Executor, codes: string[], keys: string[]): Promise<LedgerSnapshot> {
  const head = db
    .select({
      // `id + 0`, not `id`: with min(id) PostgreSQL may walk the primary key from its start until a row has one of the
      // keys — for a batch of new keys (the usual case), every row of the ledger. Given a few hundred keys its planner
      // took that path: 672 ms a batch at 918,000 transfers, where the keys' own index answers in under 1 ms.
      existing_id: db('ledger_transfers').min(db.raw('id + 0')).whereIn('idempotency_key', keys),
      last_hash: db('ledger_transfers').select('hash').orderBy('id', 'desc').limit(1),
    })
    .as('x');
  const rows: Array<Partial<AccountRow> & { existing_id: number | null; last_hash: string | null }> = await db
    .select('x.existing_id', 'x.last_hash', 'a.*')
    .from(head)
    .leftJoin('ledger_accounts as a', function () {
      this.onIn('a.code', codes);
    });
  return {
    accounts: rows.filter((r) => r.id !== null && r.id !== undefined) as AccountRow[],
    existingId: rows[0]?.existing_id === null || rows[0]?.existing_id === undefined ? null : Number(rows[0].existing_id),
    lastHash: rows[0]?.last_hash ?? null,
  };
}

/**
 * Moves `amount` from one account to another in a single UPDATE of both rows (returns how many changed: 2, or 0).
 * Neither changes when the debited account would go below zero (the treasury alone may). Every balance writer holds the
 * chain lock (PostgreSQL) or the database's single write lock (SQLite), so the balance read in the condition is
 * current.
 */
export async function move(db: Executor, fromId: number, toId: number, amount: number, allowNegative: boolean): Promise<number> {
  const q = db('ledger_accounts').whereIn('id', [fromId, toId]);
  // The condition reads the debited row as it was before this statement (both engines evaluate it first).
  if (!allowNegative) q.andWhere(db.raw('(SELECT b.balance_fen FROM ledger_accounts b WHERE b.id = ?) >= ?', [fromId, amount]));
  return q.update({ balance_fen: db.raw('balance_fen + CAST(? AS BIGINT) * (CASE WHEN id = ? THEN -1 ELSE 1 END)', [amount, fromId]) });
}

/**
 * Several transfers' balance changes in one UPDATE: each account by its net amount. Accounts only go below zero if
 * they are the treasury; answers how many rows changed (all of them, or fewer when a guard held one back — the
 * caller then rolls back). Same lock discipline as `move`.
 */
export async function moveAll(db: Executor, deltas: Array<{ id: number; fen: number }>): Promise<number> {
  // The deltas joined as a VALUES list (columns column1, column2 on both engines): each account's row is found by its
  // key, where a CASE over every delta would be evaluated for every row — quadratic in the batch's accounts.
  const values = deltas.map(() => '(CAST(? AS BIGINT), CAST(? AS BIGINT))').join(', ');
  const result: unknown = await db.raw(
    `UPDATE ledger_accounts SET balance_fen = ledger_accounts.balance_fen + d.column2
     FROM (VALUES ${values}) AS d
     WHERE ledger_accounts.id = d.column1 AND (ledger_accounts.type = 'treasury' OR ledger_accounts.balance_fen + d.column2 >= 0)
     RETURNING ledger_accounts.id`,
    deltas.flatMap((d) => [d.id, d.fen]),
  );
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows).length;
}

/**
 * A consistent cut of the books for `verify`, in one statement (one snapshot on both engines): every account's
 * balance, and the newest transfer those balances include. Ledger writers append under the chain lock (PostgreSQL) or
 * the single write lock (SQLite), held from their first ledger read to their commit, so transfer ids follow commit
 * order: the balances read here are exactly the sum of the transfers up to `upto`, whatever commits meanwhile.
 */
export async function ledgerCut(db: Executor): Promise<{ accounts: AccountRow[]; upto: number }> {
  const rows: Array<Partial<AccountRow> & { upto: number | string | null }> = await db
    .select('x.upto', 'a.*')
    .from(db('ledger_transfers').max({ upto: 'id' }).as('x'))
    .leftJoin('ledger_accounts as a', function () {
      this.on(db.raw('1 = 1'));
    });
  return {
    accounts: rows.filter((r) => r.id !== null && r.id !== undefined) as AccountRow[],
    upto: Number(rows[0]?.upto ?? 0),
  };
}

export const findTransferById = (db: Executor, id: number): Promise<TransferRow | undefined> => db<TransferRow>('ledger_transfers').where({ id }).first();

export async function insertTransfer(db: Executor, row: Omit<TransferRow, 'id'>): Promise<TransferRow> {
  const [inserted] = await db('ledger_transfers').insert(row).returning('*');
  return inserted as TransferRow;
}

/** Several transfers in one statement; answered in id order. */
export async function insertTransfers(db: Executor, rows: Array<Omit<TransferRow, 'id'>>): Promise<TransferRow[]> {
  const inserted = await insertRows<TransferRow>(db, 'ledger_transfers', rows, '*');
  return inserted.sort((a, b) => a.id - b.id);
}

/** The trade fact, written in the settlement's own transaction; triggers add it to the monthly rollups. */
export async function insertTrade(db: Executor, trade: TradeRow | TradeRow[]): Promise<void> {
  await insertRows(db, 'trades', Array.isArray(trade) ? trade : [trade]);
}

/** A unit's budget figures in one statement: balances of its two accounts and the sums of its allocations, settlements, refunds. */
export async function budgetFigures(db: Executor, budgetCode: string, commitmentCode: string): Promise<{ available: number; reserved: number; allocated: number; settled: number; refunded: number }> {
  const balance = (code: string) => db('ledger_accounts').select('balance_fen').where({ code });
  const sum = (kind: TransferKind, side: 'credit_account_id' | 'debit_account_id', code: string) =>
    db('ledger_transfers')
      .join('ledger_accounts', 'ledger_accounts.id', `ledger_transfers.${side}`)
      .where('ledger_accounts.code', code)
      .andWhere('ledger_transfers.kind', kind)
      .select(db.raw('COALESCE(SUM(ledger_transfers.amount_fen), 0)'));
  const row = await db
    .select({
      available: balance(budgetCode),
      reserved: balance(commitmentCode),
      allocated: sum('allocate', 'credit_account_id', budgetCode),
      settled: sum('settle', 'debit_account_id', commitmentCode),
      refunded: sum('refund', 'credit_account_id', budgetCode),
    })
    .first();
  const n = (v: unknown) => Number(v ?? 0);
  return { available: n(row?.available), reserved: n(row?.reserved), allocated: n(row?.allocated), settled: n(row?.settled), refunded: n(row?.refunded) };
}

/** A transfer with its accounts' codes, as pages and the API show it. */
export interface TransferListRow extends TransferRow {
  case_created_at?: string | null;
  debit_code: string;
  credit_code: string;
  /** The order's human number (orders.order_no), for a transfer of an order. */
  order_no: string | null;
}

const TRANSFER_COLUMNS = ['ledger_transfers.*', 'd.code as debit_code', 'c.code as credit_code', 'o.order_no as order_no', 'fc.created_at as case_created_at'];

export const findTransferWithCodes = (db: Executor, id: number): Promise<TransferListRow | undefined> =>
  db('ledger_transfers')
    .join('ledger_accounts as d', 'd.id', 'ledger_transfers.debit_account_id')
    .join('ledger_accounts as c', 'c.id', 'ledger_transfers.credit_account_id')
    .leftJoin('orders as o', 'o.id', 'ledger_transfers.order_id')
    .leftJoin('fp_cases as fc', 'fc.id', 'ledger_transfers.case_id')
    .where('ledger_transfers.id', id)
    .first(TRANSFER_COLUMNS);

export async function listTransfers(db: Executor, f: { kind?: TransferKind; orderId?: number; orderNo?: string }, limit: number, offset: number): Promise<{ rows: TransferListRow[]; total: number }> {
  const filter = (q: ReturnType<Executor>) => {
    if (f.kind) q.where('ledger_transfers.kind', f.kind);
    if (f.orderId !== undefined) q.where('ledger_transfers.order_id', f.orderId);
    if (f.orderNo !== undefined) q.whereIn('ledger_transfers.order_id', db('orders').select('id').where('order_no', f.orderNo));
    return q;
  };
  const [rows, count] = await Promise.all([
    filter(db('ledger_transfers'))
      .join('ledger_accounts as d', 'd.id', 'ledger_transfers.debit_account_id')
      .join('ledger_accounts as c', 'c.id', 'ledger_transfers.credit_account_id')
      .leftJoin('orders as o', 'o.id', 'ledger_transfers.order_id')
      .leftJoin('fp_cases as fc', 'fc.id', 'ledger_transfers.case_id')
      .orderBy('ledger_transfers.id', 'desc')
      .limit(limit)
      .offset(offset)
      .select(TRANSFER_COLUMNS),
    filter(db('ledger_transfers')).count<{ n: number }[]>({ n: '*' }).first(),
  ]);
  return { rows: rows as TransferListRow[], total: Number(count?.n ?? 0) };
}

/** A compensation's or an award's transfer names its claim or award in its key (`insurance:12:pay`, `award:7:fund`). */
export const KEYED_REFERENCE = /^(insurance|award):(\d{1,9}):/;

/**
 * The numbers people read of the claims and awards (their applications') that these transfers move money for, by
 * the id their keys name: two reads for a page of transfers, whatever its size.
 */
export async function keyedReferenceNumbers(db: Executor, keys: readonly string[]): Promise<{ claims: Map<number, string>; awards: Map<number, string> }> {
  const ids = (kind: string) => [...new Set(keys.flatMap((k) => { const m = KEYED_REFERENCE.exec(k); return m && m[1] === kind ? [Number(m[2])] : []; }))];
  const claimIds = ids('insurance');
  const awardIds = ids('award');
  const [claims, awards] = await Promise.all([
    claimIds.length ? db('insurance_claims').whereIn('id', claimIds).select('id', 'claim_no') : Promise.resolve([]),
    awardIds.length ? db('cert_awards as w').join('cert_applications as a', 'a.id', 'w.application_id').whereIn('w.id', awardIds).select('w.id as id', 'a.application_no as application_no') : Promise.resolve([]),
  ]);
  return {
    claims: new Map((claims as Array<{ id: number; claim_no: string | null }>).filter((c) => c.claim_no).map((c) => [Number(c.id), c.claim_no as string])),
    awards: new Map((awards as Array<{ id: number; application_no: string | null }>).filter((a) => a.application_no).map((a) => [Number(a.id), a.application_no as string])),
  };
}

/** An account with the name of the unit or enterprise that owns it. */
export interface AccountListRow extends AccountRow {
  owner_name: string | null;
}

export async function listAccounts(db: Executor, limit: number, offset: number): Promise<{ rows: AccountListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db('ledger_accounts as a')
      .leftJoin('purchasers as p', function () {
        this.on('p.id', '=', 'a.owner_id').andOnIn('a.type', ['budget', 'commitment']);
      })
      .leftJoin('vendors as v', function () {
        this.on('v.id', '=', 'a.owner_id').andOnVal('a.type', '=', 'vendor');
      })
      .orderBy('a.id')
      .limit(limit)
      .offset(offset)
      .select('a.*', db.raw('COALESCE(p.name, v.name) as owner_name')),
    db('ledger_accounts').count<{ n: number }[]>({ n: '*' }).first(),
  ]);
  return { rows: rows as AccountListRow[], total: Number(count?.n ?? 0) };
}

export interface BudgetTableRow {
  purchaser_id: number;
  name: string;
  city: string;
  type: string;
  allocated: number;
  reserved: number;
  available: number;
  settled: number;
  refunded: number;
}

/** Every purchasing unit's budget figures in one statement (the admin's per-unit table). */
export async function budgetTable(db: Executor, limit: number, offset: number): Promise<{ rows: BudgetTableRow[]; total: number }> {
  const sum = (kind: TransferKind, side: 'credit_account_id' | 'debit_account_id', acc: string) =>
    db.raw(`(SELECT COALESCE(SUM(t.amount_fen), 0) FROM ledger_transfers t WHERE t.kind = ? AND t.${side} = ${acc}.id)`, [kind]);
  const [rows, count] = await Promise.all([
    db('purchasers as p')
      .leftJoin('ledger_accounts as b', function () {
        this.on('b.owner_id', '=', 'p.id').andOnVal('b.type', '=', 'budget');
      })
      .leftJoin('ledger_accounts as c', function () {
        this.on('c.owner_id', '=', 'p.id').andOnVal('c.type', '=', 'commitment');
      })
      .orderBy('p.id')
      .limit(limit)
      .offset(offset)
      .select(
        'p.id as purchaser_id',
        'p.name',
        'p.city',
        'p.type',
        db.raw('COALESCE(b.balance_fen, 0) as available'),
        db.raw('COALESCE(c.balance_fen, 0) as reserved'),
        db.raw(`${sum('allocate', 'credit_account_id', 'b').toQuery()} as allocated`),
        db.raw(`${sum('settle', 'debit_account_id', 'c').toQuery()} as settled`),
        db.raw(`${sum('refund', 'credit_account_id', 'b').toQuery()} as refunded`),
      ),
    db('purchasers').count<{ n: number }[]>({ n: '*' }).first(),
  ]);
  const n = (v: unknown) => Number(v ?? 0);
  return {
    rows: (rows as BudgetTableRow[]).map((r) => ({ ...r, purchaser_id: n(r.purchaser_id), allocated: n(r.allocated), reserved: n(r.reserved), available: n(r.available), settled: n(r.settled), refunded: n(r.refunded) })),
    total: Number(count?.n ?? 0),
  };
}
