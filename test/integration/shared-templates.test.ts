import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { ENGINE, PG_ADMIN_URL, copyOf, dropSharedTemplates, freshDatabase, sharedTemplateOf, type Template } from '../helpers/db';

/**
 * `npm test` may run an engine's files in several processes (scripts/test-all.ts); they share the run's templates —
 * the demo data is loaded once an engine, not once a process — through a directory of the run's own.
 */
describe(`test processes share a template: prepared once, waited for by the others, dropped by the runner (${ENGINE})`, () => {
  let dir: string;
  const marked = (n: number) => async () => {
    const t = await freshDatabase();
    await t.db.schema.createTable('marker', (tb) => tb.integer('n'));
    await t.db('marker').insert({ n });
    return t;
  };
  const exists = async (tpl: Template): Promise<boolean> => {
    if (tpl.engine === 'sqlite') return existsSync(tpl.file);
    const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
    try {
      return (await admin('pg_database').where({ datname: tpl.name }).select('datname')).length === 1;
    } finally {
      await admin.destroy();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fum-shared-'));
  });
  afterEach(async () => {
    await dropSharedTemplates(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('two asking at once: one prepares it, both get it, a copy holds what it holds, and the runner drops it', async () => {
    let prepared = 0;
    const prepare = async () => {
      prepared += 1;
      return marked(7)();
    };
    const [a, b] = await Promise.all([sharedTemplateOf('t', prepare, 30_000, dir), sharedTemplateOf('t', prepare, 30_000, dir)]);
    assert.equal(prepared, 1);
    assert.deepEqual(a, b);
    const copy = await copyOf(b);
    try {
      assert.deepEqual((await copy.db('marker').select('n')).map((r) => Number(r.n)), [7]);
    } finally {
      await copy.drop();
    }
    assert.equal(await exists(a), true);
    assert.deepEqual(await dropSharedTemplates(dir), []);
    assert.equal(await exists(a), false, 'dropped at the end of the run');
  });

  it('a preparation that fails reaches the one waiting for it, with its reason', async () => {
    const failing = async (): Promise<never> => {
      await new Promise((r) => setTimeout(r, 300));
      throw new Error('the demo data did not load: a rule refused');
    };
    const first = sharedTemplateOf('t', failing, 30_000, dir);
    const second = sharedTemplateOf('t', marked(1), 30_000, dir);
    await assert.rejects(first, /a rule refused/);
    await assert.rejects(second, /failed in another test process:[\s\S]*a rule refused/);
  });

  it('a process that died while preparing it: the one waiting says so rather than waiting out its time', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path.join(dir, `t-${ENGINE}.lock`), String(gone));
    await assert.rejects(sharedTemplateOf('t', marked(1), 30_000, dir), new RegExp(`test process ${gone} .* exited before it was ready`));
  });
});
