import assert from 'node:assert/strict';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { applicationBody, makeRecWorld, type RecWorld } from '../helpers/recognition';
import { csrfOf, loginAgent } from '../helpers/session';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

/** Attachments of certification applications (issue 15 item 3): type, size, who may read them, how they are served. */
describe(`certification application attachments (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: RecWorld;
  const tokens = new Map<string, string>();
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };
  const upload = async (who: string, id: number, file: Buffer | null, name = 'report.pdf', kind: string | null = 'test_report') => {
    const req = t.http.post(`/api/v1/vendor/applications/${id}/attachments`).set('Authorization', await tok(who));
    if (kind !== null) req.field('kind', kind);
    if (file) req.attach('file', file, name);
    else req.field('note', 'no file');
    return req;
  };
  const draft = async () => {
    const res = await t.http.post('/api/v1/vendor/applications').set('Authorization', await tok(w.users.vendor)).send(applicationBody());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const count = async () => Number((await ctx.db('cert_attachments').count({ n: '*' }).first())?.n ?? 0);

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    w = await makeRecWorld(ctx.db);
  });

  it('the vendor uploads a PDF, a PNG and a JPEG to its draft; the application lists them (type by their bytes)', async () => {
    const id = await draft();
    const a = await upload(w.users.vendor, id, PDF, '检测报告.pdf');
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal((await upload(w.users.vendor, id, PNG, 'patent.png', 'ip')).status, 201);
    // A JPEG named .txt is still a JPEG, served as one.
    const res = await upload(w.users.vendor, id, JPEG, 'user.txt', 'user_report');
    assert.equal(res.status, 201);
    const files = res.body.attachments as Array<{ kind: string; filename: string; contentType: string; size: number; url: string; sha256: string }>;
    assert.deepEqual(
      files.map((f) => [f.kind, f.filename, f.contentType, f.size]),
      [
        ['test_report', '检测报告.pdf', 'application/pdf', PDF.length],
        ['ip', 'patent.png', 'image/png', PNG.length],
        ['user_report', 'user.txt.jpg', 'image/jpeg', JPEG.length],
      ],
    );
    assert.match(files[0]!.url, new RegExp(`^/api/v1/applications/${id}/attachments/\\d+$`));
    const stored = await ctx.db('cert_attachments').where({ application_id: id }).select('stored_name', 'filename');
    for (const s of stored) assert.match(s.stored_name, /^[0-9a-f]{32}$/);
  });

  it('refuses what is not PDF, JPEG or PNG by its bytes, an empty file, a missing file and a missing kind (422 naming the field); nothing written', async () => {
    const id = await draft();
    const before = await count();
    for (const [file, name] of [
      [HTML, 'report.pdf'],
      [Buffer.from('GIF89a....'), 'x.gif'],
      [Buffer.from('MZ\x90\x00'), 'setup.exe'],
      [Buffer.alloc(0), 'empty.pdf'],
    ] as const) {
      const res = await upload(w.users.vendor, id, file, name);
      assert.equal(res.status, 422, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.field, 'file');
    }
    const none = await upload(w.users.vendor, id, null);
    assert.equal(none.status, 422);
    assert.equal(none.body.error.field, 'file');
    const noKind = await upload(w.users.vendor, id, PDF, 'r.pdf', null);
    assert.equal(noKind.status, 422);
    assert.equal(noKind.body.error.field, 'kind');
    const badKind = await upload(w.users.vendor, id, PDF, 'r.pdf', 'script');
    assert.equal(badKind.status, 422);
    assert.equal(badKind.body.error.field, 'kind');
    assert.equal(await count(), before);
  });

  it('refuses a file over 10 MB (413 naming file)', async () => {
    const id = await draft();
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    const res = await upload(w.users.vendor, id, big, 'big.pdf');
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.error.field, 'file');
  });

  it('serves a file only as a download with its stored type, to the applicant, the department and the experts drawn to it', async () => {
    const id = await draft();
    const up = await upload(w.users.vendor, id, PDF, 'a"b;<c>.pdf');
    const url = up.body.attachments[0].url as string;
    const get = async (who: string | null) => {
      const req = t.http.get(url).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      if (who) req.set('Authorization', await tok(who));
      return req;
    };
    const own = await get(w.users.vendor);
    assert.equal(own.status, 200);
    assert.equal(own.headers['content-type'], 'application/pdf');
    assert.match(own.headers['content-disposition'], /^attachment; filename="abc\.pdf"/);
    assert.equal(own.headers['x-content-type-options'], 'nosniff');
    assert.match(own.headers['content-security-policy'], /sandbox/);
    assert.ok(Buffer.compare(own.body as Buffer, PDF) === 0);
    assert.equal((await get(w.users.admin)).status, 200);
    assert.equal((await get(w.users.vendor2)).status, 403);
    assert.equal((await get(w.users.purchaser)).status, 403);
    assert.equal((await get(w.users.finance)).status, 403);
    assert.equal((await get(null)).status, 401);
    assert.equal((await get(w.experts[0]!.username)).status, 403, 'an expert not drawn to it');
    // Through the review: submitted, screened, drawn → the drawn experts read it.
    const as = async (u: string) => ({ Authorization: await tok(u) });
    assert.equal((await t.http.post(`/api/v1/vendor/applications/${id}/submit`).set(await as(w.users.vendor))).status, 200);
    assert.equal((await t.http.post(`/api/v1/admin/applications/${id}/screen`).set(await as(w.users.admin)).send({ passed: true })).status, 200);
    const drawn = await t.http.post(`/api/v1/admin/applications/${id}/experts`).set(await as(w.users.admin)).send({ count: 3 });
    assert.equal(drawn.status, 200, JSON.stringify(drawn.body));
    const names = (drawn.body.experts as Array<{ username: string }>).map((e) => e.username);
    for (const u of names) assert.equal((await get(u)).status, 200, u);
    const notDrawn = w.experts.find((e) => !names.includes(e.username))!;
    assert.equal((await get(notDrawn.username)).status, 403);
    assert.equal((await t.http.get(`${url.replace(/\d+$/, '999999')}`).set(await as(w.users.vendor))).status, 404);
  });

  it('another vendor cannot add to or remove from an application (403); files are fixed once submitted (409)', async () => {
    const id = await draft();
    const up = await upload(w.users.vendor, id, PDF);
    const fileId = up.body.attachments[0].id as number;
    assert.equal((await upload(w.users.vendor2, id, PDF)).status, 403);
    const del = (who: string, fid = fileId) => tok(who).then((a) => t.http.delete(`/api/v1/vendor/applications/${id}/attachments/${fid}`).set('Authorization', a));
    assert.equal((await del(w.users.vendor2)).status, 403);
    assert.equal((await t.http.post(`/api/v1/vendor/applications/${id}/submit`).set('Authorization', await tok(w.users.vendor))).status, 200);
    const late = await upload(w.users.vendor, id, PNG, 'late.png');
    assert.equal(late.status, 409);
    assert.equal((await del(w.users.vendor)).status, 409);
    const app = await t.http.get(`/api/v1/applications/${id}`).set('Authorization', await tok(w.users.vendor));
    assert.equal(app.body.attachments.length, 1);
    assert.ok(app.body.history.some((h: { action: string }) => h.action === 'attachment_add'));
  });

  it('the vendor removes a file from its draft', async () => {
    const id = await draft();
    const up = await upload(w.users.vendor, id, PDF);
    const res = await t.http.delete(`/api/v1/vendor/applications/${id}/attachments/${up.body.attachments[0].id}`).set('Authorization', await tok(w.users.vendor));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.attachments, []);
  });

  it('the page form uploads with the CSRF field; a wrong type shows the page again with the reason beside the file field', async () => {
    const id = await draft();
    const agent = await loginAgent(t.app, w.users.vendor);
    const page = await agent.get(`/vendor/applications/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /enctype="multipart\/form-data"/);
    const ok = await agent.post(`/vendor/applications/${id}/attachments`).field('_csrf', csrfOf(page.text)).field('kind', 'test_report').attach('file', PDF, 'report.pdf');
    assert.equal(ok.status, 302, ok.text);
    const after = await agent.get(`/vendor/applications/${id}`);
    assert.match(after.text, /report\.pdf/);
    const bad = await agent.post(`/vendor/applications/${id}/attachments`).field('_csrf', csrfOf(after.text)).field('kind', 'test_report').attach('file', HTML, 'x.pdf');
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="att-file-err"/);
    const noCsrf = await agent.post(`/vendor/applications/${id}/attachments`).field('kind', 'test_report').attach('file', PDF, 'report.pdf');
    assert.equal(noCsrf.status, 403);
    const fileId = (await ctx.db('cert_attachments').where({ application_id: id }).first('id')).id as number;
    const del = await agent.post(`/vendor/applications/${id}/attachments/${fileId}/delete`).type('form').send({ _csrf: csrfOf(after.text) });
    assert.equal(del.status, 302);
    assert.equal(await ctx.db('cert_attachments').where({ application_id: id }).count({ n: '*' }).first().then((r) => Number(r?.n)), 0);
  });
});
