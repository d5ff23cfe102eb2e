import type { Clock } from '../clock';
import { executorFor, type Db } from '../db';
import { notFound } from '../errors';
import { roundNoticeFacts } from '../recognition';
import type { Page } from '../web';
import { noticeListItem, publicNoticeSummary, type PublicNoticeSummary } from './presenters';
import { findNotice, listNotices, listObjections } from './repo';
import { apiTimeOrNull, apiTime } from '../time';
import { PUBLIC_NOTICE_TYPES, type PublicNoticeListQuery } from './notice-schema';

export type NoticeListItem = PublicNoticeSummary & { projectName?: string; purchaserName?: string };

export interface NoticeDetail extends PublicNoticeSummary {
  /** Whether objections are being received now (a 公示 whose case or round is still in its notice period). */
  objectionsOpen: boolean;
  /** The case's status (a case's notice) or null (a round's). */
  caseStatus: string | null;
  /** The round's status, notice or finalized (a certification notice) or null (a case's). */
  roundStatus: string | null;
  content: Record<string, unknown>;
  /**
   * A 公示's objections as the public may know them (arts. 39–40): when each was received, how it was dealt with and
   * when the objector was answered — never who objected or how to reach them. Empty for other notices.
   */
  objections: PublicObjection[];
  /** A certification notice's applications, which an objection may name; empty for a case's notice. */
  applications: Array<{ id: number; applicationNo: string; productName: string }>;
}

export interface PublicObjection {
  /** 1, 2, … in the order received. */
  seq: number;
  receivedAt: string;
  status: string;
  answered: boolean;
  answeredAt: string | null;
}

/**
 * The public notices: a single-source case's (公示, 成交结果, 合同, 终止) and a certification round's 拟认定名单 公示
 * (type certification, written by recognition with its round): anyone reads them, nobody edits them.
 */
export class NoticeService {
  /** Every public notice type, for the modules that take a type from a caller (the Atom feed). */
  readonly types: readonly string[] = PUBLIC_NOTICE_TYPES;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(q: PublicNoticeListQuery): Promise<Page<NoticeListItem>> {
    const { rows, total } = await listNotices(executorFor(this.db), q.type, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(noticeListItem), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: number): Promise<NoticeDetail> {
    const db = executorFor(this.db);
    const n = await findNotice(db, id);
    if (!n) throw notFound('notices.not_found');
    const base = { ...publicNoticeSummary(n), content: JSON.parse(n.content) as Record<string, unknown> };
    if (n.round_id !== null) {
      const facts = await roundNoticeFacts(db, n.round_id, this.clock.now());
      if (!facts) throw notFound('notices.not_found');
      return {
        ...base,
        objectionsOpen: facts.objectionsOpen,
        caseStatus: null,
        roundStatus: facts.roundStatus,
        objections: facts.objections.map((o, i) => ({ seq: i + 1, receivedAt: apiTime(o.receivedAt), status: o.status, answered: o.status !== 'open', answeredAt: apiTimeOrNull(o.answeredAt) })),
        applications: facts.applications,
      };
    }
    const open =
      n.type === 'single_source' && n.case_status === 'notice' && n.notice_ends_at !== null && this.clock.now().getTime() <= new Date(n.notice_ends_at).getTime();
    const objections =
      n.type === 'single_source' && n.case_id !== null
        ? (await listObjections(db, n.case_id)).map((o, i) => ({
            seq: i + 1,
            receivedAt: apiTime(o.created_at),
            status: o.status,
            answered: o.status !== 'open',
            answeredAt: apiTimeOrNull(o.replied_at ?? o.resolved_at),
          }))
        : [];
    return { ...base, objectionsOpen: open, caseStatus: n.case_status, roundStatus: null, objections, applications: [] };
  }
}
