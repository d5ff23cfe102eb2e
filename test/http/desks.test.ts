import assert from 'node:assert/strict';
import { SystemClock } from '../../src/clock';
import { BudgetService } from '../../src/ledger/budgets';
import { OrderService } from '../../src/orders/service';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseInState, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { decodeEntities } from '../helpers/html';
import { agentFor, csrfOf, loginAgent, type Agent } from '../helpers/session';
import { actorFor, makeProduct } from '../helpers/trading';
import { DEMO_PASSWORD, makeUser, makeVendor } from '../helpers/factories';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
/** The navigation's 待办 badge, or null when nothing waits. */
const navCount = (html: string): number | null => {
  const m = /class="nav-todo"[^>]*>[^<]*(?:<span class="count-badge"[^>]*>(\d+)<\/span>)?/.exec(html);
  assert.ok(m, 'no 待办 link in the navigation');
  return m[1] ? Number(m[1]) : null;
};
/** The rows of the desk's to-do table, as text. */
const todoRows = (html: string): string[] => [...html.matchAll(/<tr class="todo[^"]*">([\s\S]*?)<\/tr>/g)].map((m) => text(m[1]!).trim());
/** The links to a section's full list (views/partials/desk-more.hbs): their href and text. */
const seeAll = (html: string) => [...html.matchAll(/<p class="desk-more"><a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => ({ href: decodeEntities(m[1]!), label: m[2]! }));

/**
 * To-do desks (issue 18 item 3): each role lands on its desk after login, which lists what needs its action, oldest
 * deadline first, with the count in the navigation (one query per role and request); the purchaser's budget keeps
 * first-purchase contracts apart from orders (item 8); the department's desk has key figures and grouped links.
 */
describe(`to-do desks (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let buyer: Agent;
  let seller: Agent;
  let admin: Agent;
  const ids: Record<string, number> = {};

  before(async () => {
    t = testApp(ctx.db);
    w = await makeFpWorld(ctx.db);
    const users = await ctx.db('users').whereIn('username', [w.users.purchaser, w.users.admin, w.users.vendor]);
    const u = (name: string) => users.find((x) => x.username === name);
    const buyerActor = actorFor(u(w.users.purchaser), { purchaserId: w.unit.id });
    const adminActor = actorFor(u(w.users.admin), {});
    const sellerActor = actorFor(u(w.users.vendor), { vendorId: w.vendor.id });
    const now = t.clock.now();
    ids.awarded = (await caseInState(ctx.db, now, { buyer: buyerActor, admin: adminActor, productId: w.products.ct }, 'awarded')).id;
    ids.contracted = (await caseInState(ctx.db, now, { buyer: buyerActor, admin: adminActor, productId: w.products.mr }, 'contracted')).id;
    ids.notice = (await caseInState(ctx.db, now, { buyer: buyerActor, admin: adminActor, productId: w.products.ct }, 'objection')).id;
    // A boutique order delivered (the purchaser accepts it) and one placed (the vendor confirms it).
    const clock = new SystemClock();
    const product = await makeProduct(ctx.db, w.vendor, { title: '精品护理床', price_fen: 12_000_00, stock: 10, boutique: true });
    await new BudgetService(ctx.db, clock).allocate(adminActor, { purchaserId: w.unit.id, amountFen: 100_000_00 });
    const orders = new OrderService(ctx.db, clock);
    ids.delivered = (await orders.place(buyerActor, [{ productId: product.id, quantity: 1 }])).id;
    await orders.act(sellerActor, ids.delivered, 'confirm');
    await orders.act(sellerActor, ids.delivered, 'deliver');
    ids.placed = (await orders.place(buyerActor, [{ productId: product.id, quantity: 2 }])).id;
    // A listing the department rejected: on the vendor's desk with the reason.
    await ctx.db('products').where({ id: w.products.expired }).update({ status: 'rejected', review_reason: '证书已过期，请更换证书' });
    // Twelve registrations in review: the department's desk has more to-dos than it shows (ten, and a link to all).
    for (let i = 0; i < 12; i++) await makeVendor(ctx.db, { status: 'pending' });
    buyer = await loginAgent(t.app, w.users.purchaser);
    seller = await loginAgent(t.app, w.users.vendor);
    admin = await loginAgent(t.app, w.users.admin);
  });

  it('login lands each role on its desk', async () => {
    for (const [username, home] of [
      [w.users.purchaser, '/purchaser'],
      [w.users.vendor, '/vendor'],
      [w.users.admin, '/admin'],
      [w.users.finance, '/finance'],
    ] as const) {
      const agent = agentFor(t.app);
      const page = await agent.get('/login');
      const res = await agent.post('/login').type('form').send({ username, password: DEMO_PASSWORD, _csrf: csrfOf(page.text) });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, home, username);
    }
  });

  it('the purchaser’s desk: deliveries to accept and cases at each step, oldest deadline first; the count in the navigation', async () => {
    const res = await buyer.get('/purchaser');
    assert.equal(res.status, 200);
    const rows = todoRows(res.text);
    assert.equal(rows.length, 4, rows.join('\n'));
    // The 公示 ends first (5 working days), then the contract's 30 days; then what has no deadline.
    assert.match(rows[0]!, /公示中，待公示期结束.*（等待中）/);
    assert.match(rows[1]!, /签订合同/);
    assert.match(rows.slice(2).join('\n'), /验收交付/);
    assert.match(rows.slice(2).join('\n'), /^验收 — ZJSS-/m, 'no deadline, then its number');
    assert.match(res.text, new RegExp(`href="/orders/${ids.delivered}"`));
    assert.match(res.text, new RegExp(`href="/first-purchases/${ids.awarded}"`));
    // Three need the unit (the running 公示 does not): the desk and the navigation agree.
    assert.match(text(res.text), /待办事项 3 项待办/);
    assert.equal(navCount(res.text), 3);
    // Fewer than ten: all shown, no link to a full list.
    assert.deepEqual(seeAll(res.text), []);
    // The budget: orders and first-purchase contracts reserved apart.
    assert.match(text(res.text), /已冻结（在途订单） ¥36,000\.00/);
    assert.match(text(res.text), /已冻结（首购合同） ¥3,000,000\.00/);
  });

  it('the vendor’s desk: orders to confirm and rejected listings with the reason; the count in the navigation', async () => {
    const res = await seller.get('/vendor');
    assert.equal(res.status, 200);
    const rows = todoRows(res.text).join('\n');
    assert.match(rows, /确认订单/);
    assert.match(rows, /商品未通过审核.*证书已过期，请更换证书/);
    assert.doesNotMatch(rows, /交付货物/);
    assert.equal(navCount(res.text), 2);
    assert.deepEqual(seeAll(res.text), []);
  });

  it('the department’s desk: key figures, review queues and objections due, grouped links; the count in the navigation', async () => {
    const res = await admin.get('/admin');
    assert.equal(res.status, 200);
    const body = text(res.text);
    assert.match(body, /今日成交/);
    assert.match(body, /\d{4} 年累计成交/);
    assert.match(body, /待处理异议 1/);
    assert.match(body, /供应商 \d+ · 产品 \d+ · 认定申请 0/, 'each kind of review with its number, applications too');
    const rows = todoRows(res.text);
    // More than ten to-dos: the first ten (the objection's review deadline first), the total, a link to them all.
    assert.equal(rows.length, 10, rows.join('\n'));
    assert.match(rows[0]!, /处理首购公示异议/);
    const total = navCount(res.text)!;
    assert.ok(total > 10, `total ${total}`);
    assert.match(body, new RegExp(`待办事项 ${total} 项待办`));
    assert.deepEqual(seeAll(res.text), [{ href: '/admin?section=todo#todo-title', label: `查看全部 ${total} 项` }]);
    // The link: every to-do on one page (fewer than a page's 50), no further link, the way back; the navigation the same.
    const all = await admin.get('/admin?section=todo');
    assert.equal(all.status, 200);
    const allRows = todoRows(all.text);
    assert.equal(allRows.length, total, allRows.join('\n'));
    assert.deepEqual(allRows.slice(0, 10), rows);
    assert.ok(allRows.some((r) => /审核产品上架.*待审核CT/.test(r)));
    assert.match(all.text, new RegExp(`href="/admin/products/${w.products.pending}"`));
    assert.equal(allRows.filter((r) => /审核供应商/.test(r)).length, 12);
    assert.equal(navCount(all.text), total);
    assert.deepEqual(seeAll(all.text), [{ href: '/admin', label: '返回工作台' }]);
    // A page past the end is the last page; another section's name leaves the desk as it is.
    assert.equal(todoRows((await admin.get('/admin?section=todo&page=9')).text).length, total);
    assert.equal(todoRows((await admin.get('/admin?section=other')).text).length, 10);
    assert.match(text((await admin.get('/admin?lang=en')).text), new RegExp(`See all ${total}`));
    for (const group of ['审核', '采购与资金', '认定名录', '系统']) assert.match(res.text, new RegExp(`<h3>${group}</h3>`));
    assert.match(text((await admin.get('/admin?lang=en')).text), /Trades in \d{4}/);
  });

  it('the finance department’s count in the navigation (its desk is its own): the objection copy and the contract to file', async () => {
    const finance = await loginAgent(t.app, w.users.finance);
    assert.equal(navCount((await finance.get('/finance')).text), 2);
  });

  it('an expert\'s navigation has one link to their reviews, 我的评审 (not 待办 beside it to the same page)', async () => {
    const user = await makeUser(ctx.db, { role: 'expert' });
    const expert = await loginAgent(t.app, user.username);
    const page = await expert.get('/certificates');
    assert.equal(page.status, 200);
    const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(page.text)?.[0] ?? '';
    const links = [...nav.matchAll(/<a [^>]*href="\/expert"[^>]*>([^<]*)/g)].map((m) => m[1]!.trim());
    assert.deepEqual(links, ['我的评审']);
    assert.ok(!nav.includes('>待办'), 'no 待办 link for an expert');
  });

  it('the count is kept for a second per desk, and dropped as soon as anything is changed through the app', async () => {
    const fresh = await loginAgent(t.app, w.users.vendor);
    // The second is the process's own (Date.now), held still here so that a slow machine cannot stretch the steps
    // below past it; the last step moves it on instead of waiting.
    const realNow = Date.now;
    let now = realNow();
    Date.now = () => now;
    try {
      const before = navCount((await fresh.get('/vendor')).text) ?? 0;
      // Changed behind the app's back (another process, say): the count shown a moment ago is kept for up to a second …
      await ctx.db('products').where({ id: w.products.mr }).update({ status: 'rejected', review_reason: '请补充检测报告' });
      now += 999;
      assert.equal(navCount((await fresh.get('/vendor')).text) ?? 0, before);
      // … and any change answered by this app (here a refused form post) drops it: the next page counts again.
      const page = await fresh.get('/vendor/products/new');
      assert.equal((await fresh.post('/vendor/products').type('form').send({ _csrf: csrfOf(page.text) })).status, 422);
      assert.equal(navCount((await fresh.get('/vendor')).text) ?? 0, before + 1);
      // Without any post, a second later the count is read again.
      await ctx.db('products').where({ id: w.products.mr }).update({ status: 'approved', review_reason: null });
      now += 1000;
      assert.equal(navCount((await fresh.get('/vendor')).text) ?? 0, before);
    } finally {
      Date.now = realNow;
    }
  });

  it('nobody logged in: no 待办 link; JSON requests are not counted', async () => {
    assert.doesNotMatch((await t.http.get('/')).text, /class="nav-todo"/);
  });

  it('a case whose 公示 is over but held by an open objection says so on the purchaser’s desk, with the review’s deadline, overdue once past it (a workday pass, 2026-12-08)', async () => {
    const c = await ctx.db('fp_cases').where({ id: ids.notice }).first('notice_ends_at');
    const ends = new Date(c.notice_ends_at);
    const realNow = t.clock.now();
    try {
      t.clock.set(new Date(ends.getTime() + 3_600_000));
      const after = todoRows((await (await loginAgent(t.app, w.users.purchaser)).get('/purchaser')).text).find((r) => r.includes('异议待主管部门复核'));
      assert.ok(after, 'the case is said to wait for the objections’ review');
      assert.doesNotMatch(after, /逾期/);
      t.clock.set(new Date(ends.getTime() + 20 * 86_400_000));
      const late = todoRows((await (await loginAgent(t.app, w.users.purchaser)).get('/purchaser')).text).find((r) => r.includes('异议待主管部门复核'));
      assert.ok(late);
      assert.match(late, /逾期/);
      assert.ok(!todoRows((await (await loginAgent(t.app, w.users.purchaser)).get('/purchaser')).text).some((r) => r.includes('公示中，待公示期结束') && r.includes('ZJSS')), 'no longer "公示中" for it');
    } finally {
      t.clock.set(realNow);
    }
  });
});
