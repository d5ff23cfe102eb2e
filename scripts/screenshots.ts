/**
 * `npm run screenshots` — every role's desk (and the public home page) at desktop width and at 390 px, as full-page
 * PNGs in screenshots/ (git-ignored): screenshots/<who>-<desktop|phone>.png.
 *
 * Starts the real server (what `npm start` runs) on a temporary SQLite file holding the demo data, with the clock set
 * to the demo's day (FAKE_CLOCK) so the desks read as the demo means them, signs each demo account in through the
 * login page in Chromium (test/helpers/browser.ts: Debian's chromium or the npm one), and removes the database at the
 * end. Exit status 0 when every picture was taken, 1 otherwise.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../seeds/demo';

const OUT = path.resolve(__dirname, '..', 'screenshots');

/** Who is pictured, and where they land: each role's desk. */
const SHOTS: Array<{ who: string; user: string | null; path: string }> = [
  { who: 'public', user: null, path: '/' },
  { who: 'purchaser', user: 'purchaser', path: '/purchaser' },
  { who: 'purchaser2', user: 'purchaser2', path: '/purchaser' },
  { who: 'vendor', user: 'vendor', path: '/vendor' },
  { who: 'vendor2', user: 'vendor2', path: '/vendor' },
  { who: 'admin', user: 'admin', path: '/admin' },
  { who: 'finance', user: 'finance', path: '/finance' },
  { who: 'expert', user: 'expert1', path: '/expert' },
];

async function main(): Promise<void> {
  // The demo database is always a SQLite file here, whatever engine a test run was told to use.
  process.env.TEST_DB = 'sqlite';
  const { demoDatabase, DEMO_LOADED_AT } = await import('../test/helpers/demo-db');
  const { startServer } = await import('../test/helpers/server');
  const { closeSharedBrowser, launchBrowser, loginInBrowser, newContext } = await import('../test/helpers/browser');

  console.log('Loading the demo data into a temporary SQLite database…');
  const demo = await demoDatabase();
  let browser: Browser | undefined;
  const server = await startServer({ databaseUrl: demo.url, env: { FAKE_CLOCK: '1' } }).catch(async (err: unknown) => {
    await demo.drop();
    throw err;
  });
  try {
    const clock = await fetch(`${server.url}/api/v1/admin/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: DEMO_LOADED_AT }) });
    if (!clock.ok) throw new Error(`setting the clock to ${DEMO_LOADED_AT} answered ${clock.status}`);
    browser = await launchBrowser();
    mkdirSync(OUT, { recursive: true });
    for (const viewport of ['desktop', 'phone'] as const) {
      for (const shot of SHOTS) {
        const context = await newContext(browser, viewport);
        try {
          const page = await context.newPage();
          if (shot.user) await loginInBrowser(page, server.url, shot.user, { password: DEMO_PASSWORD });
          const response = await page.goto(`${server.url}${shot.path}`);
          if (response?.status() !== 200) throw new Error(`${shot.who}: ${shot.path} answered ${response?.status()}`);
          const file = path.join(OUT, `${shot.who}-${viewport}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(path.relative(process.cwd(), file));
        } finally {
          await context.close();
        }
      }
    }
  } finally {
    await browser?.close();
    await closeSharedBrowser();
    await server.stop();
    await demo.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
