import { z } from 'zod';
import { formText, positiveMoney } from '../schema';

const policyFlag = z
  .union([z.boolean(), formText().pipe(z.enum(['on', 'true', 'false']))], { message: 'validation.boolean' })
  .transform((v) => v === true || v === 'on' || v === 'true');

/** JSON sends a boolean; the page's checkbox sends "on" or nothing. */
export const FirstPurchasePolicyInput = z.object({
  keySupportedOnly: policyFlag,
});
export type FirstPurchasePolicyInput = z.output<typeof FirstPurchasePolicyInput>;

/**
 * `POST /api/v1/admin/settings`: any of the department's settings; what is not sent stays as it is. The
 * direct-purchase limit is money (a yuan string, more than zero) → whole fen.
 */
export const SettingsInput = z
  .object({
    keySupportedOnly: policyFlag.optional(),
    directPurchaseLimit: positiveMoney.optional(),
  })
  .refine((v) => v.keySupportedOnly !== undefined || v.directPurchaseLimit !== undefined, { message: 'validation.required', path: ['directPurchaseLimit'] });
export type SettingsInput = z.output<typeof SettingsInput>;

const contactText = (max: number) => z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.too_long');

/**
 * `POST /api/v1/admin/settings/finance-department`: the finance department's name, address, contact person and phone,
 * as the single-source notices publish them (MoF Order No. 74 art. 38). All four are required.
 */
export const FinanceDepartmentInput = z.object({
  name: contactText(200),
  address: contactText(300),
  contactPerson: contactText(50),
  phone: contactText(50).pipe(z.string().regex(/^[0-9+\-()（）\s转]{5,50}$/, 'validation.invalid')),
});
export type FinanceDepartmentInput = z.output<typeof FinanceDepartmentInput>;

/** `POST /api/v1/admin/settings/purchase-intentions`: whether a 政府首购 case needs a published intention, and how long. */
export const IntentionRuleInput = z.object({
  required: policyFlag,
  minDays: z.number({ message: 'validation.invalid' }).int('validation.invalid').min(0, 'validation.invalid').max(365, 'validation.invalid').optional(),
});
export type IntentionRuleInput = z.output<typeof IntentionRuleInput>;
