import { matchPlace } from '../search-text';
import type { ProductFilters, SortOrder } from './repo';

/**
 * How well a product matches a query, lower first: each term scores 0 when found in the title, 2 in the field, 4 in
 * the model code and 6 elsewhere (certificate number, vendor, description), one more where a Latin term is only
 * inside a word there; the sum is doubled and one taken off when the title holds the whole query's Chinese words in a
 * row. So 数控车床 puts 超精密数控车床 (title, in a row) before 数控立式车床 (title) before a 数控机床 listing that
 * mentions a 车床 in its description, and CT a 64排CT before a product whose CT is at the start of its model code
 * (CT-D5539), before one whose CT is inside it (YY-CT64 counts as a start: after the hyphen; HCT500 would not).
 * `title`, `field` and `model` are in index form (search-text.ts).
 */
export function relevanceTier(patterns: string[][], title: string, field: string, model: string): number {
  let sum = 0;
  for (const group of patterns) {
    // Per term: where it was found best (title 0, field 1, model 2, elsewhere 3), doubled, plus one when only inside a
    // word there (`ct` in `hct-500`, after a `ct` at a word's start).
    let best = 7;
    for (const p of group) {
      for (const [place, text] of [[0, title], [1, field], [2, model]] as const) {
        const at = matchPlace(text, p);
        if (at >= 0) {
          best = Math.min(best, place * 2 + at);
          break;
        }
      }
      if (best === 0) break;
    }
    sum += best === 7 ? 6 : best;
  }
  const phrase = patterns.length > 1 && patterns.every((g) => /^\p{Script=Han}+$/u.test(g[0])) ? patterns.map((g) => g[0]).join('') : '';
  return sum * 2 - (phrase && title.includes(phrase) ? 1 : 0);
}

/**
 * Everything search needs to know about one product that matches a text query: its facet values, the non-facet
 * filters, and its sort keys — as loadMatches reads it. A query's matches are loaded once (one SQL statement) and
 * cached under the catalogue version as a MatchSet; every combination of filters, facets, sort and page over that text
 * is then worked out here, in memory — shoppers refine a search far more often than they type a new one.
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

type Facet = 'kind' | 'level' | 'field' | 'city';
const FACETS: Facet[] = ['kind', 'level', 'field', 'city'];
const LEVEL_RANK: Record<string, number> = { international: 0, domestic: 1, provincial: 2 };
const BOUTIQUE = 1;
const CERTIFIED = 2;

/** One facet's values as small numbers: `values[code]` (code 0 is "no value"), `codeOf` the other way. */
interface FacetColumn {
  codes: Uint32Array;
  values: Array<string | null>;
  codeOf: Map<string, number>;
}

/**
 * A text query's matches, a column per value (typed arrays, a row's place the same in each): the twenty texts of a
 * busy hour hold some 200,000 matches, which as objects — each with its own timestamp string — were ~30 MB of the
 * server's live heap and as much for the collector to trace; as columns they are ~45 bytes a row.
 */
export interface MatchSet {
  size: number;
  ids: Float64Array;
  facets: Record<Facet, FacetColumn>;
  /** BOUTIQUE | CERTIFIED. */
  flags: Uint8Array;
  price: Float64Array;
  /** The creation time's rank among the set's (equal times, equal ranks): "newest" compares these. */
  created: Uint32Array;
  tier: Int32Array;
  /**
   * The rows counted by everything the counts filter on but the price (facet values, boutique, certified): a few
   * hundred cells where there may be tens of thousands of rows, made when first asked for (countMatches).
   */
  cells?: Cell[];
  /** The rows in each sort order (their places in the columns), sorted once when first asked for (pageOfMatches). */
  sorted: Partial<Record<SortOrder, Uint32Array>>;
  /**
   * Per sort order: the places in `sorted[order]` of the rows that have each value of a facet, and of the rows that
   * have every value of a set of facet filters (by the filters' key) — made when a page so filtered is first asked
   * for, so that such a page reads only its own rows: 系统 in one city at one level, page 15, reads the twenty rows it
   * shows instead of every 系统 of that city (pageOfMatches).
   */
  places: Partial<Record<SortOrder, Places>>;
  /** For the cache's memory budget (the columns, and room for the four orders and their places by facet). */
  approxBytes: number;
}

/** Of one sort order: each facet's values' places, and the places of each set of several facet filters, by its key. */
interface Places {
  byFacet: Partial<Record<Facet, Map<string, Uint32Array>>>;
  byFilters: Map<string, Uint32Array>;
}

