import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { writeTransaction, type Db, type Executor } from '../db';
import { forbidden } from '../errors';
import type { Actor } from '../web';
import { DIRECT_PURCHASE_LIMIT_KEY, directPurchaseLimitFen, limitText } from './direct-purchase-limit';
import { FINANCE_DEPARTMENT_KEY, financeDepartment, type FinanceDepartment } from './finance-department';
import { FIRST_PURCHASE_POLICY_KEY, firstPurchasePolicy, type FirstPurchasePolicy } from './first-purchase-policy';
import { INTENTION_RULE_KEY, intentionRule, type IntentionRule } from './intention-rule';
import { writeSetting } from './repo';
import type { FinanceDepartmentInput, IntentionRuleInput, SettingsInput } from './schema';

/** The department's settings as the admin API answers them. */
export interface Settings {
  firstPurchase: FirstPurchasePolicy;
  /** The same as `firstPurchase.keySupportedOnly`, where `POST /api/v1/admin/settings` takes it (the shape it answers in). */
  keySupportedOnly: boolean;
  /** Yuan string ("1000000.00"). */
  directPurchaseLimit: string;
}

/** What anyone may read without logging in (`GET /api/v1/settings/public`). */
export interface PublicSettings {
  directPurchaseLimit: string;
}

export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  read(): Promise<FirstPurchasePolicy> {
    return firstPurchasePolicy(this.db);
  }

  async all(db: Executor = this.db): Promise<Settings> {
    const [firstPurchase, limitFen] = await Promise.all([firstPurchasePolicy(db), directPurchaseLimitFen(db)]);
    return { firstPurchase, keySupportedOnly: firstPurchase.keySupportedOnly, directPurchaseLimit: limitText(limitFen) };
  }

  async publicSettings(): Promise<PublicSettings> {
    return { directPurchaseLimit: limitText(await directPurchaseLimitFen(this.db)) };
  }

  /** The department changes the eligibility rule; audited in the same transaction. */
  async setFirstPurchasePolicy(actor: Actor, policy: FirstPurchasePolicy): Promise<FirstPurchasePolicy> {
    return (await this.update(actor, { keySupportedOnly: policy.keySupportedOnly })).firstPurchase;
  }

  /** Changes what `input` holds (the rest stays); each changed setting is audited, all in one transaction. */
  async update(actor: Actor, input: SettingsInput): Promise<Settings> {
    if (actor.role !== 'admin') throw forbidden('errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const now = this.clock.now().toISOString();
      if (input.keySupportedOnly !== undefined) {
        const before = await firstPurchasePolicy(trx);
        const policy: FirstPurchasePolicy = { ...before, keySupportedOnly: input.keySupportedOnly };
        await writeSetting(trx, FIRST_PURCHASE_POLICY_KEY, policy, now);
        await recordAudit(trx, this.clock, { actor, action: 'settings.first_purchase_policy', entity: 'settings', entityId: FIRST_PURCHASE_POLICY_KEY, before, after: policy });
      }
      if (input.directPurchaseLimit !== undefined) {
        const before = await directPurchaseLimitFen(trx);
        await writeSetting(trx, DIRECT_PURCHASE_LIMIT_KEY, { fen: input.directPurchaseLimit }, now);
        await recordAudit(trx, this.clock, {
          actor,
          action: 'settings.direct_purchase_limit',
          entity: 'settings',
          entityId: DIRECT_PURCHASE_LIMIT_KEY,
          before: { directPurchaseLimit: limitText(before) },
          after: { directPurchaseLimit: limitText(input.directPurchaseLimit) },
        });
      }
      return this.all(trx);
    });
  }

  /** The finance department the notices name (art. 38 contacts). */
  financeDepartment(db: Executor = this.db): Promise<FinanceDepartment> {
    return financeDepartment(db);
  }

  /** The admin sets the finance department's contact details; audited in the same transaction. */
  async setFinanceDepartment(actor: Actor, input: FinanceDepartmentInput): Promise<FinanceDepartment> {
    if (actor.role !== 'admin') throw forbidden('errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const before = await financeDepartment(trx);
      const after: FinanceDepartment = { name: input.name, address: input.address, contactPerson: input.contactPerson, phone: input.phone };
      await writeSetting(trx, FINANCE_DEPARTMENT_KEY, after, this.clock.now().toISOString());
      await recordAudit(trx, this.clock, { actor, action: 'settings.finance_department', entity: 'settings', entityId: FINANCE_DEPARTMENT_KEY, before, after });
      return after;
    });
  }

  /** The purchase-intention rule of 政府首购 (settings/intention-rule.ts). */
  intentionRule(db: Executor = this.db): Promise<IntentionRule> {
    return intentionRule(db);
  }

  /** The admin switches the purchase-intention rule on or off; audited in the same transaction. */
  async setIntentionRule(actor: Actor, input: IntentionRuleInput): Promise<IntentionRule> {
    if (actor.role !== 'admin') throw forbidden('errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const before = await intentionRule(trx);
      const after: IntentionRule = { required: input.required, minDays: input.minDays ?? before.minDays };
      await writeSetting(trx, INTENTION_RULE_KEY, after, this.clock.now().toISOString());
      await recordAudit(trx, this.clock, { actor, action: 'settings.purchase_intention_rule', entity: 'settings', entityId: INTENTION_RULE_KEY, before, after });
      return after;
    });
  }
}
