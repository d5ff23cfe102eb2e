import { hashPassword } from '../auth';
import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { isUniqueViolation, writeTransaction, type Db } from '../db';
import { AppError } from '../errors';
import type { Actor } from '../web';
import { startVendor } from './moves';
import { vendorView, type VendorView } from './presenters';
import { findVendor, findVendorByCreditCode, insertUser, insertVendor, usernameTaken } from './repo';
import type { VendorRegistration } from './schema';

const taken = (field: 'creditCode' | 'username') =>
  new AppError('duplicate', field === 'creditCode' ? 'vendor.credit_code_taken' : 'vendor.username_taken', { field }, field);

/** 供应商入驻: the enterprise and its first account are created `pending`; an admin's approval activates both. */
export class RegistrationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async register(input: VendorRegistration): Promise<{ id: number; status: string; username: string }> {
    if (await findVendorByCreditCode(this.db, input.creditCode)) throw taken('creditCode');
    if (await usernameTaken(this.db, input.username)) throw taken('username');
    // Hash outside the transaction: argon2 is deliberately slow and SQLite has one writer.
    const passwordHash = await hashPassword(input.password);
    try {
      return await writeTransaction(this.db, async (trx) => {
        if (await findVendorByCreditCode(trx, input.creditCode)) throw taken('creditCode');
        if (await usernameTaken(trx, input.username)) throw taken('username');
        const now = this.clock.now().toISOString();
        const vendor = await insertVendor(trx, {
          name: input.enterpriseName,
          credit_code: input.creditCode,
          city: input.city,
          address: input.address ?? '',
          contact: input.contact,
          status: 'pending',
          created_at: now,
        });
        const user = await insertUser(trx, {
          username: input.username,
          password_hash: passwordHash,
          role: 'vendor',
          vendor_id: vendor.id,
          purchaser_id: null,
          display_name: input.displayName ?? input.enterpriseName,
          status: 'pending',
          created_at: now,
        });
        const actor = { id: user.id, username: user.username };
        await startVendor(trx, this.clock, actor, vendor.id);
        await recordAudit(trx, this.clock, { actor, action: 'vendor.register', entity: 'vendor', entityId: vendor.id, after: vendorView(vendor) });
        await recordAudit(trx, this.clock, {
          actor,
          action: 'user.create',
          entity: 'user',
          entityId: user.id,
          after: { username: user.username, role: 'vendor', vendor_id: vendor.id, status: 'pending' },
        });
        return { id: vendor.id, status: 'pending', username: user.username };
      });
    } catch (err) {
      // Two registrations racing past the checks: the unique index decides, by driver code.
      if (isUniqueViolation(err)) throw new AppError('duplicate', 'vendor.registration_conflict');
      throw err;
    }
  }

  /** The vendor's own enterprise record (its account page). */
  async profile(actor: Actor): Promise<VendorView> {
    const vendor = actor.vendorId ? await findVendor(this.db, actor.vendorId) : undefined;
    if (!vendor) throw new AppError('forbidden', 'errors.wrong_role');
    return vendorView(vendor);
  }
}
