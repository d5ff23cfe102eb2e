import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { loginAgent } from '../helpers/session';
import { tokens, tradingCast, tradingSide, type Cast, type TradingSide } from '../helpers/trading';
import { LIST_ENTRY, applicationBody, makeRecWorld } from '../helpers/recognition';
import { caseInState, makeFpWorld } from '../helpers/first-purchase';
import { actorFor } from '../helpers/trading';

const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
/** The entries of a desk's 最近动态, as text. */
const updates = (html: string): string[] => {
  const section = /<section class="card desk-updates"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  assert.ok(section, 'the desk has its 最近动态');
  return [...section.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]!).trim());
};

/**
 * 最近动态 on the purchaser's and the vendor's desks: what the other side did lately to one's own orders (a vendor
 * confirming or declining, a purchaser placing or sending a delivery back), newest first, from the audit log — never
 * one's own acts, never another unit's orders, nothing older than 30 days.
 */
describe(`desks: recent updates from the other side (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let cast: Cast;
  let sideA: TradingSide;
  let sideB: TradingSide;
  let tok: Awaited<ReturnType<typeof tokens>>;
  const no: Record<string, string> = {};

  const place = async (who: string, productId: number) => {
    const res = await t.http.post('/api/v1/orders').set('Authorization', who).send({ items: [{ productId, quantity: 1 }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as number, orderNo: res.body.orderNo as string };
  };
  const act = async (who: string, id: number, step: string, body: Record<string, unknown> = {}) =>
    assert.equal((await t.http.post(`/api/v1/orders/${id}/${step}`).set('Authorization', who).send(body)).status, 200, step);

  before(async () => {
    t = testApp(ctx.db);
    cast = await tradingCast(ctx.db);
    sideA = await tradingSide(ctx.db, cast.users.buyerA.username, cast.users.sellerA.username);
    sideB = await tradingSide(ctx.db, cast.users.buyerB.username, cast.users.sellerA.username);
    // Two months ago: an order placed and confirmed (too old for the desks).
    t.clock.set(new Date('2026-01-02T10:00:00+08:00'));
    tok = await tokens(t.http, cast, bearer);
    const old = await place(tok.buyerA, sideA.productId);
    await act(tok.sellerA, old.id, 'confirm');
    no.old = old.orderNo;
    // Today: confirmed, declined, and another unit's order confirmed.
    t.clock.set(new Date('2026-03-02T10:00:00+08:00'));
    tok = await tokens(t.http, cast, bearer);
    const x = await place(tok.buyerA, sideA.productId);
    await act(tok.sellerA, x.id, 'confirm');
    t.clock.set(new Date('2026-03-02T11:00:00+08:00'));
    const y = await place(tok.buyerA, sideA.productId);
    await act(tok.sellerA, y.id, 'decline', { reason: '暂无现货' });
    const z = await place(tok.buyerB, sideB.productId);
    await act(tok.sellerA, z.id, 'confirm');
    Object.assign(no, { x: x.orderNo, y: y.orderNo, z: z.orderNo });
  });

  it('the purchaser reads what the vendor did to its orders, newest first — not its own acts, not another unit’s orders, not older than 30 days', async () => {
    const buyer = await loginAgent(t.app, cast.users.buyerA.username);
    const list = updates((await buyer.get('/purchaser')).text);
    assert.equal(list.length, 2, list.join('\n'));
    assert.match(list[0]!, new RegExp(`^2026-03-02 11:00 拒绝接单 · ${no.y} ¥100\\.00`));
    // Who did it, by the name the order page gives them, not their login.
    const seller = await ctx.db('users').where({ username: cast.users.sellerA.username }).first('display_name');
    assert.ok(list[0]!.endsWith(`· ${seller.display_name}`), list[0]);
    assert.match(list[1]!, new RegExp(`^2026-03-02 10:00 确认订单 · ${no.x}`));
    const all = list.join('\n');
    for (const other of [no.z, no.old]) assert.ok(!all.includes(other!), other);
    assert.doesNotMatch(all, /下单/);
  });

  it('the vendor reads what purchasers did to its orders (placed, in English too), not its own confirmations', async () => {
    const seller = await loginAgent(t.app, cast.users.sellerA.username);
    const list = updates((await seller.get('/vendor')).text);
    assert.deepEqual(
      list.map((l) => l.replace(/ · .*$/, '')),
      ['2026-03-02 11:00 下单', '2026-03-02 11:00 下单', '2026-03-02 10:00 下单'],
    );
    assert.ok(list.some((l) => l.includes(no.z!)) && list.some((l) => l.includes(no.y!)) && list.some((l) => l.includes(no.x!)));
    assert.ok(!list.join('\n').includes(no.old!));
    const en = await seller.get('/vendor?lang=en');
    assert.match(text(en.text), /Recent updates/);
  });

  it('the vendor reads the department’s steps on its certification application (形式审查) among them', async () => {
    const rec = await makeRecWorld(ctx.db);
    const [vendorTok, adminTok] = [await bearer(t.http, rec.users.vendor), await bearer(t.http, rec.users.admin)];
    const entry = await t.http.post('/api/v1/admin/indicator-list').set('Authorization', adminTok).send(LIST_ENTRY);
    const app = await t.http.post('/api/v1/vendor/applications').set('Authorization', vendorTok).send(applicationBody({ listEntryId: entry.body.id }));
    assert.equal(app.status, 201, JSON.stringify(app.body));
    assert.equal((await t.http.post(`/api/v1/vendor/applications/${app.body.id}/submit`).set('Authorization', vendorTok)).status, 200);
    assert.equal((await t.http.post(`/api/v1/admin/applications/${app.body.id}/screen`).set('Authorization', adminTok).send({ passed: true, opinion: '材料齐全' })).status, 200);
    const seller = await loginAgent(t.app, rec.users.vendor);
    const list = updates((await seller.get('/vendor')).text);
    assert.equal(list.length, 1, list.join('\n'));
    assert.match(list[0]!, new RegExp(`认定申请形式审查 · ${app.body.applicationNo}`));
    // Its own submission is not among them.
    assert.doesNotMatch(list.join('\n'), /提交/);
  });

  it('both parties of a 政府首购 case read of an objection filed against it (by the public: no name given) and of the department’s answer', async () => {
    const fp = await makeFpWorld(ctx.db);
    const user = async (username: string) => ctx.db('users').where({ username }).first('id', 'username', 'role');
    const buyer = actorFor(await user(fp.users.purchaser), { purchaserId: fp.unit.id });
    const admin = actorFor(await user(fp.users.admin), {});
    const { id, objectionId } = await caseInState(ctx.db, t.clock.now(), { buyer, admin, productId: fp.products.ct }, 'objection');
    const row = await ctx.db('fp_cases').where({ id }).first('project_name');
    const purchaserDesk = async () => updates((await (await loginAgent(t.app, fp.users.purchaser)).get('/purchaser')).text);
    const vendorDesk = async () => updates((await (await loginAgent(t.app, fp.users.vendor)).get('/vendor')).text);
    for (const list of [await purchaserDesk(), await vendorDesk()]) {
      const filed = list.find((l) => l.includes('提出异议'));
      assert.ok(filed, list.join('\n'));
      assert.match(filed, new RegExp(`提出异议 · ZJSS-\\d{4}-\\d{5} ${row.project_name}$`), 'the case by its number and name; nobody named');
    }
    const adminTok = await bearer(t.http, fp.users.admin);
    const resolved = await t.http.post(`/api/v1/first-purchases/${id}/objections/${objectionId}/resolve`).set('Authorization', adminTok).send({ upheld: false, opinion: '质疑事项不成立' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    const admins = await ctx.db('users').where({ username: fp.users.admin }).first('display_name');
    for (const list of [await purchaserDesk(), await vendorDesk()]) {
      assert.match(list[0]!, new RegExp(`答复异议 · ZJSS-\\d{4}-\\d{5} ${row.project_name} · ${admins.display_name}$`), list.join('\n'));
    }
    // Another unit's desk hears nothing of it.
    const other = updates((await (await loginAgent(t.app, fp.users.purchaser2)).get('/purchaser')).text);
    assert.ok(!other.some((l) => l.includes('异议')), other.join('\n'));
  });

  it('a desk with nothing new says so', async () => {
    t.clock.set(new Date('2026-06-01T10:00:00+08:00'));
    try {
      const buyer = await loginAgent(t.app, cast.users.buyerA.username);
      const html = (await buyer.get('/purchaser')).text;
      assert.deepEqual(updates(html), []);
      assert.match(text(html), /近期没有新的动态/);
    } finally {
      t.clock.set(new Date('2026-03-02T11:00:00+08:00'));
    }
  });
});
