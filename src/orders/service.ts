import { recordAudit, recordAudits, type AuditEntry } from '../audit';
import type { Clock } from '../clock';
import {
  BatchUnfit,
  GroupCommit,
  SharedSlots,
  concurrently,
  executorFor,
  insertRows,
  inUnitOfWork,
  isClosing,
  isPostgres,
  pendingCommitHook,
  writeTransaction,
  type CommitHook,
  type Db,
  type Outcome,
  type Trx,
} from '../db';
import { AppError, forbidden, notFound } from '../errors';
import { Ledger, budgetAccount, findAccount, findAccounts, type TradeFacts } from '../ledger';
import Decimal from 'decimal.js';
import { inMoneyRange, Money, MoneyError, formatYuan } from '../money';
import { apiTime } from '../time';
import { can } from '../policies';
import { directPurchaseLimitFen } from '../settings';
import type { Actor } from '../web';
import { DirectPurchaseLimitError } from './limit';
import { nextOrderNo, nextOrderNos } from './numbers';
import { unitProfiles, type UnitProfile } from './address-repo';
import { AddressBook, paperworkFrom, resolvePaperwork, type OrderPaperwork } from './paperwork';
import { orderDetail, orderSummary, paperworkView, type OrderDetail, type OrderPaperworkView, type OrderSummary } from './presenters';
import {
  currentStatus,
  findOrder,
  findOrderForTrade,
  findOrders,
  findOrdersForTrade,
  findOrderableProducts,
  insertHistory,
  insertItems,
  insertOrder,
  listOrders,
  lockProducts,
  moveStatus,
  moveStatuses,
  orderHistory,
  orderItems,
  returnStock,
  takeStock,
  tradeContext,
  type OrderContextRow,
  type OrderListRow,
  type OrderScope,
  type OrderableProduct,
  type TradeContext,
} from './repo';
import type { OrderLine, OrderListQuery, OrderPaperworkInput } from './schema';
import { TRANSITIONS, decide, type OrderAction, type OrderStatus, type Verdict } from './transitions';

export interface PlacedOrder extends OrderPaperworkView {
  id: number;
  /** The number people read (`ZJJP-2026-000123`). */
  orderNo: string;
  status: 'placed';
  total: string;
  vendorId: number;
  createdAt: string;
}

export interface StepResult extends Omit<OrderSummary, 'items'> {
  /** The ledger transfer the step made (payment, release, refund), if any. */
  transferId: number | null;
}

export interface OrderPage {
  items: OrderSummary[];
  total: number;
  page: number;
  pageSize: number;
}

/** The ledger idempotency key of each money movement an order can make: one of each per order, ever. */
export const orderKey = (orderId: number, flow: 'reserve' | 'release' | 'settle' | 'refund') => `order:${orderId}:${flow}`;

/** Same product twice in one request → one line with the quantities added. */
function mergeLines(lines: OrderLine[]): OrderLine[] {
  const byProduct = new Map<number, number>();
  for (const l of lines) byProduct.set(l.productId, (byProduct.get(l.productId) ?? 0) + l.quantity);
  return [...byProduct].map(([productId, quantity]) => ({ productId, quantity }));
}

/** An order's lines as `order_items` rows. */
const itemRows = (orderId: number, g: Group) =>
  g.lines.map((l) => ({ order_id: orderId, product_id: l.product.id, title: l.product.title, quantity: l.quantity, unit_price_fen: l.product.price_fen, amount_fen: l.amountFen }));

/** The audit record of an order placed. */
const placedAudit = (actor: Actor, orderId: number, orderNo: string, g: Group): AuditEntry => ({
  actor,
  action: 'order.place',
  entity: 'order',
  entityId: orderId,
  after: { orderNo, status: 'placed', total: Money.ofFen(g.totalFen).toString(), vendorId: g.vendorId, items: g.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })) },
});

/** What the caller hears of an order placed. */
const placedOrder = (p: { id: number; orderNo: string; group: Group }, now: string, papers: OrderPaperworkView): PlacedOrder => ({
  id: p.id,
  orderNo: p.orderNo,
  status: 'placed',
  total: Money.ofFen(p.group.totalFen).toString(),
  vendorId: p.group.vendorId,
  createdAt: apiTime(now),
  ...papers,
});

/** The paperwork columns of an order placed without paperwork (the demo's history, the benches): none. */
const NO_PAPERWORK: Record<keyof OrderPaperwork, null> = { delivery_address: null, contact_person: null, contact_phone: null, delivery_date: null, budget_code: null, invoice_title: null };

const titlesOf = (products: OrderableProduct[]) =>
  products
    .slice(0, 3)
    .map((p) => p.title)
    .join('、') + (products.length > 3 ? '…' : '');

interface Group {
  vendorId: number;
  lines: Array<{ product: OrderableProduct; quantity: number; amountFen: number }>;
  totalFen: number;
}

