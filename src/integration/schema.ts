import { z } from 'zod';
import { positiveMoney, requiredText, wholeNumber } from '../schema';

/** `POST /api/v1/admin/webhooks`. The URL rule (production: https, public addresses) is the service's. */
export const WebhookInput = z.object({
  url: requiredText(2000),
  events: z
    .array(z.string({ message: 'validation.invalid' }).trim().min(1, 'validation.required').max(64, 'validation.too_long'), { message: 'validation.required' })
    .min(1, 'validation.required')
    .max(100, 'validation.too_long'),
  // Any length outside production (API.md sets none; local hosts and tests use short ones); 16 or more in production.
  secret: z.string({ message: 'validation.required' }).min(1, 'validation.required').max(200, 'validation.too_long'),
});
export type WebhookInput = z.output<typeof WebhookInput>;

export const EventsQuery = z.object({
  after: wholeNumber(0, 2 ** 31 - 1).optional().default(0),
  pageSize: wholeNumber(1, 100).optional().default(20),
});
export type EventsQuery = z.output<typeof EventsQuery>;

export const ListQuery = z.object({
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
});

export const DeliveriesQuery = ListQuery.extend({
  status: z.enum(['pending', 'delivered', 'dead'], { message: 'validation.invalid' }).optional(),
});

/** `YYYY-MM`, a real month. */
const month = z
  .string({ message: 'validation.required' })
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'validation.invalid');

/** `POST /api/v1/purchase-intentions` (采购意向): the project, the goods, the budget, the expected month. */
export const IntentionInput = z.object({
  projectName: requiredText(200),
  goods: requiredText(2000),
  budget: positiveMoney,
  expectedMonth: month,
  /** The product the case will name, when the unit knows it already (one way a case matches the intention). */
  productId: wholeNumber(1, 2 ** 31 - 1).optional(),
});
export type IntentionInput = z.output<typeof IntentionInput>;

export const IntentionListQuery = ListQuery.extend({
  purchaserId: wholeNumber(1, 2 ** 31 - 1).optional(),
});

/** `GET /api/v1/ocds/releases`: the releases after a cursor (an event's `seq`), at most `pageSize` events read. */
export const OcdsQuery = EventsQuery;

/** `POST /api/v1/admin/settings/ocds`: the ocid prefix the Open Contracting Partnership registered (`ocds-` + 6). */
export const OcidPrefixInput = z.object({
  ocidPrefix: z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(40, 'validation.too_long'),
});
export type OcidPrefixInput = z.output<typeof OcidPrefixInput>;
