import assert from 'node:assert/strict';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { creditCode, makeCert, makePurchaser } from '../helpers/factories';

const DOMAIN_TABLES = ['purchasers', 'vendors', 'users', 'sessions', 'certifications', 'products', 'orders', 'knex_migrations'];

async function tables(t: TestDatabase): Promise<string[]> {
  if (ENGINE === 'postgres') {
    const r = await t.db.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
    return (r.rows as Array<{ name: string }>).map((x) => x.name);
  }
  const rows = await t.db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return (rows as Array<{ name: string }>).map((x) => x.name);
}

describe(`migrations (${ENGINE})`, function () {
  this.timeout(120000);
  let t: TestDatabase;

  before(async () => {
    t = await freshDatabase();
  });
  after(async () => {
    await t?.drop();
  });

  it('migrate:latest creates the whole domain', async () => {
    const [, applied] = (await t.db.migrate.latest()) as [number, string[]];
    assert.ok(applied.length >= 4, `applied ${applied.join(', ')}`);
    const names = await tables(t);
    for (const table of DOMAIN_TABLES) assert.ok(names.includes(table), `missing ${table} in ${names.join(', ')}`);
    if (ENGINE === 'sqlite') assert.ok(names.includes('products_fts'), 'the trigram index exists');
    const [pending] = (await t.db.migrate.list()) as [unknown[], unknown[]];
    assert.equal(pending.length, applied.length);
  });

  it('rolls every migration back, leaving no domain table behind', async () => {
    await t.db.migrate.rollback(undefined, true);
    const names = await tables(t);
    const left = names.filter((n) => !n.startsWith('knex_migrations'));
    assert.deepEqual(left, []);
    const [done] = (await t.db.migrate.list()) as [unknown[], unknown[]];
    assert.equal(done.length, 0);
  });

  it('ends existing search text with the end marker, so short queries find its last characters', async () => {
    await t.db.migrate.rollback(undefined, true);
    // Up to, not including, the migration that adds the marker; then a row written the old way.
    for (;;) {
      const [, pending] = (await t.db.migrate.list()) as [unknown[], Array<{ file: string }>];
      if (pending[0].file.includes('catalogue_search_index')) break;
      await t.db.migrate.up();
    }
    const now = new Date().toISOString();
    const [vendor] = await t.db('vendors').insert({ name: '旧数据供应商', credit_code: creditCode(), city: '杭州', status: 'approved', created_at: now }).returning('id');
    const vendorId = typeof vendor === 'object' ? (vendor as { id: number }).id : (vendor as number);
    await t.db('products').insert({ vendor_id: vendorId, title: '旧数据铣刀', field: '数控机床', kind: 'equipment', city: '杭州', price_fen: 1, unit: '台', status: 'approved', search_text: '旧数据铣刀', created_at: now, updated_at: now });
    await t.db.migrate.latest();
    const row = await t.db('products').where({ title: '旧数据铣刀' }).first('search_text');
    // Ends with the marker (written again in index form by 20261213090000_search_synonyms).
    assert.ok(row.search_text.startsWith(' 旧数据铣刀 ') && row.search_text.endsWith('  '), JSON.stringify(row.search_text));
    await t.db.migrate.rollback(undefined, true);
  });

  it('migrates up again and the schema works (insert, search index, read)', async () => {
    await t.db.migrate.latest();
    const names = await tables(t);
    for (const table of DOMAIN_TABLES) assert.ok(names.includes(table), `missing ${table} after the second run`);
    const now = new Date().toISOString();
    const [vendor] = await t.db('vendors')
      .insert({ name: '迁移测试供应商', credit_code: creditCode(), city: '杭州', status: 'approved', created_at: now })
      .returning('id');
    const vendorId = typeof vendor === 'object' ? (vendor as { id: number }).id : (vendor as number);
    await t.db('products').insert({
      vendor_id: vendorId,
      title: '迁移测试数控机床',
      field: '数控机床',
      kind: 'equipment',
      city: '杭州',
      price_fen: 100,
      unit: '台',
      status: 'approved',
      search_text: '迁移测试数控机床',
      created_at: now,
      updated_at: now,
    });
    if (ENGINE === 'sqlite') {
      const hits = await t.db.raw('SELECT rowid FROM products_fts WHERE products_fts MATCH ?', ['"数控机床"']);
      assert.equal((hits as unknown[]).length, 1);
    }
    const row = await t.db('products').where({ title: '迁移测试数控机床' }).first();
    assert.equal(Number(row.price_fen), 100);
  });

  it('rolls every migration back with rows pointing at the tables whose columns it drops (npx knex migrate:rollback --all)', async () => {
    const now = new Date().toISOString();
    const product = await t.db('products').where({ title: '迁移测试数控机床' }).first();
    const purchaser = await makePurchaser(t.db);
    const cert = await makeCert(t.db, await t.db('vendors').where({ id: product.vendor_id }).first());
    const id = (x: unknown) => (typeof x === 'object' ? (x as { id: number }).id : (x as number));
    const [fp] = await t.db('fp_cases')
      .insert({ purchaser_id: purchaser.id, product_id: product.id, vendor_id: product.vendor_id, cert_id: cert.id, project_name: '回滚测试项目', budget_fen: 100, reason: '唯一', experts: '[]', contact: '1', status: 'draft', created_at: now, updated_at: now })
      .returning('id');
    await t.db('fp_history').insert({ case_id: id(fp), action: 'create', to_status: 'draft', at: now });
    const [order] = await t.db('orders').insert({ purchaser_id: purchaser.id, vendor_id: product.vendor_id, status: 'placed', total_fen: 100, created_at: now, updated_at: now }).returning('id');
    await t.db('order_items').insert({ order_id: id(order), product_id: product.id, title: product.title, quantity: 1, unit_price_fen: 100, amount_fen: 100 });
    await t.db.migrate.rollback(undefined, true);
    assert.deepEqual((await tables(t)).filter((n) => !n.startsWith('knex_migrations')), []);
    await t.db.migrate.latest();
  });
});
