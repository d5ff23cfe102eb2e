import assert from 'node:assert/strict';
import path from 'node:path';
import { split, testFiles } from '../helpers/shards';

describe('npm test splits an engine’s test files between its processes by their measured time', () => {
  const files = ['test/unit/a.test.ts', 'test/unit/b.test.ts', 'test/http/c.test.ts', 'test/e2e/d.test.ts', 'test/e2e/e.test.ts', 'test/e2e/f.test.ts'];

  it('gives every file to exactly one share, each share in the suite’s order', () => {
    const shares = split(files, 2, { 'test/e2e/d.test.ts': 50, 'test/e2e/e.test.ts': 30, 'test/e2e/f.test.ts': 20, 'test/http/c.test.ts': 5 });
    assert.deepEqual([...shares.flat()].sort(), [...files].sort());
    for (const share of shares) assert.deepEqual(share, files.filter((f) => share.includes(f)));
  });

  it('balances the shares: the longest file alone against the next ones together', () => {
    const shares = split(files, 2, { 'test/e2e/d.test.ts': 50, 'test/e2e/e.test.ts': 30, 'test/e2e/f.test.ts': 20, 'test/http/c.test.ts': 5, 'test/unit/a.test.ts': 0.1, 'test/unit/b.test.ts': 0.1 });
    const withD = shares.find((s) => s.includes('test/e2e/d.test.ts'))!;
    const other = shares.find((s) => s !== withD)!;
    assert.ok(withD.includes('test/e2e/d.test.ts') && !withD.includes('test/e2e/e.test.ts') && !withD.includes('test/e2e/f.test.ts'));
    assert.ok(other.includes('test/e2e/e.test.ts') && other.includes('test/e2e/f.test.ts'));
  });

  it('counts a file it has no time for as its tier’s median, and makes no empty share', () => {
    const shares = split(['test/e2e/new.test.ts', 'test/e2e/d.test.ts', 'test/e2e/e.test.ts'], 2, { 'test/e2e/d.test.ts': 40, 'test/e2e/e.test.ts': 10 });
    // The upper median of 10 and 40 is 40: the new file weighs as much as the 40-second one and the 10-second one together.
    assert.deepEqual(shares.find((s) => s.includes('test/e2e/new.test.ts')), ['test/e2e/new.test.ts']);
    assert.deepEqual(shares.find((s) => s.includes('test/e2e/d.test.ts')), ['test/e2e/d.test.ts', 'test/e2e/e.test.ts']);
    assert.equal(split(['test/unit/a.test.ts'], 3, {}).length, 1);
  });

  it('finds this very file among the suite’s, the unit tests before the browser ones', () => {
    const all = testFiles(path.resolve(__dirname, '..', '..'));
    assert.ok(all.includes('test/unit/test-shards.test.ts'));
    assert.ok(all.indexOf('test/unit/test-shards.test.ts') < all.findIndex((f) => f.startsWith('test/e2e/')));
  });
});
