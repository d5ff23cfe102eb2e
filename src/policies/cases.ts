import { isAdmin, isFinance, isPurchaserOf, isVendorOf, type Rule } from './rules';

/**
 * Who may do what to a single-source case (政府首购). The purchasing unit runs its own case; the department (admin,
 * 经信) rules on objections; the finance department (财政部门, role `finance`) approves the single-source method,
 * receives a copy of each objection, takes the contract's filing (合同备案) and may terminate a case (art. 43); the
 * proposed supplier (the vendor of the product) reads the cases that name its products. Anybody else does not learn
 * that a case exists (first-purchase/policies.ts answers 404).
 */
export interface CaseParties {
  purchaserId: number;
  vendorId: number;
}

const admin: Rule<CaseParties> = (a) => isAdmin(a);
const finance: Rule<CaseParties> = (a) => isFinance(a);
const purchaser: Rule<CaseParties> = (a, c) => isPurchaserOf(a, c);
const vendor: Rule<CaseParties> = (a, c) => isVendorOf(a, c);

export const caseRules = {
  'case.read': (a, c) => admin(a, c) || finance(a, c) || purchaser(a, c) || vendor(a, c),
  'case.read_objector_contact': (a, c) => admin(a, c) || finance(a, c) || purchaser(a, c),
  'case.submit': purchaser,
  'case.edit': purchaser,
  'case.negotiate': purchaser,
  'case.contract': purchaser,
  'case.accept': purchaser,
  'case.pay': purchaser,
  'case.withdraw': (a, c) => purchaser(a, c) || admin(a, c),
  'case.terminate': (a, c) => purchaser(a, c) || finance(a, c),
  'case.approve': finance,
  'case.file_contract': finance,
  'case.resolve_objection': admin,
  'case.mark_objection': admin,
} satisfies Record<string, Rule<CaseParties>>;
