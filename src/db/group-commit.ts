import { AsyncResource } from 'node:async_hooks';

/** What became of one job of a batch: its result, its own refusal, or "not in this batch: put me in the next one". */
export type Outcome<R> = { value: R } | { error: unknown } | { again: true };

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
  /** How often a batch has sent it back ("again"). */
  sentBack: number;
}

export interface GroupCommitStats {
  batches: number;
  /** Jobs done inside batches (not counting those that ran on their own). */
  batched: number;
  /** Batches that failed as a whole and were redone job by job, and why the last one failed. */
  fallbacks: number;
  lastFallback?: string;
}

export interface GroupCommitOptions {
  /** Most jobs in one batch. */
  max?: number;
  /**
   * Transactions in flight at once. 1 where the database has one writer (SQLite): jobs would queue behind it anyway.
   * More where writers run side by side (PostgreSQL), so that one job waiting on a row lock holds up only its own
   * slot; jobs are grouped only when every slot is busy.
   */
  slots?: number;
  /** True once the database is being closed: waiting jobs are then refused instead of starting a transaction. */
  closed?: () => boolean;
  /**
   * A failed batch's jobs are redone one after another, in arrival order, instead of all started at once: for jobs
   * whose outcomes depend on their order (placing orders: who gets the last stock, the order numbers), where the
   * database runs writers side by side (PostgreSQL).
   */
  redoInOrder?: boolean;
  /**
   * Slots shared with other queues besides this queue's own: where several queues write through one writer (SQLite),
   * a batch of one queue starts only when none of the others has a transaction running, so that jobs arriving
   * meanwhile wait in their queue and go together, instead of each starting alone to wait for the writer.
   */
  shared?: SharedSlots;
}

/**
 * Slots several group-commit queues share (GroupCommitOptions.shared). A queue that finds none free waits its turn:
 * a slot given back goes to the queue that has waited longest.
 */
export class SharedSlots {
  private readonly waiting = new Set<() => void>();

  constructor(private free: number) {}

  take(): boolean {
    if (this.free === 0) return false;
    this.free--;
    return true;
  }

  /** Calls `wake` (once) when a slot is given back, unless it waits already. */
  wait(wake: () => void): void {
    this.waiting.add(wake);
  }

  give(): void {
    this.free++;
    // A queue woken that no longer has work takes nothing: the slot goes on to the next.
    for (const wake of this.waiting) {
      if (this.free === 0) break;
      this.waiting.delete(wake);
      wake();
    }
  }
}

/** The error a job waiting in the queue gets when the database closes before its turn. */
export class QueueClosed extends Error {
  constructor() {
    super('the database was closed before this job could run');
  }
}

/** Every queue of this process, held weakly: what the metrics gauge and a graceful shutdown read. */
const live = new Set<WeakRef<GroupCommit<unknown, unknown>>>();
const forget = new FinalizationRegistry<WeakRef<GroupCommit<unknown, unknown>>>((ref) => live.delete(ref));

/** Jobs waiting and slots busy, summed over every queue of this process (read-only). */
export function groupCommitLoad(): { waiting: number; busy: number } {
  let waiting = 0;
  let busy = 0;
  for (const ref of live) {
    const q = ref.deref();
    if (q) {
      waiting += q.waiting;
      busy += q.busy;
    }
  }
  return { waiting, busy };
}

/**
 * Group commit: jobs that arrive while every slot has a transaction running wait, and the next free slot does all of
 * them at once — one commit (one fsync) for many, as databases do with their own log. Nothing waits on a timer: a job
 * that finds a free slot runs at once on its own (exactly as without the queue); only jobs that would have waited
 * for a writer anyway are grouped.
 *
 * `together` does a batch in one transaction and answers each job's outcome. A job it sends back ("again": say, a
 * second payment of an order the batch pays) goes to the front of the queue for the next batch; sent back a second
 * time, it runs on its own. If `together` throws (a job that cannot be done in a batch, a serialization failure,
 * anything), its transaction has rolled back and every job is run again on its own — all started at once, in arrival
 * order, as they would have run without the queue (or one after another: `redoInOrder`) — so a batch never changes
 * what a job's caller sees, only how many commits it took.
 * The jobs' writes are still guarded by the database, so several queues (one per service, one per process) stay
 * correct side by side.
 */
