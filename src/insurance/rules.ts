import { Decimal } from 'decimal.js';
import type { Level } from '../domain';

/**
 * The compensation rule (保险补偿, DESIGN §8, API.md): a pure function of the rule version in force, the claim, the
 * certificate and what the vendor has already claimed. No clock, no database — every branch has its unit test
 * (test/unit/insurance-rules.test.ts).
 *
 * Rounding: amounts are whole 分. Each product is computed exactly in decimal.js and rounded once, half up, to the
 * 分: the rate cap (rate × insured value) first, then the compensation (percent × counted premium). The yearly cap's
 * cut needs no rounding (a difference of whole 分).
 */

/** The policy year and the unit ordinal (first 3 units / first batch / first version) go up to 3. */
export const MAX_POLICY_YEAR = 3;
export const MAX_UNIT_ORDINAL = 3;

/** One version of the rule table; the version in force for a policy is the one with the latest `fromYear` ≤ its start. */
export interface RuleVersion {
  version: string;
  fromYear: number;
  /** The counted premium is at most this many basis points (1/100 %) of the insured value. */
  rateCapBp: number;
  /** Percent of the counted premium, by certificate level, for policy years 1, 2 and 3. */
  percents: Record<Level, readonly [number, number, number]>;
  /** At most this much per vendor per calendar year (of the policy start); null: no cap. */
  yearlyCapFen: number | null;
}

export interface ClaimTerms {
  insuredValueFen: number;
  premiumFen: number;
  /** 'YYYY-MM-DD' */
  policyStart: string;
  policyYear: number;
  unitOrdinal: number;
  nationalSubsidy: boolean;
}

export interface CertTerms {
  /** Issued to the claimant's own credit code. */
  own: boolean;
  level: Level;
  /** The year of issue, the last valid day, the registry status. */
  year: number;
  validUntil: string;
  status: string;
}

export interface ClaimContext {
  /** Compensation of the vendor's other claims of the same calendar year, submitted or beyond (not rejected). */
  usedThisYearFen: number;
  /** The same policy and policy year is already claimed (submitted or beyond). */
  claimedBefore: boolean;
}

/** Why a claim cannot be submitted: the field it belongs to, the message key, and 422 or 409. */
export interface Refusal {
  field: string;
  key: string;
  status: 422 | 409;
  params: Record<string, string | number>;
}

export interface Computation {
  ruleVersion: string | null;
  /** min(premium, rate cap). */
  countedPremiumFen: number;
  rateCapFen: number;
  percent: number;
  /** The compensation before the yearly cap. */
  uncutFen: number;
  compensationFen: number;
  /** The yearly cap's cut, when it cut: the cap, what was used before this claim, what was left. */
  cut: { capFen: number; usedFen: number; leftFen: number } | null;
  refusals: Refusal[];
}

/** The version in force for a policy starting in `year`: the latest `fromYear` not after it; none before the first. */
export function ruleFor<R extends { fromYear: number }>(rules: readonly R[], year: number): R | null {
  let best: R | null = null;
  for (const r of rules) if (r.fromYear <= year && (!best || r.fromYear > best.fromYear)) best = r;
  return best;
}

/** `fen × numerator / denominator`, rounded half up to the 分. */
export function roundedShare(fen: number, numerator: number, denominator: number): number {
  return new Decimal(fen).times(numerator).dividedBy(denominator).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** Is the certificate valid on the day the policy starts? Issued by then, not past its end, never revoked. */
export function certValidAt(cert: Pick<CertTerms, 'year' | 'validUntil' | 'status'>, day: string): boolean {
  return cert.status !== 'revoked' && Number(day.slice(0, 4)) >= cert.year && day <= cert.validUntil;
}

export function computeCompensation(rule: RuleVersion | null, claim: ClaimTerms, cert: CertTerms, ctx: ClaimContext): Computation {
  const refusals: Refusal[] = [];
  const refuse = (field: string, key: string, params: Record<string, string | number> = {}, status: 422 | 409 = 422) => refusals.push({ field, key, status, params });

  if (!cert.own) refuse('certNo', 'insurance.cert_not_own');
  else if (!certValidAt(cert, claim.policyStart)) refuse('certNo', 'insurance.cert_not_valid', { policyStart: claim.policyStart, validUntil: cert.validUntil, year: cert.year });
  if (claim.policyYear > MAX_POLICY_YEAR) refuse('policyYear', 'insurance.policy_year_over', { max: MAX_POLICY_YEAR });
  if (claim.unitOrdinal > MAX_UNIT_ORDINAL) refuse('unitOrdinal', 'insurance.unit_ordinal_over', { max: MAX_UNIT_ORDINAL });
  if (claim.nationalSubsidy) refuse('nationalSubsidy', 'insurance.national_subsidy');
  if (!rule) refuse('policyStart', 'insurance.no_rule', { year: claim.policyStart.slice(0, 4) });
  if (ctx.claimedBefore) refuse('policyNo', 'insurance.claimed_twice', { policyYear: claim.policyYear }, 409);

  if (!rule) return { ruleVersion: null, countedPremiumFen: 0, rateCapFen: 0, percent: 0, uncutFen: 0, compensationFen: 0, cut: null, refusals };

  const rateCapFen = roundedShare(claim.insuredValueFen, rule.rateCapBp, 10_000);
  const countedPremiumFen = Math.min(claim.premiumFen, rateCapFen);
  const year = Math.min(Math.max(claim.policyYear, 1), MAX_POLICY_YEAR);
  const percent = rule.percents[cert.level][year - 1] ?? 0;
  const uncutFen = roundedShare(countedPremiumFen, percent, 100);
  let compensationFen = uncutFen;
  let cut: Computation['cut'] = null;
  if (rule.yearlyCapFen !== null) {
    const leftFen = Math.max(0, rule.yearlyCapFen - ctx.usedThisYearFen);
    if (uncutFen > leftFen) {
      compensationFen = leftFen;
      cut = { capFen: rule.yearlyCapFen, usedFen: ctx.usedThisYearFen, leftFen };
      if (leftFen === 0) refuse('premium', 'insurance.cap_exhausted', { cap: new Decimal(rule.yearlyCapFen).dividedBy(100).toFixed(2) }, 409);
    }
  }
  return { ruleVersion: rule.version, countedPremiumFen, rateCapFen, percent, uncutFen, compensationFen, cut, refusals };
}