function facetColumn(rows: Match[], facet: Facet): FacetColumn {
  const codes = new Uint32Array(rows.length);
  const values: Array<string | null> = [null];
  const codeOf = new Map<string, number>();
  rows.forEach((m, i) => {
    const value = m[facet];
    if (value === null) return;
    let code = codeOf.get(value);
    if (code === undefined) {
      code = values.push(value) - 1;
      codeOf.set(value, code);
    }
    codes[i] = code;
  });
  return { codes, values, codeOf };
}

export function matchSet(rows: Match[]): MatchSet {
  const n = rows.length;
  const times = [...new Set(rows.map((m) => m.created))].sort();
  const rankOf = new Map(times.map((t, i) => [t, i]));
  return {
    size: n,
    ids: Float64Array.from(rows, (m) => m.id),
    facets: { kind: facetColumn(rows, 'kind'), level: facetColumn(rows, 'level'), field: facetColumn(rows, 'field'), city: facetColumn(rows, 'city') },
    flags: Uint8Array.from(rows, (m) => (m.boutique ? BOUTIQUE : 0) | (m.certified ? CERTIFIED : 0)),
    price: Float64Array.from(rows, (m) => m.price),
    created: Uint32Array.from(rows, (m) => rankOf.get(m.created) as number),
    tier: Int32Array.from(rows, (m) => m.tier),
    sorted: {},
    places: {},
    // The columns (8 + 16 + 1 + 8 + 4 + 4 bytes a row), four sort orders and their places by facet (4 × (4 + 16)).
    approxBytes: 200 + n * (41 + 80),
  };
}

/** Matches that agree on every value countMatches looks at when no price is given, and how many they are. */
interface Cell {
  /** The row's facet codes, in FACETS' order. */
  codes: number[];
  flags: number;
  n: number;
}

function cellsOf(set: MatchSet): Cell[] {
  if (set.cells) return set.cells;
  const byKey = new Map<string, Cell>();
  const columns = FACETS.map((d) => set.facets[d].codes);
  for (let i = 0; i < set.size; i++) {
    const codes = columns.map((c) => c[i]);
    const key = `${codes.join(',')};${set.flags[i]}`;
    const cell = byKey.get(key);
    if (cell) cell.n++;
    else byKey.set(key, { codes, flags: set.flags[i], n: 1 });
  }
  return (set.cells = [...byKey.values()]);
}

/** The badge filter on a row's flags. */
function passesBadge(flags: number, f: ProductFilters): boolean {
  if (f.badge === 'boutique' && !(flags & BOUTIQUE)) return false;
  if (f.badge === 'first_unit' && !(flags & CERTIFIED)) return false;
  return true;
}

/** The non-facet filters of one row: badge and price. */
function passesBase(set: MatchSet, row: number, f: ProductFilters): boolean {
  if (!passesBadge(set.flags[row], f)) return false;
  const price = set.price[row];
  if (f.priceMin !== undefined && price < f.priceMin) return false;
  if (f.priceMax !== undefined && price > f.priceMax) return false;
  return true;
}

/** The code each facet filter asks for: undefined where the facet is not filtered, -1 where no row has the value. */
function wantedCodes(set: MatchSet, f: ProductFilters): Array<number | undefined> {
  return FACETS.map((d) => {
    const want = f[d];
    return want === undefined ? undefined : (set.facets[d].codeOf.get(want) ?? -1);
  });
}

/** Total and facet counts, each facet counted under every other filter (as countWithFacets does in SQL). */
export function countMatches(set: MatchSet, f: ProductFilters): { total: number; facets: Record<Facet, Record<string, number>> } {
  const facets = { kind: {}, level: {}, field: {}, city: {} } as Record<Facet, Record<string, number>>;
  const want = wantedCodes(set, f);
  const columns = FACETS.map((d) => set.facets[d].codes);
  let total = 0;
  const count = (codes: ArrayLike<number>, n: number) => {
    let misses = 0;
    let missed = -1;
    for (let d = 0; d < FACETS.length; d++) {
      const w = want[d];
      if (w !== undefined && codes[d] !== w) {
        misses++;
        missed = d;
      }
    }
    if (misses > 1) return;
    if (misses === 0) total += n;
    for (let d = 0; d < FACETS.length; d++) {
      const value = set.facets[FACETS[d]].values[codes[d]];
      if (value === null || (misses === 1 && missed !== d)) continue;
      const counts = facets[FACETS[d]];
      counts[value] = (counts[value] ?? 0) + n;
    }
  };
  if (f.priceMin === undefined && f.priceMax === undefined) {
    // Without a price filter, whole cells pass or fail together: count them, each with its number of matches.
    for (const cell of cellsOf(set)) if (passesBadge(cell.flags, f)) count(cell.codes, cell.n);
  } else {
    const codes = [0, 0, 0, 0];
    for (let i = 0; i < set.size; i++) {
      if (!passesBase(set, i, f)) continue;
      for (let d = 0; d < FACETS.length; d++) codes[d] = columns[d][i];
      count(codes, 1);
    }
  }
  return { total, facets };
}