export class GroupCommit<I, R> {
  private queue: Array<Job<I, R>> = [];
  private running = 0;
  private readonly max: number;
  private readonly slots: number;
  private readonly closed: () => boolean;
  private readonly shared: SharedSlots | undefined;
  private readonly redoInOrder: boolean;
  private readonly wake = () => this.pump();
  readonly stats: GroupCommitStats = { batches: 0, batched: 0, fallbacks: 0 };
  /** Batches run in the async context the queue was made in, never in the request that happened to start them. */
  private readonly scope = new AsyncResource('GroupCommit');

  constructor(
    private readonly together: (inputs: I[]) => Promise<Array<Outcome<R>>>,
    options: GroupCommitOptions = {},
  ) {
    this.max = options.max ?? 64;
    this.slots = options.slots ?? 1;
    this.closed = options.closed ?? (() => false);
    this.shared = options.shared;
    this.redoInOrder = options.redoInOrder ?? false;
    const ref = new WeakRef<GroupCommit<unknown, unknown>>(this as GroupCommit<unknown, unknown>);
    live.add(ref);
    forget.register(this, ref);
  }

  /** Jobs waiting for a slot (not counting those in a running batch). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Slots with a transaction (a batch or a job alone) running. */
  get busy(): number {
    return this.running;
  }

  submit(input: I, alone: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ input, alone: AsyncResource.bind(alone), resolve, reject, sentBack: 0 });
      this.pump();
    });
  }

  /** Starts a batch in every free slot while jobs wait. */
  private pump(): void {
    while (this.running < this.slots && this.queue.length) {
      if (this.shared && !this.shared.take()) {
        this.shared.wait(this.wake);
        return;
      }
      const batch = this.queue.splice(0, this.max);
      this.running++;
      void this.scope
        .runInAsyncScope(() => this.run(batch))
        .finally(() => {
          this.running--;
          this.shared?.give();
          this.pump();
        });
    }
  }

  /** Never rejects: every job's promise is settled here, one way or another. */
  private async run(batch: Array<Job<I, R>>): Promise<void> {
    if (batch.length === 1) await this.one(batch[0]);
    else await this.many(batch);
  }

  private async one(job: Job<I, R>): Promise<void> {
    if (this.closed()) {
      job.reject(new QueueClosed());
      return;
    }
    try {
      job.resolve(await job.alone());
    } catch (err) {
      job.reject(err);
    }
  }

  private async many(batch: Array<Job<I, R>>): Promise<void> {
    if (this.closed()) {
      for (const job of batch) job.reject(new QueueClosed());
      return;
    }
    let outcomes: Array<Outcome<R>>;
    try {
      outcomes = await this.together(batch.map((j) => j.input));
      if (outcomes.length !== batch.length) throw new Error(`${outcomes.length} outcomes for ${batch.length} jobs`);
    } catch (err) {
      this.stats.fallbacks++;
      this.stats.lastFallback = err instanceof Error ? err.message : String(err);
      if (this.redoInOrder) for (const job of batch) await this.one(job);
      else await Promise.all(batch.map((job) => this.one(job)));
      return;
    }
    this.stats.batches++;
    const next: Array<Job<I, R>> = [];
    const alone: Array<Job<I, R>> = [];
    batch.forEach((job, i) => {
      const o = outcomes[i];
      if ('value' in o) {
        this.stats.batched++;
        job.resolve(o.value);
      } else if ('error' in o) job.reject(o.error);
      else if (job.sentBack++ === 0) next.push(job);
      else alone.push(job);
    });
    if (next.length) {
      this.queue.unshift(...next);
      this.pump();
    }
    await Promise.all(alone.map((job) => this.one(job)));
  }
}
