import { createHash, randomUUID } from 'node:crypto';
import { recordAudit, recordAudits } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db } from '../db';
import { AppError } from '../errors';
import { Money } from '../money';
import { caseNo } from '../numbers';
import { authorize } from '../policies';
import type { Actor, Page } from '../web';
import { KEYED_REFERENCE, budgetTable, keyedReferenceNumbers, listAccounts, listTransfers, type TransferListRow } from './repo';
import { TREASURY, budgetAccount, type TransferKind } from './accounts';
import { Ledger, type BudgetView, type VerifyReport } from './service';
import { apiTime } from '../time';

export interface TransferView {
  id: number;
  kind: TransferKind;
  from: string;
  to: string;
  amount: string;
  orderId: number | null;
  /** The order's human number (ids stay in URLs). */
  orderNo: string | null;
  caseId: number | null;
  /** The numbers people read of what the money moved for: the 政府首购 case, the insurance claim, the award's application. */
  caseNo: string | null;
  claimNo: string | null;
  applicationNo: string | null;
  idempotencyKey: string;
  actorId: number | null;
  createdAt: string;
  hash: string;
}

export interface BudgetRow extends BudgetView {
  name: string;
  city: string;
  type: string;
}

const money = (fen: number) => Money.ofFen(fen).toString();

export const transferView = (t: TransferListRow, refs: { claims: Map<number, string>; awards: Map<number, string> } = { claims: new Map(), awards: new Map() }): TransferView => {
  const keyed = KEYED_REFERENCE.exec(t.idempotency_key);
  const ref = keyed ? Number(keyed[2]) : null;
  return {
    id: t.id,
    kind: t.kind,
    from: t.debit_code,
    to: t.credit_code,
    amount: money(t.amount_fen),
    orderId: t.order_id ?? null,
    orderNo: t.order_no ?? null,
    caseId: t.case_id ?? null,
    caseNo: t.case_id && t.case_created_at ? caseNo({ id: t.case_id, created_at: t.case_created_at }) : null,
    claimNo: keyed?.[1] === 'insurance' ? (refs.claims.get(ref as number) ?? null) : null,
    applicationNo: keyed?.[1] === 'award' ? (refs.awards.get(ref as number) ?? null) : null,
    idempotencyKey: t.idempotency_key,
    actorId: t.actor_id ?? null,
    createdAt: apiTime(t.created_at),
    hash: t.hash,
  };
};

/** The transfer keys' column (ledger_transfers.idempotency_key) holds 200 characters. */
const TRANSFER_KEY_MAX = 200;

/**
 * A transfer key for the caller's Idempotency-Key (1–200 characters): `allocate:<admin>:<key>` while that fits the
 * column, else the key's SHA-256 in its place — the same key still gives the same transfer key, two keys two.
 */
function allocationKey(actorId: number, requestKey: string): string {
  const plain = `allocate:${actorId}:${requestKey}`;
  return plain.length <= TRANSFER_KEY_MAX ? plain : `allocate:${actorId}:sha256:${createHash('sha256').update(requestKey).digest('hex')}`;
}

