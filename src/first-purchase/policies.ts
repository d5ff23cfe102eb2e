import { AppError } from '../errors';
import type { Actor } from '../web/state';

/**
 * Who may do what to a single-source case (declarative, no I/O). The purchasing unit runs its own case; the
 * department (admin) approves and rules on objections; the proposed supplier (the vendor of the product) reads the
 * cases that name its products. Anybody else does not learn that a case exists (404).
 */
export interface CaseParties {
  purchaserId: number;
  vendorId: number;
}

type Rule = (a: Actor, c: CaseParties) => boolean;

const isAdmin: Rule = (a) => a.role === 'admin';
const isPurchaser: Rule = (a, c) => a.role === 'purchaser' && a.purchaserId !== null && a.purchaserId === c.purchaserId;
const isVendor: Rule = (a, c) => a.role === 'vendor' && a.vendorId !== null && a.vendorId === c.vendorId;

export const CASE_RULES = {
  'case.read': (a, c) => isAdmin(a, c) || isPurchaser(a, c) || isVendor(a, c),
  'case.read_objector_contact': (a, c) => isAdmin(a, c) || isPurchaser(a, c),
  'case.submit': isPurchaser,
  'case.negotiate': isPurchaser,
  'case.contract': isPurchaser,
  'case.accept': isPurchaser,
  'case.pay': isPurchaser,
  'case.withdraw': (a, c) => isPurchaser(a, c) || isAdmin(a, c),
  'case.approve': isAdmin,
  'case.resolve_objection': isAdmin,
  'case.mark_objection': isAdmin,
} satisfies Record<string, Rule>;

export type CaseAct = keyof typeof CASE_RULES;

export function canOnCase(actor: Actor | null, act: CaseAct, c: CaseParties): boolean {
  return actor !== null && CASE_RULES[act](actor, c);
}

/**
 * 401 for nobody; 404 for someone who may not even read the case; 403 for a party who may read it but not do this.
 */
export function authorizeCase(actor: Actor | null, act: CaseAct, c: CaseParties): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated', 'errors.unauthenticated');
  if (canOnCase(actor, act, c)) return;
  if (!canOnCase(actor, 'case.read', c)) throw new AppError('not_found', 'first_purchase.not_found');
  throw new AppError('forbidden', 'errors.forbidden');
}

/** Opening a case: a purchaser acting for a purchasing unit. */
export const mayOpenCase = (a: Actor): boolean => a.role === 'purchaser' && a.purchaserId !== null;
