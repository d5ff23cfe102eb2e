import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchUnfit, GroupCommit, QueueClosed, SharedSlots, type Outcome } from '../../src/db/group-commit';

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

  it('with redoInOrder, redoes a failed batch’s jobs one after another: each starts only once the one before it has finished', async () => {
    const events: string[] = [];
    const q = new GroupCommit<number, number>(
      async () => {
        throw new BatchUnfit('test');
      },
      { redoInOrder: true },
    );
    const job = (i: number) => async () => {
      events.push(`start ${i}`);
      await later(null);
      events.push(`end ${i}`);
      if (i === 3) throw new Error('three fails alone too');
      return i * 10;
    };
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => q.submit(i, job(i))));
    // 1 runs alone at once; 2–4 form the batch that fails, then run one after another.
    assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [10, 20, 'three fails alone too', 40],
    );
    assert.equal(q.stats.fallbacks, 1);
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

  it('queues sharing one slot (one writer) never run two transactions at once: jobs arriving while another queue commits wait and go together, and the queue that waited longest goes next', async () => {
    const shared = new SharedSlots(1);
    let running = 0;
    let most = 0;
    const log: string[] = [];
    const work = async (name: string, inputs: number[]) => {
      running++;
      most = Math.max(most, running);
      log.push(`${name} ${inputs.join(',')}`);
      await later(null);
      running--;
      return inputs.map((i) => ({ value: `${name} ${i}` }));
    };
    const alone = (name: string, i: number) => async () => {
      const [o] = await work(name, [i]);
      return (o as { value: string }).value;
    };
    const a = new GroupCommit<number, string>((inputs) => work('a', inputs), { shared });
    const b = new GroupCommit<number, string>((inputs) => work('b', inputs), { shared });
    const c = new GroupCommit<number, string>((inputs) => work('c', inputs), { shared });
    const first = a.submit(1, alone('a', 1)); // takes the slot at once
    const others = [b.submit(2, alone('b', 2)), c.submit(3, alone('c', 3)), b.submit(4, alone('b', 4)), a.submit(5, alone('a', 5)), c.submit(6, alone('c', 6))];
    assert.deepEqual(await Promise.all([first, ...others]), ['a 1', 'b 2', 'c 3', 'b 4', 'a 5', 'c 6']);
    assert.equal(most, 1, 'one transaction at a time over the three queues');
    assert.deepEqual(log, ['a 1', 'b 2,4', 'c 3,6', 'a 5']);
    assert.deepEqual([a.stats.batched, b.stats.batched, c.stats.batched], [0, 2, 2]);
    // The slot is free again: a lone job runs at once.
    assert.equal(await b.submit(7, alone('b', 7)), 'b 7');
    assert.deepEqual(log.at(-1), 'b 7');
  });

  it('a slot given back to a queue that has nothing left goes on to the next queue waiting', async () => {
    const shared = new SharedSlots(1);
    assert.equal(shared.take(), true);
    const woken: string[] = [];
    shared.wait(() => woken.push('empty')); // takes nothing
    shared.wait(() => {
      woken.push('busy');
      assert.equal(shared.take(), true);
    });
    shared.wait(() => woken.push('later'));
    shared.give();
    assert.deepEqual(woken, ['empty', 'busy'], 'the next queue took it; the one after still waits');
    shared.give();
    assert.deepEqual(woken, ['empty', 'busy', 'later']);
  });
});
