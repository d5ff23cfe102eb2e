import assert from 'node:assert/strict';
import { batchedReads } from '../../src/db/batched-reads';

/** A read that takes a few event-loop turns, like a statement on a read connection does. */
const later = <T>(value: T, ms = 5) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** A loader over the squares of numbers (0 and below are "not found"), recording every batch it is given. */
function squares(options: { slots?: number; max?: number; fail?: (keys: readonly number[]) => boolean } = {}) {
  const batches: number[][] = [];
  const onBatch: Array<() => void> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const read = batchedReads(async (keys: readonly number[]) => {
    batches.push([...keys]);
    onBatch.splice(0).forEach((resolve) => resolve());
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    try {
      await later(null);
      if (options.fail?.(keys)) throw new Error(`the read of ${keys.join(',')} failed`);
      return new Map(keys.filter((k) => k > 0).map((k) => [k, k * k]));
    } finally {
      inFlight--;
    }
  }, options);
  /** Settles once the loader has been handed a batch (the read is under way) — no guess at how long that takes. */
  const batchStarted = () => new Promise<void>((resolve) => onBatch.push(resolve));
  return { read, batches, batchStarted, mostInFlight: () => mostInFlight };
}

describe('reads batched across callers (db/batched-reads.ts)', () => {
  it('answers each caller its own values in its order, undefined for a key not found', async () => {
    const { read } = squares();
    assert.deepEqual(await read([3, -1, 2]), [9, undefined, 4]);
    assert.deepEqual(await read([]), []);
  });

  it('callers of the same turn share one read; callers that come while every slot is busy share the next one', async () => {
    const { read, batches, batchStarted, mostInFlight } = squares({ slots: 1 });
    const started = batchStarted();
    const first = [read([1, 2]), read([3])];
    await started; // the first read is under way now
    const waiting = [read([4]), read([5, 6]), read([7])];
    assert.deepEqual(await Promise.all([...first, ...waiting]), [[1, 4], [9], [16], [25, 36], [49]]);
    assert.deepEqual(batches, [[1, 2, 3], [4, 5, 6, 7]]);
    assert.equal(mostInFlight(), 1);
  });

  it('never has more reads in flight than its slots', async () => {
    const { read, mostInFlight, batches } = squares({ slots: 2, max: 3 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => read([i + 1])));
    assert.deepEqual(answers, Array.from({ length: 30 }, (_, i) => [(i + 1) * (i + 1)]));
    assert.equal(mostInFlight(), 2);
    assert.ok(batches.every((b) => b.length <= 3), `batches of at most 3 keys: ${JSON.stringify(batches)}`);
  });

  it('a failed read fails every caller of its batch, and the next batch is read as usual', async () => {
    const { read } = squares({ slots: 1, fail: (keys) => keys.includes(13) });
    const failed = await Promise.allSettled([read([12]), read([13])]);
    assert.deepEqual(
      failed.map((f) => (f.status === 'rejected' ? (f.reason as Error).message : 'answered')),
      ['the read of 12,13 failed', 'the read of 12,13 failed'],
    );
    assert.deepEqual(await read([14]), [196]);
  });
});
