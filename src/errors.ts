/**
 * One error type for the whole domain. Domain code never knows about HTTP: the web edge maps `code` to a status
 * in one table (src/web/errors.ts). `messageKey` is a catalogue key; `params` fill it.
 */
export type ErrorCode =
  | 'malformed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_state'
  | 'duplicate'
  | 'insufficient_budget'
  | 'insufficient_stock'
  | 'idempotency_mismatch'
  | 'validation_failed'
  /** An order above the direct-purchase limit (API.md): 422, pointing to a procurement procedure. */
  | 'direct_purchase_limit'
  | 'too_many_attempts'
  | 'method_not_allowed'
  | 'payload_too_large'
  /** Internal: a stored row the app cannot read back (the web edge logs it and answers a generic 500). */
  | 'corrupt_data';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
  ) {
    super(`${code}: ${messageKey}`);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'errors.not_found') => new AppError('not_found', what);
export const forbidden = (key = 'errors.forbidden') => new AppError('forbidden', key);
export const invalidField = (field: string, key: string, params: Record<string, string | number> = {}) =>
  new AppError('validation_failed', key, { ...params, field }, field);
export const invalidState = (key: string, params: Record<string, string | number> = {}) =>
  new AppError('invalid_state', key, params);

/** Where a stored value lives: the table, the column and the row's id. */
export interface StoredAt {
  table: string;
  column: string;
  id: number | string;
}

/**
 * A value the app itself wrote cannot be read back (JSON that does not parse, or not of the shape written). Never
 * replaced by a default: the request fails, the edge logs the row's address, and the caller gets a generic 500.
 */
export class CorruptDataError extends AppError {
  constructor(
    readonly at: StoredAt,
    detail: string,
  ) {
    super('corrupt_data', 'errors.internal', { table: at.table, column: at.column, id: at.id });
    this.message = `${this.message} (${at.table}.${at.column} of row ${at.id}: ${detail})`;
  }
}

/** Parses JSON the app stored; what does not parse is a CorruptDataError naming the row. */
export function parseStoredJson(text: string, at: StoredAt): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CorruptDataError(at, (err as Error).message);
  }
}

/** A stored JSON array; anything else is a CorruptDataError. */
export function parseStoredArray(text: string, at: StoredAt): unknown[] {
  const v = parseStoredJson(text, at);
  if (!Array.isArray(v)) throw new CorruptDataError(at, 'not an array');
  return v;
}
