import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, chainHash, chainHashOfJson } from '../../src/db/hash-chain';
import { hashContent, transferContentJson } from '../../src/ledger/verify-walk';

/** The reference: the first implementation (the text every stored chain was hashed over). */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`)
    .join(',')}}`;
}

/** A deep copy without undefined object members (what JSON keeps). */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : defined(v)));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (v === undefined ? [] : [[k, defined(v)]])));
}

/** What the ledger and the audit log hash: the same content must give the same text, whatever its key order. */
describe('canonical JSON of the hash chains', () => {
  const content = fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined), fc.boolean(), fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)))));

  it('is JSON of the same value with undefined members left out, as the text stored chains were hashed over', () => {
    fc.assert(
      fc.property(fc.oneof(content, fc.array(content), fc.record({ outer: content, list: fc.array(content) })), (value) => {
        const text = canonicalJson(value);
        assert.equal(text, reference(value));
        assert.deepEqual(JSON.parse(text), defined(value));
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order the keys were written in, so neither does a row’s hash', () => {
    fc.assert(
      fc.property(content, (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        assert.equal(canonicalJson(reversed), canonicalJson(value));
        assert.equal(chainHash('0'.repeat(64), reversed), chainHash('0'.repeat(64), value));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the text of a stored transfer exactly (a change here would break every stored chain)', () => {
    const transfer = { debit: 1, credit: 2, amount: 100000, kind: 'allocate', order: null, case: null, key: 'bench:0', actor: 1, at: '2026-12-05T09:09:41.688Z' };
    assert.equal(canonicalJson(transfer), '{"actor":1,"amount":100000,"at":"2026-12-05T09:09:41.688Z","case":null,"credit":2,"debit":1,"key":"bench:0","kind":"allocate","order":null}');
  });

  it('a verify’s own text of a transfer (built without canonicalJson) is the text its hash was written over', () => {
    const id = fc.integer({ min: 1, max: 2 ** 31 - 1 });
    const maybe = fc.option(id, { nil: null });
    // Whatever a row may hold, tampered ones included: any text, any number where an amount belongs.
    const text = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(
        fc.tuple(id, id, id, fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), text, maybe, maybe, text, maybe, text, text, text),
        (row) => {
          const [, debit, credit, amount, kind, order, kase, key, actor, at, prev] = row;
          const written = { debit_account_id: debit, credit_account_id: credit, amount_fen: amount, kind, order_id: order, case_id: kase, idempotency_key: key, actor_id: actor, created_at: at } as Parameters<typeof hashContent>[0];
          assert.equal(transferContentJson(row), canonicalJson(hashContent(written)));
          assert.equal(chainHashOfJson(prev, transferContentJson(row)), chainHash(prev, hashContent(written)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
