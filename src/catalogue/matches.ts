import type { ProductFilters, SortOrder } from './repo';

/**
 * Everything search needs to know about one product that matches a text query: its facet values, the non-facet
 * filters, and its sort keys. A query's matches are loaded once (one SQL statement) and cached under the catalogue
 * version; every combination of filters, facets, sort and page over that text is then worked out here, in memory —
 * shoppers refine a search far more often than they type a new one.
 */
export interface Match {
  id: number;
  kind: string;
  level: string | null;
  field: string;
  city: string;
  boutique: boolean;
  certified: boolean;
  price: number;
  created: string;
  /** Where the terms matched: 0 per term in the title, 1 in the model, 2 elsewhere (see repo.ts). */
  tier: number;
}

export interface MatchSet {
  rows: Match[];
  /** For the cache's memory budget. */
  approxBytes: number;
}

type Facet = 'kind' | 'level' | 'field' | 'city';
const FACETS: Facet[] = ['kind', 'level', 'field', 'city'];
const LEVEL_RANK: Record<string, number> = { international: 0, domestic: 1, provincial: 2 };

export function matchSet(rows: Match[]): MatchSet {
  return { rows, approxBytes: 200 + rows.length * 160 };
}

/** The non-facet filters: badge and price. */
function passesBase(m: Match, f: ProductFilters): boolean {
  if (f.badge === 'boutique' && !m.boutique) return false;
  if (f.badge === 'first_unit' && !m.certified) return false;
  if (f.priceMin !== undefined && m.price < f.priceMin) return false;
  if (f.priceMax !== undefined && m.price > f.priceMax) return false;
  return true;
}

/** Total and facet counts, each facet counted under every other filter (as countWithFacets does in SQL). */
export function countMatches(set: MatchSet, f: ProductFilters): { total: number; facets: Record<Facet, Record<string, number>> } {
  const facets = { kind: {}, level: {}, field: {}, city: {} } as Record<Facet, Record<string, number>>;
  let total = 0;
  for (const m of set.rows) {
    if (!passesBase(m, f)) continue;
    let misses = 0;
    let missed: Facet | null = null;
    for (const d of FACETS) {
      const want = f[d];
      if (want !== undefined && m[d] !== want) {
        misses++;
        missed = d;
      }
    }
    if (misses > 1) continue;
    if (misses === 0) total++;
    for (const d of FACETS) {
      const value = m[d];
      if (value === null || (misses === 1 && missed !== d)) continue;
      facets[d][value] = (facets[d][value] ?? 0) + 1;
    }
  }
  return { total, facets };
}

const newestFirst = (a: Match, b: Match) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id - a.id);
const COMPARE: Record<SortOrder, (a: Match, b: Match) => number> = {
  relevance: (a, b) => a.tier - b.tier || (LEVEL_RANK[a.level ?? ''] ?? 3) - (LEVEL_RANK[b.level ?? ''] ?? 3) || newestFirst(a, b),
  price_asc: (a, b) => a.price - b.price || b.id - a.id,
  price_desc: (a, b) => b.price - a.price || b.id - a.id,
  newest: newestFirst,
};

/** The ids of one page of the filtered matches, in the order listProducts gives in SQL. */
export function pageOfMatches(set: MatchSet, f: ProductFilters, sort: SortOrder, limit: number, offset: number): number[] {
  const chosen = set.rows.filter((m) => passesBase(m, f) && FACETS.every((d) => f[d] === undefined || m[d] === f[d]));
  chosen.sort(COMPARE[sort]);
  return chosen.slice(offset, offset + limit).map((m) => m.id);
}
