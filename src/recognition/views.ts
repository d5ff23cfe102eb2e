/** What the certification pages and JSON routes show of the indicator list, the expert pool and applications. */
import { parseStoredArray } from '../errors';
import type { ExpertRow, ListEntryRow } from './repo';
import type { ApplicationStatus, Indicator, IndicatorValue } from './schema';

export interface ListEntryView {
  id: number;
  year: number;
  field: string;
  product: string;
  indicators: Indicator[];
}

export interface ExpertView {
  id: number;
  name: string;
  unit: string;
  title: string;
  fields: string[];
  userId: number | null;
  username: string | null;
  active: boolean;
}

export interface ReviewView {
  expert: { id: number; name: string; unit: string; title: string; username: string | null } | null;
  status: string;
  score: number | null;
  recommendLevel: string | null;
  opinion: string | null;
  reviewedAt: string | null;
  mine?: boolean;
}

export interface ApplicationView {
  id: number;
  applicationNo: string;
  status: ApplicationStatus;
  vendor: { id: number; name: string; city: string };
  productName: string;
  model: string;
  kind: string;
  field: string;
  levelClaimed: string;
  track: 'standard' | 'free';
  listEntryId: number | null;
  listEntry: ListEntryView | null;
  indicators: IndicatorValue[];
  description: string;
  screenOpinion: string | null;
  meanScore: string | null;
  recommendedLevel: string | null;
  roundId: number | null;
  certNo: string | null;
  submittedAt: string | null;
  createdAt: string;
  /** What is still missing before it can be submitted (the vendor's desk). */
  missing: string[];
  history: Array<{ action: string; from: string | null; to: string; note: string | null; at: string }>;
  reviews: ReviewView[];
  draws?: Array<{ id: number; reason: string; count: number; pool: number[]; drawn: number[]; drawnBy: number | null; drawnAt: string }>;
  panel: { drawn: number; scored: number; short: boolean };
  /** Test reports, user reports, IP documents: what each is, never the file (download: `url`). */
  attachments: AttachmentView[];
}

export interface AttachmentView {
  id: number;
  kind: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  url: string;
}

export const listEntryView = (r: ListEntryRow): ListEntryView => ({
  id: r.id,
  year: r.year,
  field: r.field,
  product: r.product,
  indicators: parseStoredArray(r.indicators, { table: 'indicator_list', column: 'indicators', id: r.id }) as Indicator[],
});

export const expertView = (r: ExpertRow & { username?: string | null }): ExpertView => ({
  id: r.id,
  name: r.name,
  unit: r.unit,
  title: r.title,
  fields: parseStoredArray(r.fields, { table: 'experts', column: 'fields', id: r.id }) as string[],
  userId: r.user_id,
  username: r.username ?? null,
  active: !!r.active,
});
