import { z } from 'zod';

/** JSON sends a boolean; the page's checkbox sends "on" or nothing. */
export const FirstPurchasePolicyInput = z.object({
  keySupportedOnly: z.union([z.boolean(), z.literal('on'), z.literal('true'), z.literal('false')], { message: 'validation.boolean' }).transform((v) => v === true || v === 'on' || v === 'true'),
});
export type FirstPurchasePolicyInput = z.output<typeof FirstPurchasePolicyInput>;
