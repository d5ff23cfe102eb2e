import type { Context, Next } from 'koa';
import { AppError } from '../errors';
import { FormInvalid, type AppState } from '../web';

/**
 * The fields of insurance compensation are named in this module's own catalogue (`insurance.field_*`), not in the
 * shared `fields.*`: an error naming one of them is worded here, in the caller's language, before the web edge
 * renders it (`insurance.message` is the finished sentence). Errors naming other fields pass unchanged.
 */
const OWN = new Set([
  'certNo', 'policyNo', 'insurer', 'insuredValue', 'premium', 'policyStart', 'policyEnd', 'policyYear', 'unitOrdinal', 'purchaserName', 'contractNo', 'nationalSubsidy',
  'passed', 'opinion', 'version', 'fromYear', 'rateCap', 'percents', 'yearlyCap', 'note', 'year', 'projectName', 'enterpriseName', 'units', 'subsidy', 'groupBy',
]);

type T = AppState['t'];

export function labelled(err: AppError, t: T): AppError {
  if (!err.field || err.messageKey === 'insurance.message') return err;
  const top = err.field.split('.')[0]!;
  if (!OWN.has(top)) return err;
  const parts = err.field.split('.').slice(1);
  const label = t(`insurance.field_${top}`) + (parts.length ? ` ${parts.map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : t(`levels.${p}`))).join(' ')}` : '');
  return new AppError(err.code, 'insurance.message', { text: t(err.messageKey, { ...err.params, field: label }) }, err.field);
}

/** What a page or route threw, with this module's field names worded. */
export function relabel(err: unknown, t: T): unknown {
  if (err instanceof FormInvalid) return new FormInvalid(err.errors.map((e) => labelled(e, t)));
  if (err instanceof AppError) return labelled(err, t);
  return err;
}

/** Router middleware: the JSON routes' errors with this module's field names worded. */
export async function wordFields(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    throw relabel(err, (ctx.state as AppState).t);
  }
}
