import { AppError } from '../errors';
import type { Actor, Role } from '../web';

/**
 * Who may do what to a certification application: the vendor its own (another's is a 403, API.md's "not yours"),
 * the department everything, an expert only what was drawn to them (403 otherwise, API.md), nobody else.
 */
export type ApplicationAct = 'application.read' | 'application.own' | 'application.manage';

export interface ApplicationParties {
  vendorId: number;
  /** The caller is an expert on the application's panel (drawn, no conflict declared). */
  assigned: boolean;
}

export function mayReadApplication(actor: Actor, act: ApplicationAct, a: ApplicationParties): void {
  const own = actor.role === 'vendor' && actor.vendorId === a.vendorId;
  const ok =
    act === 'application.read'
      ? own || actor.role === 'admin' || (actor.role === 'expert' && a.assigned)
      : act === 'application.own'
        ? own
        : actor.role === 'admin';
  if (!ok) throw new AppError('forbidden', actor.role === 'expert' ? 'recognition.not_drawn' : 'errors.forbidden');
}

/** The department's own acts (the list, the pool, rounds, award settings). */
export function mayManage(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('forbidden', 'errors.wrong_role');
}

export function requireRole(actor: Actor, role: Role): void {
  if (actor.role !== role) throw new AppError('forbidden', 'errors.wrong_role');
}
