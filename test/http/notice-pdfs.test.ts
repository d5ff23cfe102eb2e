import assert from 'node:assert/strict';
import type { Db } from '../../src/db';
import type { Actor } from '../../src/web/state';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseInState, makeFpWorld, type FpStage, type FpWorld } from '../helpers/first-purchase';
import { makeUser } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

/** A response body as bytes (supertest leaves binary bodies alone only when asked). */
const asBytes = (r: import('supertest').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  (r as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (r as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
};

/**
 * The public notices (公示, 成交结果, 合同, 终止) and the 成交通知书 as PDFs (issue 18 item 1): the notices are as public
 * as their pages, the letter is for the case's parties and the departments only; each is a real PDF with the CJK
 * font embedded, named by the case's number, and linked from its page.
 */
describe(`notice and award letter PDFs (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  const tokens: Record<string, string> = {};
  let caseNo = '';
  let awarded = 0;
  const noticeIds: Record<string, number> = {};

  async function actor(db: Db, username: string): Promise<Actor> {
    const u = await db('users').where({ username }).first();
    return { id: u.id, username, role: u.role, displayName: u.display_name, purchaserId: u.purchaser_id ?? null, vendorId: u.vendor_id ?? null };
  }

  async function caseAt(stage: FpStage): Promise<number> {
    const parties = { buyer: await actor(ctx.db, w.users.purchaser), admin: await actor(ctx.db, w.users.admin), finance: await actor(ctx.db, w.users.finance), productId: w.products.ct };
    return (await caseInState(ctx.db, t.clock.now(), parties, stage)).id;
  }

  const pdf = (path: string, who?: string) => {
    const req = t.http.get(path).buffer(true).parse(asBytes);
    return who ? req.set('Authorization', tokens[who]!) : req;
  };

  function assertPdf(res: { status: number; headers: Record<string, string>; body: unknown }, name: string, subject: string): Buffer {
    assert.equal(res.status, 200, name);
    assert.equal(res.headers['content-type'], 'application/pdf', name);
    const bytes = res.body as Buffer;
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${name} starts as a PDF`);
    assert.match(bytes.subarray(-32).toString('latin1'), /%%EOF\s*$/, `${name} ends as a PDF`);
    assert.match(bytes.toString('latin1'), /\/FontFile2/, `${name}: the Chinese font is embedded`);
    assert.ok(bytes.toString('latin1').includes(`(${subject})`), `${name} carries its number ${subject} (its Subject)`);
    return bytes;
  }

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-10-13T02:00:00.000Z'), { freeze: true });
    w = await makeFpWorld(ctx.db);
    const expert = await makeUser(ctx.db, { role: 'expert' });
    for (const [who, username] of Object.entries({ ...w.users, expert: expert.username })) tokens[who] = await bearer(t.http, username);
    awarded = await caseAt('contracted');
    caseNo = (await t.http.get(`/api/v1/first-purchases/${awarded}`).set('Authorization', tokens.purchaser!)).body.caseNo as string;
    for (const n of await ctx.db('notices').where({ case_id: awarded }).select('id', 'type')) noticeIds[n.type as string] = Number(n.id);
    const withdrawn = await caseAt('notice');
    await t.http.post(`/api/v1/first-purchases/${withdrawn}/terminate`).set('Authorization', tokens.purchaser!).send({ cause: 'withdrawn', explanation: '采购需求取消' });
    noticeIds.termination = Number((await ctx.db('notices').where({ case_id: withdrawn, type: 'termination' }).first('id')).id);
  });

  it('every notice of a case — 公示, result, contract, termination — is a PDF anyone may download, named by the case number', async () => {
    assert.deepEqual(Object.keys(noticeIds).sort(), ['contract', 'result', 'single_source', 'termination']);
    for (const [type, id] of Object.entries(noticeIds)) {
      const res = await pdf(`/notices/${id}.pdf`);
      const number = type === 'termination' ? ((await t.http.get(`/api/v1/notices/${id}`)).body.content.caseNo as string) : caseNo;
      assertPdf(res, type, number);
      assert.equal(res.headers['content-disposition'], `inline; filename="${number}-${type}.pdf"; filename*=UTF-8''${number}-${type}.pdf`, type);
    }
  });

  it('a logged-in reader gets the same public notice, in English when that is the reader’s language', async () => {
    const zh = assertPdf(await pdf(`/notices/${noticeIds.single_source}.pdf`, 'vendor2'), 'vendor2', caseNo);
    const en = assertPdf(await pdf(`/notices/${noticeIds.single_source}.pdf?lang=en`), 'english', caseNo);
    assert.notEqual(zh.length, en.length, 'the English document is written in English, not the Chinese one again');
  });

  it('the notice page links its PDF', async () => {
    for (const id of Object.values(noticeIds)) {
      const page = decodeEntities((await t.http.get(`/notices/${id}`)).text);
      assert.match(page, new RegExp(`<a href="/notices/${id}\\.pdf" type="application/pdf">下载本公告（PDF）</a>`));
    }
    assert.match((await t.http.get(`/notices/${noticeIds.result}?lang=en`)).text, /Download this notice \(PDF\)/);
  });

  it('an unknown or malformed notice is 404, as its page is', async () => {
    for (const path of ['/notices/999999.pdf', '/notices/abc.pdf', '/notices/0.pdf']) {
      const res = await t.http.get(path);
      assert.equal(res.status, 404, path);
      assert.notEqual(res.headers['content-type'], 'application/pdf', path);
    }
  });

  it('the 成交通知书 as a PDF for the case’s parties and the departments, named by the letter number', async () => {
    for (const who of ['purchaser', 'vendor', 'admin', 'finance']) {
      const res = await pdf(`/first-purchases/${awarded}/award-letter.pdf`, who);
      assertPdf(res, who, `${caseNo}-CJTZ`);
      assert.match(res.headers['content-disposition']!, new RegExp(`^inline; filename="${caseNo}-CJTZ\\.pdf"`));
    }
    const letter = decodeEntities((await t.http.get(`/first-purchases/${awarded}/award-letter`).set('Authorization', tokens.vendor!)).text);
    assert.match(letter, new RegExp(`href="/first-purchases/${awarded}/award-letter\\.pdf" type="application/pdf">下载成交通知书（PDF）</a>`));
    const casePage = decodeEntities((await t.http.get(`/first-purchases/${awarded}`).set('Authorization', tokens.purchaser!)).text);
    assert.ok(casePage.includes(`/first-purchases/${awarded}/award-letter.pdf`), 'the case page links the letter’s PDF');
  });

  it('the 成交通知书 is refused to everyone else: another unit or vendor (403, not theirs), an expert (403), nobody logged in (to the login page)', async () => {
    const path = `/first-purchases/${awarded}/award-letter.pdf`;
    for (const who of ['purchaser2', 'vendor2']) {
      const res = await t.http.get(path).set('Authorization', tokens[who]!);
      assert.equal(res.status, 403, who);
      assert.ok(!res.text.includes(w.vendor.name), `${who} learns nothing of the case`);
    }
    assert.equal((await t.http.get(path).set('Authorization', tokens.expert!)).status, 403);
    const anonymous = await t.http.get(path);
    assert.equal(anonymous.status, 302);
    assert.match(String(anonymous.headers.location), /^\/login\?next=/);
  });

  it('no letter before a supplier is determined (409), none for an unknown case (404)', async () => {
    const approved = await caseAt('approved');
    assert.equal((await t.http.get(`/first-purchases/${approved}/award-letter.pdf`).set('Authorization', tokens.purchaser!)).status, 409);
    assert.equal((await t.http.get('/first-purchases/999999/award-letter.pdf').set('Authorization', tokens.admin!)).status, 404);
  });
});
