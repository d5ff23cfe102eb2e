import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchUnfit, GroupCommit, type Outcome } from '../../src/db/group-commit';

/** A job that takes a few event-loop turns, like a transaction does. */
const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));

describe('group commit queue', () => {
  it('runs a lone job at once on its own, and groups the jobs that arrive while it runs', async () => {
    const batches: number[][] = [];
    const alone: number[] = [];
    const q = new GroupCommit<number, string>(async (inputs) => {
      batches.push(inputs);
      return later(inputs.map((i) => ({ value: `together ${i}` })));
    });
    const first = q.submit(1, () => (alone.push(1), later('alone 1')));
    const rest = [2, 3, 4, 5].map((i) => q.submit(i, () => (alone.push(i), later(`alone ${i}`))));
    assert.deepEqual(await Promise.all([first, ...rest]), ['alone 1', 'together 2', 'together 3', 'together 4', 'together 5']);
    assert.deepEqual(alone, [1]);
    assert.deepEqual(batches, [[2, 3, 4, 5]]);
    assert.deepEqual(q.stats, { batches: 1, batched: 4, fallbacks: 0 });
  });

  it('answers each job of a batch with its own outcome, and runs "alone" jobs on their own afterwards', async () => {
    const q = new GroupCommit<number, string>(async (inputs) =>
      inputs.map((i): Outcome<string> => (i === 3 ? { error: new Error('refused 3') } : i === 4 ? { alone: true } : { value: `together ${i}` })),
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => q.submit(i, () => later(`alone ${i}`))));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['alone 1', 'together 2', 'refused 3', 'alone 4'],
    );
  });

  it('redoes every job of a failed batch on its own, in arrival order, each with its own result or error', async () => {
    const order: number[] = [];
    const q = new GroupCommit<number, number>(async () => {
      throw new BatchUnfit('test');
    });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) =>
        q.submit(i, async () => {
          order.push(i);
          if (i === 3) throw new Error('three fails alone too');
          return later(i * 10);
        }),
      ),
    );
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [10, 20, 'three fails alone too', 40],
    );
    assert.equal(q.stats.fallbacks, 1);
    assert.equal(q.stats.batched, 0);
  });

  it('never puts more than its maximum in one batch', async () => {
    const sizes: number[] = [];
    const q = new GroupCommit<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return later(inputs.map((i) => ({ value: i })));
    }, 4);
    const all = Array.from({ length: 11 }, (_, i) => q.submit(i, () => later(i)));
    assert.deepEqual(await Promise.all(all), Array.from({ length: 11 }, (_, i) => i));
    assert.deepEqual(sizes, [4, 4, 2]);
  });

  it('runs a job on its own in its caller\'s async context, not in the context of the job that started the queue', async () => {
    const request = new AsyncLocalStorage<string>();
    const q = new GroupCommit<number, string | undefined>(async () => {
      throw new BatchUnfit('test');
    });
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name, i) => request.run(name, () => q.submit(i, async () => later(request.getStore())))),
    );
    assert.deepEqual(results, ['a', 'b', 'c']);
  });
});
