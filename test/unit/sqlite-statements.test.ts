import assert from 'node:assert/strict';
import { createDb, isUniqueViolation, type Db } from '../../src/db';

/** The SQLite connection reuses prepared statements (src/db/sqlite-statements.ts); answers must not change. */
describe('SQLite prepared-statement cache', () => {
  let db: Db;
  beforeEach(async () => {
    db = createDb('sqlite::memory:');
    await db.schema.createTable('things', (t) => {
      t.increments('id');
      t.string('name').notNullable().unique();
      t.integer('n').notNullable().defaultTo(0);
    });
  });
  afterEach(() => db.destroy());

  it('the same query with other parameters answers for those parameters', async () => {
    await db('things').insert([{ name: 'a', n: 1 }, { name: 'b', n: 2 }, { name: 'c', n: 3 }]);
    for (const [name, n] of [['a', 1], ['c', 3], ['b', 2], ['a', 1]] as const) {
      assert.equal((await db('things').where({ name }).first('n')).n, n);
    }
    assert.equal(await db('things').where({ name: 'zzz' }).first(), undefined);
  });

  it('a repeated query is prepared once, on the connection knex uses', async () => {
    const conn = (await db.client.acquireConnection()) as { prepare: (...args: unknown[]) => unknown };
    const prepared: string[] = [];
    const original = conn.prepare.bind(conn);
    conn.prepare = (...args: unknown[]) => {
      prepared.push(String(args[0]));
      return original(...args);
    };
    db.client.releaseConnection(conn);
    for (let i = 0; i < 5; i++) await db('things').where({ name: `n${i}` }).first();
    assert.equal(prepared.filter((sql) => sql.startsWith('select')).length, 1);
  });

  it('inserts report their own ids and updates their own counts, also when run at the same time', async () => {
    const ids = await Promise.all(['x', 'y', 'z'].map(async (name) => (await db('things').insert({ name }))[0]));
    assert.deepEqual([...ids].sort(), [1, 2, 3]);
    assert.equal(await db('things').where('n', 0).update({ n: 5 }), 3);
    assert.equal(await db('things').where('n', 0).update({ n: 6 }), 0);
    const [row] = await db('things').insert({ name: 'w' }).returning(['id', 'name']);
    assert.deepEqual(row, { id: 4, name: 'w' });
  });

  it('a failed statement reports the driver’s error, and the same statement works afterwards', async () => {
    await db('things').insert({ name: 'dup' });
    await assert.rejects(db('things').insert({ name: 'dup' }), (err: unknown) => isUniqueViolation(err));
    await db('things').insert({ name: 'dup2' });
    assert.equal((await db('things').count({ c: '*' }).first())?.c, 2);
    await assert.rejects(db.raw('SELEC nonsense'), /syntax error/);
    await assert.rejects(db.raw('SELEC nonsense'), /syntax error/);
  });

  it('a rolled-back transaction leaves nothing, and later transactions work', async () => {
    await assert.rejects(
      db.transaction(async (trx) => {
        await trx('things').insert({ name: 'gone' });
        throw new Error('stop');
      }),
      /stop/,
    );
    await db.transaction((trx) => trx('things').insert({ name: 'kept' }));
    assert.deepEqual((await db('things').select('name')).map((r) => r.name), ['kept']);
  });

  it('cached statements follow schema changes and do not keep a table from being dropped', async () => {
    await db('things').insert({ name: 'a' });
    assert.deepEqual(Object.keys(await db('things').first()), ['id', 'name', 'n']);
    await db.schema.alterTable('things', (t) => t.string('extra'));
    assert.deepEqual(Object.keys(await db('things').first()), ['id', 'name', 'n', 'extra']);
    await db.schema.dropTable('things');
    await assert.rejects(db('things').first(), /no such table/);
  });
});
