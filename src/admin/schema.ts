import { z } from 'zod';
import { wholeNumber } from '../schema';

export { ReasonInput } from '../schema';
export type { ReasonInput as ReasonInputT } from '../schema';

const paging = {
  page: wholeNumber(1, 100000).optional().default(1),
  pageSize: wholeNumber(1, 100).optional().default(20),
  lang: z.string().optional(),
};

export const VendorQueueQuery = z.object({
  status: z.enum(['pending', 'approved', 'rejected'], { message: 'validation.one_of' }).optional(),
  ...paging,
});
export type VendorQueueQuery = z.output<typeof VendorQueueQuery>;

export const ListingQueueQuery = z.object({
  status: z.enum(['pending_review', 'approved', 'rejected', 'delisted'], { message: 'validation.one_of' }).optional(),
  ...paging,
});
export type ListingQueueQuery = z.output<typeof ListingQueueQuery>;
