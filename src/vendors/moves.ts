import type { Clock } from '../clock';
import type { Executor } from '../db';
import { invalidState } from '../errors';
import type { Actor } from '../web';
import { findListing, findVendor, insertProductHistory, insertVendorHistory, moveProductStatus, moveVendorStatus, type ProductRow, type VendorRow } from './repo';
import {
  LISTING_WORKFLOW,
  VENDOR_WORKFLOW,
  decideStatusStep,
  listingStep,
  vendorStep,
  type ListingFacts,
  type ListingStatus,
  type ListingStepName,
  type VendorStatus,
  type VendorStepName,
} from './transitions';

/**
 * The common part of every change of a listing's or a vendor's status, in the caller's transaction: the table's
 * verdict (409 in the step's or the status's words, or the guard's), the conditional update (a concurrent step that
 * got there first is the same 409, from the status it left), and the history row. The caller keeps its audit record.
 */

type HistoryActor = Pick<Actor, 'id'> | null;

const ANY_FACTS: ListingFacts = { certCurrent: true, vendorApproved: true };

export interface MoveOptions<R> {
  /** The guard's facts (steps without a guard need none). */
  facts?: ListingFacts;
  /** Columns changed together with the status. */
  patch?: Partial<R>;
  /** The reason given, or what caused the change; kept on the history row. */
  note?: string | null;
}

export async function moveListing(
  trx: Executor,
  clock: Clock,
  actor: HistoryActor,
  row: Pick<ProductRow, 'id' | 'status'>,
  name: ListingStepName,
  opts: MoveOptions<ProductRow> = {},
): Promise<ListingStatus> {
  const step = listingStep(name);
  const verdict = decideStatusStep(LISTING_WORKFLOW, step, row.status, opts.facts ?? ANY_FACTS);
  if (!verdict.ok) throw invalidState(verdict.key);
  const at = clock.now().toISOString();
  if (!(await moveProductStatus(trx, row.id, row.status, verdict.to, { updated_at: at, ...opts.patch }))) {
    const now = await findListing(trx, row.id);
    const again = decideStatusStep(LISTING_WORKFLOW, step, now?.status ?? '', opts.facts ?? ANY_FACTS);
    throw invalidState(again.ok ? 'errors.conflict' : again.key);
  }
  await insertProductHistory(trx, row.id, { action: name, from_status: row.status, to_status: verdict.to, actor_id: actor?.id ?? null, note: opts.note ?? null, at });
  return verdict.to;
}

export async function moveVendor(
  trx: Executor,
  clock: Clock,
  actor: HistoryActor,
  row: Pick<VendorRow, 'id' | 'status'>,
  name: VendorStepName,
  opts: MoveOptions<VendorRow> = {},
): Promise<VendorStatus> {
  const step = vendorStep(name);
  const verdict = decideStatusStep(VENDOR_WORKFLOW, step, row.status, undefined);
  if (!verdict.ok) throw invalidState(verdict.key);
  const at = clock.now().toISOString();
  if (!(await moveVendorStatus(trx, row.id, row.status, verdict.to, opts.patch ?? {}))) {
    const now = await findVendor(trx, row.id);
    const again = decideStatusStep(VENDOR_WORKFLOW, step, now?.status ?? '', undefined);
    throw invalidState(again.ok ? 'errors.conflict' : again.key);
  }
  await insertVendorHistory(trx, row.id, { action: name, from_status: row.status, to_status: verdict.to, actor_id: actor?.id ?? null, note: opts.note ?? null, at });
  return verdict.to;
}

/** The table's 409 for a step that does not lead from the listing's status, before any other check of the step. */
export function assertListingStep(status: string, name: ListingStepName): void {
  const verdict = decideStatusStep(LISTING_WORKFLOW, listingStep(name), status, ANY_FACTS);
  if (!verdict.ok) throw invalidState(verdict.key);
}

/** The row for the status an object starts in (a listing submitted, a vendor registered). */
export const startListing = (trx: Executor, clock: Clock, actor: HistoryActor, id: number, status: ListingStatus): Promise<void> =>
  insertProductHistory(trx, id, { action: 'create', from_status: null, to_status: status, actor_id: actor?.id ?? null, note: null, at: clock.now().toISOString() });

export const startVendor = (trx: Executor, clock: Clock, actor: HistoryActor, id: number): Promise<void> =>
  insertVendorHistory(trx, id, { action: 'register', from_status: null, to_status: 'pending', actor_id: actor?.id ?? null, note: null, at: clock.now().toISOString() });
