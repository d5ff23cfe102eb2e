import { z } from 'zod';
import { NOTICE_TYPES, NoticeListQuery } from './schema';

/** Every type of public notice: a case's four and a certification round's 拟认定名单 公示. */
export const PUBLIC_NOTICE_TYPES = [...NOTICE_TYPES, 'certification'] as const;
export type PublicNoticeType = (typeof PUBLIC_NOTICE_TYPES)[number];

/** `GET /api/v1/notices` and `/notices`: by type (any of the five), paged. */
export const PublicNoticeListQuery = NoticeListQuery.extend({ type: z.enum(PUBLIC_NOTICE_TYPES, { message: 'validation.one_of' }).optional() });
export type PublicNoticeListQuery = z.output<typeof PublicNoticeListQuery>;
