import { shanghaiDay } from './time';

/**
 * The numbers people read on the policy's objects that are worked out rather than stored (API.md "Numbers people
 * read"), in one place for every module that shows them: a 政府首购 case's `ZJSS-<year opened>-<five digits>`. An order's
 * (orders/numbers.ts), a claim's and an application's numbers are stored with them.
 */
export const caseNo = (c: { id: number; created_at: string | Date }): string => `ZJSS-${shanghaiDay(new Date(c.created_at)).slice(0, 4)}-${String(c.id).padStart(5, '0')}`;
