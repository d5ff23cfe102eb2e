import { AsyncResource } from 'node:async_hooks';

/** What became of one job of a batch: its result, its own refusal, or "run me on my own after the batch". */
export type Outcome<R> = { value: R } | { error: unknown } | { alone: true };

/** Thrown inside a batch's transaction when the batch cannot be done as one; every job then runs on its own. */
export class BatchUnfit extends Error {
  constructor(reason: string) {
    super(`batch unfit: ${reason}`);
  }
}

interface Job<I, R> {
  input: I;
  /** The job on its own, in its caller's async context (its request's Idempotency-Key hook, its log bindings). */
  alone: () => Promise<R>;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitStats {
  batches: number;
  /** Jobs done inside batches (not counting those that ran on their own). */
  batched: number;
  /** Batches that failed as a whole and were redone job by job. */
  fallbacks: number;
}

/**
 * Group commit: jobs that arrive while a transaction is running wait, and the next transaction does all of them at
 * once — one commit (one fsync) for many, as databases do with their own log. Nothing waits on a timer: a lone job
 * runs at once on its own (exactly as without the queue); only jobs that would have queued behind the database's
 * single writer anyway are grouped.
 *
 * `together` does a batch in one transaction and answers each job's outcome; if it throws (a job that cannot be
 * done in a batch, a serialization failure, anything), its transaction has rolled back and every job is run again on
 * its own, in arrival order — so a batch never changes what a job's caller sees, only how many commits it took.
 * One queue per process; the jobs' writes are still guarded by the database, so several processes (each with its own
 * queue) stay correct.
 */
export class GroupCommit<I, R> {
  private queue: Array<Job<I, R>> = [];
  private draining = false;
  readonly stats: GroupCommitStats = { batches: 0, batched: 0, fallbacks: 0 };
  /** Batches run in the async context the queue was made in, never in the request that happened to start them. */
  private readonly scope = new AsyncResource('GroupCommit');

  constructor(
    private readonly together: (inputs: I[]) => Promise<Array<Outcome<R>>>,
    private readonly max = 64,
  ) {}

  submit(input: I, alone: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ input, alone: AsyncResource.bind(alone), resolve, reject });
      if (!this.draining) void this.scope.runInAsyncScope(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.max);
        if (batch.length === 1) await this.one(batch[0]);
        else await this.many(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async one(job: Job<I, R>): Promise<void> {
    try {
      job.resolve(await job.alone());
    } catch (err) {
      job.reject(err);
    }
  }

  private async many(batch: Array<Job<I, R>>): Promise<void> {
    let outcomes: Array<Outcome<R>>;
    try {
      outcomes = await this.together(batch.map((j) => j.input));
    } catch {
      this.stats.fallbacks++;
      for (const job of batch) await this.one(job);
      return;
    }
    this.stats.batches++;
    const later: Array<Job<I, R>> = [];
    batch.forEach((job, i) => {
      const o = outcomes[i];
      if ('value' in o) {
        this.stats.batched++;
        job.resolve(o.value);
      } else if ('error' in o) job.reject(o.error);
      else later.push(job);
    });
    for (const job of later) await this.one(job);
  }
}
