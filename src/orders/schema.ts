import { z } from 'zod';
import { dateInput, formText, halfWidth, optionalText, phoneText, requiredText, wholeNumber as whole, withFieldLabels } from '../schema';

/** The life of a boutique-hall order (精品馆直购), DESIGN §2; the steps between the states: transitions.ts. */
export const ORDER_STATUSES = ['placed', 'confirmed', 'delivered', 'accepted', 'paid', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const OrderLine = z.object({
  productId: whole(1, 999_999_999),
  quantity: whole(1, 10_000),
});
export type OrderLine = z.output<typeof OrderLine>;

/** A phone number: a mobile (13912345678), or a landline with its area code (0571-87654321), an extension after 转 or -. */
export const PHONE_PATTERN = /^(?:\+?86[\s-]?)?(?:1[3-9]\d{9}|0\d{2,3}[\s-]?\d{7,8}(?:(?:\s*转\s*|-)\d{1,6})?|[48]00[\s-]?\d{3}[\s-]?\d{4})$/;
/**
 * 采购计划编号 as the finance departments' systems issue them: letters, digits and Chinese characters with the usual
 * separators and brackets, 6 to 40 characters, naming a year (浙财采计〔2026〕00123号, ZJCG-2026-000123, 330100-2026-0012).
 */
export const BUDGET_CODE_PATTERN = /^(?=.*20\d{2})[\p{Script=Han}A-Za-z0-9〔〕［］[\]（）()\-_/.·]{6,40}$/u;

// The formats (PHONE_PATTERN, BUDGET_CODE_PATTERN) are the service's rules, refused there in their own words.
const budgetCode = optionalText(50);

/**
 * What an order is placed with besides its lines (its paperwork): where and to whom it goes, when it is wanted, the
 * procurement plan and the invoice title. Each is optional on the JSON route (its callers predate them): the unit's
 * default address and contact, and its invoice title, stand in for what is left out (service.ts).
 */
const Paperwork = {
  deliveryAddress: optionalText(300),
  contactPerson: optionalText(50),
  contactPhone: optionalText(50).transform((v) => (v === undefined ? v : halfWidth(v))),
  deliveryDate: dateInput.optional(),
  budgetCode,
  invoiceTitle: optionalText(200),
};

/** `POST /api/v1/orders`. */
export const OrderInput = z.object({
  items: z.array(OrderLine, { message: 'validation.invalid_type' }).min(1, 'validation.required').max(50, 'validation.too_big'),
  ...Paperwork,
});
export type OrderInput = z.output<typeof OrderInput>;

/** The paperwork as the service takes it. */
export type OrderPaperworkInput = Partial<Omit<OrderInput, 'items'>>;

/** The checkout page's form: the same fields, all but the budget code required there (the cart gives the lines). */
export const CheckoutInput = withFieldLabels(z.object({
  deliveryAddress: requiredText(300),
  contactPerson: requiredText(50),
  contactPhone: phoneText(50),
  deliveryDate: z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').pipe(dateInput),
  budgetCode,
  invoiceTitle: requiredText(200),
  /** The address book entry the form was filled from (kept on a refusal); not part of the order. */
  addressId: z.string().max(12).optional(),
}), { contactPerson: 'orders.contact_person' });
export type CheckoutInput = z.output<typeof CheckoutInput>;

/** An entry of a unit's address book (收货地址簿). */
export const AddressInput = z.object({
  label: optionalText(50),
  address: requiredText(300),
  contactPerson: requiredText(50),
  phone: phoneText(50),
  isDefault: z
    .union([z.boolean(), formText().pipe(z.enum(['on', 'true', '1', 'false', '0', ''], { message: 'validation.invalid' }))], { message: 'validation.invalid' })
    .optional()
    .transform((v) => v === true || v === 'on' || v === 'true' || v === '1'),
});
export type AddressInput = z.output<typeof AddressInput>;

/** The unit's invoice title (开票抬头). */
export const InvoiceTitleInput = z.object({ invoiceTitle: requiredText(200) });

/** 验收意见: optional with the acceptance. */
export const AcceptInput = z.object({
  note: z.string().trim().max(1000, 'validation.too_long').optional(),
});
export type AcceptInput = z.output<typeof AcceptInput>;

/**
 * 取消订单 and 退款: why (kept in the order's history, shown to the other side). Optional on the JSON routes, whose
 * callers predate it (no reason: the history says none was given); the page form requires it (the step's field is
 * `required`). `confirm` is the page's second POST, after the confirmation page; JSON callers need not send it.
 */
export const ReasonInput = z.object({
  reason: optionalText(500),
  confirm: z.string().max(10, 'validation.too_long').optional(),
});
export type ReasonInput = z.output<typeof ReasonInput>;

/** The other steps (confirm, deliver, pay) take no input: an object, whatever it holds, or nothing. */
export const NoInput = z.object({});

export const OrderListQuery = z.object({
  status: z.enum(ORDER_STATUSES, { message: 'validation.one_of' }).optional(),
  page: whole(1, 100_000).optional().transform((v) => v ?? 1),
  pageSize: whole(1, 100).optional().transform((v) => v ?? 20),
  lang: z.string().optional(),
});
export type OrderListQuery = z.output<typeof OrderListQuery>;

/** The cart page: add a line, or set a line's quantity (0 removes it). */
export const CartLine = z.object({
  productId: whole(1, 999_999_999),
  quantity: whole(0, 10_000),
});
export type CartLine = z.output<typeof CartLine>;
