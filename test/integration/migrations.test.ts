import assert from 'node:assert/strict';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';
import { creditCode } from '../helpers/factories';

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
    assert.equal(row.search_text, '旧数据铣刀  ');
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
});
