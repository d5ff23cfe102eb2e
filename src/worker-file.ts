import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` that lies beside the caller (`callerFile`, its `__filename`): run from
 * TypeScript (tsx), the worker registers tsx's loader — found from here, whatever the working directory — before it
 * loads `name.ts`; compiled, it loads `name.js` as it is. Free of other imports, so that a first start may use it
 * before it loads anything else (seeds/lib/load-in-worker.ts).
 */
export function startWorkerFile(callerFile: string, name: string, workerData: unknown): Worker {
  const ts = callerFile.endsWith('.ts');
  const entry = path.join(path.dirname(callerFile), `${name}${ts ? '.ts' : '.js'}`);
  return ts ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`, { eval: true, workerData }) : new Worker(entry, { workerData });
}