/** The sort orders over a set's rows, each a total order ending with the id, as listProducts sorts in SQL. */
function comparator(set: MatchSet, sort: SortOrder): (a: number, b: number) => number {
  const { ids, price, created, tier } = set;
  const newestFirst = (a: number, b: number) => created[b] - created[a] || ids[b] - ids[a];
  switch (sort) {
    case 'relevance': {
      const level = set.facets.level;
      const rankOfCode = level.values.map((v) => LEVEL_RANK[v ?? ''] ?? 3);
      return (a, b) => tier[a] - tier[b] || rankOfCode[level.codes[a]] - rankOfCode[level.codes[b]] || newestFirst(a, b);
    }
    case 'price_asc':
      return (a, b) => price[a] - price[b] || ids[b] - ids[a];
    case 'price_desc':
      return (a, b) => price[b] - price[a] || ids[b] - ids[a];
    case 'newest':
      return newestFirst;
  }
}

function sortedRows(set: MatchSet, sort: SortOrder): Uint32Array {
  const known = set.sorted[sort];
  if (known) return known;
  const rows = new Uint32Array(set.size);
  for (let i = 0; i < set.size; i++) rows[i] = i;
  return (set.sorted[sort] = rows.sort(comparator(set, sort)));
}

/** For each value of `facet`, the places in `sorted` of the rows that have it (rows without a value are in none). */
function facetPlaces(set: MatchSet, places: Places, sorted: Uint32Array, facet: Facet): Map<string, Uint32Array> {
  const known = places.byFacet[facet];
  if (known) return known;
  const { codes, values } = set.facets[facet];
  const lists: number[][] = values.map(() => []);
  sorted.forEach((row, i) => {
    lists[codes[row]].push(i);
  });
  const byValue = new Map<string, Uint32Array>();
  values.forEach((value, code) => {
    if (value !== null) byValue.set(value, Uint32Array.from(lists[code]));
  });
  return (places.byFacet[facet] = byValue);
}

const NONE: Uint32Array = new Uint32Array(0);

/**
 * The places in `sorted` of the rows that have every facet value the filters ask for: one facet's list as it is; for
 * several, the narrowest one's rows that have the others too, kept under the filters' key. Each set of facets so kept
 * holds every row at most once, so the lists of a sort order stay within a few times the rows.
 */
function filteredPlaces(set: MatchSet, sort: SortOrder, sorted: Uint32Array, facets: Facet[], f: ProductFilters): Uint32Array {
  const places = (set.places[sort] ??= { byFacet: {}, byFilters: new Map() });
  const narrowest = facets
    .map((d) => facetPlaces(set, places, sorted, d).get(f[d] as string) ?? NONE)
    .reduce((a, b) => (b.length < a.length ? b : a));
  if (facets.length === 1 || narrowest.length === 0) return narrowest;
  const key = JSON.stringify(facets.map((d) => [d, f[d]]));
  const known = places.byFilters.get(key);
  if (known) return known;
  const wanted = facets.map((d) => ({ codes: set.facets[d].codes, code: set.facets[d].codeOf.get(f[d] as string) ?? -1 }));
  const out: number[] = [];
  for (const place of narrowest) {
    const row = sorted[place];
    if (wanted.every((w) => w.codes[row] === w.code)) out.push(place);
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
  const sorted = sortedRows(set, sort);
  const facets = FACETS.filter((d) => f[d] !== undefined);
  const places = facets.length > 0 ? filteredPlaces(set, sort, sorted, facets, f) : null;
  const n = places ? places.length : sorted.length;
  const ids: number[] = [];
  if (f.badge === undefined && f.priceMin === undefined && f.priceMax === undefined) {
    for (let i = offset; i < n && ids.length < limit; i++) ids.push(set.ids[sorted[places ? places[i] : i]]);
    return ids;
  }
  let skip = offset;
  for (let i = 0; i < n && ids.length < limit; i++) {
    const row = sorted[places ? places[i] : i];
    if (!passesBase(set, row, f)) continue;
    if (skip > 0) skip--;
    else ids.push(set.ids[row]);
  }
  return ids;
}
