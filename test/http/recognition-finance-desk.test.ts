import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { decodeEntities } from '../helpers/html';
import { makeRecWorld, recommendedApplications, type RecWorld } from '../helpers/recognition';
import { loginAgent } from '../helpers/session';

/** The finance department's desk names the certification awards due and leads to their payment (/finance/awards). */
describe(`finance desk: certification awards (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  const tokens = new Map<string, string>();
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T10:00:00+08:00'), { freeze: true });
    w = await makeRecWorld(ctx.db);
    const { ids } = await recommendedApplications(t.http, w, tok, 1);
    const round = await t.http.post('/api/v1/admin/certification-rounds').set('Authorization', await tok(w.users.admin)).send({ year: 2026, applicationIds: ids });
    t.clock.set(new Date(new Date(round.body.periodEndsAt).getTime() + 60_000), { freeze: true });
    tokens.clear();
    const fin = await t.http.post(`/api/v1/admin/certification-rounds/${round.body.id}/finalize`).set('Authorization', await tok(w.users.admin));
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
  });

  it('JSON: the desk carries the awards due; the page lists them with the link to pay', async () => {
    const desk = await t.http.get('/api/v1/finance/desk').set('Authorization', await tok(w.users.finance));
    assert.equal(desk.status, 200);
    assert.equal(desk.body.awards.count, 1);
    assert.equal(desk.body.awards.items[0].amount, '1000000.00');
    const agent = await loginAgent(t.app, w.users.finance);
    const page = await agent.get('/finance');
    assert.equal(page.status, 200);
    const text = decodeEntities(page.text);
    assert.match(text, /待付认定奖励/, 'named as the awards page names them');
    assert.match(text, /ZJ-STT-2026-\d{4}/, 'the certificate by its registry number');
    assert.match(page.text, /href="\/finance\/awards"/);
    // The navigation's 待办 counts it too (a workday pass, 2026-12-08: the desk listed it, the count left it out).
    const badge = /class="nav-todo"[^>]*>[^<]*<span class="count-badge"[^>]*>(\d+)<\/span>/.exec(page.text);
    assert.ok(badge, 'the 待办 badge');
    assert.equal(Number(badge[1]), 1, 'the award due is the one thing waiting');
  });

  it('paying on the page says how much was paid as money is written everywhere (¥1,000,000.00)', async () => {
    const agent = await loginAgent(t.app, w.users.finance);
    const list = await agent.get('/finance/awards');
    const id = /action="\/finance\/awards\/(\d+)\/pay"/.exec(list.text)?.[1];
    assert.ok(id, 'a pay form');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list.text)![1];
    // Not without the tick beside the button (a workday pass, 2026-12-08): the list again, saying so, nothing paid.
    const unticked = await agent.post(`/finance/awards/${id}/pay`).type('form').send({ _csrf: csrf });
    assert.equal(unticked.status, 422);
    assert.match(decodeEntities(unticked.text), /请先勾选确认/);
    assert.match(list.text, /<input type="checkbox" name="_confirm" value="on" required> 已核对，确认支付 ¥1,000,000\.00/);
    const paid = await agent.post(`/finance/awards/${id}/pay`).type('form').send({ _csrf: csrf, _confirm: 'on' });
    assert.equal(paid.status, 302);
    const after = decodeEntities((await agent.get(paid.headers.location as string)).text);
    assert.match(after, /已支付奖励 ¥1,000,000\.00。/);
    // What finance has paid stays to be found, one tab along: the award, its amount and when it was paid.
    const done = decodeEntities((await agent.get('/finance/awards?status=paid')).text);
    assert.match(done, /<h1 class="page-title">已支付的认定奖励<\/h1>/);
    assert.match(done, /¥1,000,000\.00/);
    assert.match(done, /aria-current="page">已付</);
    assert.equal((await agent.get('/finance/awards?status=nonsense')).status, 422);
    assert.match(decodeEntities((await agent.get('/finance/awards?status=paid&lang=en')).text), /Certification awards paid/);
  });
});
