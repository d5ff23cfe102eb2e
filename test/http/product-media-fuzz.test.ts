import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makeProduct, makeUser, makeVendor } from '../helpers/factories';
import { GIF, HTML, PDF, SVG, jpegWithGps, png, pngClaiming, webp } from '../helpers/media';

const RUNS = Number(process.env.MEDIA_FUZZ_RUNS ?? 60);

/**
 * Hostile uploads (issue 18 item 5): pictures and spec sheets with bytes flipped, cut short, headers of one type and
 * bodies of another, random names and fields. Whatever arrives, the answer is 201 (a usable picture) or a 4xx naming
 * the field, never a 5xx; a refused upload stores nothing, and whatever is stored is WebP.
 */
describe(`hostile picture and spec-sheet uploads (${ENGINE})`, function () {
  this.timeout(240000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let seller = '';
  let productId = 0;
  let samples: Buffer[] = [];

  before(async () => {
    t = testApp(ctx.db);
    const v = await makeVendor(ctx.db);
    const u = await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id });
    productId = (await makeProduct(ctx.db, v, { title: '模糊测试产品' })).id;
    seller = await bearer(t.http, u.username);
    samples = [await jpegWithGps(320, 240), await png(64, 48), await webp(80, 60), await pngClaiming(50000, 3), PDF, HTML, SVG, GIF];
  });

  const count = async (table: string) => Number((await ctx.db(table).where({ product_id: productId }).count({ n: '*' }).first())?.n ?? 0);

  /** A sample, then some of its bytes replaced, or cut, or another sample's body after its first bytes. */
  const bytes = () =>
    fc
      .tuple(
        fc.nat(),
        fc.oneof(
          fc.constant({ kind: 'as-is' as const }),
          fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }) }),
          fc.record({ kind: fc.constant('cut' as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
          fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), head: fc.integer({ min: 1, max: 32 }) }),
        ),
      )
      .map(([i, m]) => {
        const base = Buffer.from(samples[i % samples.length]!);
        if (m.kind === 'flip') {
          for (const [at, b] of m.at) base[at % base.length] = b;
          return base;
        }
        if (m.kind === 'cut') return base.subarray(0, Math.floor(base.length * m.keep));
        if (m.kind === 'splice') return Buffer.concat([base.subarray(0, m.head), samples[m.other % samples.length]!.subarray(m.head)]);
        return base;
      });

  it('pictures: 201 or 4xx naming the field, never a 5xx; only WebP is ever stored', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(), fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 250 })), async (data, name, alt) => {
        const before = await count('product_images');
        const req = t.http.post(`/api/v1/vendor/products/${productId}/images`).set('Authorization', seller);
        if (alt !== null) req.field('alt', alt);
        const res = await req.attach('image', data, name || 'x');
        assert.ok(res.status < 500, `${res.status} ${res.text}`);
        if (res.status === 201) {
          assert.equal(res.body.contentType, 'image/webp');
          // Keep the gallery below its limit for the next runs.
          await t.http.delete(`/api/v1/vendor/products/${productId}/images/${res.body.id}`).set('Authorization', seller).expect(200);
        } else {
          assert.ok([413, 422].includes(res.status), `${res.status} ${res.text}`);
          assert.ok(['image', 'alt', 'file'].includes(res.body.error.field), res.text);
          assert.equal(await count('product_images'), before);
        }
      }),
      { numRuns: RUNS, seed: 20261213 },
    );
    const stored = await ctx.db('product_images').select('content_type', 'thumb_content_type');
    for (const s of stored) assert.deepEqual([s.content_type, s.thumb_content_type], ['image/webp', 'image/webp']);
  });

  it('spec sheets: 201 only for what begins as a PDF, else 422 naming document, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(), fc.string({ maxLength: 40 }), async (data, name) => {
        const res = await t.http.post(`/api/v1/vendor/products/${productId}/documents`).set('Authorization', seller).attach('document', data, name || 'x');
        assert.ok(res.status < 500, `${res.status} ${res.text}`);
        if (res.status === 201) {
          assert.ok(data.subarray(0, 5).equals(Buffer.from('%PDF-')));
          assert.match(res.body.filename, /\.pdf$/);
          await t.http.delete(`/api/v1/vendor/products/${productId}/documents/${res.body.id}`).set('Authorization', seller).expect(200);
        } else {
          assert.equal(res.status, 422, res.text);
          assert.equal(res.body.error.field, 'document');
        }
      }),
      { numRuns: RUNS, seed: 20261213 },
    );
  });
});
