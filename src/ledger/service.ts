import type { Clock } from '../clock';
import { BatchUnfit, GENESIS_HASH, concurrently, inChainOrder, linkChain, lockChain, readerOf, sharedAddressOf, type Db, type Executor } from '../db';
import { AppError } from '../errors';
import { formatYuan, inMoneyRange, Money, MoneyError, MONEY_MAX } from '../money';
import { AWARD_FUND, FLOWS, TREASURY, budgetAccount, commitmentAccount, parseAccountCode, vendorAccount, type TransferKind } from './accounts';
import {
  budgetFigures,
  ensureAccounts,
  findTransferById,
  insertTrade,
  insertTransfer,
  insertTransfers,
  ledgerCut,
  ledgerSnapshot,
  move,
  moveAll,
  type AccountRow,
  type TransferRow,
} from './repo';
import { tradeRow, type TradeFacts } from './trade-facts';
import { hashContent, walkInWorker, walkTransfers, type Walk } from './verify-walk';

/** A verify walks this many transfers or more in a worker thread (`Ledger.walk`). */
export const VERIFY_IN_WORKER_FROM = 50_000;

export type { TradeFacts } from './trade-facts';

export interface TransferRequest {
  from: string;
  to: string;
  amountFen: number;
  kind: TransferKind;
  idempotencyKey: string;
  orderId?: number | null;
  caseId?: number | null;
  actorId?: number | null;
  trade?: TradeFacts;
}

export interface BudgetView {
  purchaserId: number;
  allocated: string;
  reserved: string;
  available: string;
  spent: string;
}

export interface VerifyReport {
  ok: boolean;
  transfers: number;
  balanced: boolean;
  chainIntact: boolean;
  nonNegative: boolean;
  balancesMatch: boolean;
  firstBadTransfer?: number;
}

type ParsedAccount = ReturnType<typeof parseAccountCode>;

/** A transfer request's own rules: a positive whole-fen amount along a legal flow, trade facts where a trade is made. */
function checkRequest(req: TransferRequest): { from: ParsedAccount; to: ParsedAccount } {
  if (!Number.isSafeInteger(req.amountFen) || req.amountFen <= 0) throw new AppError('validation_failed', 'ledger.amount_positive', { field: 'amount' }, 'amount');
  if (!inMoneyRange(req.amountFen)) throw new MoneyError(`transfer of ${req.amountFen}`, 'amount');
  const from = parseAccountCode(req.from);
  const to = parseAccountCode(req.to);
  const flow = FLOWS[req.kind];
  if (from.type !== flow.from || to.type !== flow.to) throw new Error(`illegal flow ${req.kind}: ${req.from} → ${req.to}`);
  if ((req.kind === 'settle' || req.kind === 'refund') && !req.trade) throw new Error(`${req.kind} needs trade facts`);
  return { from, to };
}

const transferRow = (req: TransferRequest, debitId: number, creditId: number, now: string): Omit<TransferRow, 'id' | 'prev_hash' | 'hash'> => ({
  debit_account_id: debitId,
  credit_account_id: creditId,
  amount_fen: req.amountFen,
  kind: req.kind,
  order_id: req.orderId ?? null,
  case_id: req.caseId ?? null,
  idempotency_key: req.idempotencyKey,
  actor_id: req.actorId ?? null,
  created_at: now,
});

/**
 * The only writer of the ledger tables. Every transfer moves one positive whole-fen amount from one account to
 * another along a legal flow (FLOWS), so the books balance by construction; it runs inside the caller's transaction
 * so the money moves with the order or case it belongs to, or not at all. Callers should make their ledger call the
 * last write of their transaction (the chain lock is then held briefly and lock order stays the same everywhere).
 */
export class Ledger {
  constructor(private readonly clock: Clock) {}

