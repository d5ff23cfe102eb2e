import assert from 'node:assert/strict';
import { ENGINE, freshDatabase, type TestDatabase } from '../helpers/db';

/** The certification notices move into the public notices (migrations/20261207120000): rows kept, both ways. */
describe(`certification notices migration (${ENGINE})`, function () {
  this.timeout(120000);
  let t: TestDatabase;
  before(async () => {
    t = await freshDatabase();
  });
  after(async () => {
    await t?.drop();
  });

  it('moves a round’s notice into notices (round_id, no case) and back on rollback; a row with neither owner is refused', async () => {
    for (;;) {
      const [, pending] = (await t.db.migrate.list()) as [unknown[], Array<{ file: string }>];
      if (pending[0]!.file.includes('certification_notices')) break;
      await t.db.migrate.up();
    }
    const [r] = await t.db('cert_rounds').insert({ year: 2020, status: 'notice', published_at: '2020-11-02T02:00:00.000Z', period_ends_at: '2020-11-09T15:59:59.000Z', demo: false }).returning('id');
    const roundId = typeof r === 'object' ? (r as { id: number }).id : (r as number);
    await t.db('cert_notices').insert({ round_id: roundId, type: 'certification', title: '2020年度拟认定名单公示', content: '{"list":[]}', published_at: '2020-11-02T02:00:00.000Z', period_ends_at: '2020-11-09T15:59:59.000Z' });
    await t.db.migrate.up();
    const moved = await t.db('notices').where({ round_id: roundId });
    assert.equal(moved.length, 1);
    assert.equal(moved[0].case_id, null);
    assert.equal(moved[0].title, '2020年度拟认定名单公示');
    await assert.rejects(t.db('notices').insert({ type: 'certification', title: 'x', content: '{}', published_at: '2020-11-02T02:00:00.000Z' }));
    await t.db.migrate.down();
    assert.equal((await t.db('cert_notices').where({ round_id: roundId })).length, 1);
    assert.equal(Number((await t.db('notices').count({ n: '*' }).first())?.n), 0);
    await t.db.migrate.latest();
    assert.equal((await t.db('notices').where({ round_id: roundId })).length, 1);
  });
});
