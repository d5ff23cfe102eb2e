import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { writeTransaction, type Db } from '../db';
import { forbidden } from '../errors';
import type { Actor } from '../web';
import { FIRST_PURCHASE_POLICY_KEY, firstPurchasePolicy, type FirstPurchasePolicy } from './first-purchase-policy';
import { writeSetting } from './repo';

export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  read(): Promise<FirstPurchasePolicy> {
    return firstPurchasePolicy(this.db);
  }

  /** The department changes the eligibility rule; audited in the same transaction. */
  async setFirstPurchasePolicy(actor: Actor, policy: FirstPurchasePolicy): Promise<FirstPurchasePolicy> {
    if (actor.role !== 'admin') throw forbidden('errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const before = await firstPurchasePolicy(trx);
      await writeSetting(trx, FIRST_PURCHASE_POLICY_KEY, policy, this.clock.now().toISOString());
      await recordAudit(trx, this.clock, { actor, action: 'settings.first_purchase_policy', entity: 'settings', entityId: FIRST_PURCHASE_POLICY_KEY, before, after: policy });
      return policy;
    });
  }
}
