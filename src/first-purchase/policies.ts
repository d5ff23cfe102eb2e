import { AppError } from '../errors';
import { caseRules, type CaseParties } from '../policies';
import type { Actor } from '../web';

/**
 * The case's policies (the rules themselves are in policies/cases.ts, with every other module's): what a party may
 * do to a single-source case, and the answer when it may not — 403 (API.md: not yours / wrong role).
 */
export type { CaseParties };

export type CaseAct = keyof typeof caseRules;

export function canOnCase(actor: Actor | null, act: CaseAct, c: CaseParties): boolean {
  return actor !== null && caseRules[act](actor, c);
}

/** 401 for nobody; 403 for someone who may not read the case, or a party who may read it but not do this. */
export function authorizeCase(actor: Actor | null, act: CaseAct, c: CaseParties): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
  if (canOnCase(actor, act, c)) return;
  throw new AppError('forbidden', 'errors.forbidden');
}

/** Opening a case: a purchaser acting for a purchasing unit. */
export const mayOpenCase = (a: Actor): boolean => a.role === 'purchaser' && a.purchaserId !== null;
