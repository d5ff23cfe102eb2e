import { recordAudits } from '../../src/audit';
import type { AuditEntry } from '../../src/audit/service';
import type { FakeClock } from '../../src/clock';
import { concurrently, insertRows, type Executor } from '../../src/db';
import { Ledger } from '../../src/ledger/service';
import { budgetAccount, commitmentAccount } from '../../src/ledger/accounts';
import { AppError } from '../../src/errors';
import { Money } from '../../src/money';
import { formatOrderNo } from '../../src/orders/numbers';
import { resolvePaperwork, type OrderPaperwork } from '../../src/orders/paperwork';
import { findOrderableProducts, findOrdersForTrade, insertHistory, moveStatuses, tradeContext } from '../../src/orders/repo';
import { orderKey, tradeFacts } from '../../src/orders/service';
import { decide, type OrderAction, type OrderStatus } from '../../src/orders/transitions';
import { can } from '../../src/policies';
import { shanghaiDay } from '../../src/time';
import type { Actor } from '../../src/web/state';

/*
 * The demo's history of boutique orders, written many orders to a statement: some 9,500 settled trades over
 * 2019–2026 would take a minute one service call per step (about 40 statements per order), and first start must stay
 * within seconds. This is the group-commit path of OrderService (`payTogether`: one statement per table for a batch
 * of payments) applied to every step of an order, for the demo loader only, inside its one transaction:
 *
 *   - the same rules: the policy (`can(actor, 'order.place')`), the transitions table (`decide` for every order and
 *     step, with the actor taking it), the direct-purchase limit, the listing approved and in stock, the budget
 *     (the Ledger refuses a reservation the budget cannot cover);
 *   - the same rows: orders with their human numbers from the year's sequence, items, one history row and one audit
 *     record (same action, before and after) per step, and the money moved only by the Ledger — reservations with
 *     `transferAll`, settlements with `settleAll`, which writes the trade facts (`tradeFacts` of the order) as one
 *     settlement at a time would. The hash chains of the audit log and the ledger run on as one by one.
 *
 * What differs is time: the orders of a batch take each step at one instant (placed together, paid together), as
 * purchasing units' orders and the treasury's payment runs often are. test/integration/demo-bulk-orders.test.ts
 * compares the rows with those OrderService writes for the same orders.
 */

export interface BulkOrder {
  buyer: Actor;
  seller: Actor;
  productId: number;
  quantity: number;
}

/** One step of a batch: the instant it happens. `place` is the first, then the transitions table's actions. */
export type BulkStep = 'place' | Extract<OrderAction, 'confirm' | 'deliver' | 'accept' | 'pay'>;
export const BULK_STEPS: BulkStep[] = ['place', 'confirm', 'deliver', 'accept', 'pay'];

/** A batch's orders once placed: their ids and states, kept between its steps. */
export interface PlacedBatch {
  orders: Array<BulkOrder & { id: number; orderNo: string; status: OrderStatus; totalFen: number; purchaserId: number; vendorId: number }>;
}

const WHO: Record<Exclude<BulkStep, 'place'>, 'buyer' | 'seller'> = { confirm: 'seller', deliver: 'seller', accept: 'buyer', pay: 'buyer' };

/** A unit without a default address: its orders carry no paperwork (as OrderService.place without any). */
const noDefaults = (err: unknown): null => {
  if (err instanceof AppError && err.code === 'validation_failed') return null;
  throw err;
};

export class BulkOrders {
  private readonly ledger: Ledger;
  /** Each unit's default paperwork (address, contact, invoice title), as OrderService takes it for an order placed without any. */
  private readonly paperwork = new Map<number, OrderPaperwork | null>();

  constructor(
    private readonly trx: Executor,
    private readonly clock: FakeClock,
    private readonly limitFen: number,
  ) {
    this.ledger = new Ledger(clock);
  }

  private at(instant: string): string {
    this.clock.set(new Date(instant), { freeze: true });
    return this.clock.now().toISOString();
  }

