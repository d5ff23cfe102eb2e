import assert from 'node:assert/strict';
import { generateCatalogue } from '../../bench/generate';
import { countMatches, matchSet, pageOfMatches } from '../../src/catalogue/matches';
import { countWithFacets, listProducts, loadMatches, type ProductFilters, type SortOrder } from '../../src/catalogue/repo';
import { ENGINE, useMigratedDb } from '../helpers/db';

/**
 * A text search's matches are counted by cells (rows alike in every counted value) and paged from rows sorted once
 * per order (issue 19): on the benchmark's generated catalogue (3,000 products), every filter, every sort and pages
 * deep into the results agree with the SQL that answers without the in-memory set — the same totals, the same facet
 * counts in the same key order, the same ids in the same order.
 */
describe(`catalogue search: in-memory counts and pages on a generated catalogue agree with SQL (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();

  before(async () => {
    await generateCatalogue(ctx.db, 3000);
  });

  const filters: ProductFilters[] = [
    {},
    { level: 'provincial' },
    { city: '杭州' },
    { level: 'domestic', city: '宁波' },
    { kind: 'equipment', field: '智能装备' },
    { badge: 'boutique', city: '温州' },
    { badge: 'first_unit', level: 'international' },
    { priceMin: 100_000_000 },
    { priceMax: 50_000_000, level: 'provincial' },
    { kind: 'equipment', level: 'provincial', city: '杭州' },
    { level: 'international', city: '丽水' },
  ];

  for (const q of ['机床', '智能', '车', '系统 高速']) {
    it(`“${q}”`, async () => {
      const set = matchSet(await loadMatches(ctx.db, q));
      for (const f of filters) {
        const withText = { ...f, q };
        const mine = countMatches(set, withText);
        const sql = await countWithFacets(ctx.db, withText);
        assert.deepEqual(mine, sql, JSON.stringify(withText));
        // The facets' keys in the order the rows first show them, as counting row by row gives.
        const rowByRow = countMatches(set, { ...withText, priceMin: withText.priceMin ?? -1 });
        for (const dim of ['kind', 'level', 'field', 'city'] as const) {
          if (withText.priceMin === undefined) assert.deepEqual(Object.keys(mine.facets[dim]), Object.keys(rowByRow.facets[dim]), `${JSON.stringify(withText)} ${dim}`);
        }
        for (const sort of ['relevance', 'price_asc', 'price_desc', 'newest'] as SortOrder[]) {
          for (const offset of [0, 20, 60, 2000]) {
            const expected = (await listProducts(ctx.db, withText, sort, 20, offset)).map((r) => r.id);
            assert.deepEqual(pageOfMatches(set, withText, sort, 20, offset), expected, `${JSON.stringify(withText)} ${sort} ${offset}`);
          }
        }
      }
    });
  }
});
