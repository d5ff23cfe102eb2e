import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db, type Executor } from '../db';
import { AppError, invalidField, notFound } from '../errors';
import { shanghaiDay } from '../time';
import type { Actor } from '../web';
import { clearDefault, deleteAddress, findAddress, insertAddress, setInvoiceTitle, unitAddresses, unitProfile, updateAddress, type AddressRow, type UnitProfile } from './address-repo';
import { BUDGET_CODE_PATTERN, PHONE_PATTERN, type AddressInput, type OrderPaperworkInput } from './schema';

/** What an order is placed with besides its lines, as stored on the order (`orders.*` columns). */
export interface OrderPaperwork {
  delivery_address: string;
  contact_person: string;
  contact_phone: string;
  delivery_date: string | null;
  budget_code: string | null;
  invoice_title: string;
}

/** A requested delivery day at most this many days ahead. */
export const MAX_DELIVERY_DAYS = 366;

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The paperwork of an order from what the caller gave and the unit's profile: a delivery address, contact person or
 * phone left out is the unit's default address's (all three from it when the address is left out); the invoice title
 * the unit's (its name when it has none). A field still missing — the unit has no default address — is a 422 naming
 * it. Formats: a phone number as people write one, a budget code as the plans are numbered, a delivery day from
 * today (Asia/Shanghai) to a year ahead.
 */
export async function resolvePaperwork(db: Executor, clock: Clock, purchaserId: number, input: OrderPaperworkInput): Promise<OrderPaperwork> {
  return paperworkFrom(await unitProfile(db, purchaserId), clock, input);
}

/**
 * What is wrong with the given phone, budget code and delivery day, each as its field's 422, in that order (the API
 * answers the first; the checkout page shows them all beside their fields).
 */
export function paperworkProblems(clock: Clock, input: Pick<OrderPaperworkInput, 'contactPhone' | 'budgetCode' | 'deliveryDate'>): AppError[] {
  const out: AppError[] = [];
  if (input.contactPhone !== undefined && !PHONE_PATTERN.test(input.contactPhone)) out.push(invalidField('contactPhone', 'orders.phone_invalid'));
  if (input.budgetCode !== undefined && !BUDGET_CODE_PATTERN.test(input.budgetCode)) out.push(invalidField('budgetCode', 'orders.budget_code_invalid'));
  if (input.deliveryDate !== undefined) {
    const today = shanghaiDay(clock.now());
    const last = addDays(today, MAX_DELIVERY_DAYS);
    if (input.deliveryDate < today) out.push(invalidField('deliveryDate', 'orders.delivery_date_past', { today }));
    else if (input.deliveryDate > last) out.push(invalidField('deliveryDate', 'orders.delivery_date_far', { last }));
  }
  return out;
}

/** `resolvePaperwork` with the unit's profile read already (placing several orders at once reads them together). */
export function paperworkFrom(profile: UnitProfile | null, clock: Clock, input: OrderPaperworkInput): OrderPaperwork {
  const home = profile?.defaultAddress ?? null;
  const address = input.deliveryAddress ?? home?.address;
  const person = input.contactPerson ?? home?.contact_person;
  const phone = input.contactPhone ?? home?.phone;
  if (!address) throw invalidField('deliveryAddress', 'orders.no_default_address');
  if (!person) throw invalidField('contactPerson', 'orders.no_default_contact');
  if (!phone) throw invalidField('contactPhone', 'orders.no_default_phone');
  const [problem] = paperworkProblems(clock, input);
  if (problem) throw problem;
  return {
    delivery_address: address,
    contact_person: person,
    contact_phone: phone,
    delivery_date: input.deliveryDate ?? null,
    budget_code: input.budgetCode ?? null,
    invoice_title: input.invoiceTitle ?? (profile?.invoiceTitle || profile?.name || ''),
  };
}

export interface AddressView {
  id: number;
  label: string;
  address: string;
  contactPerson: string;
  phone: string;
  isDefault: boolean;
}

export const addressView = (r: AddressRow): AddressView => ({
  id: Number(r.id),
  label: r.label,
  address: r.address,
  contactPerson: r.contact_person,
  phone: r.phone,
  isDefault: Boolean(r.is_default),
});

/** At most this many addresses per unit. */
export const MAX_ADDRESSES = 20;

/**
 * A purchasing unit's address book (收货地址簿) and invoice title: what checkout is prefilled with and what the JSON
 * route takes when an order leaves them out. One default at a time; the first address becomes it; removing the
 * default makes the oldest remaining one the default. Every change is audited.
 */
export class AddressBook {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private unitOf(actor: Actor): number {
    if (actor.role !== 'purchaser' || !actor.purchaserId) throw new AppError('forbidden', 'errors.wrong_role');
    return actor.purchaserId;
  }

