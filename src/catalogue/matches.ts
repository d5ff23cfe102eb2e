import type { ProductFilters, SortOrder } from './repo';

/**
 * How well a product matches a query, lower first: each term scores 0 when found in the title, 1 in the field, 2 in
 * the model code and 3 elsewhere (certificate number, vendor, description); the sum is doubled and one taken off when
 * the title holds the whole query's Chinese words in a row. So 数控车床 puts 超精密数控车床 (title, in a row) before
 * 数控立式车床 (title) before a 数控机床 listing that mentions a 车床 in its description, and CT a 64排CT before a
 * product whose only CT is in its model code. `title`, `field` and `model` are in index form (search-text.ts).
 */
export function relevanceTier(patterns: string[][], title: string, field: string, model: string): number {
  let sum = 0;
  for (const group of patterns) {
    let best = 3;
    for (const p of group) {
      if (title.includes(p)) {
        best = 0;
        break;
      }
      if (field.includes(p)) best = Math.min(best, 1);
      else if (model.includes(p)) best = Math.min(best, 2);
    }
    sum += best;
  }
  const phrase = patterns.length > 1 && patterns.every((g) => /^\p{Script=Han}+$/u.test(g[0])) ? patterns.map((g) => g[0]).join('') : '';
  return sum * 2 - (phrase && title.includes(phrase) ? 1 : 0);
}

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
  /** How well it matches the query, lower first (relevanceTier). */
  tier: number;
}

export interface MatchSet {
  rows: Match[];
  /**
   * The rows counted by everything the counts filter on but the price (facet values, boutique, certified): a few
   * hundred cells where there may be tens of thousands of rows, made when first asked for (countMatches).
   */
  cells?: Cell[];
  /** The rows in each sort order, sorted once when first asked for (pageOfMatches). */
  sorted: Partial<Record<SortOrder, Match[]>>;
  /**
   * Per sort order: the places in `sorted[order]` of the rows that have each value of a facet, and of the rows that
   * have every value of a set of facet filters (by the filters' key) — made when a page so filtered is first asked
   * for, so that such a page reads only its own rows: 系统 in one city at one level, page 15, reads the twenty rows it
   * shows instead of every 系统 of that city (pageOfMatches).
   */
  places: Partial<Record<SortOrder, Places>>;
  /** For the cache's memory budget (the rows, and room for the four orders and their places by facet). */
  approxBytes: number;
}

type Facet = 'kind' | 'level' | 'field' | 'city';

/** Of one sort order: each facet's values' places, and the places of each set of several facet filters, by its key. */
interface Places {
  byFacet: Partial<Record<Facet, Map<string, Uint32Array>>>;
  byFilters: Map<string, Uint32Array>;
}
const FACETS: Facet[] = ['kind', 'level', 'field', 'city'];
const LEVEL_RANK: Record<string, number> = { international: 0, domestic: 1, provincial: 2 };

export function matchSet(rows: Match[]): MatchSet {
  return { rows, sorted: {}, places: {}, approxBytes: 200 + rows.length * (160 + 4 * 8 + 4 * FACETS.length * 4) };
}

/** Matches that agree on every value countMatches looks at when no price is given, and how many they are. */
type Cell = Pick<Match, Facet | 'boutique' | 'certified' | 'price'> & { n: number };

function cellsOf(set: MatchSet): Cell[] {
  if (set.cells) return set.cells;
  const byKey = new Map<string, Cell>();
  for (const m of set.rows) {
    const key = `${m.kind}\u0000${m.level}\u0000${m.field}\u0000${m.city}\u0000${m.boutique ? 1 : 0}${m.certified ? 1 : 0}`;
    const cell = byKey.get(key);
    if (cell) cell.n++;
    // The price is the first row's: never read, since cells are used only when no price is filtered on.
    else byKey.set(key, { kind: m.kind, level: m.level, field: m.field, city: m.city, boutique: m.boutique, certified: m.certified, price: m.price, n: 1 });
  }
  return (set.cells = [...byKey.values()]);
}

