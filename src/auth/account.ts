import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { writeTransaction, type Db } from '../db';
import { AppError } from '../errors';
import type { Actor } from '../web';
import { hashPassword, verifyPassword } from './passwords';
import { findUserById } from './repo';
import { LoginThrottle, THROTTLE, passwordChangeKeys, type Reservation } from './throttle';

/**
 * Changing one's own password. The current password is checked first; the new one may not be the username. Every
 * other way in — other sessions and every bearer token — ends with the change; the caller's own session is renewed
 * by the route.
 */
export class AccountService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.throttle = new LoginThrottle(db, clock, { maxPerAccount: THROTTLE.maxPasswordChange, messageKey: 'auth.too_many_password_checks' });
  }

  /**
   * Guessing the current password from a stolen session is bounded by its own key (`pwchange:<user id>`, limit
   * THROTTLE.maxPasswordChange per window, then locked): wrong current passwords here never lock the user's login.
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const user = await findUserById(this.db, actor.id);
    if (!user) throw new AppError('unauthenticated', 'errors.unauthenticated');
    const attempt: Reservation = await this.throttle.reserve(passwordChangeKeys(user.id));
    let ok: boolean;
    try {
      ok = await verifyPassword(user.password_hash, currentPassword);
    } catch (err) {
      await attempt.cancel().catch(() => undefined);
      throw err;
    }
    if (!ok) {
      await attempt.fail();
      throw new AppError('validation_failed', 'auth.current_password_wrong', { field: 'currentPassword' }, 'currentPassword');
    }
    await attempt.succeed();
    if (newPassword.trim().toLowerCase() === user.username.toLowerCase()) {
      throw new AppError('validation_failed', 'validation.password_username', { field: 'newPassword' }, 'newPassword');
    }
    const hash = await hashPassword(newPassword);
    await writeTransaction(this.db, async (trx) => {
      await trx('users').where({ id: user.id }).update({ password_hash: hash });
      const sessions = await trx('sessions').where({ user_id: user.id }).del();
      const tokens = await trx('api_tokens').where({ user_id: user.id }).del();
      await recordAudit(trx, this.clock, {
        actor,
        action: 'user.password_change',
        entity: 'user',
        entityId: user.id,
        after: { sessions_ended: sessions, tokens_revoked: tokens },
      });
    });
  }
}
