import assert from 'node:assert/strict';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { FormInvalid, parseForm } from '../../src/web/forms';
import { parseInput } from '../../src/web/validate';

/** What a clerk is told of a choice left blank (found by a page audit: "商品：须为整数" for a product not chosen). */
describe('a value nobody gave is "required", a value of the wrong kind is wrong', () => {
  const Schema = z.object({
    productId: z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d{0,8}$/).transform(Number)], { message: 'validation.integer' }),
    decision: z.enum(['passed', 'failed'], { message: 'validation.one_of' }),
  });
  const keysOf = (fn: () => unknown): Record<string, string> => {
    try {
      fn();
    } catch (err) {
      const errors = err instanceof FormInvalid ? err.errors : [err as AppError];
      return Object.fromEntries(errors.map((e) => [e.field ?? '', e.messageKey]));
    }
    assert.fail('expected a refusal');
  };

  it('a page form: a blank select and an unpicked radio are required; a typed-in wrong value keeps its own message', () => {
    assert.deepEqual(keysOf(() => parseForm(Schema, { productId: '' })), { productId: 'validation.required', decision: 'validation.required' });
    assert.deepEqual(keysOf(() => parseForm(Schema, { productId: 'abc', decision: 'maybe' })), { productId: 'validation.integer', decision: 'validation.one_of' });
  });

  it('a JSON body: a key left out or null is required; a wrong value keeps its own message', () => {
    assert.deepEqual(keysOf(() => parseInput(Schema, { decision: 'passed' })), { productId: 'validation.required' });
    assert.deepEqual(keysOf(() => parseInput(Schema, { productId: null, decision: 'passed' })), { productId: 'validation.required' });
    assert.deepEqual(keysOf(() => parseInput(Schema, { productId: 1.5, decision: 'passed' })), { productId: 'validation.integer' });
    assert.deepEqual(keysOf(() => parseInput(Schema, { productId: 1, decision: 'later' })), { decision: 'validation.one_of' });
  });
});
