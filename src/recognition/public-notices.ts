import type { Executor } from '../db';
import { findRound, objectionsOf } from './repo';

/**
 * What the public notice pages (first-purchase/notice-*.ts, which list every notice) need of a round's 公示 beyond its
 * row of `notices`: whether objections are being received now, and the objections as the public may know them (when
 * each was received and dealt with — never who objected).
 */
export interface RoundNoticeFacts {
  roundStatus: string;
  objectionsOpen: boolean;
  objections: Array<{ receivedAt: string; status: string; answeredAt: string | null }>;
  /** The applications of the list, for the objection form's choice (id, number, product). */
  applications: Array<{ id: number; applicationNo: string; productName: string }>;
}

export async function roundNoticeFacts(db: Executor, roundId: number, now: Date): Promise<RoundNoticeFacts | null> {
  const r = await findRound(db, roundId);
  if (!r) return null;
  const objections = await objectionsOf(db, roundId);
  const apps = (await db('cert_applications').where({ round_id: roundId }).orderBy('id').select('id', 'application_no', 'product_name')) as Array<{ id: number; application_no: string; product_name: string }>;
  return {
    roundStatus: r.status,
    objectionsOpen: r.status === 'notice' && now.getTime() <= new Date(r.period_ends_at).getTime(),
    objections: objections.map((o) => ({ receivedAt: o.created_at, status: o.status, answeredAt: o.resolved_at })),
    applications: apps.map((a) => ({ id: a.id, applicationNo: a.application_no, productName: a.product_name })),
  };
}
