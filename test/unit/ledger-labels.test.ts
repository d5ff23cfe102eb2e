import assert from 'node:assert/strict';
import { hasKey } from '../../src/i18n';
import { FLOWS } from '../../src/ledger/accounts';

describe('the ledger’s words', () => {
  it('every transfer kind and every account type of the flows table has its label in both languages (the ledger page shows them)', () => {
    const kinds = Object.keys(FLOWS).map((k) => `ledger.kind_${k}`);
    const accounts = [...new Set(Object.values(FLOWS).flatMap((f) => [f.from, f.to]))].map((a) => `ledger.account_${a}`);
    assert.deepEqual([...kinds, ...accounts].filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k)), []);
  });
});
