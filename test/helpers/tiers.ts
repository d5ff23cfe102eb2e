import { missingKeys } from '../../src/i18n';
/**
 * Per-tier timeouts (a guard against hangs, never a speed check): a unit test is pure and answers in milliseconds,
 * so a hang there shows in 5 s; http and integration tests keep the default 30 s; e2e tests start servers and
 * browsers and get 120 s. A test or suite that sets its own timeout keeps it. Loaded by .mocharc.json.
 */
const DEFAULT = 30_000;
const TIERS: Array<[RegExp, number]> = [
  [/[\\/]test[\\/]unit[\\/]/, 5_000],
  [/[\\/]test[\\/]e2e[\\/]/, 120_000],
];

/** Each message key found missing (src/i18n `missingKeys`) and the test that first asked for it. */
const whereMissing = new Map<string, string>();

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    for (const key of missingKeys()) if (!whereMissing.has(key)) whereMissing.set(key, this.currentTest?.fullTitle() ?? 'a hook');
  },
  beforeEach(this: Mocha.Context): void {
    const test = this.currentTest;
    if (!test?.file || test.timeout() !== DEFAULT) return;
    const tier = TIERS.find(([re]) => re.test(test.file as string));
    if (tier) test.timeout(tier[1]);
  },
  /** The template databases (test/helpers/db.ts `templateOf`), when the run made any. */
  async afterAll(this: Mocha.Context): Promise<void> {
    // A message key that neither catalogue holds shows on a page or in an answer as itself ("audit.action_x").
    const missing = missingKeys().map((key) => `${key} (first asked for in: ${whereMissing.get(key) ?? 'a hook'})`);
    if (missing.length) throw new Error(`message keys asked for that neither catalogue holds:\n${missing.join('\n')}`);
    const cleanup = (globalThis as { [k: symbol]: (() => Promise<void>) | undefined })[Symbol.for('fum.test.templateCleanup')];
    if (cleanup) {
      this.timeout(60_000);
      await cleanup();
    }
    // The shared Chromium (test/helpers/browser.ts closeSharedBrowser), when a suite started it.
    const browser = (globalThis as { [k: symbol]: (() => Promise<void>) | undefined })[Symbol.for('fum.test.browserCleanup')];
    if (browser) await browser();
  },
};
