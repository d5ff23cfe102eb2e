import type { Clock } from '../clock';
import { executorFor, type Db } from '../db';
import { notFound } from '../errors';
import type { Page } from '../web';
import { noticeListItem, noticeSummary, type NoticeSummary } from './presenters';
import { findNotice, listNotices } from './repo';
import type { NoticeListQuery } from './schema';

export type NoticeListItem = NoticeSummary & { projectName: string; purchaserName: string };

export interface NoticeDetail extends NoticeSummary {
  /** Whether objections are being received now (a 公示 whose case is still in its notice period). */
  objectionsOpen: boolean;
  caseStatus: string;
  content: Record<string, unknown>;
}

/** The public notices (公示, 成交结果, 合同, 终止): anyone reads them, nobody edits them. */
export class NoticeService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(q: NoticeListQuery): Promise<Page<NoticeListItem>> {
    const { rows, total } = await listNotices(executorFor(this.db), q.type, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(noticeListItem), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: number): Promise<NoticeDetail> {
    const n = await findNotice(executorFor(this.db), id);
    if (!n) throw notFound('notices.not_found');
    const open =
      n.type === 'single_source' && n.case_status === 'notice' && n.notice_ends_at !== null && this.clock.now().getTime() <= new Date(n.notice_ends_at).getTime();
    return { ...noticeSummary(n), objectionsOpen: open, caseStatus: n.case_status, content: JSON.parse(n.content) as Record<string, unknown> };
  }
}