  transfer(trx: Executor, req: TransferRequest): Promise<TransferRow> {
    // Dated when asked for, even if the append waits for another of the transaction (hash-chain.ts inChainOrder).
    const now = this.clock.now().toISOString();
    return inChainOrder(trx, 'ledger_transfers', () => this.append(trx, req, now));
  }

  private async append(trx: Executor, req: TransferRequest, now: string): Promise<TransferRow> {
    const { from, to } = checkRequest(req);

    // The chain lock first (PostgreSQL: it serialises every ledger writer for the rest of the transaction; SQLite has
    // one writer already): what is read below stays true until commit, and account rows are never locked in
    // opposite orders by two transfers.
    await lockChain(trx, 'ledger_transfers');
    const snap = await ledgerSnapshot(trx, [req.from, req.to], [req.idempotencyKey]);
    if (snap.existingId !== null) return this.replay(trx, snap.existingId, snap.accounts, req);

    let fromAcc = snap.accounts.find((a) => a.code === req.from);
    let toAcc = snap.accounts.find((a) => a.code === req.to);
    if (!fromAcc || !toAcc) {
      [fromAcc, toAcc] = await ensureAccounts(
        trx,
        [
          { code: req.from, type: from.type, ownerId: from.ownerId },
          { code: req.to, type: to.type, ownerId: to.ownerId },
        ],
        now,
      );
    }
    // The one money range holds for balances too (the treasury's is negative): refused before anything is written.
    if (!inMoneyRange(fromAcc.balance_fen - req.amountFen) || !inMoneyRange(toAcc.balance_fen + req.amountFen)) {
      throw new AppError('validation_failed', 'ledger.balance_out_of_range', { field: 'amount', max: MONEY_MAX }, 'amount');
    }
    const [fromId, toId] = [fromAcc.id, toAcc.id];
    const balances = async () => {
      const moved = await move(trx, fromId, toId, req.amountFen, from.type === 'treasury');
      if (moved === 0) {
        // How much was needed and how much there was: "可用预算不足" alone left a purchaser guessing by how much.
        throw new AppError(from.type === 'budget' ? 'insufficient_budget' : 'conflict', from.type === 'budget' ? 'ledger.insufficient_budget' : 'ledger.insufficient_funds', {
          account: req.from,
          needed: formatYuan(Money.ofFen(req.amountFen)),
          available: formatYuan(Money.ofFen(Math.max(0, fromAcc.balance_fen))),
        });
      }
      if (moved !== 2) throw new Error(`ledger: a transfer changed ${moved} account rows`);
    };
    const [row] = linkChain(snap.lastHash ?? GENESIS_HASH, [transferRow(req, fromId, toId, now)], hashContent);
    const journal = async () => {
      const transfer = await insertTransfer(trx, row);
      if (req.trade) await insertTrade(trx, tradeRow(transfer, req.trade, req.kind === 'refund' ? -1 : 1));
      return transfer;
    };
    // The balances and the journal side by side (src/db/concurrently.ts): a shortfall is what the caller hears, and
    // its transaction rolls the journal's rows back with everything else.
    const [, transfer] = await concurrently(trx, balances, journal);
    return transfer;
  }

  /**
   * Several transfers in the caller's transaction with the statements of one: the same checks, balances, chain and
   * trade facts as one `transfer` after another, in the order given. For group commit (src/db/group-commit.ts):
   * anything the one-by-one path would answer in its own words — an idempotency key already used, a balance that
   * would go below zero — throws `BatchUnfit` instead, the caller rolls back and does each transfer on its own.
   * Transfers whose accounts are debited by one and credited by another are refused too: only there could the order
   * of the transfers matter for the "never below zero" rule.
   */
  transferAll(trx: Executor, reqs: TransferRequest[]): Promise<TransferRow[]> {
    const now = this.clock.now().toISOString();
    return inChainOrder(trx, 'ledger_transfers', () => this.appendAll(trx, reqs, now));
  }