  /** Places the batch's orders at `instant`: one order per line, each of one vendor, budget reserved. */
  async place(instant: string, lines: BulkOrder[]): Promise<PlacedBatch> {
    const trx = this.trx;
    const now = this.at(instant);
    for (const l of lines) if (!can(l.buyer, 'order.place', null)) throw new Error(`demo orders: ${l.buyer.username} may not place orders`);
    const products = new Map((await findOrderableProducts(trx, [...new Set(lines.map((l) => l.productId))])).map((p) => [Number(p.id), p]));
    const taken = new Map<number, number>();
    const planned = lines.map((l) => {
      const p = products.get(l.productId);
      if (!p || p.status !== 'approved') throw new Error(`demo orders: product ${l.productId} is not orderable`);
      const totalFen = Money.ofFen(p.price_fen).times(l.quantity).fen;
      if (totalFen > this.limitFen) throw new Error(`demo orders: an order of ${totalFen} fen is above the direct-purchase limit`);
      taken.set(p.id, (taken.get(p.id) ?? 0) + l.quantity);
      return { ...l, product: p, totalFen, purchaserId: l.buyer.purchaserId as number, vendorId: Number(p.vendor_id) };
    });
    // Stock: what the batch takes of each listing, refused if the shelf does not hold it (one statement).
    for (const [id, n] of taken) if ((products.get(id)?.stock ?? 0) < n) throw new Error(`demo orders: product ${id} has not ${n} in stock`);
    const ids = [...taken.keys()];
    await trx('products')
      .whereIn('id', ids)
      .update({ stock: trx.raw(`stock - CASE id ${ids.map(() => 'WHEN ? THEN CAST(? AS INTEGER)').join(' ')} END`, ids.flatMap((id) => [id, taken.get(id)!])) });

    // Human numbers: the year's sequence moved on by the batch's count in one upsert.
    for (const id of new Set(planned.map((o) => o.purchaserId))) {
      if (!this.paperwork.has(id)) this.paperwork.set(id, await resolvePaperwork(trx, this.clock, id, {}).catch(noDefaults));
    }
    const year = Number(shanghaiDay(new Date(now)).slice(0, 4));
    const [{ last }] = await trx('order_number_sequences')
      .insert({ year, last: planned.length })
      .onConflict('year')
      .merge({ last: trx.raw('?? + ?', ['order_number_sequences.last', planned.length]) })
      .returning('last');
    const first = Number(last) - planned.length + 1;
    const inserted = await insertRows<{ id: number; order_no: string }>(
      trx,
      'orders',
      planned.map((o, i) => ({
        order_no: formatOrderNo(year, first + i),
        purchaser_id: o.purchaserId,
        vendor_id: o.vendorId,
        status: 'placed',
        total_fen: o.totalFen,
        acceptance_note: null,
        created_by: o.buyer.id,
        demo: false,
        created_at: now,
        updated_at: now,
        ...(this.paperwork.get(o.purchaserId) ?? {}),
      })),
      ['id', 'order_no'],
    );
    const byNo = new Map(inserted.map((r) => [r.order_no, Number(r.id)]));
    const orders = planned.map((o, i) => ({ ...o, id: byNo.get(formatOrderNo(year, first + i)) as number, orderNo: formatOrderNo(year, first + i), status: 'placed' as OrderStatus }));
    // Once the orders have their ids, their items, history, audit records and reservations do not depend on each other:
    // sent side by side (src/db/concurrently.ts), as OrderService sends a payment's writes.
    const orderNo = new Map(orders.map((o, i) => [o.id, formatOrderNo(year, first + i)]));
    await concurrently(
      trx,
      () =>
        insertRows(
          trx,
          'order_items',
          orders.map((o) => ({ order_id: o.id, product_id: o.product.id, title: o.product.title, quantity: o.quantity, unit_price_fen: o.product.price_fen, amount_fen: o.totalFen })),
        ),
      () => insertHistory(trx, orders.map((o) => ({ order_id: o.id, from_status: null, to_status: 'placed' as const, actor_id: o.buyer.id, note: null, at: now }))),
      () =>
        recordAudits(
          trx,
          this.clock,
          orders.map(
            (o): AuditEntry => ({
              actor: o.buyer,
              action: 'order.place',
              entity: 'order',
              entityId: o.id,
              after: { orderNo: orderNo.get(o.id), status: 'placed', total: Money.ofFen(o.totalFen).toString(), vendorId: o.vendorId, items: [{ productId: o.product.id, quantity: o.quantity }] },
            }),
          ),
        ),
      () =>
        this.ledger.transferAll(
          trx,
          orders.map((o) => ({ from: budgetAccount(o.purchaserId), to: commitmentAccount(o.purchaserId), amountFen: o.totalFen, kind: 'reserve' as const, idempotencyKey: orderKey(o.id, 'reserve'), actorId: o.buyer.id, orderId: o.id })),
        ),
    );
    return { orders: orders.map(({ product: _p, ...o }) => o) };
  }

  /** One step of the transitions table for every order of the batch, at `instant`, by the party the table names. */
  async step(instant: string, batch: PlacedBatch, action: Exclude<BulkStep, 'place'>): Promise<void> {
    const trx = this.trx;
    const now = this.at(instant);
    const moves = batch.orders.map((o) => {
      const actor = o[WHO[action]];
      const verdict = decide(action, actor, { purchaserId: o.purchaserId, vendorId: o.vendorId, status: o.status });
      if (!verdict.ok) throw new Error(`demo orders: ${action} refused for order ${o.id} (${verdict.key})`);
      return { o, actor, to: verdict.to };
    });
    const to = moves[0].to;
    const from = batch.orders[0].status;
    const ids = batch.orders.map((o) => o.id);
    // The step's writes side by side, as OrderService.payTogether sends them (src/db/concurrently.ts).
    const [moved] = await concurrently(
      trx,
      () => moveStatuses(trx, ids, from, to, now),
      () => insertHistory(trx, moves.map((m) => ({ order_id: m.o.id, from_status: from, to_status: to, actor_id: m.actor.id, note: null, at: now }))),
      () =>
        recordAudits(
          trx,
          this.clock,
          moves.map((m): AuditEntry => ({ actor: m.actor, action: `order.${action}`, entity: 'order', entityId: m.o.id, before: { status: from }, after: { orderNo: m.o.orderNo, status: to } })),
        ),
      async () => {
        if (action !== 'pay') return;
        const context = new Map((await findOrdersForTrade(trx, ids)).map((c) => [Number(c.id), c]));
        await this.ledger.settleAll(
          trx,
          moves.map((m) => ({ amountFen: m.o.totalFen, ref: { orderId: m.o.id }, trade: tradeFacts(tradeContext(context.get(m.o.id)!)), key: orderKey(m.o.id, 'settle'), actorId: m.actor.id })),
        );
      },
    );
    if (moved.length !== ids.length) throw new Error(`demo orders: not every order was ${from}`);
    for (const o of batch.orders) o.status = to;
  }
}
