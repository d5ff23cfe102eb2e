import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADMIN_APPLICATION, VENDOR_APPLICATION, nextStatus } from '../../src/recognition/transitions';
import { ApplicationInput, ListEntryInput, ReviewInput, ScreenInput } from '../../src/recognition/schema';
import { drawFrom, majorityLevel, meets } from '../../src/recognition/rules';
import { AppError } from '../../src/errors';
import { FLOWS, parseAccountCode } from '../../src/ledger/accounts';

const catalogue = (locale: string) => JSON.parse(readFileSync(`src/i18n/${locale}/recognition.json`, 'utf8')) as Record<string, string>;

describe('certification lifecycle rules (认定)', () => {
  it('thresholds compare as decimals, by comparator', () => {
    assert.equal(meets(0.004, '<=', 0.005), true);
    assert.equal(meets(0.006, '<=', 0.005), false);
    assert.equal(meets(0.1 + 0.2, '=', 0.3), true);
    assert.equal(meets(19999, '>=', 20000), false);
    assert.equal(meets(20000, '>=', 20000), true);
  });

  it('the majority level; a tie goes to the lower level', () => {
    assert.equal(majorityLevel(['domestic', 'domestic', 'provincial']), 'domestic');
    assert.equal(majorityLevel(['international', 'domestic']), 'domestic');
    assert.equal(majorityLevel(['international', 'international', 'domestic', 'provincial']), 'international');
  });

  it('a draw picks distinct items, as many as asked, from the source of randomness', () => {
    let n = 0;
    const picked = drawFrom([1, 2, 3, 4, 5, 6, 7], 5, (k) => n++ % k);
    assert.equal(picked.length, 5);
    assert.equal(new Set(picked).size, 5);
    assert.deepEqual(drawFrom([1, 2, 3], 3, () => 0), [1, 2, 3]);
  });

  it('the tables: submit, screen (passed or rejected), the draw once, recommend after every score', () => {
    const facts = { panel: 0, scored: 0 };
    assert.equal(nextStatus('submit', 'draft', facts), 'submitted');
    assert.equal(nextStatus('screen', 'submitted', facts, 'rejected'), 'rejected');
    assert.throws(() => nextStatus('submit', 'submitted', facts), (e: AppError) => e.code === 'invalid_state');
    assert.equal(nextStatus('experts', 'expert_review', facts), 'expert_review');
    assert.throws(() => nextStatus('experts', 'expert_review', { panel: 3, scored: 0 }), (e: AppError) => e.messageKey === 'recognition.guard_already_drawn');
    assert.throws(() => nextStatus('recommend', 'expert_review', { panel: 3, scored: 2 }), (e: AppError) => e.messageKey === 'recognition.guard_reviews_pending');
    assert.equal(nextStatus('recommend', 'expert_review', { panel: 3, scored: 3 }, 'rejected'), 'rejected');
    assert.equal(nextStatus('enter_round', 'recommended', facts), 'in_round');
    assert.equal(nextStatus('certify', 'in_round', facts), 'certified');
    assert.throws(() => nextStatus('certify', 'recommended', facts));
  });

  it('every message key of the tables exists in both languages', () => {
    for (const locale of ['zh-CN', 'en']) {
      const c = catalogue(locale);
      for (const wf of [VENDOR_APPLICATION, ADMIN_APPLICATION]) {
        for (const s of wf.steps) {
          const keys = [s.done, s.form?.title, s.form?.hint, s.form?.button, ...(s.form?.fields ?? []).flatMap((f) => [f.label, f.hint, ...(f.options ?? []).map((o) => `${f.optionLabel}${o}`)])];
          for (const k of keys.filter((x): x is string => !!x && x.startsWith('recognition.'))) assert.ok(c[k.slice('recognition.'.length)], `${locale}: ${k}`);
        }
        for (const st of wf.statuses) {
          assert.ok(c[`wrong_state_${st}`], `${locale}: wrong_state_${st}`);
          assert.ok(c[`status_${st}`], `${locale}: status_${st}`);
        }
      }
    }
    assert.deepEqual(Object.keys(catalogue('en')).sort(), Object.keys(catalogue('zh-CN')).sort());
  });

  it('inputs: field-named issues', () => {
    const issue = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => r.error?.issues[0]?.path.join('.');
    assert.equal(issue(ListEntryInput.safeParse({ year: 2020, field: '船舶', product: 'p', indicators: [{ name: 'a', comparator: '>', threshold: 1 }] })), 'indicators.0.comparator');
    assert.equal(issue(ApplicationInput.safeParse({ productName: 'p', model: 'm', kind: 'equipment', field: '船舶', levelClaimed: 'domestic', indicators: [{ name: 'a', value: '1e3' }], description: 'd' })), 'indicators.0.value');
    assert.equal(issue(ScreenInput.safeParse({ passed: 'false' })), 'opinion');
    assert.equal(ReviewInput.parse({ conflict: true }).conflict, true);
    assert.equal(issue(ReviewInput.safeParse({ score: '', recommendLevel: 'domestic', opinion: 'x' })), 'score');
    assert.deepEqual(ReviewInput.parse({ score: '80', recommendLevel: 'domestic', opinion: 'x' }), { conflict: false, score: 80, recommendLevel: 'domestic', opinion: 'x' });
  });

  it('the ledger knows the award flows: treasury → award_fund → vendor', () => {
    assert.deepEqual(FLOWS.fund_award, { from: 'treasury', to: 'award_fund' });
    assert.deepEqual(FLOWS.pay_award, { from: 'award_fund', to: 'vendor' });
    assert.deepEqual(parseAccountCode('award_fund'), { type: 'award_fund', ownerId: null });
  });
});
