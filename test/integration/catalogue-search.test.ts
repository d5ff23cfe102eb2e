import assert from 'node:assert/strict';
import { SystemClock } from '../../src/clock';
import { SearchQuery } from '../../src/catalogue/schema';
import { CatalogueCache } from '../../src/catalogue/cache';
import { countMatches, matchSet, pageOfMatches } from '../../src/catalogue/matches';
import { countWithFacets, listProducts, loadMatches, type ProductFilters, type SortOrder } from '../../src/catalogue/repo';
import { CatalogueService, type SearchResult } from '../../src/catalogue/service';
import { parseInput } from '../../src/web/validate';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { createDb, readerOf } from '../../src/db';
import { makeCert, makeProduct, makeVendor } from '../helpers/factories';

/**
 * Search and facets against a real database of the engine under test. The catalogue below is small and hand-made so
 * that every expected hit can be named.
 */
describe(`catalogue search (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let service: CatalogueService;
  const ids: Record<string, number> = {};

  const search = (q: Record<string, string>): Promise<SearchResult> => service.search(parseInput(SearchQuery, q));
  const titles = (r: SearchResult) => r.items.map((i) => i.title);

  before(async () => {
    const db = ctx.db;
    service = new CatalogueService(db, new SystemClock());
    const hz = await makeVendor(db, { name: '杭州精机股份有限公司', city: '杭州' });
    const nb = await makeVendor(db, { name: '宁波医疗设备有限公司', city: '宁波' });
    const wz = await makeVendor(db, { name: '温州航空科技有限公司', city: '温州' });
    const intl = await makeCert(db, hz, { level: 'international', field: '数控机床', kind: 'equipment' });
    const dom = await makeCert(db, hz, { level: 'domestic', field: '数控机床', kind: 'equipment' });
    const prov = await makeCert(db, hz, { level: 'provincial', field: '数控机床', kind: 'equipment' });
    const ct = await makeCert(db, nb, { level: 'domestic', field: '高端医疗装备', kind: 'equipment' });
    const mat = await makeCert(db, nb, { level: 'provincial', field: '新材料', kind: 'material' });
    const air = await makeCert(db, wz, { level: 'domestic', field: '航空装备', kind: 'equipment' });
    const t = (d: number) => `2026-01-${String(d).padStart(2, '0')}T02:00:00.000Z`;
    ids.lathe = (await makeProduct(db, hz, { cert: intl, title: '高速精密数控机床', model: 'HZ-VMC850', price_fen: 98_000_000, created_at: t(1) })).id;
    ids.gantry = (await makeProduct(db, hz, { cert: dom, title: '龙门式五轴数控机床', model: 'HZ-G5', price_fen: 260_000_000, created_at: t(2) })).id;
    ids.broach = (await makeProduct(db, hz, { cert: prov, title: '五轴数控卧式侧拉床', model: 'LJ-5X', price_fen: 150_000_000, created_at: t(3) })).id;
    ids.ct = (await makeProduct(db, nb, { cert: ct, title: '64排CT', model: 'NB-CT64', price_fen: 580_000_000, created_at: t(4) })).id;
    ids.mr = (await makeProduct(db, nb, { cert: ct, title: '1.5T MR 磁共振成像系统', model: 'NB-MR15', price_fen: 900_000_000, created_at: t(5) })).id;
    ids.membrane = (await makeProduct(db, nb, { cert: mat, title: '血液透析用中空纤维膜', model: 'HF-2', price_fen: 5_000, created_at: t(6) })).id;
    ids.plane = (await makeProduct(db, wz, { cert: air, title: '钻石 DA40NG 通用飞机', model: 'DA40NG', price_fen: 350_000_000, created_at: t(7) })).id;
    // Boutique items (no certificate); one only mentions 机床 in its description.
    ids.loader = (await makeProduct(db, hz, {
      title: '智能上下料机器人',
      model: 'RB-10',
      field: '智能装备',
      description: '适配各类机床的自动上下料单元',
      price_fen: 12_000_000,
      created_at: t(8),
    })).id;
    ids.boat = (await makeProduct(db, wz, { title: '70英尺双体动力豪华游艇', model: 'YT-70', field: '船舶', price_fen: 1_200_000_000, created_at: t(9) })).id;
    // Not public: never found.
    await makeProduct(db, hz, { cert: intl, title: '待审核数控机床', status: 'pending_review', created_at: t(10) });
    await makeProduct(db, hz, { cert: intl, title: '已驳回数控机床', status: 'rejected', created_at: t(11) });
    await makeProduct(db, hz, { cert: intl, title: '已下架数控机床', status: 'delisted', created_at: t(12) });
  });

  describe('text', () => {
    it('a 2-character query matches inside words: 机床 finds both 数控机床 and, by its field, 五轴数控卧式侧拉床', async () => {
      const r = await search({ q: '机床' });
      const found = titles(r);
      for (const title of ['高速精密数控机床', '龙门式五轴数控机床', '五轴数控卧式侧拉床', '智能上下料机器人']) assert.ok(found.includes(title), `${title} in ${found.join(', ')}`);
      assert.equal(r.total, 4);
    });

    it('finds only approved listings', async () => {
      const r = await search({ q: '数控机床', pageSize: '100' });
      assert.ok(titles(r).every((x) => !/待审核|已驳回|已下架/.test(x)), titles(r).join(', '));
      const all = await search({ pageSize: '100' });
      assert.equal(all.total, 9);
    });

    it('ranks a title match above a field-only or description-only match', async () => {
      const r = await search({ q: '机床' });
      const found = titles(r);
      const lastTitleHit = Math.max(found.indexOf('高速精密数控机床'), found.indexOf('龙门式五轴数控机床'));
      assert.ok(lastTitleHit < found.indexOf('五轴数控卧式侧拉床'), found.join(', '));
      assert.ok(lastTitleHit < found.indexOf('智能上下料机器人'), found.join(', '));
    });

    it('CT finds 64排CT, and so does the full-width ＣＴ', async () => {
      for (const q of ['CT', 'ct', 'ＣＴ']) {
        const r = await search({ q });
        assert.ok(r.items.some((i) => i.id === ids.ct), `${q}: ${titles(r).join(', ')}`);
        assert.equal(r.items[0].id, ids.ct, q);
      }
    });

    it('a full-width model number matches like the half-width one: １．５Ｔ finds 1.5T MR', async () => {
      const r = await search({ q: '１．５Ｔ' });
      assert.deepEqual(titles(r), ['1.5T MR 磁共振成像系统']);
    });

    it('a 1-character query works', async () => {
      const r = await search({ q: '床', pageSize: '100' });
      assert.ok(r.items.some((i) => i.id === ids.broach));
      assert.ok(r.items.some((i) => i.id === ids.lathe));
      const boat = await search({ q: '艇' });
      assert.deepEqual(titles(boat), ['70英尺双体动力豪华游艇']);
    });

    it('a model number matches, in any case', async () => {
      assert.deepEqual(titles(await search({ q: 'DA40NG' })), ['钻石 DA40NG 通用飞机']);
      assert.deepEqual(titles(await search({ q: 'da40ng' })), ['钻石 DA40NG 通用飞机']);
      assert.deepEqual(titles(await search({ q: 'HZ-VMC850' })), ['高速精密数控机床']);
    });

    it('space-separated terms are ANDed, mixing Latin and Chinese', async () => {
      assert.deepEqual(titles(await search({ q: 'DA40 飞机' })), ['钻石 DA40NG 通用飞机']);
      assert.deepEqual(titles(await search({ q: 'DA40 机床' })), []);
      assert.deepEqual(titles(await search({ q: '五轴 机床', sort: 'price_asc' })), ['五轴数控卧式侧拉床', '龙门式五轴数控机床']);
    });

    it('short terms find text at the very end of a product’s search text, and nothing that is not there', async () => {
      const vendor = await makeVendor(ctx.db, { city: '衢州' });
      const id = (await makeProduct(ctx.db, vendor, { title: '刃磨设备', field: '智能装备', description: '配套硬质合金铣刀', boutique: true, price_fen: 100 })).id;
      try {
        assert.deepEqual((await search({ q: '铣刀' })).items.map((i) => i.id), [id]);
        assert.deepEqual((await search({ q: '铣' })).items.map((i) => i.id), [id]);
        assert.equal((await search({ q: 'zq' })).total, 0);
        assert.equal((await search({ q: '鼎' })).total, 0);
      } finally {
        await ctx.db('products').where({ id }).del();
      }
    });

    it('a 1-character query that starts very many trigrams still finds every product (scan instead of the index)', async () => {
      const vendor = await makeVendor(ctx.db, { city: '衢州' });
      // 450 different characters after 机 give 450 distinct trigrams that start with 机.
      const many = Array.from({ length: 450 }, (_, i) => `机${String.fromCodePoint(0x4e00 + i)}`).join(' ');
      const id = (await makeProduct(ctx.db, vendor, { title: '字表', field: '智能装备', description: many, boutique: true, price_fen: 100 })).id;
      try {
        const r = await search({ q: '机', pageSize: '100' });
        assert.ok(r.items.some((i) => i.id === id));
        assert.ok(r.items.some((i) => i.id === ids.lathe));
        assert.ok(r.items.some((i) => i.id === ids.loader), 'the description match (机床, 机器人)');
      } finally {
        await ctx.db('products').where({ id }).del();
      }
    });

    it('treats LIKE wildcards and FTS syntax in the query as punctuation: alone they find nothing, beside words they change nothing', async () => {
      assert.equal((await search({ q: '%' })).total, 0);
      assert.equal((await search({ q: '_' })).total, 0);
      assert.equal((await search({ q: 'OR AND NEAR' })).total, 0);
      const plain = await search({ q: '机床' });
      assert.ok(plain.total > 0);
      assert.deepEqual((await search({ q: '"机床' })).items, plain.items);
      assert.deepEqual((await search({ q: '机床*' })).items, plain.items);
    });

    it('finds nothing for text that is not there', async () => {
      const r = await search({ q: '不存在的产品' });
      assert.equal(r.total, 0);
      assert.deepEqual(r.items, []);
    });
  });

  describe('filters', () => {
    it('kind', async () => {
      const r = await search({ kind: 'material' });
      assert.deepEqual(titles(r), ['血液透析用中空纤维膜']);
    });

    it('level', async () => {
      const r = await search({ level: 'domestic', sort: 'price_asc' });
      assert.deepEqual(titles(r), ['龙门式五轴数控机床', '钻石 DA40NG 通用飞机', '64排CT', '1.5T MR 磁共振成像系统']);
    });

    it('field, by its Chinese name or its code', async () => {
      const a = await search({ field: '数控机床' });
      const b = await search({ field: 'cnc_machine_tools' });
      assert.equal(a.total, 3);
      assert.deepEqual(titles(a), titles(b));
    });

    it('city, by its Chinese name or its code', async () => {
      const a = await search({ city: '温州' });
      const b = await search({ city: 'wenzhou' });
      assert.deepEqual(new Set(titles(a)), new Set(['钻石 DA40NG 通用飞机', '70英尺双体动力豪华游艇']));
      assert.deepEqual(titles(a), titles(b));
    });

    it('badge: first_unit has a certificate, boutique is the 浙江制造精品 hall', async () => {
      const first = await search({ badge: 'first_unit', pageSize: '100' });
      assert.equal(first.total, 7);
      assert.ok(first.items.every((i) => i.certNo && i.badges.includes('first_unit')));
      const boutique = await search({ badge: 'boutique', pageSize: '100' });
      assert.deepEqual(new Set(titles(boutique)), new Set(['智能上下料机器人', '70英尺双体动力豪华游艇']));
      assert.ok(boutique.items.every((i) => i.badges.includes('boutique') && i.certNo === null && i.level === null));
    });

    it('price range in yuan, both ends inclusive', async () => {
      const r = await search({ priceMin: '980000', priceMax: '2600000', sort: 'price_asc' });
      assert.deepEqual(titles(r), ['高速精密数控机床', '五轴数控卧式侧拉床', '龙门式五轴数控机床']);
      assert.deepEqual(titles(await search({ priceMax: '50' })), ['血液透析用中空纤维膜']);
      assert.deepEqual(titles(await search({ priceMin: '12000000' })), ['70英尺双体动力豪华游艇']);
    });

    it('filters combine with the text query', async () => {
      const r = await search({ q: '机床', level: 'international' });
      assert.deepEqual(titles(r), ['高速精密数控机床']);
    });
  });

  describe('sorting and paging', () => {
    it('price ascending and descending', async () => {
      const asc = await search({ sort: 'price_asc', pageSize: '100' });
      const prices = asc.items.map((i) => Number(i.price));
      assert.deepEqual(prices, [...prices].sort((a, b) => a - b));
      const desc = await search({ sort: 'price_desc', pageSize: '100' });
      assert.deepEqual(titles(desc), [...titles(asc)].reverse());
    });

    it('newest first, which is also the order without a query', async () => {
      const r = await search({ pageSize: '3' });
      assert.deepEqual(titles(r), ['70英尺双体动力豪华游艇', '智能上下料机器人', '钻石 DA40NG 通用飞机']);
      assert.deepEqual(titles(await search({ sort: 'newest', pageSize: '3' })), titles(r));
    });

    it('pages: the total stays, the items move on, and a page past the end is empty', async () => {
      const p1 = await search({ pageSize: '4', page: '1' });
      const p2 = await search({ pageSize: '4', page: '2' });
      const p3 = await search({ pageSize: '4', page: '3' });
      const p4 = await search({ pageSize: '4', page: '4' });
      assert.deepEqual([p1.total, p2.total, p3.total, p4.total], [9, 9, 9, 9]);
      assert.deepEqual([p1.items.length, p2.items.length, p3.items.length, p4.items.length], [4, 4, 1, 0]);
      const seen = new Set([...p1.items, ...p2.items, ...p3.items].map((i) => i.id));
      assert.equal(seen.size, 9);
      assert.equal(p2.page, 2);
      assert.equal(p2.pageSize, 4);
    });
  });

  describe('in-memory refinement of a text search agrees with SQL', () => {
    const combos: ProductFilters[] = [
      {},
      { level: 'domestic' },
      { kind: 'equipment', city: '杭州' },
      { field: '数控机床', level: 'provincial' },
      { badge: 'boutique' },
      { badge: 'first_unit', priceMin: 100_000_000 },
      { priceMax: 200_000_000, city: '宁波' },
    ];
    for (const q of ['机床', 'ct', '五轴 机床', '床', 'zz']) {
      it(`counts and pages for “${q}”`, async () => {
        const set = matchSet(await loadMatches(ctx.db, q));
        for (const f of combos) {
          const filters = { ...f, q };
          assert.deepEqual(countMatches(set, filters), await countWithFacets(ctx.db, filters), JSON.stringify(filters));
          for (const sort of ['relevance', 'price_asc', 'price_desc', 'newest'] as SortOrder[]) {
            const sql = (await listProducts(ctx.db, filters, sort, 3, 1)).map((r) => r.id);
            assert.deepEqual(pageOfMatches(set, filters, sort, 3, 1), sql, `${JSON.stringify(filters)} ${sort}`);
          }
        }
      });
    }
  });

  describe('facets', () => {
    it('counts every dimension over the matching products', async () => {
      const r = await search({ q: '机床' });
      assert.deepEqual(r.facets.level, { international: 1, domestic: 1, provincial: 1 });
      // The uncertified 浙江制造精品 loader has no first-unit kind of its own (issue 14 item 12).
      assert.deepEqual(r.facets.kind, { equipment: 3, boutique: 1 });
      assert.deepEqual(r.facets.field, { 数控机床: 3, 智能装备: 1 });
      assert.deepEqual(r.facets.city, { 杭州: 4 });
    });

    it('counts each facet under the other filters, not its own: with level=domestic the other levels still show', async () => {
      const r = await search({ level: 'domestic' });
      assert.equal(r.total, 4);
      assert.deepEqual(r.facets.level, { international: 1, domestic: 4, provincial: 2 });
      // The other facets are narrowed by the level filter.
      assert.deepEqual(r.facets.city, { 杭州: 1, 宁波: 2, 温州: 1 });
      assert.deepEqual(r.facets.field, { 数控机床: 1, 高端医疗装备: 2, 航空装备: 1 });
    });

    it('combines: city and kind facets under a level, a city and the text', async () => {
      const r = await search({ q: '机床', level: 'domestic', city: '杭州' });
      assert.equal(r.total, 1);
      assert.deepEqual(r.facets.level, { international: 1, domestic: 1, provincial: 1 });
      assert.deepEqual(r.facets.city, { 杭州: 1 });
      assert.deepEqual(r.facets.kind, { equipment: 1 });
    });

    it('badge and price narrow every facet', async () => {
      const r = await search({ badge: 'boutique' });
      assert.deepEqual(r.facets.level, {});
      assert.deepEqual(r.facets.city, { 杭州: 1, 温州: 1 });
      const p = await search({ priceMax: '50', level: 'domestic' });
      assert.equal(p.total, 0);
      assert.deepEqual(p.facets.level, { provincial: 1 });
    });
  });
  describe('cache under the catalogue version', () => {
    const version = async () => Number((await ctx.db('catalogue_state').where({ id: 1 }).first('version')).version);

    it('every committed write to products, certifications or vendors bumps the version', async () => {
      const v0 = await version();
      await ctx.db('products').where({ id: ids.boat }).update({ stock: 7 });
      const v1 = await version();
      assert.ok(v1 > v0);
      const cert = await ctx.db('products').where({ id: ids.lathe }).first('cert_id');
      await ctx.db('certifications').where({ id: cert.cert_id }).update({ updated_at: new Date().toISOString() });
      const v2 = await version();
      assert.ok(v2 > v1);
      const vendor = await ctx.db('products').where({ id: ids.boat }).first('vendor_id');
      await ctx.db('vendors').where({ id: vendor.vendor_id }).update({ contact: '0577-1' });
      assert.ok((await version()) > v2);
    });

    it('a rolled-back write leaves the version alone', async () => {
      const v0 = await version();
      await assert.rejects(
        ctx.db.transaction(async (trx) => {
          await trx('products').where({ id: ids.boat }).update({ stock: 99 });
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await version(), v0);
    });

    it('serves a search from the cache, and never after a write changed what it shows', async () => {
      const before = await search({ q: '游艇' });
      assert.equal(before.items[0].stock, 7);
      assert.ok(service.cache.size > 0);
      const again = await search({ q: '游艇' });
      assert.equal(again.items.length, before.items.length);
      again.items.forEach((item, i) => assert.strictEqual(item, before.items[i], 'the same cached product'));
      // Another module (or process) writes directly: price, title, vendor name and listing status.
      await ctx.db('products').where({ id: ids.boat }).update({ price_fen: 1_300_000_000, stock: 3 });
      const after = await search({ q: '游艇' });
      assert.equal(after.items[0].price, '13000000.00');
      assert.equal(after.items[0].stock, 3);
      const vendor = await ctx.db('products').where({ id: ids.boat }).first('vendor_id');
      await ctx.db('vendors').where({ id: vendor.vendor_id }).update({ name: '温州航空科技股份有限公司' });
      assert.equal((await search({ q: '游艇' })).items[0].vendor.name, '温州航空科技股份有限公司');
      await ctx.db('products').where({ id: ids.boat }).update({ status: 'delisted' });
      assert.equal((await search({ q: '游艇' })).total, 0);
      await assert.rejects(service.product(ids.boat), /not_found/);
      await ctx.db('products').where({ id: ids.boat }).update({ status: 'approved' });
      assert.equal((await service.product(ids.boat)).stock, 3);
    });

    it('a page of a new search reads only the products that no earlier page has shown', async () => {
      const fresh = new CatalogueService(ctx.db, new SystemClock());
      const reads = readerOf(ctx.db);
      const productReads: string[] = [];
      const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
        if (/from .products. left join .certifications./i.test(q.sql)) productReads.push(String(q.bindings ?? []));
      };
      reads.on('query', onQuery);
      try {
        const all = await fresh.search(parseInput(SearchQuery, { q: '数控' }));
        assert.deepEqual(titles(all).sort(), ['五轴数控卧式侧拉床', '高速精密数控机床', '龙门式五轴数控机床'].sort());
        assert.equal(productReads.length, 1, 'one read for the first page');
        // Another search (another text, then the same text under a filter) shows only products already read.
        const level = await fresh.search(parseInput(SearchQuery, { q: '数控', level: 'domestic' }));
        assert.deepEqual(titles(level), ['龙门式五轴数控机床']);
        const machine = await fresh.search(parseInput(SearchQuery, { q: '机床' }));
        assert.ok(titles(machine).includes('高速精密数控机床'));
        assert.equal(productReads.length, 2, 'the 机床 page read only its products not shown before');
        assert.ok(!productReads[1].split(',').includes(String(ids.gantry)), 'not the gantry again');
        // A write drops what was kept: the next page reads its products afresh, and shows the change.
        await ctx.db('products').where({ id: ids.gantry }).update({ stock: 5 });
        const after = await fresh.search(parseInput(SearchQuery, { q: '数控', level: 'domestic' }));
        assert.equal(after.items[0].stock, 5);
        assert.equal(productReads.length, 3);
      } finally {
        reads.off('query', onQuery);
      }
    });

    it('the 政府首购 mark follows the certificate at once', async () => {
      assert.equal((await service.product(ids.lathe)).firstPurchaseEligible, true);
      const { cert_id: certId } = await ctx.db('products').where({ id: ids.lathe }).first('cert_id');
      await ctx.db('certifications').where({ id: certId }).update({ status: 'revoked' });
      assert.equal((await service.product(ids.lathe)).firstPurchaseEligible, false);
      await ctx.db('certifications').where({ id: certId }).update({ status: 'valid' });
      assert.equal((await service.product(ids.lathe)).firstPurchaseEligible, true);
    });

    it('cached values are frozen, so one caller cannot change another’s', async () => {
      const detail = await service.product(ids.ct);
      assert.ok(Object.isFrozen(detail));
      assert.ok(Object.isFrozen(detail.vendor));
      assert.throws(() => {
        (detail as { stock: number }).stock = 0;
      }, TypeError);
    });

    if (ENGINE === 'postgres') {
      it('two transactions writing products in opposite order do not deadlock on the version (bumped at commit)', async () => {
        const other = createDb(ctx.url);
        try {
          const v0 = await version();
          const a = await ctx.db.transaction();
          const b = await other.transaction();
          await a('products').where({ id: ids.ct }).update({ stock: 11 });
          await b('products').where({ id: ids.mr }).update({ stock: 12 }); // would wait for A's version lock if not deferred
          const aSecond = a('products').where({ id: ids.mr }).update({ stock: 13 }); // waits for B's row lock
          await new Promise((r) => setTimeout(r, 100));
          await b.commit();
          await aSecond;
          await a.commit();
          assert.equal(await version(), v0 + 2);
          const rows = await ctx.db('products').whereIn('id', [ids.ct, ids.mr]).orderBy('id').select('stock');
          assert.deepEqual(rows.map((r) => r.stock), [11, 13]);
        } finally {
          await other.destroy();
        }
      });
    }
  });
  describe('CatalogueCache', () => {
    it('concurrent callers at one version share one computation', async () => {
      const cache = new CatalogueCache(ctx.db);
      let runs = 0;
      const compute = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 20));
        return { n: runs };
      };
      const values = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', compute)));
      assert.equal(runs, 1);
      assert.ok(values.every((v) => v === values[0]));
    });

    it('reads the version once per round trip however many requests wait, and only with a query started after they came', async () => {
      const cache = new CatalogueCache(ctx.db);
      let reads = 0;
      const onQuery = (q: { sql: string }) => {
        if (q.sql.includes('catalogue_state')) reads++;
      };
      ctx.db.on('query', onQuery);
      try {
        const versions = await Promise.all(Array.from({ length: 20 }, () => cache.currentVersion()));
        assert.ok(reads <= 2, `${reads} version reads for 20 callers`);
        assert.ok(versions.every((v) => v === versions[0]));
        const before = versions[0];
        await ctx.db('products').where({ id: ids.ct }).update({ stock: 21 });
        assert.ok((await cache.currentVersion()) > before, 'a read after the write sees it');
      } finally {
        ctx.db.off('query', onQuery);
      }
    });

    it('keeps the most recently used values within its byte budget', async () => {
      const cache = new CatalogueCache(ctx.db, 2000);
      const text = (c: string) => async () => c.repeat(400); // 800 bytes each
      await cache.get('a', text('a'));
      await cache.get('b', text('b'));
      await cache.get('a', text('x')); // a is now the most recent
      await cache.get('c', text('c')); // over budget: b goes
      await new Promise((r) => setImmediate(r));
      assert.equal(cache.size, 2);
      assert.ok(cache.approximateBytes <= 2000);
      assert.equal(await cache.get('a', text('y')), 'a'.repeat(400), 'a kept');
      assert.equal(await cache.get('b', text('z')), 'z'.repeat(400), 'b recomputed');
    });

    it('keeps a value whatever its measured size, a fraction or not a number', async () => {
      for (const size of [10.5, Number.NaN, 0, -3]) {
        const cache = new CatalogueCache(ctx.db, 2000, { sizeOf: () => size });
        await cache.get('a', async () => 'x');
        await new Promise((r) => setImmediate(r));
        assert.equal(await cache.get('a', async () => 'recomputed'), 'x', `size ${size}`);
        assert.ok(cache.approximateBytes >= 1, `size ${size}: ${cache.approximateBytes}`);
      }
    });

    it('getMany serves the keys it has and loads the rest in one call, shared with a caller already waiting for them', async () => {
      const cache = new CatalogueCache(ctx.db);
      const calls: string[][] = [];
      const load = async (keys: string[]) => {
        calls.push(keys);
        await new Promise((r) => setTimeout(r, 10));
        return new Map(keys.filter((k) => k !== 'gone').map((k) => [k, `value of ${k}`]));
      };
      assert.deepEqual(await cache.getMany(['a', 'b'], load), ['value of a', 'value of b']);
      const [first, second] = await Promise.all([cache.getMany(['b', 'c', 'gone', 'd'], load), cache.getMany(['c', 'a', 'd'], load)]);
      assert.deepEqual(first, ['value of b', 'value of c', undefined, 'value of d'], 'in the order asked, a key with no value as undefined');
      assert.deepEqual(second, ['value of c', 'value of a', 'value of d']);
      assert.deepEqual(calls, [['a', 'b'], ['c', 'gone', 'd']], 'b and a were kept; the second caller waited for the first one\'s load of c and d');
      assert.deepEqual(await cache.getMany(['gone'], load), [undefined]);
      assert.equal(calls.length, 2, 'a key known to have no value is kept as such');
      await ctx.db('products').where({ id: ids.ct }).update({ stock: 22 });
      assert.deepEqual(await cache.getMany(['a'], load), ['value of a']);
      assert.deepEqual(calls.at(-1), ['a'], 'a write to the catalogue drops them all');
    });

    it('with admitOnSecondAsk, getIf keeps an answer only from the second time its key is asked for at one version', async () => {
      const cache = new CatalogueCache(ctx.db, 64 * 1024, { admitOnSecondAsk: true });
      let made = 0;
      const make = async () => `answer ${++made}`;
      assert.equal(await cache.getIf('/once', make, () => true), 'answer 1');
      assert.equal(cache.size, 0, 'a key asked once is not kept');
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 2');
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 3');
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 3', 'kept from the second ask');
      assert.equal(await cache.getIf('/personal', make, () => false), 'answer 4');
      assert.equal(await cache.getIf('/personal', make, () => false), 'answer 5', 'never what keep refuses');
      await ctx.db('products').where({ id: ids.ct }).update({ stock: 23 });
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 6', 'a write drops the answer…');
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 7', '…and what was asked before it');
      assert.equal(await cache.getIf('/twice', make, () => true), 'answer 7');
    });

    it('a failed getMany load is not kept', async () => {
      const cache = new CatalogueCache(ctx.db);
      await assert.rejects(cache.getMany(['x'], async () => Promise.reject(new Error('boom'))), /boom/);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(await cache.getMany(['x'], async (keys) => new Map(keys.map((k) => [k, 1]))), [1]);
    });

    it('does not keep failures, nor what getIf is told not to keep', async () => {
      const cache = new CatalogueCache(ctx.db);
      await assert.rejects(cache.get('bad', async () => Promise.reject(new Error('boom'))), /boom/);
      await new Promise((r) => setImmediate(r));
      assert.equal(await cache.get('bad', async () => 'fine'), 'fine');
      assert.equal(await cache.getIf('personal', async () => 'mine', () => false), 'mine');
      assert.equal(await cache.getIf('personal', async () => 'yours', () => false), 'yours');
      assert.equal(await cache.getIf('shared', async () => 'first', () => true), 'first');
      assert.equal(await cache.getIf('shared', async () => 'second', () => true), 'first');
    });
  });
});
