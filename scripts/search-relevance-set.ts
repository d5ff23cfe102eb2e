/**
 * The search relevance set (test/fixtures/search-relevance.json) measured against a catalogue: for each query, its
 * first 5 results against the products a searcher expects — the approved products whose title matches the case's
 * `title` pattern. precision@5 = relevant among the first 5 / min(5, relevant). Used by `npm run search:relevance`
 * and by test/integration/search-relevance.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogueService } from '../src/catalogue';
import { SearchQuery } from '../src/catalogue/schema';
import type { Executor } from '../src/db';
import { parseInput } from '../src/web/validate';

export interface RelevanceCase {
  q: string;
  /** A regular expression: an approved product whose title matches it is a result the searcher wants. */
  title: string;
  note?: string;
}

export interface RelevanceResult {
  q: string;
  precision: number;
  relevant: number;
  top: Array<{ title: string; relevant: boolean }>;
}

export function relevanceCases(): RelevanceCase[] {
  const file = path.join(__dirname, '..', 'test', 'fixtures', 'search-relevance.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: RelevanceCase[] }).cases;
}

/** Runs every case through the catalogue's search (the service the API and the page use). */
export async function measureRelevance(db: Executor, catalogue: CatalogueService, cases = relevanceCases()): Promise<{ mean: number; results: RelevanceResult[] }> {
  const titles: Array<{ id: number; title: string }> = await db('products').select('id', 'title').where('status', 'approved');
  const results: RelevanceResult[] = [];
  for (const c of cases) {
    const wanted = new RegExp(c.title, 'u');
    const relevantIds = new Set(titles.filter((p) => wanted.test(p.title)).map((p) => p.id));
    if (relevantIds.size === 0) throw new Error(`search-relevance.json: no approved product's title matches /${c.title}/ (query “${c.q}”)`);
    const r = await catalogue.search(parseInput(SearchQuery, { q: c.q, pageSize: '5' }));
    const top = r.items.map((i) => ({ title: i.title, relevant: relevantIds.has(i.id) }));
    const hits = top.filter((t) => t.relevant).length;
    results.push({ q: c.q, precision: hits / Math.min(5, relevantIds.size), relevant: relevantIds.size, top });
  }
  const mean = results.reduce((s, r) => s + r.precision, 0) / results.length;
  return { mean, results };
}
