import type { Executor } from '../db';
import { AppError } from '../errors';
import Decimal from 'decimal.js';
import { inMoneyRange, Money, MoneyError } from '../money';
import type { OrderLine } from '../orders';
import { cartProducts } from './repo';

/**
 * The cart is the purchaser's (the user's), kept in `cart_lines`: it survives logging out and in again, and the
 * same login on two devices shares it. Lines keep the order they were added in.
 */
export const MAX_CART_LINES = 50;
export const MAX_QUANTITY = 10_000;

export async function cartOf(db: Executor, userId: number): Promise<OrderLine[]> {
  const rows: Array<{ product_id: number; quantity: number }> = await db('cart_lines').where({ user_id: userId }).orderBy('id').select('product_id', 'quantity');
  return rows.map((r) => ({ productId: Number(r.product_id), quantity: Number(r.quantity) }));
}

/** Replaces the user's cart with `lines`: a changed line keeps its place, a new one comes last, a missing one goes. */
export async function saveCart(db: Executor, userId: number, lines: OrderLine[], now: string): Promise<void> {
  const old = new Map((await cartOf(db, userId)).map((l) => [l.productId, l.quantity]));
  const keep = new Set(lines.map((l) => l.productId));
  const gone = [...old.keys()].filter((id) => !keep.has(id));
  if (gone.length) await db('cart_lines').where({ user_id: userId }).whereIn('product_id', gone).del();
  for (const l of lines) {
    if (!old.has(l.productId)) await db('cart_lines').insert({ user_id: userId, product_id: l.productId, quantity: l.quantity, updated_at: now });
    else if (old.get(l.productId) !== l.quantity) await db('cart_lines').where({ user_id: userId, product_id: l.productId }).update({ quantity: l.quantity, updated_at: now });
  }
}

/** Adds to a line (or makes one); `set` replaces the quantity instead, and 0 removes the line. */
export function changeLine(lines: OrderLine[], productId: number, quantity: number, mode: 'add' | 'set'): OrderLine[] {
  const existing = lines.find((l) => l.productId === productId);
  const next = mode === 'add' ? (existing?.quantity ?? 0) + quantity : quantity;
  if (next > MAX_QUANTITY) throw new AppError('validation_failed', 'validation.at_most', { field: 'quantity', max: MAX_QUANTITY }, 'quantity');
  const others = lines.filter((l) => l.productId !== productId);
  if (next <= 0) return others;
  if (!existing && others.length >= MAX_CART_LINES) throw new AppError('conflict', 'purchaser.cart_full', { max: MAX_CART_LINES });
  return existing ? lines.map((l) => (l.productId === productId ? { productId, quantity: next } : l)) : [...lines, { productId, quantity: next }];
}

const yuan = (fen: Decimal): string => fen.dividedBy(100).toFixed(2);

/** A line of `quantity` at the product's price must stay within the money range (422 on quantity). */
export async function checkLineAmount(db: Executor, productId: number, quantity: number): Promise<void> {
  const [p] = await cartProducts(db, [productId]);
  if (p && !inMoneyRange(new Decimal(p.price_fen).times(quantity))) throw new MoneyError(`cart line of product ${productId}`, 'quantity');
}

export interface CartLineView {
  productId: number;
  title: string;
  model: string;
  unit: string;
  quantity: number;
  price: string;
  amount: string;
  stock: number;
  available: boolean;
}

export interface CartGroup {
  vendorId: number;
  vendorName: string;
  lines: CartLineView[];
  subtotal: string;
  /** The group's total is above the direct-purchase limit: it cannot become an order (DESIGN §9). */
  overLimit: boolean;
}

/**
 * The cart as the pages show it: one group per vendor (each becomes one order), with subtotals and the total. A group
 * above the direct-purchase limit (`limitFen`) is marked and blocks checkout.
 */
export async function cartView(
  db: Executor,
  lines: OrderLine[],
  limitFen: number,
): Promise<{ groups: CartGroup[]; total: string; totalFen: number; count: number; blocked: boolean; overLimit: boolean; overLimitProductId: number | null; limit: string }> {
  const products = new Map((await cartProducts(db, lines.map((l) => l.productId))).map((p) => [Number(p.id), p]));
  const groups = new Map<number, CartGroup & { fen: Decimal }>();
  let total = new Decimal(0);
  let blocked = false;
  for (const l of lines) {
    const p = products.get(l.productId);
    if (!p) {
      blocked = true;
      continue;
    }
    // Sums in decimal: a price raised after the line was added may take a line or a total past the money range;
    // the cart still shows, and such a line blocks checkout like an unavailable one.
    const amount = new Decimal(p.price_fen).times(l.quantity);
    const g = groups.get(p.vendor_id) ?? { vendorId: p.vendor_id, vendorName: p.vendor_name, lines: [], subtotal: '0.00', overLimit: false, fen: new Decimal(0) };
    g.fen = g.fen.plus(amount);
    const available = p.status === 'approved' && p.stock >= l.quantity && inMoneyRange(amount) && inMoneyRange(g.fen);
    if (!available) blocked = true;
    g.lines.push({ productId: p.id, title: p.title, model: p.model, unit: p.unit, quantity: l.quantity, price: Money.ofFen(p.price_fen).toString(), amount: yuan(amount), stock: p.stock, available });
    g.subtotal = yuan(g.fen);
    g.overLimit = g.fen.greaterThan(limitFen);
    total = total.plus(amount);
    groups.set(p.vendor_id, g);
  }
  if (!inMoneyRange(total)) blocked = true;
  const overLimit = [...groups.values()].some((g) => g.overLimit);
  // The product a 政府首购 is opened for from the cart: the dearest line of the first group above the limit.
  const over = [...groups.values()].find((g) => g.overLimit);
  const dearest = over?.lines.reduce((a, b) => (new Decimal(b.amount).greaterThan(a.amount) ? b : a));
  return {
    groups: [...groups.values()].map(({ fen: _fen, ...g }) => g),
    overLimit,
    overLimitProductId: dearest ? dearest.productId : null,
    limit: Money.ofFen(limitFen).toString(),
    total: yuan(total),
    totalFen: total.toNumber(),
    count: lines.length,
    blocked,
  };
}
