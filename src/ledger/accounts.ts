/** Ledger account codes (DESIGN §4). */
export type AccountType = 'treasury' | 'budget' | 'commitment' | 'vendor' | 'award_fund' | 'subsidy_fund';

export const TREASURY = 'treasury';
/** The provincial award fund (奖励, DESIGN §8): allocated from the treasury, paid to vendors; awards are not trades. */
export const AWARD_FUND = 'award_fund';
/** The insurance compensation fund (保险补偿, DESIGN §8): allocated from the treasury, paid to vendors; not trades. */
export const SUBSIDY_FUND = 'subsidy_fund';
export const budgetAccount = (purchaserId: number) => `budget:${purchaserId}`;
export const commitmentAccount = (purchaserId: number) => `commitment:${purchaserId}`;
export const vendorAccount = (vendorId: number) => `vendor:${vendorId}`;

export function parseAccountCode(code: string): { type: AccountType; ownerId: number | null } {
  if (code === TREASURY) return { type: 'treasury', ownerId: null };
  if (code === AWARD_FUND) return { type: 'award_fund', ownerId: null };
  if (code === SUBSIDY_FUND) return { type: 'subsidy_fund', ownerId: null };
  const m = /^(budget|commitment|vendor):(\d+)$/.exec(code);
  if (!m) throw new Error(`not an account code: ${code}`);
  return { type: m[1] as AccountType, ownerId: Number(m[2]) };
}

export type TransferKind = 'allocate' | 'reserve' | 'release' | 'settle' | 'refund' | 'fund_award' | 'pay_award' | 'fund_subsidy' | 'pay_subsidy';

/** Which account types each kind of transfer moves money between: one place that says what flows are legal. */
export const FLOWS: Record<TransferKind, { from: AccountType; to: AccountType }> = {
  allocate: { from: 'treasury', to: 'budget' },
  reserve: { from: 'budget', to: 'commitment' },
  release: { from: 'commitment', to: 'budget' },
  settle: { from: 'commitment', to: 'vendor' },
  refund: { from: 'vendor', to: 'budget' },
  // Awards (奖励): the treasury funds an award when a certification round is finalized; finance pays it to the vendor.
  fund_award: { from: 'treasury', to: 'award_fund' },
  pay_award: { from: 'award_fund', to: 'vendor' },
  // Insurance compensation (保险补偿): the treasury funds an approved claim in the subsidy fund; finance pays it out.
  fund_subsidy: { from: 'treasury', to: 'subsidy_fund' },
  pay_subsidy: { from: 'subsidy_fund', to: 'vendor' },
};
