import assert from 'node:assert/strict';
import { creditCodeCheckChar, isValidCreditCode, withCheckChar } from '../../src/credit-code';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published codes whose check character is right', () => {
    // The worked example of the standard, and codes as printed on business licences.
    assert.ok(isValidCreditCode('91350100M000100Y43'));
    assert.ok(isValidCreditCode('91330000142916567N'));
    assert.ok(isValidCreditCode('91440300708461136T'));
  });

  it('computes the check character', () => {
    assert.equal(creditCodeCheckChar('91330000142916567'), 'N');
    assert.equal(withCheckChar('91350100M000100Y4'), '91350100M000100Y43');
  });

  it('rejects a wrong check character, a wrong length, and letters outside the alphabet', () => {
    assert.equal(isValidCreditCode('91330000142916567A'), false);
    assert.equal(isValidCreditCode('91330000142916567'), false);
    assert.equal(isValidCreditCode('91330000142916567NN'), false);
    assert.equal(isValidCreditCode('9133000014291656IN'), false); // I is not in the alphabet
    assert.equal(isValidCreditCode('91AB0000142916567N'), false); // division code must be digits
    assert.equal(isValidCreditCode(12345), false);
  });
});
