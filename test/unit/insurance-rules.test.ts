import assert from 'node:assert/strict';
import { hasKey } from '../../src/i18n';
import { certValidAt, computeCompensation, roundedShare, ruleFor, type CertTerms, type ClaimContext, type ClaimTerms, type RuleVersion } from '../../src/insurance/rules';
import { ADMIN_CLAIM, FINANCE_CLAIM, VENDOR_CLAIM } from '../../src/insurance/transitions';

/** The compensation rule (API.md "First-unit insurance compensation"): every branch, and the rounding rule. */
const PRE_2021: RuleVersion = { version: 'pre-2021', fromYear: 2015, rateCapBp: 300, percents: { international: [80, 80, 80], domestic: [80, 80, 80], provincial: [80, 80, 80] }, yearlyCapFen: null };
const R2021: RuleVersion = { version: '2021', fromYear: 2021, rateCapBp: 200, percents: { international: [90, 80, 70], domestic: [80, 70, 60], provincial: [70, 60, 50] }, yearlyCapFen: 5_000_000_00 };

const claim = (over: Partial<ClaimTerms> = {}): ClaimTerms => ({ insuredValueFen: 10_000_000_00, premiumFen: 150_000_00, policyStart: '2022-03-01', policyYear: 1, unitOrdinal: 1, nationalSubsidy: false, ...over });
const cert = (over: Partial<CertTerms> = {}): CertTerms => ({ own: true, level: 'international', year: 2021, validUntil: '2024-12-31', status: 'valid', ...over });
const ctx = (over: Partial<ClaimContext> = {}): ClaimContext => ({ usedThisYearFen: 0, claimedBefore: false, ...over });
const fields = (c: { refusals: Array<{ field: string; status: number }> }) => c.refusals.map((r) => `${r.field}:${r.status}`);

