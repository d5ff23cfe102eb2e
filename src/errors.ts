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
  | 'too_many_attempts'
  | 'method_not_allowed'
  | 'payload_too_large';

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