/**
 * Boutique-hall direct purchase (精品馆直购): placing an order reserves stock and budget in one transaction; each
 * later step follows the transitions table; money moves only through the Ledger, whose call is the last write of
 * each transaction. Every step leaves a history row and an audit record.
 */
export class OrderService {
  private readonly ledger: Ledger;
  /**
   * Payments that arrive while every slot is busy commit together: one queue per app (the service is built once, in
   * services.ts), shared by the API and the pages.
   */
  readonly payments: GroupCommit<PayJob, StepResult>;
  /** Orders placed (an order, a cart's checkout), grouped the same way (`placeTogether`). */
  readonly placements: GroupCommit<PlaceJob, Placed>;
  /** Confirmations, deliveries and acceptances, grouped the same way (they move no money, stock or budget). */
  readonly steps: GroupCommit<StepJob, StepResult>;
  /** The purchasing units' address books and invoice titles: what an order's paperwork defaults to. */
  readonly addresses: AddressBook;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: { paymentSlots?: number } = {},
  ) {
    this.ledger = new Ledger(clock);
    this.addresses = new AddressBook(db, clock);
    // The three queues share their slots: a batch of one starts only when the others leave a slot, so that a
    // placement arriving while a batch of steps commits waits with the others instead of starting alone to wait for
    // the writer. SQLite: one writer, one transaction at a time. PostgreSQL: two side by side, so that one waiting on
    // a row another transaction holds does not hold up everyone — more would only queue on the audit chain's lock,
    // which every one of them takes (measured: 16 callers placing and stepping orders, 392 writes/s with four slots
    // per queue, ~1,050 with two shared, ~1,150 with one; docs/benchmarks-history.md).
    const slots = options.paymentSlots ?? (isPostgres(db) ? 2 : 1);
    const queue = { slots, closed: () => isClosing(db), shared: new SharedSlots(slots) };
    this.payments = new GroupCommit((jobs) => this.payTogether(jobs), queue);
    this.placements = new GroupCommit((jobs) => this.placeTogether(jobs), { ...queue, redoInOrder: true });
    this.steps = new GroupCommit((jobs) => this.stepsTogether(jobs), queue);
  }

  /**
   * `POST /api/v1/orders`: all items of one vendor, one order. `paperwork` is what the caller gave of the delivery
   * address, contact, delivery day, budget code and invoice title; what it leaves out comes from the unit's profile,
   * and a unit without a default address is told which field is missing (422). Left out altogether (undefined: the
   * demo's history and the benches, not a request), the order takes the unit's defaults where it has them.
   */
  async place(actor: Actor, lines: OrderLine[], paperwork?: OrderPaperworkInput): Promise<PlacedOrder> {
    return (await this.placeQueued({ actor, lines, oneVendor: true, single: true, paperwork })) as PlacedOrder;
  }

  /**
   * The checkout of a cart: one order per vendor, all placed together or none (a cart that the budget cannot cover
   * as a whole places nothing). Every order carries the checkout's paperwork.
   */
  placeOrders(actor: Actor, lines: OrderLine[], opts: { oneVendor?: boolean; paperwork?: OrderPaperworkInput } = {}): Promise<PlacedOrder[]> {
    return this.placeQueued({ actor, lines, oneVendor: opts.oneVendor ?? false, single: false, paperwork: opts.paperwork }) as Promise<PlacedOrder[]>;
  }

  /**
   * Placing goes through its group-commit queue as payments do: alone it runs at once in a transaction of its own;
   * with others waiting it commits with them (`placeTogether`). Inside a unit of work (the demo loader's) it joins it.
   */
  private placeQueued(job: Omit<PlaceJob, 'hook'>): Promise<Placed> {
    const alone = () => writeTransaction(this.db, (trx) => this.placeJob(trx, job));
    if (inUnitOfWork()) return alone();
    return this.placements.submit({ ...job, hook: pendingCommitHook() }, alone);
  }

  /**
   * Several placements in one transaction (the placements queue's batch), with the same outcome for each caller as
   * placing them one after another, in one commit. First `placeSetWise`: the placements of one vendor each that every
   * check would let through — decided in memory over one read of their products, units, budgets and the limit, each
   * taking its stock and budget from what the ones before it left — are written with a statement per table for all of
   * them. Then the rest (a checkout of several vendors, or one that some check would refuse) one after another, each
   * in a savepoint of its own, by the code that places an order alone: a refusal rolls back to its savepoint and its
   * caller hears the words it would have heard alone, and the others still commit. Anything else (a database error, a
   * key another request took) rolls the whole batch back, and the queue runs every job on its own.
   */
  private async placeTogether(jobs: PlaceJob[]): Promise<Array<Outcome<Placed>>> {
    const outcomes: Array<Outcome<Placed>> = jobs.map(() => ({ again: true }));
    const hooks: CommitHook[] = [];
    await this.db.transaction(async (trx) => {
      // PostgreSQL: every product of the batch locked first, in id order, as every other writer takes them.
      await lockProducts(trx, [...new Set(jobs.flatMap((j) => j.lines.map((l) => l.productId)))]);
      const rest = await this.placeSetWise(trx, jobs, outcomes, hooks);
      for (const i of rest) {
        const job = jobs[i];
        try {
          const placed = await trx.transaction(async (sp) => {
            const result = await this.placeJob(sp, job);
            if (job.hook) await job.hook.beforeCommit(sp, result);
            return result;
          });
          if (job.hook) hooks.push(job.hook);
          outcomes[i] = { value: placed };
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          outcomes[i] = { error: err };
        }
      }
    });
    for (const hook of hooks) hook.committed = true;
    return outcomes;
  }

  /**
   * The set-wise part of `placeTogether`: places the jobs it can (see there), answers them in `outcomes` and runs
   * their commit hooks; answers the indexes of the jobs left for the one-by-one part, in arrival order.
   */
  private async placeSetWise(trx: Trx, jobs: PlaceJob[], outcomes: Array<Outcome<Placed>>, hooks: CommitHook[]): Promise<number[]> {
    const candidates = new Set(jobs.flatMap((job, i) => (can(job.actor, 'order.place', null) ? [i] : [])));
    if (candidates.size < 2) return jobs.map((_, i) => i);
    const purchaserIds = [...new Set([...candidates].map((i) => jobs[i].actor.purchaserId as number))];
    const productIds = [...new Set([...candidates].flatMap((i) => jobs[i].lines.map((l) => l.productId)))];
    const [profiles, products, limitFen, accounts] = await concurrently(
      trx,
      () => unitProfiles(trx, purchaserIds),
      () => findOrderableProducts(trx, productIds),
      () => directPurchaseLimitFen(trx),
      () => findAccounts(trx, purchaserIds.map(budgetAccount)),
    );
    const productOf = new Map(products.map((p) => [p.id, p]));
    const stock = new Map(products.map((p) => [p.id, Number(p.stock)]));
    const budget = new Map(accounts.map((a) => [a.code, Number(a.balance_fen)]));

    const go: Array<{ index: number; job: PlaceJob; paperwork: OrderPaperwork | null; group: Group }> = [];
    const rest: number[] = [];
    // Set-wise while every job so far could be: from the first that takes stock or budget in another way (a checkout
    // of several vendors) or finds too little of either, every later job waits for the one-by-one part, so that stock
    // and budget go to the jobs in arrival order. A job refused for reasons of its own (its role, its paperwork, a
    // product not listed, the limit) takes nothing: it is left for the one-by-one part to refuse, and the rest go on.
    let inOrder = true;
    for (const [index, job] of jobs.entries()) {
      const planned = inOrder && candidates.has(index) ? this.plan(job, profiles.get(job.actor.purchaserId as number) ?? null, productOf, limitFen) : 'refused';
      if (planned === 'refused' || planned === 'several') {
        if (planned === 'several') inOrder = false;
        rest.push(index);
        continue;
      }
      const code = budgetAccount(job.actor.purchaserId as number);
      // What the ones before it left: a shortfall of either goes the one-by-one way, which says so in its own words.
      if ((budget.get(code) ?? 0) < planned.group.totalFen || planned.group.lines.some((l) => (stock.get(l.product.id) ?? 0) < l.quantity)) {
        inOrder = false;
        rest.push(index);
        continue;
      }
      budget.set(code, (budget.get(code) as number) - planned.group.totalFen);
      for (const l of planned.group.lines) stock.set(l.product.id, (stock.get(l.product.id) as number) - l.quantity);
      go.push({ index, job, ...planned });
    }
    if (go.length === 0) return rest;

    // Stock first, in product-id order, one conditional UPDATE per product for all the orders (as `takeStock`).
    const taken = new Map<number, number>();
    for (const g of go) for (const l of g.group.lines) taken.set(l.product.id, (taken.get(l.product.id) ?? 0) + l.quantity);
    const takes = [...taken].sort((a, b) => a[0] - b[0]);
    const took = await concurrently(trx, ...takes.map(([id, quantity]) => () => takeStock(trx, id, quantity)));
    if (took.some((ok) => !ok)) throw new BatchUnfit('stock moved meanwhile');

    const at = this.clock.now();
    const now = at.toISOString();
    const numbers = await nextOrderNos(trx, at, go.length);
    const rows = go.map((g, i) => ({
      order_no: numbers[i],
      purchaser_id: g.job.actor.purchaserId as number,
      vendor_id: g.group.vendorId,
      status: 'placed',
      total_fen: g.group.totalFen,
      acceptance_note: null,
      ...(g.paperwork ?? NO_PAPERWORK),
      created_by: g.job.actor.id,
      demo: false,
      created_at: now,
      updated_at: now,
    }));
    const inserted = await insertRows<{ id: number | string; order_no: string }>(trx, 'orders', rows, ['id', 'order_no']);
    const idOf = new Map(inserted.map((r) => [r.order_no, Number(r.id)]));
    const ids = numbers.map((no) => idOf.get(no) as number);
    // The orders' ids rise with their numbers (arrival order), as one after another would give them.
    if (ids.some((id, i) => id === undefined || (i > 0 && id <= ids[i - 1]))) throw new BatchUnfit('orders not numbered as written');

    await concurrently(
      trx,
      () => insertItems(trx, go.flatMap((g, i) => itemRows(ids[i], g.group))),
      () => insertHistory(trx, go.map((g, i) => ({ order_id: ids[i], from_status: null, to_status: 'placed' as const, actor_id: g.job.actor.id, note: null, at: now }))),
      () => recordAudits(trx, this.clock, go.map((g, i) => placedAudit(g.job.actor, ids[i], numbers[i], g.group))),
      () =>
        this.ledger.reserveAll(
          trx,
          go.map((g, i) => ({ purchaserId: g.job.actor.purchaserId as number, amountFen: g.group.totalFen, ref: { orderId: ids[i] }, key: orderKey(ids[i], 'reserve'), actorId: g.job.actor.id })),
        ),
    );
    await answer(trx, go, outcomes, hooks, (g, i): Placed => {
      const order = placedOrder({ id: ids[i], orderNo: numbers[i], group: g.group }, now, paperworkView(g.paperwork ?? {}));
      return g.job.single ? order : [order];
    });
    return rest;
  }

  /**
   * What placing a job alone would do, decided in memory: its paperwork and its one vendor's order; 'refused' where
   * placing it would refuse it whatever other orders took, 'several' for a checkout of several vendors. Stock and
   * budget are the caller's to check.
   */
  private plan(job: PlaceJob, profile: UnitProfile | null, productOf: Map<number, OrderableProduct>, limitFen: number): { paperwork: OrderPaperwork | null; group: Group } | 'refused' | 'several' {
    let paperwork: OrderPaperwork | null;
    try {
      paperwork = paperworkFrom(profile, this.clock, job.paperwork ?? {});
    } catch (err) {
      if (job.paperwork !== undefined || !(err instanceof AppError) || err.code !== 'validation_failed') return 'refused';
      paperwork = null;
    }
    const lines: Group['lines'] = [];
    let totalFen = 0;
    for (const line of mergeLines(job.lines)) {
      const product = productOf.get(line.productId);
      if (!product || product.status !== 'approved') return 'refused';
      if (lines.length > 0 && product.vendor_id !== lines[0].product.vendor_id) return job.oneVendor ? 'refused' : 'several';
      if (!inMoneyRange(new Decimal(product.price_fen).times(line.quantity))) return 'refused';
      const amountFen = Money.ofFen(product.price_fen).times(line.quantity).fen;
      if (!inMoneyRange(totalFen + amountFen)) return 'refused';
      totalFen += amountFen;
      lines.push({ product, quantity: line.quantity, amountFen });
    }
    if (lines.length === 0 || totalFen > limitFen) return 'refused';
    return { paperwork, group: { vendorId: lines[0].product.vendor_id, lines, totalFen } };
  }

  /** One placement's writes and its caller's answer: the one order of `place`, the orders of a checkout. */
  private async placeJob(trx: Trx, job: Omit<PlaceJob, 'hook'>): Promise<Placed> {
    const placed = await this.placeWithin(trx, job.actor, job.lines, job.oneVendor, job.paperwork);
    return job.single ? placed[0] : placed;
  }

  private async placeWithin(trx: Trx, actor: Actor, lines: OrderLine[], oneVendor: boolean, input: OrderPaperworkInput | undefined): Promise<PlacedOrder[]> {
    if (!can(actor, 'order.place', null)) throw new AppError('forbidden', 'errors.wrong_role');
    const purchaserId = actor.purchaserId as number;
    const paperwork: OrderPaperwork | null = await resolvePaperwork(trx, this.clock, purchaserId, input ?? {}).catch((err: unknown) => {
      if (input === undefined && err instanceof AppError && err.code === 'validation_failed') return null;
      throw err;
    });
    const merged = mergeLines(lines);
    const groups = await this.group(trx, merged, lines, oneVendor);
    // DESIGN §9: each vendor's order stays within the direct-purchase limit; above it a procurement procedure applies.
    const limitFen = await directPurchaseLimitFen(trx);
    const over = groups.find((g) => g.totalFen > limitFen);
    if (over) throw new DirectPurchaseLimitError(over.lines[0].product.vendor_name, over.totalFen, limitFen);
    const totalFen = groups.reduce((s, g) => s + g.totalFen, 0);
    const short = await this.shortfall(trx, purchaserId, totalFen, groups.flatMap((g) => g.lines.map((l) => l.product)));
    if (short) throw short;

    // Stock first, in product-id order across the whole cart, so two carts never lock rows in opposite orders.
    const all = groups.flatMap((g) => g.lines).sort((a, b) => a.product.id - b.product.id);
    for (const l of all) {
      if (!(await takeStock(trx, l.product.id, l.quantity))) {
        const fresh = await findOrderableProducts(trx, [l.product.id]);
        throw new AppError('insufficient_stock', 'orders.insufficient_stock', {
          product: l.product.title,
          available: fresh[0]?.stock ?? 0,
          quantity: l.quantity,
          unit: l.product.unit,
        });
      }
    }

    const now = this.clock.now().toISOString();
    const placed: Array<{ id: number; orderNo: string; group: Group }> = [];
    for (const g of groups) {
      const order = await insertOrder(trx, {
        order_no: await nextOrderNo(trx, this.clock.now()),
        purchaser_id: purchaserId,
        vendor_id: g.vendorId,
        status: 'placed',
        total_fen: g.totalFen,
        acceptance_note: null,
        ...(paperwork ?? {}),
        created_by: actor.id,
        demo: false,
        created_at: now,
        updated_at: now,
      });
      await insertItems(trx, itemRows(order.id, g));
      await insertHistory(trx, { order_id: order.id, from_status: null, to_status: 'placed', actor_id: actor.id, note: null, at: now });
      await recordAudit(trx, this.clock, placedAudit(actor, order.id, order.order_no, g));
      placed.push({ id: order.id, orderNo: order.order_no, group: g });
    }
    // Last: the budget reservations (budget → commitment); a shortfall here rolls back the stock and the orders.
    for (const p of placed) {
      try {
        await this.ledger.reserve(trx, purchaserId, p.group.totalFen, { orderId: p.id }, orderKey(p.id, 'reserve'), actor.id);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'insufficient_budget') throw err;
        // Another order of the unit took the budget since the early check: say so in the same words.
        throw (await this.shortfall(trx, purchaserId, p.group.totalFen, p.group.lines.map((l) => l.product))) ?? err;
      }
    }
    const papers = paperworkView(paperwork ?? {});
    return placed.map((p) => placedOrder(p, now, papers));
  }

  /** Each line's product must exist and be approved; lines are grouped by vendor. */
  private async group(trx: Trx, merged: OrderLine[], original: OrderLine[], oneVendor: boolean): Promise<Group[]> {
    const products = new Map((await findOrderableProducts(trx, merged.map((l) => l.productId))).map((p) => [p.id, p]));
    const groups = new Map<number, Group>();
    for (const line of merged) {
      const product = products.get(line.productId);
      if (!product || product.status !== 'approved') {
        const index = original.findIndex((l) => l.productId === line.productId);
        throw new AppError('validation_failed', 'orders.product_unavailable', { product: line.productId }, `items.${index}.productId`);
      }
      // A line and an order's total stay within the money range (a price up to the range times 10,000 would not).
      const index = original.findIndex((l) => l.productId === line.productId);
      const field = `items.${index}.quantity`;
      if (!inMoneyRange(new Decimal(product.price_fen).times(line.quantity))) throw new MoneyError(`line of product ${product.id}`, field);
      const amountFen = Money.ofFen(product.price_fen).times(line.quantity).fen;
      const g = groups.get(product.vendor_id) ?? { vendorId: product.vendor_id, lines: [], totalFen: 0 };
      g.lines.push({ product, quantity: line.quantity, amountFen });
      if (!inMoneyRange(g.totalFen + amountFen)) throw new MoneyError(`order total of vendor ${product.vendor_id}`, field);
      g.totalFen += amountFen;
      groups.set(product.vendor_id, g);
    }
    if (oneVendor && groups.size > 1) throw new AppError('validation_failed', 'orders.one_vendor', {}, 'items');
    return [...groups.values()].sort((a, b) => a.vendorId - b.vendorId);
  }

  /**
   * A shortfall named in words the purchaser understands (the products and the amounts), before any row is locked.
   * The Ledger's conditional debit stays the authority under concurrency; this only gives the early, readable answer.
   */
  private async shortfall(trx: Trx, purchaserId: number, needFen: number, products: OrderableProduct[]): Promise<AppError | null> {
    const account = await findAccount(trx, budgetAccount(purchaserId));
    const available = account?.balance_fen ?? 0;
    if (available >= needFen) return null;
    return new AppError('insufficient_budget', 'orders.insufficient_budget', {
      product: titlesOf(products),
      total: formatYuan(Money.ofFen(needFen)),
      available: formatYuan(Money.ofFen(available)),
    });
  }

  /**
   * One step of the transitions table: confirm, deliver, accept (with a note), pay, cancel, refund. A payment goes
   * through the group-commit queue: alone it runs at once as below; with others waiting it commits with them.
   */
  act(actor: Actor, orderId: number, action: OrderAction, input: StepInput = {}): Promise<StepResult> {
    // Inside a unit of work (the demo loader's) a payment joins it, as every other step does.
    if (action === 'pay' && !inUnitOfWork()) return this.payments.submit({ actor, orderId, hook: pendingCommitHook() }, () => this.step(actor, orderId, action, input));
    if (isGroupedStep(action) && !inUnitOfWork()) {
      const note = action === 'accept' && input.note ? input.note : null;
      return this.steps.submit({ actor, orderId, action, note, hook: pendingCommitHook() }, () => this.step(actor, orderId, action, input));
    }
    return this.step(actor, orderId, action, input);
  }

  private step(actor: Actor, orderId: number, action: OrderAction, input: StepInput): Promise<StepResult> {
    return writeTransaction(this.db, async (trx) => {
      const t = TRANSITIONS[action];
      const tradeStep = t.money === 'settle' || t.money === 'refund';
      const order = tradeStep ? await findOrderForTrade(trx, orderId) : await findOrder(trx, orderId);
      if (!order) throw notFound('orders.not_found');
      if (!can(actor, 'order.read', { purchaserId: order.purchaser_id, vendorId: order.vendor_id })) throw forbidden();
      const verdict = decide(action, actor, { purchaserId: order.purchaser_id, vendorId: order.vendor_id, status: order.status });
      if (!verdict.ok) throw refusal(verdict);
      // A vendor's refusal and a purchaser's rejection are new steps with no older callers: their reason is required on
      // the JSON route as well (the page's form requires it of every reason step).
      if ((action === 'decline' || action === 'reject') && !input.reason) throw new AppError('validation_failed', 'validation.required', {}, 'reason');
      const trade = tradeStep ? tradeContext(order as OrderContextRow) : null;
      const now = this.clock.now().toISOString();
      const note = action === 'accept' && input.note ? input.note : null;
      // 取消订单, 退款, 拒绝接单 and 退回: the reason goes into the history (the other side reads it there); none given (a JSON caller
      // of before) is recorded as none.
      const reason = (action === 'cancel' || action === 'refund' || action === 'decline' || action === 'reject') && input.reason ? input.reason : null;

      // The step's writes side by side (src/db/concurrently.ts); the compare-and-set first, so that when someone else
      // moved the order first, that is what the caller hears (the other writes roll back with it).
      const compareAndSet = async () => {
        if (await moveStatus(trx, order.id, order.status, verdict.to, now, note !== null ? { acceptance_note: note } : {})) return;
        // Someone else moved it first: report the state it is really in.
        throw new AppError('invalid_state', `orders.in_state_${(await currentStatus(trx, order.id)) ?? order.status}`);
      };
      const restock = async () => {
        if (!t.restoresStock) return;
        for (const i of (await orderItems(trx, [order.id])).sort((a, b) => a.product_id - b.product_id)) await returnStock(trx, i.product_id, i.quantity);
      };
      const audit: AuditEntry = {
        actor,
        action: `order.${action}`,
        entity: 'order',
        entityId: order.id,
        before: { status: order.status },
        after: { orderNo: order.order_no, status: verdict.to, ...(note !== null ? { note } : {}), ...(reason !== null ? { reason } : {}) },
      };
      const [, , , , transferId] = await concurrently(
        trx,
        compareAndSet,
        () => insertHistory(trx, { order_id: order.id, from_status: order.status, to_status: verdict.to, actor_id: actor.id, note: note ?? reason, at: now }),
        restock,
        () => recordAudit(trx, this.clock, audit),
        () => this.moveMoney(trx, t.money, order, trade, actor),
      );
      const updated: OrderListRow = { ...order, status: verdict.to, updated_at: now, acceptance_note: note ?? order.acceptance_note };
      const { items: _none, ...summary } = orderSummary(updated, []);
      return { ...summary, transferId };
    });
  }

  /**
   * Several payments in one transaction (the group-commit queue's batch): each order read, checked and refused in
   * the same words as `step` would; the rest paid with one statement per table — their state changes, history rows,
   * audit records, settlements and trade facts — and each request's Idempotency-Key record written before the one
   * commit. The same order twice: the second waits for the next batch (and is told there that it is paid).
   */
  private async payTogether(jobs: PayJob[]): Promise<Array<Outcome<StepResult>>> {
    const outcomes: Array<Outcome<StepResult>> = jobs.map(() => ({ again: true }));
    const hooks: CommitHook[] = [];
    // One transaction for the batch, run by the group-commit queue (which retries it job by job); each job's commit
    // hook is run here explicitly, so this is not a writeTransaction.
    await this.db.transaction(async (trx) => {
      const go = triage(jobs, await findOrdersForTrade(trx, [...new Set(jobs.map((j) => j.orderId))]), () => 'pay', outcomes);
      if (!go.length) return;

      const now = this.clock.now().toISOString();
      const ids = go.map((g) => g.order.id);
      const history = go.map((g) => ({ order_id: g.order.id, from_status: g.order.status, to_status: 'paid' as const, actor_id: g.job.actor.id, note: null, at: now }));
      const audits = go.map((g) => ({ actor: g.job.actor, action: 'order.pay', entity: 'order', entityId: g.order.id, before: { status: g.order.status }, after: { orderNo: g.order.order_no, status: 'paid' } }));
      const settlements = go.map((g) => ({
        amountFen: g.order.total_fen,
        ref: { orderId: g.order.id },
        trade: tradeFacts(tradeContext(g.order)),
        key: orderKey(g.order.id, 'settle'),
        actorId: g.job.actor.id,
      }));
      // The four writes do not depend on each other: sent side by side (src/db/concurrently.ts).
      const [moved, , , transfers] = await concurrently(
        trx,
        () => moveStatuses(trx, ids, 'accepted', 'paid', now),
        () => insertHistory(trx, history),
        () => recordAudits(trx, this.clock, audits),
        () => this.ledger.settleAll(trx, settlements),
      );
      if (moved.length !== go.length) throw new BatchUnfit('an order moved meanwhile');
      await answer(trx, go, outcomes, hooks, (g, i) => {
        const { items: _none, ...summary } = orderSummary({ ...g.order, status: 'paid', updated_at: now }, []);
        return { ...summary, transferId: transfers[i].id };
      });
    });
    for (const hook of hooks) hook.committed = true;
    return outcomes;
  }

  /**
   * Several confirmations, deliveries and acceptances in one transaction (the steps queue's batch), as `payTogether`
   * does for payments: each order read, checked and refused in the same words as `step` would; the rest moved with
   * their own compare-and-set, one history insert and one audit insert for the batch, and each request's
   * Idempotency-Key record written before the one commit. The same order twice: the second waits for the next batch.
   */
  private async stepsTogether(jobs: StepJob[]): Promise<Array<Outcome<StepResult>>> {
    const outcomes: Array<Outcome<StepResult>> = jobs.map(() => ({ again: true }));
    const hooks: CommitHook[] = [];
    await this.db.transaction(async (trx) => {
      const go = triage(jobs, await findOrders(trx, [...new Set(jobs.map((j) => j.orderId))]), (job) => job.action, outcomes);
      if (!go.length) return;

      const now = this.clock.now().toISOString();
      // The writes side by side (src/db/concurrently.ts; one after another on PostgreSQL, whose client takes one query
      // at a time): each order's compare-and-set, the batch's history rows and its audit records — what `step` writes
      // for each, no more.
      const [moved] = await concurrently(
        trx,
        () => concurrently(trx, ...go.map((g) => () => moveStatus(trx, g.order.id, g.order.status, g.to, now, g.job.note !== null ? { acceptance_note: g.job.note } : {}))),
        () => insertHistory(trx, go.map((g) => ({ order_id: g.order.id, from_status: g.order.status, to_status: g.to, actor_id: g.job.actor.id, note: g.job.note, at: now }))),
        () =>
          recordAudits(
            trx,
            this.clock,
            go.map((g) => ({
              actor: g.job.actor,
              action: `order.${g.job.action}`,
              entity: 'order',
              entityId: g.order.id,
              before: { status: g.order.status },
              after: { orderNo: g.order.order_no, status: g.to, ...(g.job.note !== null ? { note: g.job.note } : {}) },
            })),
          ),
      );
      // Someone else moved one first: each job on its own then tells its caller the state it is really in.
      if (moved.some((ok) => !ok)) throw new BatchUnfit('an order moved meanwhile');
      await answer(trx, go, outcomes, hooks, (g) => {
        const { items: _none, ...summary } = orderSummary({ ...g.order, status: g.to, updated_at: now, acceptance_note: g.job.note ?? g.order.acceptance_note }, []);
        return { ...summary, transferId: null };
      });
    });
    for (const hook of hooks) hook.committed = true;
    return outcomes;
  }

  private async moveMoney(trx: Trx, flow: 'release' | 'settle' | 'refund' | null, order: OrderListRow, trade: TradeContext | null, actor: Actor): Promise<number | null> {
    if (flow === null) return null;
    const ref = { orderId: order.id };
    if (flow === 'release') return (await this.ledger.release(trx, order.purchaser_id, order.total_fen, ref, orderKey(order.id, 'release'), actor.id)).id;
    const facts = tradeFacts(trade as TradeContext);
    if (flow === 'settle') return (await this.ledger.settle(trx, order.total_fen, ref, facts, orderKey(order.id, 'settle'), actor.id)).id;
    return (await this.ledger.refund(trx, order.total_fen, ref, facts, orderKey(order.id, 'refund'), actor.id)).id;
  }

  /** The caller's own orders: a purchaser's unit's, a vendor's, or (for the department) all. */
  async list(actor: Actor, query: OrderListQuery): Promise<OrderPage> {
    const scope: OrderScope = { ...scopeOf(actor), status: query.status };
    const { rows, total } = await listOrders(executorFor(this.db), scope, query.pageSize, (query.page - 1) * query.pageSize);
    const items = rows.length ? await orderItems(executorFor(this.db), rows.map((r) => r.id)) : [];
    return {
      items: rows.map((r) => orderSummary(r, items.filter((i) => i.order_id === r.id))),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  /** One order with its history and the steps the caller may take; someone else's is 403 (API.md: not yours), none 404. */
  async detail(actor: Actor, orderId: number): Promise<OrderDetail> {
    const order = await findOrder(executorFor(this.db), orderId);
    if (!order) throw notFound('orders.not_found');
    if (!can(actor, 'order.read', { purchaserId: order.purchaser_id, vendorId: order.vendor_id })) throw forbidden();
    const [items, history] = await Promise.all([orderItems(executorFor(this.db), [order.id]), orderHistory(executorFor(this.db), order.id)]);
    return orderDetail(actor, order, items, history);
  }
}

export function scopeOf(actor: Actor): OrderScope {
  if (actor.role === 'purchaser') return { purchaserId: actor.purchaserId ?? -1 };
  if (actor.role === 'vendor') return { vendorId: actor.vendorId ?? -1 };
  return {};
}

/** The statistics dimensions of a boutique trade: both parties, and the order's largest item. */
export function tradeFacts(c: TradeContext): TradeFacts {
  return {
    channel: 'boutique',
    purchaser: c.purchaser,
    vendor: c.vendor,
    productId: c.product.id,
    productTitle: c.product.title,
    certNo: c.product.cert_no,
    level: c.product.level,
    field: c.product.field,
    kind: c.product.kind,
  };
}

/** What a step may carry: the acceptance's note (验收意见), the reason of a cancellation, refund, refusal or rejection. */
export interface StepInput {
  note?: string;
  reason?: string;
}

/** A refused step in the words of the transitions table: the actor's right (403) or the order's state (409). */
function refusal(verdict: Extract<Verdict, { ok: false }>): AppError {
  return verdict.reason === 'forbidden' ? new AppError('forbidden', verdict.key) : new AppError('invalid_state', verdict.key);
}

/** A job of a group-commit batch that goes ahead: its place in the batch, its order as read, the state it moves to. */
interface Go<J, O> {
  index: number;
  job: J;
  order: O;
  to: OrderStatus;
}

/**
 * A batch's jobs sorted as `step` would answer each alone: someone else's order (or none) 404, a refusal of the
 * transitions table 403/409 — written into `outcomes` — and the same order a second time left for the next batch
 * (its outcome stays "again"); the rest go ahead.
 */
function triage<J extends { actor: Actor; orderId: number }, O extends OrderListRow>(jobs: J[], rows: O[], actionOf: (job: J) => OrderAction, outcomes: Array<Outcome<StepResult>>): Array<Go<J, O>> {
  const found = new Map(rows.map((o) => [Number(o.id), o]));
  const seen = new Set<number>();
  const go: Array<Go<J, O>> = [];
  jobs.forEach((job, index) => {
    if (seen.has(job.orderId)) return;
    seen.add(job.orderId);
    const order = found.get(job.orderId);
    if (!order || !can(job.actor, 'order.read', { purchaserId: order.purchaser_id, vendorId: order.vendor_id })) {
      outcomes[index] = { error: order ? forbidden() : notFound('orders.not_found') };
      return;
    }
    const verdict = decide(actionOf(job), job.actor, { purchaserId: order.purchaser_id, vendorId: order.vendor_id, status: order.status });
    if (!verdict.ok) outcomes[index] = { error: refusal(verdict) };
    else go.push({ index, job, order, to: verdict.to });
  });
  return go;
}

/**
 * Each job that went ahead gets its answer, and its request's commit hook (its Idempotency-Key record) is run with it
 * inside the batch's transaction; the caller marks the hooks committed once the transaction has.
 */
async function answer<G extends { index: number; job: { hook?: CommitHook } }, R>(trx: Trx, go: G[], outcomes: Array<Outcome<R>>, hooks: CommitHook[], resultOf: (g: G, i: number) => R): Promise<void> {
  for (const [i, g] of go.entries()) {
    const result = resultOf(g, i);
    if (g.job.hook) {
      await g.job.hook.beforeCommit(trx, result);
      hooks.push(g.job.hook);
    }
    outcomes[g.index] = { value: result };
  }
}

/** The steps that move no money, stock or budget: those arriving together commit together (`stepsTogether`). */
type GroupedStep = 'confirm' | 'deliver' | 'accept';
const isGroupedStep = (action: OrderAction): action is GroupedStep =>
  (action === 'confirm' || action === 'deliver' || action === 'accept') && TRANSITIONS[action].money === null && !TRANSITIONS[action].restoresStock;

export interface StepJob {
  actor: Actor;
  orderId: number;
  action: GroupedStep;
  /** The acceptance note (accept only). */
  note: string | null;
  hook?: CommitHook;
}

type Placed = PlacedOrder | PlacedOrder[];

/** A placement waiting in the group-commit queue: `place` (one vendor, answered with its one order) or a checkout. */
export interface PlaceJob {
  actor: Actor;
  lines: OrderLine[];
  oneVendor: boolean;
  /** Answered with the one order (`place`) rather than the list (a checkout). */
  single: boolean;
  paperwork: OrderPaperworkInput | undefined;
  hook?: CommitHook;
}

/** A payment waiting in the group-commit queue, with its request's Idempotency-Key hook (if any). */
export interface PayJob {
  actor: Actor;
  orderId: number;
  hook?: CommitHook;
}
