import type { Context, Next } from 'koa';
import { AppError, type ErrorCode } from '../errors';
import { DEFAULT_LOCALE, hasKey, t } from '../i18n';
import type { AppState } from './state';

/** The one table from domain error codes to HTTP statuses. */
export const STATUS: Record<ErrorCode, number> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  duplicate: 409,
  insufficient_budget: 409,
  insufficient_stock: 409,
  idempotency_mismatch: 409,
  payload_too_large: 413,
  method_not_allowed: 405,
  validation_failed: 422,
  direct_purchase_limit: 422,
  too_many_attempts: 429,
  corrupt_data: 500,
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'malformed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'malformed',
  422: 'validation_failed',
  429: 'too_many_attempts',
};

export const wantsJson = (ctx: Context): boolean => ctx.path.startsWith('/api/');

export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}

/** The answer to anything internal: no detail ever reaches the client. */
const internalBody = (ctx: Context): ErrorBody => ({ code: 'internal', message: t((ctx.state as AppState).locale, 'errors.internal') });

/**
 * Translates an AppError into the `{error:{code,message,field}}` body in the caller's language. An internal one
 * (a 5xx code, e.g. a corrupt row) is logged here with the request's id — every route that shows an error, the
 * error handler or a page's own banner, comes through this — and answered with the generic internal message.
 */
export function errorBody(ctx: Context, err: AppError): ErrorBody {
  if (STATUS[err.code] >= 500) {
    (ctx.state as AppState).log?.error({ err, code: err.code, params: err.params }, 'internal error');
    return internalBody(ctx);
  }
  const locale = (ctx.state as AppState).locale;
  const params: Record<string, unknown> = { ...err.params };
  if (err.field) {
    // A nested field's own label if it has one ('record.date' → fields.record_date), else its top-level field's.
    const own = `fields.${err.field.replace(/\.\d+(?=\.|$)/g, '').replace(/\./g, '_')}`;
    const top = `fields.${err.field.split('.')[0]}`;
    // A form's label may end in a note for the person filling it in ("验收意见（可选）", "评分（0–100）"): not part of the name.
    const schemaLabel = typeof err.params.fieldLabel === 'string' ? t(locale, err.params.fieldLabel).replace(/\s*(（[^（）]*）|\([^()]*\))$/, '') : null;
    // A field nobody labelled (a name a caller made up) is named as sent.
    const known = (key: string) => hasKey(locale, key) || hasKey(DEFAULT_LOCALE, key);
    params.field = schemaLabel ?? (known(own) ? t(locale, own) : known(top) ? t(locale, top) : err.field);
  }
  // A product field (领域) named in a message reads in the caller's language, as the pages name it.
  for (const name of FIELD_NAME_PARAMS) {
    const value = params[name];
    if (typeof value === 'string' && hasKey(locale, `fieldnames.${value}`)) params[name] = t(locale, `fieldnames.${value}`);
  }
  return { code: err.code, message: t(locale, err.messageKey, params), ...(err.field ? { field: err.field } : {}) };
}

/** The parameters of error messages that hold a product field's name (a domain such as 数控机床). */
const FIELD_NAME_PARAMS = ['entryField', 'appliedField'] as const;

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as { status?: number; statusCode?: number; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'malformed';
    return new AppError(code, `errors.${code}`);
  }
  return null;
}

/**
 * First in the chain: renders every error as JSON for /api and as an error page otherwise. Internal messages never
 * reach the client; unknown errors are logged with the request id and become a generic 500.
 */
export function errorHandler() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', 'errors.not_found');
      // The router's answer to a known path with another method (its Allow header stays): in the error shape too.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) throw new AppError('method_not_allowed', 'errors.method_not_allowed', { method: ctx.method });
    } catch (err) {
      const appErr = toAppError(err);
      const state = ctx.state as AppState;
      let status = 500;
      let body: ErrorBody;
      if (appErr) {
        status = STATUS[appErr.code];
        body = errorBody(ctx, appErr);
        if (appErr.code === 'too_many_attempts' && appErr.params.retryAfter) ctx.set('Retry-After', String(appErr.params.retryAfter));
      } else {
        state.log?.error({ err }, 'unhandled error');
        body = internalBody(ctx);
      }
      ctx.status = status;
      if (wantsJson(ctx) || !state.render) {
        ctx.body = { error: body };
      } else {
        try {
          ctx.body = state.render('errors/error', { status, message: body.message, title: t(state.locale, status === 404 ? 'errors.page_not_found' : 'errors.page_title') });
          ctx.type = 'html';
        } catch (renderErr) {
          state.log?.error({ err: renderErr }, 'error page failed');
          ctx.body = { error: body };
        }
      }
    }
  };
}
