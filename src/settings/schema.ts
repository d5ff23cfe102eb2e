import { z } from 'zod';
import { positiveMoney } from '../schema';

const policyFlag = z
  .union([z.boolean(), z.literal('on'), z.literal('true'), z.literal('false')], { message: 'validation.boolean' })
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
