import type { Executor } from '../db';
import { readSetting } from './repo';

/**
 * 采购意向公开 (财库〔2020〕10号): a 政府首购 case may be submitted only when a matching purchase intention of its
 * purchasing unit has been public for at least `minDays` days. Off by default (existing cases, tests and the demo
 * data predate the rule); the admin switches it on (`POST /api/v1/admin/settings/purchase-intentions`). The
 * first-purchase service applies it; the integration module defines what "matching" means.
 */
export interface IntentionRule {
  required: boolean;
  minDays: number;
}

export const INTENTION_RULE_KEY = 'purchase_intention_rule';
export const DEFAULT_INTENTION_RULE: IntentionRule = { required: false, minDays: 30 };

export async function intentionRule(db: Executor): Promise<IntentionRule> {
  return { ...DEFAULT_INTENTION_RULE, ...(await readSetting<Partial<IntentionRule>>(db, INTENTION_RULE_KEY)) };
}
