/** Ledger account codes (DESIGN §4). */
export type AccountType = 'treasury' | 'budget' | 'commitment' | 'vendor';

export const TREASURY = 'treasury';
export const budgetAccount = (purchaserId: number) => `budget:${purchaserId}`;
export const commitmentAccount = (purchaserId: number) => `commitment:${purchaserId}`;
export const vendorAccount = (vendorId: number) => `vendor:${vendorId}`;

export function parseAccountCode(code: string): { type: AccountType; ownerId: number | null } {
  if (code === TREASURY) return { type: 'treasury', ownerId: null };
  const m = /^(budget|commitment|vendor):(\d+)$/.exec(code);
  if (!m) throw new Error(`not an account code: ${code}`);
  return { type: m[1] as AccountType, ownerId: Number(m[2]) };
}

export type TransferKind = 'allocate' | 'reserve' | 'release' | 'settle' | 'refund';

/** Which account types each kind of transfer moves money between: one place that says what flows are legal. */
export const FLOWS: Record<TransferKind, { from: AccountType; to: AccountType }> = {
  allocate: { from: 'treasury', to: 'budget' },
  reserve: { from: 'budget', to: 'commitment' },
  release: { from: 'commitment', to: 'budget' },
  settle: { from: 'commitment', to: 'vendor' },
  refund: { from: 'vendor', to: 'budget' },
};
