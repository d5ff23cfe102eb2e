import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type { Config } from '../../src/config';
import { RATE_LIMITS } from '../../src/web/rate-limit';
import type { Actor } from '../../src/web/state';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseInState, makeFpWorld, type FpWorld } from '../helpers/first-purchase';
import { agentFor, csrfOf, loginAgent } from '../helpers/session';
import { decodeEntities } from '../helpers/html';

/** The test app believes X-Forwarded-For (one proxy hop), so a test can call from many client addresses. */
const trustingProxy = { env: 'test', fakeClock: true, logLevel: 'silent', trustProxy: 1 } as Partial<Config>;

const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;
const OBJECTION = { name: '赵六', organization: '杭州某公司', contact: '13800000000', content: '该产品不具有唯一性' };

/** Issue 12: anonymous objections to a 政府首购 notice are rate limited; the department sets spam aside in one action. */
describe(`objection spam (${ENGINE})`, function () {
  this.timeout(180000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let parties: { buyer: Actor; admin: Actor; productId: number };
  let address = 0;
  const newAddress = () => `10.${(++address >> 8) & 255}.${address & 255}.9`;

  const actor = async (username: string): Promise<Actor> => {
    const u = await ctx.db('users').where({ username }).first();
    return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
  };
  /** A case whose 公示 runs now. */
  const noticeCase = async (): Promise<number> => (await caseInState(ctx.db, t.clock.now(), parties, 'notice')).id;
  const object = (caseId: number, from: string, body: Record<string, unknown> = OBJECTION) =>
    t.http.post(`/api/v1/first-purchases/${caseId}/objections`).set('X-Forwarded-For', from).send(body);
  const filed = async (caseId: number): Promise<number> => Number((await ctx.db('objections').where({ case_id: caseId }).count({ n: '*' }).first())?.n);

  before(async () => {
    t = testApp(ctx.db, { config: trustingProxy });
    t.app.proxy = true;
    t.clock.set(new Date('2026-09-29T02:00:00Z'), { freeze: true });
    w = await makeFpWorld(ctx.db);
    parties = { buyer: await actor(w.users.purchaser), admin: await actor(w.users.admin), productId: w.products.ct };
  });

  describe('rate limits', () => {
    it(`unthrottled anonymous writes: 300 anonymous objections to one case in a burst — at most ${RATE_LIMITS.objectionPerCase.max} are filed, the rest 429 with Retry-After, in the error shape and the caller's language`, async () => {
      const id = await noticeCase();
      const answers = await Promise.all(Array.from({ length: 300 }, () => object(id, newAddress())));
      assert.equal(count(answers, 201), RATE_LIMITS.objectionPerCase.max, answers.map((r) => r.status).join());
      assert.equal(count(answers, 429), 300 - RATE_LIMITS.objectionPerCase.max);
      assert.equal(await filed(id), RATE_LIMITS.objectionPerCase.max, 'nothing written for a refused objection');
      const refused = answers.find((r) => r.status === 429) as Response;
      assert.deepEqual(Object.keys(refused.body), ['error']);
      assert.equal(refused.body.error.code, 'too_many_attempts');
      assert.match(refused.body.error.message, /提交的异议过多，请 \d+ 分钟后再试/);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      const english = await object(id, newAddress()).set('Accept-Language', 'en');
      assert.equal(english.status, 429);
      assert.match(english.body.error.message, /^Too many objections submitted; try again in \d+ minutes?$/);
      // Another case is not affected.
      assert.equal((await object(await noticeCase(), newAddress())).status, 201);
    });

    it(`one address: ${RATE_LIMITS.objectionPerAddressPerCase.max} objections per case; invalid or refused ones do not count; after Retry-After the window has slid on`, async () => {
      const id = await noticeCase();
      const from = newAddress();
      assert.equal((await object(id, from, { ...OBJECTION, content: '' })).status, 422);
      assert.equal((await object(id, from, { ...OBJECTION, name: undefined })).status, 422);
      for (let i = 0; i < RATE_LIMITS.objectionPerAddressPerCase.max; i++) assert.equal((await object(id, from)).status, 201, `objection ${i}`);
      const refused = await object(id, from);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'too_many_attempts');
      const wait = Number(refused.headers['retry-after']);
      assert.ok(wait > 0 && wait <= RATE_LIMITS.objectionPerAddressPerCase.windowMs / 500, String(wait));
      assert.equal((await object(id, newAddress())).status, 201, 'other addresses may still object to the case');
      assert.equal((await object(await noticeCase(), from)).status, 201, 'the address may still object to another case');
      t.clock.set(new Date(t.clock.now().getTime() + (wait + 1) * 1000), { freeze: true });
      assert.equal((await object(id, from)).status, 201, 'after Retry-After');
      assert.equal(await filed(id), RATE_LIMITS.objectionPerAddressPerCase.max + 2);
    });

    it(`one address: at most ${RATE_LIMITS.objectionPerAddress.max} objections over all cases`, async () => {
      const from = newAddress();
      const cases = await Promise.all(Array.from({ length: 5 }, () => noticeCase()));
      const answers: Response[] = [];
      for (let i = 0; i < RATE_LIMITS.objectionPerAddress.max + 3; i++) answers.push(await object(cases[i % cases.length], from));
      assert.equal(count(answers, 201), RATE_LIMITS.objectionPerAddress.max);
      assert.equal(count(answers, 429), 3);
    });

    it('the notice page’s objection form counts against the same limits: a 429 page with Retry-After, nothing written', async () => {
      const id = await noticeCase();
      const noticeId = (await ctx.db('notices').where({ case_id: id, type: 'single_source' }).first('id')).id as number;
      const from = newAddress();
      const agent = agentFor(t.app);
      const page = await agent.get(`/notices/${noticeId}`).set('X-Forwarded-For', from);
      const csrf = csrfOf(page.text);
      const post = () => agent.post(`/notices/${noticeId}/objections`).set('X-Forwarded-For', from).type('form').send({ ...OBJECTION, _csrf: csrf });
      const invalid = await agent.post(`/notices/${noticeId}/objections`).set('X-Forwarded-For', from).type('form').send({ ...OBJECTION, content: '', _csrf: csrf });
      assert.equal(invalid.status, 422, 'an invalid form does not count');
      for (let i = 0; i < RATE_LIMITS.objectionPerAddressPerCase.max - 1; i++) assert.equal((await post()).status, 302, `form ${i}`);
      assert.equal((await object(id, from)).status, 201, 'the JSON route shares the count');
      const refused = await post();
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.match(decodeEntities(refused.text), /提交的异议过多/);
      assert.equal((await object(id, from)).status, 429);
      assert.equal(await filed(id), RATE_LIMITS.objectionPerAddressPerCase.max);
    });

    it('a logged-in caller has a limit of its own per case, apart from the anonymous callers’ total', async () => {
      const id = await noticeCase();
      const tok = await bearer(t.http, w.users.purchaser2);
      const from = newAddress();
      const mine = () => t.http.post(`/api/v1/first-purchases/${id}/objections`).set('X-Forwarded-For', from).set('Authorization', tok).send(OBJECTION);
      for (let i = 0; i < RATE_LIMITS.objectionPerUserPerCase.max; i++) assert.equal((await mine()).status, 201);
      assert.equal((await mine()).status, 429);
      assert.equal((await object(id, from)).status, 201, 'the address itself was not counted');
      const caseRow = await ctx.db('rate_limits').where('key', `${RATE_LIMITS.objectionPerCase.name}:${id}`).sum({ n: 'count' }).first();
      assert.equal(Number(caseRow?.n), 1, 'only the anonymous objection counts toward the case total');
    });
  });

  describe('marking an objection as spam or a duplicate', () => {
    let id: number;
    let oids: number[];
    let adminTok: string;
    const mark = (caseId: number, oid: number, body: Record<string, unknown>, tok: string | null = adminTok) => {
      const req = t.http.post(`/api/v1/first-purchases/${caseId}/objections/${oid}/mark`);
      if (tok) req.set('Authorization', tok);
      return req.send(body);
    };

    before(async () => {
      id = await noticeCase();
      for (let i = 0; i < 4; i++) assert.equal((await object(id, newAddress(), { ...OBJECTION, content: `刷屏内容 ${i}` })).status, 201);
      oids = (await ctx.db('objections').where({ case_id: id }).orderBy('id').pluck('id')).map(Number);
      adminTok = await bearer(t.http, w.users.admin);
    });

    it('JSON: 401 → 403 → 404 → 422, in the error shape', async () => {
      assert.equal((await mark(id, oids[0], { disposition: 'spam' }, null)).status, 401);
      assert.equal((await mark(id, oids[0], { disposition: 'spam' }, await bearer(t.http, w.users.purchaser))).status, 403);
      assert.equal((await mark(id, oids[0], { disposition: 'spam' }, await bearer(t.http, w.users.vendor))).status, 403);
      assert.equal((await mark(999999, oids[0], { disposition: 'spam' })).status, 404);
      assert.equal((await mark(id, 999999, { disposition: 'spam' })).status, 404);
      const bad = await mark(id, oids[0], { disposition: 'junk' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, 'disposition');
      const self = await mark(id, oids[1], { disposition: 'duplicate', duplicateOf: oids[1] });
      assert.equal(self.status, 422);
      assert.equal(self.body.error.field, 'duplicateOf');
      const elsewhere = await mark(id, oids[1], { disposition: 'duplicate', duplicateOf: 999999 });
      assert.equal(elsewhere.status, 422);
      assert.equal((await ctx.db('objections').where({ case_id: id, status: 'open' })).length, oids.length, 'nothing changed');
    });

    it('200: the objection stays on record as spam, with who and when, audited and in the case history; 409 for a second ruling', async () => {
      const res = await mark(id, oids[0], { disposition: 'spam', remark: '广告' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const view = res.body.objections.find((o: { id: number }) => o.id === oids[0]);
      assert.equal(view.status, 'spam');
      assert.equal(view.opinion, '广告');
      assert.equal(view.duplicateOf, null);
      assert.match(view.resolvedAt, /\+08:00$/);
      assert.equal(res.body.openObjections, oids.length - 1);
      const row = await ctx.db('objections').where({ id: oids[0] }).first();
      assert.equal(row.resolved_by, parties.admin.id);
      assert.ok(row.resolved_at);
      assert.equal(row.content, '刷屏内容 0', 'kept on record');
      const audit = await ctx.db('audit_log').where({ action: 'first_purchase.objection_mark', entity: 'fp_objection', entity_id: String(oids[0]) }).first();
      assert.ok(audit);
      assert.equal(audit.actor_id, parties.admin.id);
      assert.deepEqual(JSON.parse(audit.after), { caseId: id, status: 'spam', duplicateOf: null, remark: '广告' });
      assert.ok(res.body.history.some((h: { action: string; note: string }) => h.action === 'objection_spam' && h.note === `#${oids[0]}`));
      assert.equal((await mark(id, oids[0], { disposition: 'duplicate' })).status, 409);
      const resolve = await t.http.post(`/api/v1/first-purchases/${id}/objections/${oids[0]}/resolve`).set('Authorization', adminTok).send({ upheld: true, opinion: '成立' });
      assert.equal(resolve.status, 409, 'set aside means no ruling on it later');
    });

    it('a duplicate may name the objection it repeats', async () => {
      const res = await mark(id, oids[1], { disposition: 'duplicate', duplicateOf: oids[2] });
      assert.equal(res.status, 200);
      const view = res.body.objections.find((o: { id: number }) => o.id === oids[1]);
      assert.deepEqual([view.status, view.duplicateOf, view.opinion], ['duplicate', oids[2], null]);
      assert.ok(res.body.history.some((h: { action: string; note: string }) => h.action === 'objection_duplicate' && h.note === `#${oids[1]} → #${oids[2]}`));
    });

    it('page: the admin’s case page has the one-click form (CSRF-protected); a marked objection no longer blocks approval', async () => {
      const admin = await loginAgent(t.app, w.users.admin);
      const page = await admin.get(`/first-purchases/${id}`);
      assert.equal(page.status, 200);
      const action = `/first-purchases/${id}/objections/${oids[2]}/mark`;
      assert.match(page.text, new RegExp(`action="${action}"`));
      assert.match(page.text, /name="disposition" value="spam"/);
      assert.match(page.text, /标记为无效信息/);
      assert.equal((await admin.post(action).type('form').send({ disposition: 'spam' })).status, 403, 'no CSRF token');
      const done = await admin.post(action).type('form').send({ _csrf: csrfOf(page.text), disposition: 'spam', duplicateOf: '' });
      assert.equal(done.status, 302);
      assert.equal(done.headers.location, `/first-purchases/${id}`);
      const after = decodeEntities((await admin.get(`/first-purchases/${id}`)).text);
      assert.match(after, /异议已归档/);
      assert.match(after, /无效信息（已归档）/);
      assert.match(after, new RegExp(`与异议 #${oids[2]} 重复`));
      assert.match(after, /异议标记为无效信息/);
      // Only the last one is still open; the purchaser (not the department) cannot set it aside.
      const purchaser = await loginAgent(t.app, w.users.purchaser);
      const theirs = await purchaser.get(`/first-purchases/${id}`);
      assert.doesNotMatch(theirs.text, /\/mark"/);
      const refused = await purchaser.post(`/first-purchases/${id}/objections/${oids[3]}/mark`).type('form').send({ _csrf: csrfOf(theirs.text), disposition: 'spam' });
      assert.equal(refused.status, 403);
      await mark(id, oids[3], { disposition: 'duplicate', duplicateOf: oids[2] });
      // After the period, nothing open: the case may be approved although its objections stay on record.
      const c = (await t.http.get(`/api/v1/first-purchases/${id}`).set('Authorization', adminTok)).body;
      assert.equal(c.openObjections, 0);
      assert.equal(c.objections.length, oids.length);
      t.clock.set(new Date(Date.parse(c.noticeEndsAt) + 3600_000), { freeze: true });
      const approved = await t.http.post(`/api/v1/first-purchases/${id}/approve`).set('Authorization', await bearer(t.http, w.users.finance));
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.status, 'approved');
    });
  });
});
