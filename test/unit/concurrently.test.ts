import assert from 'node:assert/strict';
import { concurrently, type Executor } from '../../src/db';

/** Only what `concurrently` reads of an executor: which engine it is. */
const engine = (client: 'sqlite3' | 'pg') => ({ client: { config: { client } } }) as unknown as Executor;
const later = <T>(ms: number, value: T, log: string[], name: string) => () =>
  new Promise<T>((resolve) => {
    log.push(`start ${name}`);
    setTimeout(() => {
      log.push(`end ${name}`);
      resolve(value);
    }, ms);
  });

describe('concurrently: a transaction\'s independent statements', () => {
  it('SQLite: all start at once, the answers come back in the order given', async () => {
    const log: string[] = [];
    const out = await concurrently(engine('sqlite3'), later(20, 'a', log, 'a'), later(1, 'b', log, 'b'));
    assert.deepEqual(out, ['a', 'b']);
    assert.deepEqual(log.slice(0, 2), ['start a', 'start b'], 'the second starts before the first ends');
  });

  it('SQLite: a failure is thrown only once every statement has finished — the first failure in the order given', async () => {
    const log: string[] = [];
    const slow = later(30, 'slow', log, 'slow');
    await assert.rejects(
      concurrently(
        engine('sqlite3'),
        slow,
        () => Promise.reject(new Error('first')),
        () => {
          throw new Error('second, thrown before any promise');
        },
      ),
      /first/,
    );
    assert.ok(log.includes('end slow'), 'the slow statement had finished when the failure was thrown');
  });

  it('PostgreSQL: one after another, in the order given, stopping at a failure', async () => {
    const log: string[] = [];
    await assert.rejects(
      concurrently(engine('pg'), later(10, 1, log, 'one'), () => Promise.reject(new Error('two')), later(1, 3, log, 'three')),
      /two/,
    );
    assert.deepEqual(log, ['start one', 'end one'], 'nothing after the failure ran');
    assert.deepEqual(await concurrently(engine('pg'), later(5, 'x', log, 'x'), later(1, 'y', log, 'y')), ['x', 'y']);
  });
});
