import type { Clock } from '../clock';
import { executorFor, type Db } from '../db';
import { notFound } from '../errors';
import type { Page } from '../web';
import { noticeListItem, noticeSummary, type NoticeSummary } from './presenters';
import { findNotice, listNotices, listObjections } from './repo';
import { apiTimeOrNull, apiTime } from '../time';
import type { NoticeListQuery } from './schema';

export type NoticeListItem = NoticeSummary & { projectName: string; purchaserName: string };

export interface NoticeDetail extends NoticeSummary {
  /** Whether objections are being received now (a 公示 whose case is still in its notice period). */
  objectionsOpen: boolean;
  caseStatus: string;
  content: Record<string, unknown>;
  /**
   * A 公示's objections as the public may know them (arts. 39–40): when each was received, how it was dealt with and
   * when the objector was answered — never who objected or how to reach them. Empty for other notices.
   */
  objections: PublicObjection[];
}

export interface PublicObjection {
  /** 1, 2, … in the order received. */
  seq: number;
  receivedAt: string;
  status: string;
  answered: boolean;
  answeredAt: string | null;
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
    const objections =
      n.type === 'single_source'
        ? (await listObjections(executorFor(this.db), n.case_id)).map((o, i) => ({
            seq: i + 1,
            receivedAt: apiTime(o.created_at),
            status: o.status,
            answered: o.status !== 'open',
            answeredAt: apiTimeOrNull(o.replied_at ?? o.resolved_at),
          }))
        : [];
    return { ...noticeSummary(n), objectionsOpen: open, caseStatus: n.case_status, content: JSON.parse(n.content) as Record<string, unknown>, objections };
  }
}
