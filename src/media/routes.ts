import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { actorOf, idParam, objectFirst, parseInput, requestBody, requireRole, validate, type AppState } from '../web';
import { MAX_DOCUMENT_BYTES, MAX_IMAGE_BYTES, uploadedFile } from './files';
import { mediaPages } from './pages';
import { DocumentFields, ImageFields, MoveInput } from './schema';
import type { MediaFile } from './service';

/** A year: an image's or a spec sheet's URL names its id, and a new file gets a new id, so it never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Sends a listing's file: its own type, an ETag from its SHA-256 (304 when the caller has it), never sniffed, never
 * run (a sandbox CSP), kept by shared caches only when the listing is public. `mutable`: the URL may come to name
 * another file (a listing's cover), so caches ask again.
 */
export function sendMedia(ctx: Context, file: MediaFile, opts: { mutable?: boolean; download?: boolean } = {}): void {
  ctx.status = 200;
  ctx.set('ETag', `"${file.etag}"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  ctx.set('Cache-Control', file.public ? (opts.mutable ? 'public, max-age=300, must-revalidate' : IMMUTABLE) : 'private, no-cache');
  if (opts.download) ctx.attachment(file.filename ?? 'spec-sheet.pdf', { type: 'attachment' });
  ctx.type = file.contentType;
  if (ctx.fresh) {
    ctx.status = 304;
    ctx.body = null;
    return;
  }
  ctx.body = file.data;
}

const actorOrNull = (ctx: Context) => (ctx.state as AppState).actor;

/** Pictures and spec sheets of listings (JSON for the vendor, the files for everyone who may see them), the pages. */
export function mediaRoutes(deps: Deps): Router {
  const router = new Router();
  const media = deps.services.media;
  const vendor = requireRole('vendor');

  // ── the files ──
  router.get('/media/products/:id/cover', async (ctx) => {
    sendMedia(ctx, await media.cover(actorOrNull(ctx), idParam(ctx.params.id)), { mutable: true });
  });
  router.get('/media/products/:id/images/:imageId', async (ctx) => {
    sendMedia(ctx, await media.image(actorOrNull(ctx), idParam(ctx.params.id), idParam(ctx.params.imageId), 'full'));
  });
  router.get('/media/products/:id/images/:imageId/thumb', async (ctx) => {
    sendMedia(ctx, await media.image(actorOrNull(ctx), idParam(ctx.params.id), idParam(ctx.params.imageId), 'thumb'));
  });
  router.get('/media/products/:id/documents/:documentId', async (ctx) => {
    sendMedia(ctx, await media.document(actorOrNull(ctx), idParam(ctx.params.id), idParam(ctx.params.documentId)), { download: true });
  });

  // ── JSON ──
  router.get('/api/v1/products/:id/media', async (ctx) => {
    ctx.body = await media.forProduct(actorOrNull(ctx), idParam(ctx.params.id));
  });
  router.get('/api/v1/vendor/products/:id/media', vendor, async (ctx) => {
    const { title: _t, status: _s, ...view } = await media.forOwner(actorOf(ctx), idParam(ctx.params.id));
    ctx.body = view;
  });
  // Multipart: `image` (JPEG, PNG or WebP, ≤ 8 MB), `alt`, `cover`.
  const owned = (ctx: Context) => media.forOwner(actorOf(ctx), idParam(ctx.params.id));
  router.post('/api/v1/vendor/products/:id/images', vendor, objectFirst(async (ctx) => {
    const id = idParam(ctx.params.id);
    const fields = parseInput(ImageFields, requestBody(ctx));
    const file = await uploadedFile(ctx, 'image', MAX_IMAGE_BYTES);
    ctx.status = 201;
    ctx.body = await media.addImage(actorOf(ctx), id, { data: file.data, alt: fields.alt, cover: fields.cover });
  }, owned));
  router.post('/api/v1/vendor/products/:id/images/:imageId/cover', vendor, async (ctx) => {
    ctx.body = await media.makeCover(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.imageId));
  });
  router.post('/api/v1/vendor/products/:id/images/:imageId/move', vendor, objectFirst(validate(MoveInput), owned), async (ctx) => {
    const { direction } = ctx.state.input as { direction: 'up' | 'down' };
    ctx.body = await media.move(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.imageId), direction);
  });
  router.delete('/api/v1/vendor/products/:id/images/:imageId', vendor, async (ctx) => {
    ctx.body = await media.removeImage(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.imageId));
  });
  // Multipart: `document` (PDF, ≤ 10 MB), `title`.
  router.post('/api/v1/vendor/products/:id/documents', vendor, objectFirst(async (ctx) => {
    const id = idParam(ctx.params.id);
    const fields = parseInput(DocumentFields, requestBody(ctx));
    const file = await uploadedFile(ctx, 'document', MAX_DOCUMENT_BYTES);
    ctx.status = 201;
    ctx.body = await media.addDocument(actorOf(ctx), id, { ...file, title: fields.title });
  }, owned));
  router.delete('/api/v1/vendor/products/:id/documents/:documentId', vendor, async (ctx) => {
    ctx.body = await media.removeDocument(actorOf(ctx), idParam(ctx.params.id), idParam(ctx.params.documentId));
  });

  mediaPages(router, deps);
  return router;
}
