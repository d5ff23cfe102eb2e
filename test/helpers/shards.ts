import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * How `npm test` (scripts/test-all.ts) splits an engine's test files between its processes.
 */

/** The suite's folders, in the order the passes run them (as package.json's test:sqlite globs list them). */
const TIERS = ['unit', 'integration', 'http', 'e2e'];

/** Every test file of the suite, relative to the root with forward slashes, tier by tier, each tier's sorted. */
export function testFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir))
      .sort()
      .flatMap((name) => {
        const rel = `${dir}/${name}`;
        if (statSync(path.join(root, rel)).isDirectory()) return walk(rel);
        return name.endsWith('.test.ts') ? [rel] : [];
      });
  return TIERS.flatMap((tier) => (existsSync(path.join(root, 'test', tier)) ? walk(`test/${tier}`) : []));
}

/**
 * The files split into `n` shares of about equal time: the longest first, each to the share with the least time so
 * far; each share then runs its files in the suite's order. A file not in `seconds` counts as its tier's median.
 */
export function split(files: string[], n: number, seconds: Record<string, number>): string[][] {
  const tierOf = (f: string) => f.split('/')[1] ?? '';
  const median = new Map<string, number>();
  for (const tier of new Set(files.map(tierOf))) {
    const known = files.filter((f) => tierOf(f) === tier && seconds[f] !== undefined).map((f) => seconds[f]!).sort((a, b) => a - b);
    median.set(tier, known.length ? known[Math.floor(known.length / 2)]! : 1);
  }
  const weight = (f: string) => seconds[f] ?? median.get(tierOf(f)) ?? 1;
  const shares = Array.from({ length: n }, () => ({ files: new Set<string>(), total: 0 }));
  for (const f of [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const least = shares.reduce((a, b) => (b.total < a.total ? b : a));
    least.files.add(f);
    least.total += weight(f);
  }
  return shares.map((s) => files.filter((f) => s.files.has(f))).filter((s) => s.length > 0);
}

