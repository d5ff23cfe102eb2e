import assert from 'node:assert/strict';
import sharp from 'sharp';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeCert, makeProduct, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { EXIF_MARKER, GIF, HTML, PDF, SVG, jpegWithGps, png, pngClaiming, webp } from '../helpers/media';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent } from '../helpers/session';

/** Product pictures and spec sheets (issue 18 item 5): uploads checked by content, re-encoded, served to whom. */
describe(`product pictures and spec sheets (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let t: TestApp;
  const tokens = new Map<string, string>();
  const tok = async (u: string) => {
    if (!tokens.has(u)) tokens.set(u, await bearer(t.http, u));
    return tokens.get(u)!;
  };
  let approved = 0;
  let pending = 0;
  let othersProduct = 0;
  let certNo = '';

  const uploadImage = async (who: string, id: number, file: Buffer | null, name = 'photo.jpg', fields: Record<string, string> = {}) => {
    const req = t.http.post(`/api/v1/vendor/products/${id}/images`).set('Authorization', await tok(who));
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    if (file) req.attach('image', file, name);
    else req.field('note', 'no file');
    return req;
  };
  const uploadDocument = async (who: string, id: number, file: Buffer, name = 'spec.pdf') =>
    t.http.post(`/api/v1/vendor/products/${id}/documents`).set('Authorization', await tok(who)).field('title', '产品参数表').attach('document', file, name);
  const imageCount = async () => Number((await ctx.db('product_images').count({ n: '*' }).first())?.n ?? 0);

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const v = await makeVendor(ctx.db, { name: '杭州精工数控有限公司', city: '杭州' });
    const cert = await makeCert(ctx.db, v, { field: '数控机床', level: 'domestic', product_name: '五轴立式加工中心' });
    certNo = cert.cert_no;
    await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id, username: 'media-vendor' });
    approved = (await makeProduct(ctx.db, v, { cert, title: '五轴立式加工中心', model: 'JG-500' })).id;
    pending = (await makeProduct(ctx.db, v, { title: '精密数控磨床', status: 'pending_review', field: '数控机床' })).id;
    const v2 = await makeVendor(ctx.db, { name: '宁波另一家装备有限公司' });
    await makeUser(ctx.db, { role: 'vendor', vendor_id: v2.id, username: 'media-vendor2' });
    othersProduct = (await makeProduct(ctx.db, v2, { title: '另一家的产品' })).id;
    const p = await makePurchaser(ctx.db);
    await makeUser(ctx.db, { role: 'purchaser', purchaser_id: p.id, username: 'media-purchaser' });
    await makeUser(ctx.db, { role: 'admin', username: 'media-admin' });
  });

  it('a camera JPEG is re-encoded to WebP at most 1600 px with a 400 px thumbnail, and its EXIF (GPS included) is gone', async () => {
    const original = await jpegWithGps();
    const inMeta = await sharp(original).metadata();
    assert.ok(inMeta.exif && inMeta.exif.includes(Buffer.from(EXIF_MARKER)), 'the test picture carries EXIF');
    const res = await uploadImage('media-vendor', approved, original, 'IMG_0001.JPG', { alt: '加工中心正面' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.contentType, 'image/webp');
    assert.deepEqual([res.body.width, res.body.height, res.body.cover, res.body.alt], [1600, 1200, true, '加工中心正面']);

    const full = await t.http.get(res.body.url).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    assert.equal(full.status, 200);
    assert.equal(full.headers['content-type'], 'image/webp');
    assert.equal(full.headers['x-content-type-options'], 'nosniff');
    assert.equal(full.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(full.headers.etag, `"${res.body.sha256}"`);
    const body = full.body as Buffer;
    const outMeta = await sharp(body).metadata();
    assert.equal(outMeta.format, 'webp');
    assert.equal(outMeta.width, 1600);
    assert.equal(outMeta.exif, undefined, 'no EXIF in what is served');
    assert.equal(outMeta.xmp, undefined);
    assert.ok(!body.includes(Buffer.from(EXIF_MARKER)), 'the marker text is nowhere in the file');
    const stored = await ctx.db('product_images').where({ id: res.body.id }).first('data', 'thumb_data');
    assert.ok(!Buffer.from(stored.data).includes(Buffer.from(EXIF_MARKER)));

    const thumb = await t.http.get(res.body.thumbUrl).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    const thumbMeta = await sharp(thumb.body as Buffer).metadata();
    assert.deepEqual([thumbMeta.format, thumbMeta.width, thumbMeta.height, thumbMeta.exif], ['webp', 400, 300, undefined]);

    // The browser's copy is still good: 304, no body.
    const again = await t.http.get(res.body.url).set('If-None-Match', `"${res.body.sha256}"`);
    assert.equal(again.status, 304);
  });

  it('PNG and WebP are accepted (a small one is not enlarged); the first picture is the cover, a later one may take its place', async () => {
    const a = await uploadImage('media-vendor', pending, await png(640, 480), 'a.png');
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.deepEqual([a.body.width, a.body.height, a.body.cover], [640, 480, true]);
    const b = await uploadImage('media-vendor', pending, await webp(), 'b.webp', { cover: 'on' });
    assert.equal(b.status, 201);
    assert.equal(b.body.cover, true);
    const list = await t.http.get(`/api/v1/vendor/products/${pending}/media`).set('Authorization', await tok('media-vendor'));
    assert.deepEqual(list.body.images.map((i: { cover: boolean }) => i.cover), [false, true]);
    const moved = await t.http.post(`/api/v1/vendor/products/${pending}/images/${b.body.id}/move`).set('Authorization', await tok('media-vendor')).send({ direction: 'up' });
    assert.equal(moved.status, 200);
    assert.deepEqual(moved.body.images.map((i: { id: number }) => i.id), [b.body.id, a.body.id]);
  });

  it('refuses by content what is not JPEG, PNG or WebP, whatever its name, and damaged, oversized and decompression-bomb pictures (422 naming image); nothing written', async () => {
    const before = await imageCount();
    const truncated = (await jpegWithGps(800, 600)).subarray(0, 600);
    const cases: Array<[Buffer, string, RegExp]> = [
      [HTML, 'photo.jpg', /JPEG、PNG 或 WebP/],
      [SVG, 'logo.png', /JPEG、PNG 或 WebP/],
      [GIF, 'anim.gif', /JPEG、PNG 或 WebP/],
      [PDF, 'photo.webp', /JPEG、PNG 或 WebP/],
      [Buffer.alloc(0), 'empty.jpg', /空/],
      [truncated, 'broken.jpg', /无法读取/],
      [await pngClaiming(30000, 30000), 'bomb.png', /像素过多/],
      [Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(8 * 1024 * 1024)]), 'huge.jpg', /8 MB/],
    ];
    for (const [file, name, message] of cases) {
      const res = await uploadImage('media-vendor', approved, file, name);
      assert.equal(res.status, 422, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.field, 'image', name);
      assert.match(res.body.error.message, message, name);
    }
    const none = await uploadImage('media-vendor', approved, null);
    assert.equal(none.status, 422);
    assert.equal(none.body.error.field, 'image');
    assert.equal(await imageCount(), before);
  });

  it('a spec sheet must be a PDF by its bytes; it is served as a download only, never sniffed', async () => {
    const bad = await uploadDocument('media-vendor', approved, HTML, 'spec.pdf');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'document');
    const res = await uploadDocument('media-vendor', approved, PDF, '../../参数表.pdf');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.filename, '参数表.pdf');
    const file = await t.http.get(res.body.url);
    assert.equal(file.status, 200);
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.match(file.headers['content-disposition'], /^attachment;/);
    assert.equal(file.headers['x-content-type-options'], 'nosniff');
    assert.match(file.headers['content-security-policy'], /sandbox/);
  });

  it('only the listing’s own vendor adds or removes files: another vendor 403, a purchaser 403, no such listing 404', async () => {
    const pic = await png(100, 100);
    assert.equal((await uploadImage('media-vendor2', approved, pic)).status, 403);
    assert.equal((await uploadImage('media-purchaser', approved, pic)).status, 403);
    assert.equal((await uploadImage('media-vendor', 999999, pic)).status, 404);
    assert.equal((await uploadImage('media-vendor', othersProduct, pic)).status, 403);
    const mine = await t.http.get(`/api/v1/vendor/products/${approved}/media`).set('Authorization', await tok('media-vendor'));
    const img = mine.body.images[0] as { id: number };
    const del = await t.http.delete(`/api/v1/vendor/products/${approved}/images/${img.id}`).set('Authorization', await tok('media-vendor2'));
    assert.equal(del.status, 403);
    assert.ok(await ctx.db('product_images').where({ id: img.id }).first('id'), 'still there');
  });

  it('an approved listing’s pictures are public; a pending one’s only for its vendor and the department (private cache), 404 to others', async () => {
    const own = await t.http.get(`/api/v1/vendor/products/${pending}/media`).set('Authorization', await tok('media-vendor'));
    const url = own.body.images[0].url as string;
    assert.equal((await t.http.get(url)).status, 404);
    assert.equal((await t.http.get(url).set('Authorization', await tok('media-purchaser'))).status, 404);
    assert.equal((await t.http.get(url).set('Authorization', await tok('media-vendor2'))).status, 404);
    const owner = await t.http.get(url).set('Authorization', await tok('media-vendor'));
    assert.equal(owner.status, 200);
    assert.equal(owner.headers['cache-control'], 'private, no-cache');
    assert.equal((await t.http.get(url).set('Authorization', await tok('media-admin'))).status, 200);
    assert.equal((await t.http.get(`/api/v1/products/${pending}/media`)).status, 404);
    const pub = await t.http.get(`/api/v1/products/${approved}/media`);
    assert.equal(pub.status, 200);
    assert.equal(pub.body.documents.length, 1);
  });

  it('a listing without pictures gets a generated placeholder: an SVG of its field’s initial, nothing external', async () => {
    const v = await ctx.db('vendors').where({ name: '宁波另一家装备有限公司' }).first('id', 'name', 'city');
    const bare = await makeProduct(ctx.db, v, { title: '无图产品', field: '高端医疗装备' });
    const res = await t.http.get(`/media/products/${bare.id}/cover`).buffer(true);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/svg+xml');
    const svg = String(res.text ?? (res.body as Buffer).toString());
    assert.match(svg, />高</);
    assert.doesNotMatch(svg, /href|<script|url\(/i);
    assert.match(res.headers['cache-control'], /^public, max-age=300/);
    // With a picture, the same address is the cover's thumbnail.
    const cover = await t.http.get(`/media/products/${approved}/cover`);
    assert.equal(cover.headers['content-type'], 'image/webp');
  });

  it('the product page shows the cover with its alt text and the spec sheet; the search cards show the thumbnail and a compare link', async () => {
    const page = await t.http.get(`/products/${approved}`);
    assert.equal(page.status, 200);
    const html = decodeEntities(page.text);
    assert.match(html, /<img src="\/media\/products\/\d+\/images\/\d+" alt="加工中心正面"/);
    assert.match(html, /产品参数表/);
    assert.match(html, new RegExp(`href="/compare\\?ids=${approved}"`));
    const search = await t.http.get('/products?q=加工中心');
    assert.match(search.text, new RegExp(`<img class="product-thumb" src="/media/products/${approved}/cover" alt="五轴立式加工中心"`));
  });

  it('the vendor’s page uploads with its CSRF token, explains a refused file beside the field, and refuses a post without the token', async () => {
    const agent = await loginAgent(t.app, 'media-vendor');
    const page = await agent.get(`/vendor/products/${pending}/media`);
    assert.equal(page.status, 200);
    const csrf = csrfOf(page.text);
    const noToken = await agent.post(`/vendor/products/${pending}/images`).attach('image', await png(50, 50), 'x.png');
    assert.equal(noToken.status, 403);
    const bad = await agent.post(`/vendor/products/${pending}/images`).field('_csrf', csrf).attach('image', HTML, 'x.png');
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="media-image-err" class="field-error">只接受 JPEG、PNG 或 WebP/);
    const ok = await agent.post(`/vendor/products/${pending}/images`).field('_csrf', csrf).field('alt', '侧面').attach('image', await png(300, 200), 'side.png');
    assert.equal(ok.status, 302);
    const after = await agent.get(`/vendor/products/${pending}/media`);
    assert.match(after.text, /图片已上传/);
    assert.match(after.text, /alt="侧面"/);
    const other = await agent.get(`/vendor/products/${othersProduct}/media`);
    assert.equal(other.status, 403);
    const english = await agent.get(`/vendor/products/${pending}/media?lang=en`);
    assert.equal(english.status, 200);
    assert.match(english.text, /Upload picture/);
    assert.match(english.text, /Make picture 1 the cover|Make cover/);
    const product = await agent.get(`/products/${approved}?lang=en`);
    assert.match(product.text, />Compare</);
    assert.match(product.text, /Spec sheets/);
  });

  it('a signed-in purchaser’s product page shows a picture added or removed since it was last shown (the gallery is kept with the catalogue’s version)', async () => {
    const buyer = await loginAgent(t.app, 'media-purchaser');
    const v2 = await makeVendor(ctx.db, { name: '温州图片测试装备有限公司' });
    await makeUser(ctx.db, { role: 'vendor', vendor_id: v2.id, username: 'media-vendor3' });
    const id = (await makeProduct(ctx.db, v2, { title: '双主轴数控车床' })).id;
    const before = decodeEntities((await buyer.get(`/products/${id}`)).text);
    assert.doesNotMatch(before, /alt="车床整机"/);
    const up = await uploadImage('media-vendor3', id, await png(400, 300), 'lathe.png', { alt: '车床整机' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.match(decodeEntities((await buyer.get(`/products/${id}`)).text), new RegExp(`<img src="/media/products/${id}/images/${up.body.id}" alt="车床整机"`));
    const del = await t.http.delete(`/api/v1/vendor/products/${id}/images/${up.body.id}`).set('Authorization', await tok('media-vendor3'));
    assert.ok(del.status === 200 || del.status === 204, String(del.status));
    assert.doesNotMatch(decodeEntities((await buyer.get(`/products/${id}`)).text), /alt="车床整机"/);
  });

  it('compares up to 4 products side by side (price, level, certificate, vendor); a fifth is refused naming ids', async () => {
    const page = await t.http.get(`/compare?ids=${approved},${othersProduct}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /五轴立式加工中心/);
    assert.match(page.text, /另一家的产品/);
    assert.match(page.text, new RegExp(certNo));
    assert.match(page.text, /杭州精工数控有限公司/);
    assert.match(page.text, /¥10,000\.00|10,000\.00/);
    // A listing not in the catalogue is left out, and said so.
    const withPending = await t.http.get(`/compare?ids=${approved},${pending}`);
    assert.doesNotMatch(withPending.text, /精密数控磨床/);
    assert.match(withPending.text, /1 个产品已下架或不存在/);
    const five = await t.http.get('/compare?ids=1,2,3,4,5');
    assert.equal(five.status, 422);
    assert.match(five.text, /id="compare-error">最多比较 4 个产品/);
    const junk = await t.http.get('/compare?ids=1,abc');
    assert.equal(junk.status, 422);
    assert.match(junk.text, /id="compare-error">ids 应为以逗号分隔的产品编号/);
    const english = await t.http.get('/compare?ids=1,2,3,4,5&lang=en');
    assert.match(english.text, /At most 4 products/);
    // Search to add one more: a link that carries the ids already chosen.
    const add = await t.http.get(`/compare?ids=${approved}&q=另一家`);
    assert.match(decodeEntities(add.text), new RegExp(`href="/compare\\?ids=${approved}%2C${othersProduct}"`));
  });
});
