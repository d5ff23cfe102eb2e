import assert from 'node:assert/strict';
import { countMatches, matchSet, pageOfMatches, type Match } from '../../src/catalogue/matches';

/**
 * A text query's matches held as columns (matches.ts): the edge cases the SQL comparison of
 * test/integration/catalogue-matches.test.ts does not reach — nothing found, a facet value nobody has, products
 * without a level, equal creation times.
 */
const row = (id: number, over: Partial<Match> = {}): Match => ({
  id,
  kind: 'equipment',
  level: 'provincial',
  field: '高端装备',
  city: '杭州',
  boutique: false,
  certified: true,
  price: 100_00,
  created: '2020-03-01 08:00:00',
  tier: 0,
  ...over,
});

describe('search matches in memory (columns)', () => {
  it('a text that found nothing: no total, no facets, an empty page in every order', () => {
    const set = matchSet([]);
    assert.deepEqual(countMatches(set, {}), { total: 0, facets: { kind: {}, level: {}, field: {}, city: {} } });
    assert.deepEqual(countMatches(set, { city: '杭州', priceMin: 1 }).total, 0);
    for (const sort of ['relevance', 'price_asc', 'price_desc', 'newest'] as const) assert.deepEqual(pageOfMatches(set, { level: 'domestic' }, sort, 20, 0), []);
  });

  it('a facet value no product has finds nothing, and the other facets are still counted under the rest of the filters', () => {
    const set = matchSet([row(1), row(2, { city: '宁波' }), row(3, { kind: 'software' })]);
    const counts = countMatches(set, { city: '丽水' });
    assert.equal(counts.total, 0);
    assert.deepEqual(counts.facets.city, { 杭州: 2, 宁波: 1 }, 'the city facet is counted without the city filter');
    assert.deepEqual(counts.facets.kind, {}, 'no product is in 丽水');
    assert.deepEqual(pageOfMatches(set, { city: '丽水' }, 'newest', 20, 0), []);
    assert.deepEqual(pageOfMatches(set, { city: '丽水', kind: 'equipment' }, 'newest', 20, 0), []);
  });

  it('a product without a level is in no level count, and a level filter leaves it out', () => {
    const set = matchSet([row(1, { level: null }), row(2, { level: 'domestic' }), row(3, { level: null, boutique: true })]);
    const all = countMatches(set, {});
    assert.equal(all.total, 3);
    assert.deepEqual(all.facets.level, { domestic: 1 });
    assert.deepEqual(pageOfMatches(set, { level: 'domestic' }, 'price_asc', 20, 0), [2]);
    assert.deepEqual(countMatches(set, { badge: 'boutique' }).facets.level, {});
    assert.equal(countMatches(set, { badge: 'boutique', priceMax: 100_00 }).total, 1);
  });

  it('orders as SQL does: relevance by tier then level then newest, equal times and prices by the higher id first', () => {
    const set = matchSet([
      row(1, { tier: 2, created: '2020-01-01 00:00:00', price: 500 }),
      row(2, { tier: 0, level: 'international', created: '2019-01-01 00:00:00', price: 500 }),
      row(3, { tier: 0, level: 'provincial', created: '2021-01-01 00:00:00', price: 100 }),
      row(4, { tier: 0, level: 'provincial', created: '2021-01-01 00:00:00', price: 900 }),
      row(5, { tier: 0, level: null, created: '2022-01-01 00:00:00', price: 100 }),
    ]);
    assert.deepEqual(pageOfMatches(set, {}, 'relevance', 20, 0), [2, 4, 3, 5, 1]);
    assert.deepEqual(pageOfMatches(set, {}, 'newest', 20, 0), [5, 4, 3, 1, 2]);
    assert.deepEqual(pageOfMatches(set, {}, 'price_asc', 20, 0), [5, 3, 2, 1, 4]);
    assert.deepEqual(pageOfMatches(set, {}, 'price_desc', 20, 0), [4, 2, 1, 5, 3]);
    assert.deepEqual(pageOfMatches(set, {}, 'price_desc', 2, 2), [1, 5], 'a later page starts where the one before ended');
    assert.deepEqual(pageOfMatches(set, { level: 'provincial', priceMin: 200 }, 'newest', 20, 0), [4, 1]);
  });
});