  private async appendAll(trx: Executor, reqs: TransferRequest[], now: string): Promise<TransferRow[]> {
    const parsed = reqs.map(checkRequest);
    const debited = new Set(reqs.map((r) => r.from));
    if (reqs.some((r) => debited.has(r.to))) throw new BatchUnfit('an account both debited and credited');
    const keys = reqs.map((r) => r.idempotencyKey);
    if (new Set(keys).size !== keys.length) throw new BatchUnfit('an idempotency key twice');

    await lockChain(trx, 'ledger_transfers');
    const codes = [...new Set(reqs.flatMap((r) => [r.from, r.to]))];
    const snap = await ledgerSnapshot(trx, codes, keys);
    if (snap.existingId !== null) throw new BatchUnfit('an idempotency key already used');

    let accounts = snap.accounts;
    if (accounts.length !== codes.length) {
      const specs = new Map<string, ParsedAccount>();
      parsed.forEach((p, i) => specs.set(reqs[i].from, p.from).set(reqs[i].to, p.to));
      accounts = await ensureAccounts(
        trx,
        codes.map((code) => ({ code, ...(specs.get(code) as ParsedAccount) })),
        now,
      );
    }
    const byCode = new Map(accounts.map((a) => [a.code, a]));
    const net = new Map<number, number>();
    for (const r of reqs) {
      const from = byCode.get(r.from) as AccountRow;
      const to = byCode.get(r.to) as AccountRow;
      net.set(from.id, (net.get(from.id) ?? 0) - r.amountFen);
      net.set(to.id, (net.get(to.id) ?? 0) + r.amountFen);
    }
    const deltas = [...net].map(([id, fen]) => ({ id, fen }));
    if (accounts.some((a) => a.type !== 'treasury' && a.balance_fen + (net.get(a.id) ?? 0) < 0)) throw new BatchUnfit('a balance would go below zero');
    if (accounts.some((a) => !inMoneyRange(a.balance_fen + (net.get(a.id) ?? 0)))) throw new BatchUnfit('a balance would leave the money range');
    const rows = linkChain(
      snap.lastHash ?? GENESIS_HASH,
      reqs.map((r) => transferRow(r, (byCode.get(r.from) as AccountRow).id, (byCode.get(r.to) as AccountRow).id, now)),
      hashContent,
    );
    const journal = async () => {
      const transfers = await insertTransfers(trx, rows);
      // The chain runs in id order: the rows must have got their ids in the order they were chained.
      if (transfers.some((t, i) => t.idempotency_key !== rows[i].idempotency_key)) throw new BatchUnfit('ids out of chain order');
      const trades = reqs.flatMap((r, i) => (r.trade ? [tradeRow(transfers[i], r.trade, r.kind === 'refund' ? -1 : 1)] : []));
      if (trades.length) await insertTrade(trx, trades);
      return transfers;
    };
    // The balances and the journal side by side (src/db/concurrently.ts); the trade facts need the transfers' ids.
    const [moved, transfers] = await concurrently(trx, () => moveAll(trx, deltas), journal);
    if (moved !== deltas.length) throw new BatchUnfit('a balance guard held');
    return transfers;
  }

  /**
   * Walks the transfers up to the cut: a ledger of `workerFrom` transfers or more in a worker thread with its own
   * connection, when the database can be opened from another thread (not in memory, not inside a transaction), so
   * that this thread goes on serving requests and payments; a smaller one here (a worker takes some 0.1–0.3 s to
   * start). Should the worker fail, the walk is done here.
   */
  private async walk(at: Db | Executor, upto: number, workerFrom: number): Promise<Walk> {
    const address = sharedAddressOf(at);
    if (address !== undefined && upto >= workerFrom) {
      try {
        return await walkInWorker(address, upto);
      } catch (err) {
        // Walked here below: the same report, only without the worker's help (said on stderr, as Node's warnings are).
        process.emitWarning(`the ledger verify's worker failed (${(err as Error).message}); walking in this thread`, 'LedgerVerifyWarning');
      }
    }
    return walkTransfers(readerOf(at), upto, true);
  }