/** The non-facet filters: badge and price. */
function passesBase(m: Pick<Match, 'boutique' | 'certified' | 'price'>, f: ProductFilters): boolean {
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
  // Without a price filter, whole cells pass or fail together: count them, each with its number of matches.
  const units: Array<Cell | Match> = f.priceMin === undefined && f.priceMax === undefined ? cellsOf(set) : set.rows;
  for (const m of units) {
    const n = 'n' in m ? m.n : 1;
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
    if (misses === 0) total += n;
    for (const d of FACETS) {
      const value = m[d];
      if (value === null || (misses === 1 && missed !== d)) continue;
      facets[d][value] = (facets[d][value] ?? 0) + n;
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

/** For each value of `facet`, the places in `sorted` of the rows that have it (rows without a value are in none). */
function facetPlaces(places: Places, sorted: Match[], facet: Facet): Map<string, Uint32Array> {
  const known = places.byFacet[facet];
  if (known) return known;
  const lists = new Map<string, number[]>();
  sorted.forEach((m, i) => {
    const value = m[facet];
    if (value === null) return;
    const list = lists.get(value);
    if (list) list.push(i);
    else lists.set(value, [i]);
  });
  return (places.byFacet[facet] = new Map([...lists].map(([value, list]) => [value, Uint32Array.from(list)])));
}

const NONE: Uint32Array = new Uint32Array(0);

/**
 * The places in `sorted` of the rows that have every facet value the filters ask for: one facet's list as it is; for
 * several, the narrowest one's rows that have the others too, kept under the filters' key. Each set of facets so kept
 * holds every row at most once, so the lists of a sort order stay within a few times the rows.
 */
function filteredPlaces(set: MatchSet, sort: SortOrder, sorted: Match[], facets: Facet[], f: ProductFilters): Uint32Array {
  const places = (set.places[sort] ??= { byFacet: {}, byFilters: new Map() });
  const narrowest = facets
    .map((d) => facetPlaces(places, sorted, d).get(f[d] as string) ?? NONE)
    .reduce((a, b) => (b.length < a.length ? b : a));
  if (facets.length === 1 || narrowest.length === 0) return narrowest;
  const key = JSON.stringify(facets.map((d) => [d, f[d]]));
  const known = places.byFilters.get(key);
  if (known) return known;
  const out: number[] = [];
  for (const place of narrowest) {
    const m = sorted[place];
    if (facets.every((d) => m[d] === f[d])) out.push(place);
  }
  const list = Uint32Array.from(out);
  places.byFilters.set(key, list);
  return list;
}

/**
 * The ids of one page of the filtered matches, in the order listProducts gives in SQL. The set is sorted once per
 * order (each comparator is a total order, ending with the id, so sorting all and then filtering gives what filtering
 * and then sorting gives); a page filtered by facets then reads the places of its rows (filteredPlaces) — from its
 * offset on, unless a badge or a price is filtered too, which the rows are then read for.
 */
export function pageOfMatches(set: MatchSet, f: ProductFilters, sort: SortOrder, limit: number, offset: number): number[] {
  const sorted = (set.sorted[sort] ??= [...set.rows].sort(COMPARE[sort]));
  const facets = FACETS.filter((d) => f[d] !== undefined);
  const places = facets.length > 0 ? filteredPlaces(set, sort, sorted, facets, f) : null;
  const n = places ? places.length : sorted.length;
  const ids: number[] = [];
  if (f.badge === undefined && f.priceMin === undefined && f.priceMax === undefined) {
    for (let i = offset; i < n && ids.length < limit; i++) ids.push(sorted[places ? places[i] : i].id);
    return ids;
  }
  let skip = offset;
  for (let i = 0; i < n && ids.length < limit; i++) {
    const m = sorted[places ? places[i] : i];
    if (!passesBase(m, f)) continue;
    if (skip > 0) skip--;
    else ids.push(m.id);
  }
  return ids;
}
