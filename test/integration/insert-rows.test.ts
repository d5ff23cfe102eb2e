import assert from 'node:assert/strict';
import { insertRows } from '../../src/db';
import { ENGINE, useMigratedDb } from '../helpers/db';

/**
 * insertRows writes many rows in one statement (on SQLite as one JSON parameter): what lands in the table must be
 * exactly what knex's own insert writes for the same rows, and the RETURNING rows come back in the order given.
 */
describe(`many rows in one statement (${ENGINE})`, function () {
  const ctx = useMigratedDb();

  beforeEach(async function () {
    for (const t of ['probe_fast', 'probe_knex']) {
      await ctx.db.schema.dropTableIfExists(t);
      await ctx.db.schema.createTable(t, (c) => {
        c.increments('id');
        c.string('title').notNullable();
        c.bigInteger('fen').notNullable();
        c.double('ratio');
        c.boolean('flag').notNullable();
        c.text('note');
        c.string('kind').notNullable().defaultTo('plain');
      });
    }
  });

  const sample = [
    { title: '五轴联动数控机床', fen: 9_007_199_254_740_991, ratio: 0.1, flag: true, note: null },
    { title: `quotes ' " \\ and {"json": [1, 2]}`, fen: 0, ratio: -1.5e-7, flag: false, note: '🙂 emoji, 换行\nnew line' },
    { title: '', fen: -123_456_789_012, ratio: null, flag: true, note: '' },
  ];
  const read = async (table: string) =>
    (await ctx.db(table).orderBy('id').select('title', 'fen', 'ratio', 'flag', 'note', 'kind')).map((r: Record<string, unknown>) => ({
      ...r,
      fen: String(r.fen),
      ratio: r.ratio === null ? null : Number(r.ratio),
      flag: Boolean(r.flag),
    }));

  it('writes the same values as knex, in the order given, and answers the RETURNING columns in that order', async function () {
    const back = await insertRows<{ id: number; title: string }>(ctx.db, 'probe_fast', sample, ['id', 'title']);
    await ctx.db('probe_knex').insert(sample);
    assert.deepEqual(await read('probe_fast'), await read('probe_knex'));
    assert.deepEqual(
      back.map((r) => r.title),
      sample.map((r) => r.title),
    );
    assert.deepEqual(
      back.map((r) => Number(r.id)),
      [1, 2, 3],
    );
    const all = await insertRows<Record<string, unknown>>(ctx.db, 'probe_fast', [sample[0]!], '*');
    assert.equal(all[0]!.title, sample[0]!.title);
    assert.equal(all[0]!.kind, 'plain', 'a column not given takes its default');
  });

  it('writes nothing and answers nothing for no rows', async function () {
    assert.deepEqual(await insertRows(ctx.db, 'probe_fast', [], ['id']), []);
    assert.equal((await read('probe_fast')).length, 0);
  });

  it('rows it cannot send as JSON (a missing column, a Date) are written as knex writes them', async function () {
    const odd = [
      { title: 'a', fen: 1, ratio: 1, flag: true, note: 'n' },
      { title: 'b', fen: 2, ratio: 2, flag: false },
    ];
    await insertRows(ctx.db, 'probe_fast', odd);
    await ctx.db('probe_knex').insert(odd);
    assert.deepEqual(await read('probe_fast'), await read('probe_knex'));
    const dated = [{ title: 'd', fen: 3, ratio: 3, flag: true, note: new Date('2020-11-02T02:00:00Z') }];
    await insertRows(ctx.db, 'probe_fast', dated);
    await ctx.db('probe_knex').insert(dated);
    assert.deepEqual(await read('probe_fast'), await read('probe_knex'));
  });

  it('a row that breaks a constraint fails the whole statement: no row of it is written', async function () {
    await assert.rejects(insertRows(ctx.db, 'probe_fast', [sample[0]!, { ...sample[1]!, title: null }]));
    assert.equal((await read('probe_fast')).length, 0);
  });
});
