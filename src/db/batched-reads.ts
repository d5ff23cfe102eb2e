import DataLoader from 'dataloader';

export interface BatchedReadOptions {
  /**
   * Statements of this loader in flight at once: SQLite's read connections (two) — more would only queue in the
   * driver. Keys asked for while every slot is busy wait and go together in the next statement.
   */
  slots?: number;
  /** Most keys in one statement (SQLite allows 32,766 parameters; a page asks for 20). */
  max?: number;
}

/**
 * Reads by key (a product's listed columns by its id…) made together across requests: the DataLoader library
 * collects the keys of every caller and hands them to `load` as one batch — one statement for the pages of many
 * searches at once, where each page would otherwise make its own. A batch goes as soon as a slot is free (after the
 * turn of the event loop in which its first key was asked for, so that requests that arrived together share it);
 * while every slot is busy, the keys of later callers gather into the next batch, so batches grow with the load and a
 * lone caller waits for nothing. Like a group commit (group-commit.ts), for reads.
 *
 * Nothing is cached here (`cache: false`): the caller keeps what it reads under its own rules (the catalogue's under
 * its version, catalogue/cache.ts). A batch that fails fails each of its callers with the same error.
 */
export function batchedReads<K, V>(load: (keys: readonly K[]) => Promise<Map<K, V>>, options: BatchedReadOptions = {}): (keys: readonly K[]) => Promise<Array<V | undefined>> {
  const slots = options.slots ?? 2;
  let busy = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) setImmediate(next); // the slot passes straight to the batch that waited for it
    else busy--;
  };
  const loader = new DataLoader<K, V | undefined>(
    async (keys) => {
      try {
        const found = await load(keys);
        return keys.map((k) => found.get(k));
      } finally {
        release();
      }
    },
    {
      cache: false,
      maxBatchSize: options.max ?? 1000,
      batchScheduleFn: (dispatch) => {
        if (busy < slots) {
          busy++;
          setImmediate(dispatch);
        } else {
          waiting.push(dispatch);
        }
      },
    },
  );
  return async (keys) => {
    const values = await loader.loadMany(keys);
    return values.map((v) => {
      if (v instanceof Error) throw v;
      return v;
    });
  };
}
