import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchUnfit, GroupCommit, QueueClosed, type Outcome } from '../../src/db/group-commit';

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
    assert.equal(q.stats.lastFallback, undefined);
  });

  it('answers each job of a batch with its own outcome; a job sent back goes first into the next batch', async () => {
    const batches: number[][] = [];
    let fifth: Promise<string> | undefined;
    const q: GroupCommit<number, string> = new GroupCommit<number, string>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) fifth = q.submit(5, () => later('alone 5')); // arrives while the first batch runs
      return later(inputs.map((i): Outcome<string> => (i === 3 ? { error: new Error('refused 3') } : i === 4 && batches.length === 1 ? { again: true } : { value: `together ${i}` })));
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => q.submit(i, () => later(`alone ${i}`))));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['alone 1', 'together 2', 'refused 3', 'together 4'],
    );
    assert.equal(await fifth, 'together 5');
    assert.deepEqual(batches, [
      [2, 3, 4],
      [4, 5],
    ]);
  });

  it('runs a job on its own when a batch sends it back a second time, so every job is answered', async () => {
    const batches: number[][] = [];
    const q = new GroupCommit<number, string>(async (inputs) => {
      batches.push(inputs);
      return inputs.map(() => ({ again: true }));
    });
    assert.deepEqual(await Promise.all([1, 2, 3].map((i) => q.submit(i, () => later(`alone ${i}`)))), ['alone 1', 'alone 2', 'alone 3']);
    assert.deepEqual(batches, [
      [2, 3],
      [2, 3],
    ]);
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
    assert.equal(q.stats.lastFallback, 'batch unfit: test');
    assert.equal(q.stats.batched, 0);
  });

  it('never puts more than its maximum in one batch', async () => {
    const sizes: number[] = [];
    const q = new GroupCommit<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return later(inputs.map((i) => ({ value: i })));
    }, { max: 4 });
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

  it('treats a batch that answers for fewer jobs than it was given as failed, and redoes them all on their own', async () => {
    const q = new GroupCommit<number, string>(async (inputs) => inputs.slice(1).map((i) => ({ value: `together ${i}` })));
    const results = await Promise.all([1, 2, 3, 4].map((i) => q.submit(i, () => later(`alone ${i}`))));
    assert.deepEqual(results, ['alone 1', 'alone 2', 'alone 3', 'alone 4']);
    assert.equal(q.stats.fallbacks, 1);
    assert.equal(q.stats.lastFallback, '2 outcomes for 3 jobs');
  });

  it('with several slots, a job that is held up holds up only its own slot; jobs are grouped only when every slot is busy', async () => {
    let release = () => {};
    const held = new Promise<string>((resolve) => (release = () => resolve('held')));
    const batches: number[][] = [];
    const q = new GroupCommit<number, string>(
      async (inputs) => {
        batches.push(inputs);
        return later(inputs.map((i) => ({ value: `together ${i}` })));
      },
      { slots: 2 },
    );
    const done: string[] = [];
    const track = (p: Promise<string>) => p.then((v) => (done.push(v), v));
    const first = track(q.submit(1, () => held));
    const others = [2, 3, 4].map((i) => track(q.submit(i, () => later(`alone ${i}`))));
    assert.deepEqual(await Promise.all(others), ['alone 2', 'together 3', 'together 4']);
    assert.deepEqual(done, ['alone 2', 'together 3', 'together 4'], 'the held job did not hold the others back');
    release();
    assert.equal(await first, 'held');
    assert.deepEqual(batches, [[3, 4]]);
  });

  it('refuses the jobs still waiting once the database is closing, at once, without starting them', async () => {
    let closed = false;
    const started: number[] = [];
    const q = new GroupCommit<number, string>(
      async (inputs) => {
        started.push(...inputs);
        return inputs.map((i) => ({ value: `together ${i}` }));
      },
      { closed: () => closed },
    );
    const first = q.submit(1, async () => {
      started.push(1);
      closed = true; // the database starts closing while the first job runs
      return later('alone 1');
    });
    const waiting = [2, 3].map((i) => q.submit(i, () => (started.push(i), later(`alone ${i}`))));
    assert.equal(await first, 'alone 1');
    for (const r of await Promise.allSettled(waiting)) {
      assert.equal(r.status, 'rejected');
      assert.ok((r as PromiseRejectedResult).reason instanceof QueueClosed);
    }
    assert.deepEqual(started, [1]);
  });

  it('runs a job that batches send back in its caller\'s async context too', async () => {
    const request = new AsyncLocalStorage<string>();
    const q = new GroupCommit<number, string | undefined>(async (inputs) => inputs.map(() => ({ again: true })));
    const results = await Promise.all(['a', 'b', 'c'].map((name, i) => request.run(name, () => q.submit(i, async () => later(request.getStore())))));
    assert.deepEqual(results, ['a', 'b', 'c']);
  });
});
