/**
 * mocha's spec reporter, which also writes how long each test file took — its hooks included (a demo copy, a server,
 * a browser) — as JSON `{ "test/e2e/x.test.ts": seconds }` to the file TEST_FILE_TIMES names. `npm test`
 * (scripts/test-all.ts) uses it to split each engine's files between its processes by their time
 * (test/durations.json) and to say how long each process's share took.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const ROOT = path.resolve(__dirname, '..', '..');

class FileTimesReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const out = process.env.TEST_FILE_TIMES;
    if (!out) return;
    const times: Record<string, number> = {};
    let current: string | null = null;
    let since = 0;
    const close = () => {
      if (current) times[current] = (times[current] ?? 0) + (Date.now() - since) / 1000;
      current = null;
    };
    // A file's top-level suites start and end in turn; its time runs from its first suite's start to its last one's end.
    runner.on(Mocha.Runner.constants.EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (!suite.file || !suite.parent?.root) return;
      const file = path.relative(ROOT, suite.file).split(path.sep).join('/');
      if (file === current) return;
      close();
      current = file;
      since = Date.now();
    });
    runner.on(Mocha.Runner.constants.EVENT_RUN_END, () => {
      close();
      writeFileSync(out, JSON.stringify(times));
    });
  }
}

export = FileTimesReporter;