  async list(actor: Actor): Promise<{ addresses: AddressView[]; invoiceTitle: string; unitName: string }> {
    const unit = this.unitOf(actor);
    const [rows, profile] = await Promise.all([unitAddresses(executorFor(this.db), unit), unitProfile(executorFor(this.db), unit)]);
    return { addresses: rows.map(addressView), invoiceTitle: profile?.invoiceTitle || profile?.name || '', unitName: profile?.name ?? '' };
  }

  async get(actor: Actor, id: number): Promise<AddressView> {
    const row = await findAddress(executorFor(this.db), this.unitOf(actor), id);
    if (!row) throw notFound('orders.address_not_found');
    return addressView(row);
  }

  add(actor: Actor, input: AddressInput): Promise<AddressView> {
    const unit = this.unitOf(actor);
    if (!PHONE_PATTERN.test(input.phone)) throw invalidField('phone', 'orders.phone_invalid');
    return writeTransaction(this.db, async (trx) => {
      const existing = await unitAddresses(trx, unit);
      if (existing.length >= MAX_ADDRESSES) throw new AppError('conflict', 'orders.address_book_full', { max: MAX_ADDRESSES });
      const isDefault = input.isDefault || existing.length === 0;
      if (isDefault) await clearDefault(trx, unit);
      const now = this.clock.now().toISOString();
      const id = await insertAddress(trx, { purchaser_id: unit, label: input.label ?? '', address: input.address, contact_person: input.contactPerson, phone: input.phone, is_default: isDefault, created_at: now, updated_at: now });
      await recordAudit(trx, this.clock, { actor, action: 'purchaser.address_add', entity: 'purchaser', entityId: unit, after: { addressId: id, address: input.address, isDefault } });
      return addressView((await findAddress(trx, unit, id))!);
    });
  }

  update(actor: Actor, id: number, input: AddressInput): Promise<AddressView> {
    const unit = this.unitOf(actor);
    if (!PHONE_PATTERN.test(input.phone)) throw invalidField('phone', 'orders.phone_invalid');
    return writeTransaction(this.db, async (trx) => {
      const before = await findAddress(trx, unit, id);
      if (!before) throw notFound('orders.address_not_found');
      // The default stays the default (another is made the default by choosing it, not by unticking this one).
      const isDefault = input.isDefault || Boolean(before.is_default);
      if (isDefault && !before.is_default) await clearDefault(trx, unit);
      await updateAddress(trx, unit, id, { label: input.label ?? '', address: input.address, contact_person: input.contactPerson, phone: input.phone, is_default: isDefault, updated_at: this.clock.now().toISOString() });
      await recordAudit(trx, this.clock, { actor, action: 'purchaser.address_edit', entity: 'purchaser', entityId: unit, before: { addressId: id, address: before.address }, after: { addressId: id, address: input.address, isDefault } });
      return addressView((await findAddress(trx, unit, id))!);
    });
  }

  makeDefault(actor: Actor, id: number): Promise<void> {
    const unit = this.unitOf(actor);
    return writeTransaction(this.db, async (trx) => {
      const row = await findAddress(trx, unit, id);
      if (!row) throw notFound('orders.address_not_found');
      if (row.is_default) return;
      await clearDefault(trx, unit);
      await updateAddress(trx, unit, id, { is_default: true, updated_at: this.clock.now().toISOString() });
      await recordAudit(trx, this.clock, { actor, action: 'purchaser.address_edit', entity: 'purchaser', entityId: unit, after: { addressId: id, isDefault: true } });
    });
  }

  remove(actor: Actor, id: number): Promise<void> {
    const unit = this.unitOf(actor);
    return writeTransaction(this.db, async (trx) => {
      const before = await findAddress(trx, unit, id);
      if (!before || !(await deleteAddress(trx, unit, id))) throw notFound('orders.address_not_found');
      if (before.is_default) {
        const [next] = await unitAddresses(trx, unit);
        if (next) await updateAddress(trx, unit, next.id, { is_default: true });
      }
      await recordAudit(trx, this.clock, { actor, action: 'purchaser.address_remove', entity: 'purchaser', entityId: unit, before: { addressId: id, address: before.address } });
    });
  }

  setInvoiceTitle(actor: Actor, title: string): Promise<void> {
    const unit = this.unitOf(actor);
    return writeTransaction(this.db, async (trx) => {
      await setInvoiceTitle(trx, unit, title);
      await recordAudit(trx, this.clock, { actor, action: 'purchaser.invoice_title', entity: 'purchaser', entityId: unit, after: { invoiceTitle: title } });
    });
  }
}
