import assert from 'node:assert/strict';
import { growthPercentFor } from '../../src/ops';

const MB = 1024 * 1024;

describe('the heap growth bound of the standalone server (HEAP_GROWTH_PERCENT)', () => {
  it('a large live heap may grow by the configured percent of it', () => {
    assert.equal(growthPercentFor(90 * MB, 50, 32 * MB), 50);
    assert.equal(growthPercentFor(400 * MB, 50, 32 * MB), 50);
  });

  it('a small one by at least the floor, in steps of ten percent, so that it is not collected again and again', () => {
    assert.equal(growthPercentFor(32 * MB, 50, 32 * MB), 100);
    assert.equal(growthPercentFor(40 * MB, 50, 32 * MB), 80, '32 MB of 40 is 80%');
    assert.equal(growthPercentFor(33 * MB, 50, 32 * MB), 100, '97% rounded up to the next step');
  });

  it('never more than 300%, however small the heap', () => {
    assert.equal(growthPercentFor(4 * MB, 50, 32 * MB), 300);
    assert.equal(growthPercentFor(0, 50, 32 * MB), 300);
  });
});
