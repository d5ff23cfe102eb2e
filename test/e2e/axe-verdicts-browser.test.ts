import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { axeKey, launchBrowser, newContext } from '../helpers/browser';

/**
 * Under `npm test`, axe's verdict on a page is kept by what it depends on (test/helpers/browser.ts `axeKey`), so the
 * same page met again in the run — the other engine's pass — is not checked twice. A key that left out something a
 * verdict depends on would let a page through on another page's verdict: these are the cases that must differ.
 */
describe('an axe verdict is reused only for the very same page', function () {
  this.timeout(60_000);
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const TAGS = ['wcag2a', 'wcag2aa'];
  const page = (csrf: string, text = '申请') =>
    `<!doctype html><html lang="zh-CN"><head><meta name="csrf-token" content="${csrf}"><title>t</title></head><body><main><form method="post"><input type="hidden" name="_csrf" value="${csrf}"><label>名称 <input name="title"></label><button>${text}</button></form></main></body></html>`;
  const keyOf = async (html: string, viewport: 'desktop' | 'phone' = 'desktop', typed?: string) => {
    const context = await newContext(browser, viewport);
    contexts.push(context);
    const p = await context.newPage();
    await p.setContent(html);
    if (typed !== undefined) await p.fill('input[name="title"]', typed);
    return axeKey(p, TAGS);
  };

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  it('the same page with another CSRF token is the same page', async () => {
    assert.equal(await keyOf(page('token-one')), await keyOf(page('token-two')));
  });

  it('other markup, another viewport, or something typed into a field is another page', async () => {
    const base = await keyOf(page('t'));
    assert.notEqual(await keyOf(page('t', '提交')), base, 'the markup');
    assert.notEqual(await keyOf(page('t'), 'phone'), base, 'the viewport');
    assert.notEqual(await keyOf(page('t'), 'desktop', '数控机床'), base, 'a typed value');
  });
});