  /** The same idempotency key again: the first transfer if it is the same request, else a conflict. */
  private async replay(trx: Executor, existingId: number, accounts: AccountRow[], req: TransferRequest): Promise<TransferRow> {
    const existing = (await findTransferById(trx, existingId)) as TransferRow;
    const fromAcc = accounts.find((a) => a.code === req.from);
    const toAcc = accounts.find((a) => a.code === req.to);
    const same = existing.kind === req.kind && existing.amount_fen === req.amountFen && existing.debit_account_id === fromAcc?.id && existing.credit_account_id === toAcc?.id;
    if (!same) throw new AppError('idempotency_mismatch', 'ledger.idempotency_mismatch');
    return existing;
  }

  // The flows of DESIGN §4, by name.
  allocate(trx: Executor, purchaserId: number, amountFen: number, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, { from: TREASURY, to: budgetAccount(purchaserId), amountFen, kind: 'allocate', idempotencyKey: key, actorId });
  }

  reserve(trx: Executor, purchaserId: number, amountFen: number, ref: { orderId?: number; caseId?: number }, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, { from: budgetAccount(purchaserId), to: commitmentAccount(purchaserId), amountFen, kind: 'reserve', idempotencyKey: key, actorId, ...ref });
  }

  /** Several reservations at once (group commit of placing; see `transferAll`), answered in the order given. */
  reserveAll(trx: Executor, reservations: ReadonlyArray<{ purchaserId: number; amountFen: number; ref: { orderId?: number; caseId?: number }; key: string; actorId: number | null }>): Promise<TransferRow[]> {
    return this.transferAll(
      trx,
      reservations.map((r) => ({ from: budgetAccount(r.purchaserId), to: commitmentAccount(r.purchaserId), amountFen: r.amountFen, kind: 'reserve' as const, idempotencyKey: r.key, actorId: r.actorId, ...r.ref })),
    );
  }

  release(trx: Executor, purchaserId: number, amountFen: number, ref: { orderId?: number; caseId?: number }, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, { from: commitmentAccount(purchaserId), to: budgetAccount(purchaserId), amountFen, kind: 'release', idempotencyKey: key, actorId, ...ref });
  }

  settle(trx: Executor, amountFen: number, ref: { orderId?: number; caseId?: number }, trade: TradeFacts, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, {
      from: commitmentAccount(trade.purchaser.id),
      to: vendorAccount(trade.vendor.id),
      amountFen,
      kind: 'settle',
      idempotencyKey: key,
      actorId,
      trade,
      ...ref,
    });
  }

  /** Several settlements at once (group commit; see `transferAll`), answered in the order given. */
  settleAll(trx: Executor, settlements: Array<{ amountFen: number; ref: { orderId?: number; caseId?: number }; trade: TradeFacts; key: string; actorId: number | null }>): Promise<TransferRow[]> {
    return this.transferAll(
      trx,
      settlements.map((s) => ({
        from: commitmentAccount(s.trade.purchaser.id),
        to: vendorAccount(s.trade.vendor.id),
        amountFen: s.amountFen,
        kind: 'settle' as const,
        idempotencyKey: s.key,
        actorId: s.actorId,
        trade: s.trade,
        ...s.ref,
      })),
    );
  }

  /** A reversing trade: the vendor's settled amount goes back to the purchaser's budget. */
  refund(trx: Executor, amountFen: number, ref: { orderId?: number; caseId?: number }, trade: TradeFacts, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, {
      from: vendorAccount(trade.vendor.id),
      to: budgetAccount(trade.purchaser.id),
      amountFen,
      kind: 'refund',
      idempotencyKey: key,
      actorId,
      trade,
      ...ref,
    });
  }

  /** An award (奖励) falls due: the treasury funds it in the award fund (DESIGN §8). Not a trade. */
  fundAward(trx: Executor, amountFen: number, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, { from: TREASURY, to: AWARD_FUND, amountFen, kind: 'fund_award', idempotencyKey: key, actorId });
  }

  /**
   * Awards falling due together (a finalized round): one batch (`transferAll`). A batch that does not fit throws
   * BatchUnfit and the caller's transaction rolls back whole.
   */
  fundAwards(trx: Executor, awards: ReadonlyArray<{ amountFen: number; key: string }>, actorId: number | null): Promise<TransferRow[]> {
    if (!awards.length) return Promise.resolve([]);
    return this.transferAll(trx, awards.map((a) => ({ from: TREASURY, to: AWARD_FUND, amountFen: a.amountFen, kind: 'fund_award' as const, idempotencyKey: a.key, actorId })));
  }

  /** A payment run of awards (see `fundAwards`), answered in the order given. */
  payAwards(trx: Executor, payments: ReadonlyArray<{ vendorId: number; amountFen: number; key: string }>, actorId: number | null): Promise<TransferRow[]> {
    if (!payments.length) return Promise.resolve([]);
    return this.transferAll(trx, payments.map((p) => ({ from: AWARD_FUND, to: vendorAccount(p.vendorId), amountFen: p.amountFen, kind: 'pay_award' as const, idempotencyKey: p.key, actorId })));
  }

  /** Finance pays an award from the award fund to the vendor. Not a trade: no trade facts, no statistics. */
  payAward(trx: Executor, vendorId: number, amountFen: number, key: string, actorId: number | null): Promise<TransferRow> {
    return this.transfer(trx, { from: AWARD_FUND, to: vendorAccount(vendorId), amountFen, kind: 'pay_award', idempotencyKey: key, actorId });
  }

  async budget(db: Executor, purchaserId: number): Promise<BudgetView> {
    const f = await budgetFigures(db, budgetAccount(purchaserId), commitmentAccount(purchaserId));
    const m = (fen: number) => Money.ofFen(fen).toString();
    return { purchaserId, allocated: m(f.allocated), reserved: m(f.reserved), available: m(f.available), spent: m(f.settled - f.refunded) };
  }

  /**
   * Checks the books: the chain (every row's hash over its content and the previous hash), balances recomputed
   * from the transfers equal the stored ones, all balances sum to zero, no account but the treasury below zero.
   * Safe while trading goes on: it checks one consistent cut (see `ledgerCut`). A large ledger is walked in a worker
   * thread (`walk`; `workerFrom` sets how large, VERIFY_IN_WORKER_FROM unless given).
   */
  async verify(at: Db | Executor, options: { workerFrom?: number } = {}): Promise<VerifyReport> {
    // SQLite: on the read connection beside the writer (a transaction's own reads stay in it), so trading goes on
    // while the transfers are walked — its writes no longer wait for the pages, nor the pages for its writes.
    const db = readerOf(at);
    // The balances and the newest transfer they include, read together first: payments committing while the
    // transfers are walked (in pages) cannot make the books look wrong.
    const { accounts, upto } = await ledgerCut(db);
    const { count, firstBad, computed } = await this.walk(at, upto, options.workerFrom ?? VERIFY_IN_WORKER_FROM);
    let sum = 0;
    let nonNegative = true;
    let balancesMatch = true;
    for (const a of accounts) {
      sum += a.balance_fen;
      if (a.type !== 'treasury' && a.balance_fen < 0) nonNegative = false;
      if ((computed.get(a.id) ?? 0) !== a.balance_fen) balancesMatch = false;
    }
    const computedSum = [...computed.values()].reduce((x, y) => x + y, 0);
    const balanced = sum === 0 && computedSum === 0;
    const chainIntact = firstBad === undefined;
    return {
      ok: balanced && chainIntact && nonNegative && balancesMatch,
      transfers: count,
      balanced,
      chainIntact,
      nonNegative,
      balancesMatch,
      ...(firstBad !== undefined ? { firstBadTransfer: firstBad } : {}),
    };
  }
}