describe('insurance compensation rule', () => {
  it('picks the version by the year the policy starts (none before the first)', () => {
    assert.equal(ruleFor([PRE_2021, R2021], 2020)?.version, 'pre-2021');
    assert.equal(ruleFor([R2021, PRE_2021], 2021)?.version, '2021');
    assert.equal(ruleFor([PRE_2021, R2021], 2030)?.version, '2021');
    assert.equal(ruleFor([PRE_2021, R2021], 2014), null);
    const none = computeCompensation(null, claim({ policyStart: '2014-05-01' }), cert({ year: 2013 }), ctx());
    assert.deepEqual(fields(none), ['policyStart:422']);
    assert.equal(none.compensationFen, 0);
  });

  it('rate cap: the counted premium is at most 2% of the insured value (2021), 3% before', () => {
    const capped = computeCompensation(R2021, claim({ premiumFen: 300_000_00 }), cert(), ctx());
    assert.equal(capped.rateCapFen, 200_000_00);
    assert.equal(capped.countedPremiumFen, 200_000_00);
    assert.equal(capped.compensationFen, 180_000_00); // 90% of 200,000
    const under = computeCompensation(R2021, claim({ premiumFen: 150_000_00 }), cert(), ctx());
    assert.equal(under.countedPremiumFen, 150_000_00);
    const old = computeCompensation(PRE_2021, claim({ premiumFen: 400_000_00, policyStart: '2020-03-01' }), cert({ year: 2019 }), ctx());
    assert.equal(old.countedPremiumFen, 300_000_00);
    assert.equal(old.percent, 80);
    assert.equal(old.compensationFen, 240_000_00);
    assert.equal(old.ruleVersion, 'pre-2021');
  });

  it('level percent: international 90, domestic 80, provincial 70 in year 1 (2021); 80 for every level before', () => {
    for (const [level, p] of [['international', 90], ['domestic', 80], ['provincial', 70]] as const) {
      const c = computeCompensation(R2021, claim(), cert({ level }), ctx());
      assert.equal(c.percent, p);
      assert.equal(c.compensationFen, (150_000_00 * p) / 100);
      assert.equal(computeCompensation(PRE_2021, claim({ policyStart: '2020-01-01' }), cert({ level, year: 2019 }), ctx()).percent, 80);
    }
  });

  it('policy-year step-down: 10 points less in year 2, 20 less in year 3 (2021); none before', () => {
    assert.deepEqual([1, 2, 3].map((y) => computeCompensation(R2021, claim({ policyYear: y }), cert({ level: 'domestic' }), ctx()).percent), [80, 70, 60]);
    assert.deepEqual([1, 2, 3].map((y) => computeCompensation(R2021, claim({ policyYear: y }), cert({ level: 'provincial' }), ctx()).percent), [70, 60, 50]);
    assert.deepEqual([1, 2, 3].map((y) => computeCompensation(PRE_2021, claim({ policyYear: y, policyStart: '2019-06-01' }), cert({ year: 2018 }), ctx()).percent), [80, 80, 80]);
  });

  it('yearly per-vendor cap: a claim that would pass ¥5,000,000 is cut to what is left, and says so', () => {
    const c = computeCompensation(R2021, claim({ insuredValueFen: 200_000_000_00, premiumFen: 3_000_000_00 }), cert(), ctx({ usedThisYearFen: 4_000_000_00 }));
    assert.equal(c.uncutFen, 2_700_000_00);
    assert.equal(c.compensationFen, 1_000_000_00);
    assert.deepEqual(c.cut, { capFen: 5_000_000_00, usedFen: 4_000_000_00, leftFen: 1_000_000_00 });
    assert.deepEqual(c.refusals, []);
    const fits = computeCompensation(R2021, claim(), cert(), ctx({ usedThisYearFen: 4_000_000_00 }));
    assert.equal(fits.cut, null);
    const none = computeCompensation(R2021, claim(), cert(), ctx({ usedThisYearFen: 5_000_000_00 }));
    assert.equal(none.compensationFen, 0);
    assert.deepEqual(fields(none), ['premium:409']);
    // No cap before 2021.
    assert.equal(computeCompensation(PRE_2021, claim({ policyStart: '2020-01-01', insuredValueFen: 900_000_000_00, premiumFen: 20_000_000_00 }), cert({ year: 2019 }), ctx({ usedThisYearFen: 9_000_000_00 })).compensationFen, 16_000_000_00);
  });

  it('refuses a claim whose project received the national subsidy', () => {
    assert.deepEqual(fields(computeCompensation(R2021, claim({ nationalSubsidy: true }), cert(), ctx())), ['nationalSubsidy:422']);
  });

  it('refuses policy year > 3 and unit ordinal > 3', () => {
    assert.deepEqual(fields(computeCompensation(R2021, claim({ policyYear: 4 }), cert(), ctx())), ['policyYear:422']);
    assert.deepEqual(fields(computeCompensation(R2021, claim({ unitOrdinal: 4 }), cert(), ctx())), ['unitOrdinal:422']);
    assert.deepEqual(fields(computeCompensation(R2021, claim({ policyYear: 3, unitOrdinal: 3 }), cert(), ctx())), []);
  });

  it('refuses a certificate not valid at the policy start (not yet issued, ended, revoked) or not the vendor’s own', () => {
    assert.deepEqual(fields(computeCompensation(R2021, claim({ policyStart: '2025-01-01' }), cert({ validUntil: '2024-12-31' }), ctx())), ['certNo:422']);
    assert.deepEqual(fields(computeCompensation(R2021, claim({ policyStart: '2021-06-01' }), cert({ year: 2022 }), ctx())), ['certNo:422']);
    assert.deepEqual(fields(computeCompensation(R2021, claim(), cert({ status: 'revoked' }), ctx())), ['certNo:422']);
    assert.deepEqual(fields(computeCompensation(R2021, claim(), cert({ own: false }), ctx())), ['certNo:422']);
    // Expired since, but valid on the day the policy started: fine (the demo vendor's 2020 claim).
    assert.deepEqual(fields(computeCompensation(PRE_2021, claim({ policyStart: '2020-04-01' }), cert({ year: 2017, validUntil: '2022-05-19', status: 'expired' }), ctx())), []);
    assert.equal(certValidAt({ year: 2017, validUntil: '2022-05-19', status: 'expired' }, '2022-05-19'), true);
    assert.equal(certValidAt({ year: 2017, validUntil: '2022-05-19', status: 'expired' }, '2022-05-20'), false);
  });

  it('refuses the same policy and policy year claimed twice (409)', () => {
    assert.deepEqual(fields(computeCompensation(R2021, claim(), cert(), ctx({ claimedBefore: true }))), ['policyNo:409']);
  });

  it('rounds each product once, half up, to the 分 — the rate cap first, then the compensation', () => {
    // 3% of 0.25 yuan = 0.75 分 → 1 分; 80% of 1 分 = 0.8 分 → 1 分.
    const tiny = computeCompensation(PRE_2021, claim({ insuredValueFen: 25, premiumFen: 5, policyStart: '2020-01-01' }), cert({ year: 2019 }), ctx());
    assert.equal(tiny.rateCapFen, 1);
    assert.equal(tiny.compensationFen, 1);
    // 70% of 1.05 yuan (105 分) = 73.5 分 → 74 分 (half up); 70% of 103 分 = 72.1 → 72.
    assert.equal(computeCompensation(R2021, claim({ premiumFen: 105 }), cert({ level: 'provincial' }), ctx()).compensationFen, 74);
    assert.equal(computeCompensation(R2021, claim({ premiumFen: 103 }), cert({ level: 'provincial' }), ctx()).compensationFen, 72);
    assert.equal(roundedShare(1, 1, 2), 1);
    assert.equal(roundedShare(2, 1, 4), 1); // 0.5 → 1
    assert.equal(roundedShare(1, 1, 4), 0); // 0.25 → 0
    // Large amounts stay exact (no float): 2% of ¥999,999,999.99.
    assert.equal(roundedShare(99_999_999_999, 200, 10_000), 2_000_000_000);
  });

  it('every step of the three tables has its words in both languages', () => {
    const keys = [VENDOR_CLAIM, ADMIN_CLAIM, FINANCE_CLAIM].flatMap((wf) => [
      ...wf.statuses.map((s) => wf.wrongStateKey(s)),
      ...wf.statuses.map((s) => `insurance.status_${s}`),
      ...wf.steps.flatMap((s) => [s.done, s.form?.title, s.form?.hint, s.form?.button, ...(s.form?.fields ?? []).flatMap((f) => [f.label, f.hint, ...(f.options ?? []).map((o) => `${f.optionLabel ?? ''}${o}`)])]),
    ]).filter((k): k is string => !!k);
    assert.deepEqual(keys.filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k)), []);
  });
});
