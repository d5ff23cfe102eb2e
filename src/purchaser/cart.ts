import type { Context } from 'koa';
import type { Executor } from '../db';
import { AppError } from '../errors';
import { Money } from '../money';
import type { OrderLine } from '../orders/schema';
import type { AppState } from '../web/state';
import { cartProducts } from './repo';

/** The cart lives in the purchaser's server-side session (`ctx.state.session.cart`), nowhere else. */
export const MAX_CART_LINES = 50;
export const MAX_QUANTITY = 10_000;

export function cartOf(ctx: Context): OrderLine[] {
  return [...((ctx.state as AppState).session?.cart ?? [])];
}

export function saveCart(ctx: Context, lines: OrderLine[]): void {
  const state = ctx.state as AppState;
  state.session = state.session ?? {};
  if (lines.length) state.session.cart = lines;
  else delete state.session.cart;
}

/** Adds to a line (or makes one); `set` replaces the quantity instead, and 0 removes the line. */
export function changeLine(lines: OrderLine[], productId: number, quantity: number, mode: 'add' | 'set'): OrderLine[] {
  const existing = lines.find((l) => l.productId === productId);
  const next = mode === 'add' ? (existing?.quantity ?? 0) + quantity : quantity;
  if (next > MAX_QUANTITY) throw new AppError('validation_failed', 'validation.too_big', { field: 'quantity', max: MAX_QUANTITY }, 'quantity');
  const others = lines.filter((l) => l.productId !== productId);
  if (next <= 0) return others;
  if (!existing && others.length >= MAX_CART_LINES) throw new AppError('conflict', 'purchaser.cart_full', { max: MAX_CART_LINES });
  return existing ? lines.map((l) => (l.productId === productId ? { productId, quantity: next } : l)) : [...lines, { productId, quantity: next }];
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
}

/** The cart as the pages show it: one group per vendor (each becomes one order), with subtotals and the total. */
export async function cartView(db: Executor, lines: OrderLine[]): Promise<{ groups: CartGroup[]; total: string; totalFen: number; count: number; blocked: boolean }> {
  const products = new Map((await cartProducts(db, lines.map((l) => l.productId))).map((p) => [Number(p.id), p]));
  const groups = new Map<number, CartGroup & { fen: number }>();
  let totalFen = 0;
  let blocked = false;
  for (const l of lines) {
    const p = products.get(l.productId);
    if (!p) {
      blocked = true;
      continue;
    }
    const amountFen = Money.ofFen(p.price_fen).times(l.quantity).fen;
    const available = p.status === 'approved' && p.stock >= l.quantity;
    if (!available) blocked = true;
    const g = groups.get(p.vendor_id) ?? { vendorId: p.vendor_id, vendorName: p.vendor_name, lines: [], subtotal: '0.00', fen: 0 };
    g.lines.push({ productId: p.id, title: p.title, model: p.model, unit: p.unit, quantity: l.quantity, price: Money.ofFen(p.price_fen).toString(), amount: Money.ofFen(amountFen).toString(), stock: p.stock, available });
    g.fen += amountFen;
    g.subtotal = Money.ofFen(g.fen).toString();
    totalFen += amountFen;
    groups.set(p.vendor_id, g);
  }
  return {
    groups: [...groups.values()].map(({ fen: _fen, ...g }) => g),
    total: Money.ofFen(totalFen).toString(),
    totalFen,
    count: lines.length,
    blocked,
  };
}