/** The department's side of the ledger: allocating budgets (treasury → budget), reading the books, verifying them. */
export class BudgetService {
  private readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.ledger = new Ledger(clock);
  }

  /**
   * Allocates budget to a purchasing unit. `requestKey` (the caller's Idempotency-Key) becomes part of the transfer's
   * own key, so even a retry that the HTTP layer did not recognise cannot allocate twice.
   */
  allocate(actor: Actor, input: { purchaserId: number; amountFen: number }, requestKey?: string): Promise<{ transfer: TransferView; budget: BudgetView }> {
    authorize(actor, 'budget.allocate', null);
    if (input.amountFen <= 0) throw new AppError('validation_failed', 'ledger.amount_positive', { field: 'amount' }, 'amount');
    const key = requestKey ? allocationKey(actor.id, requestKey) : `allocate:${randomUUID()}`;
    return writeTransaction(this.db, async (trx) => {
      const unit = await trx('purchasers').where({ id: input.purchaserId }).first('id', 'name');
      if (!unit) throw new AppError('validation_failed', 'ledger.no_such_purchaser', { field: 'purchaserId' }, 'purchaserId');
      await recordAudit(trx, this.clock, {
        actor,
        action: 'budget.allocate',
        entity: 'purchaser',
        entityId: input.purchaserId,
        after: { amount: money(input.amountFen), key },
      });
      const t = await this.ledger.allocate(trx, input.purchaserId, input.amountFen, key, actor.id);
      return { transfer: transferView({ ...t, order_no: null, debit_code: TREASURY, credit_code: budgetAccount(input.purchaserId) }), budget: await this.ledger.budget(trx, input.purchaserId) };
    });
  }

  /**
   * A year's allocations to many units at once (the budget approval at the start of a year, 年初预算批复): the same
   * rules, audit records and transfers as `allocate` one unit at a time, written with one statement per table. Every
   * unit at most once and every key new; otherwise nothing is written and the caller allocates one at a time.
   */
  async allocateAll(actor: Actor, items: Array<{ purchaserId: number; amountFen: number; requestKey: string }>): Promise<number> {
    authorize(actor, 'budget.allocate', null);
    if (!items.length) return 0;
    items.forEach((i) => {
      if (!(i.amountFen > 0)) throw new AppError('validation_failed', 'ledger.amount_positive', { field: 'amount' }, 'amount');
    });
    return writeTransaction(this.db, async (trx) => {
      const ids = [...new Set(items.map((i) => i.purchaserId))];
      const found: Array<{ id: number }> = await trx('purchasers').whereIn('id', ids).select('id');
      if (found.length !== ids.length) throw new AppError('validation_failed', 'ledger.no_such_purchaser', { field: 'purchaserId' }, 'purchaserId');
      const keyed = items.map((i) => ({ ...i, key: allocationKey(actor.id, i.requestKey) }));
      await recordAudits(
        trx,
        this.clock,
        keyed.map((i) => ({ actor, action: 'budget.allocate', entity: 'purchaser', entityId: i.purchaserId, after: { amount: money(i.amountFen), key: i.key } })),
      );
      await this.ledger.transferAll(
        trx,
        keyed.map((i) => ({ from: TREASURY, to: budgetAccount(i.purchaserId), amountFen: i.amountFen, kind: 'allocate' as const, idempotencyKey: i.key, actorId: actor.id })),
      );
      return keyed.length;
    });
  }

  budget(purchaserId: number): Promise<BudgetView> {
    return this.ledger.budget(executorFor(this.db), purchaserId);
  }

  async budgets(page: number, pageSize: number): Promise<Page<BudgetRow>> {
    const { rows, total } = await budgetTable(executorFor(this.db), pageSize, (page - 1) * pageSize);
    return {
      items: rows.map((r) => ({
        purchaserId: r.purchaser_id,
        name: r.name,
        city: r.city,
        type: r.type,
        allocated: money(r.allocated),
        reserved: money(r.reserved),
        available: money(r.available),
        spent: money(r.settled - r.refunded),
      })),
      total,
      page,
      pageSize,
    };
  }

  async transfers(f: { kind?: TransferKind; orderId?: number; orderNo?: string }, page: number, pageSize: number): Promise<Page<TransferView>> {
    const db = executorFor(this.db);
    const { rows, total } = await listTransfers(db, f, pageSize, (page - 1) * pageSize);
    const refs = await keyedReferenceNumbers(db, rows.map((r) => r.idempotency_key));
    return { items: rows.map((r) => transferView(r, refs)), total, page, pageSize };
  }

  async accounts(page: number, pageSize: number) {
    const { rows, total } = await listAccounts(executorFor(this.db), pageSize, (page - 1) * pageSize);
    return {
      items: rows.map((a) => ({ id: a.id, code: a.code, type: a.type, ownerId: a.owner_id ?? null, owner: a.owner_name ?? null, balance: money(a.balance_fen) })),
      total,
      page,
      pageSize,
    };
  }

  verify(): Promise<VerifyReport> {
    return this.ledger.verify(executorFor(this.db));
  }
}
