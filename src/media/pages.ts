import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { actorOf, errorBody, formFailure, idParam, parseForm, parseInput, requestBody, requireRole, setFlash, takeFlash, withoutEmpty, type AppState } from '../web';
import { FULL_SIDE, MAX_DOCUMENTS, MAX_DOCUMENT_BYTES, MAX_IMAGES, MAX_IMAGE_BYTES, THUMB_SIDE, uploadedFile } from './files';
import { CompareSearch, DocumentFields, ImageFields, MAX_COMPARE, compareIds } from './schema';
import { sizeLabel, type MediaView } from './service';

const stateOf = (ctx: Context) => ctx.state as AppState;
const IMAGE_FIELDS = ['image', 'alt', 'cover'] as const;
const DOCUMENT_FIELDS = ['document', 'title'] as const;
const IMAGE_STEPS = ['delete', 'cover', 'up', 'down'] as const;
type ImageStep = (typeof IMAGE_STEPS)[number];

/**
 * Where a refused comparison leads back to: the search results the products were ticked on, when the Referer is
 * this app's own search page (same host, under the mount prefix), else the catalogue.
 */
function compareBack(ctx: Context): { path: string; label: string } {
  const state = stateOf(ctx);
  const referer = ctx.get('referer');
  if (URL.canParse(referer)) {
    const from = new URL(referer);
    if (from.host === ctx.host && from.pathname === `${state.base}/products`) return { path: `/products${from.search}`, label: state.t('media.compare_back_results') };
  }
  return { path: '/products', label: state.t('media.compare_back_catalogue') };
}

/** The vendor's page of a listing's files, the public comparison page. */
export function mediaPages(router: Router, deps: Deps): void {
  const media = deps.services.media;
  const catalogue = deps.services.catalogue;
  const vendor = requireRole('vendor');

  interface PageExtras {
    flash?: string | null;
    imageForm?: { values: Record<string, string>; errors: Record<string, string> };
    documentForm?: { values: Record<string, string>; errors: Record<string, string> };
    error?: string | null;
  }

  async function renderVendorPage(ctx: Context, id: number, extras: PageExtras = {}): Promise<void> {
    const state = stateOf(ctx);
    const v = await media.forOwner(actorOf(ctx), id);
    const n = v.images.length;
    ctx.body = state.render('media/vendor-media', {
      title: state.t('media.vendor_title', { title: v.title }),
      productTitle: v.title,
      productId: id,
      isPublic: v.status === 'approved',
      status: v.status,
      flash: extras.flash ?? null,
      error: extras.error ?? null,
      images: v.images.map((img, i) => ({ ...img, sizeLabel: sizeLabel(img.size), first: i === 0, last: i === n - 1, altText: img.alt || v.title, n: i + 1 })),
      documents: v.documents.map((d) => ({ ...d, sizeLabel: sizeLabel(d.size) })),
      canAddImage: n < MAX_IMAGES,
      canAddDocument: v.documents.length < MAX_DOCUMENTS,
      imageForm: extras.imageForm ?? { values: { alt: '', cover: '' }, errors: { image: '', alt: '', cover: '' } },
      documentForm: extras.documentForm ?? { values: { title: '' }, errors: { document: '', title: '' } },
      limits: { imageMb: MAX_IMAGE_BYTES / 1024 / 1024, documentMb: MAX_DOCUMENT_BYTES / 1024 / 1024, images: MAX_IMAGES, documents: MAX_DOCUMENTS, full: FULL_SIDE, thumb: THUMB_SIDE },
    });
  }

  router.get('/vendor/products/:id/media', vendor, async (ctx) => {
    await renderVendorPage(ctx, idParam(ctx.params.id), { flash: takeFlash(ctx) });
  });

  /** A change from the page: back to the page with what was done, or the page again with why not, beside its field. */
  async function pageAction(ctx: Context, id: number, fields: readonly string[], which: 'imageForm' | 'documentForm' | null, work: () => Promise<string>): Promise<void> {
    const state = stateOf(ctx);
    const body = requestBody(ctx);
    try {
      setFlash(ctx, await work());
      ctx.redirect(`${state.base}/vendor/products/${id}/media`);
    } catch (err) {
      if (err instanceof AppError && ['forbidden', 'not_found', 'unauthenticated'].includes(err.code)) throw err;
      const { form, status } = formFailure(ctx, err, fields, body);
      ctx.status = status;
      if (which) await renderVendorPage(ctx, id, { [which]: { values: form.values, errors: form.errors }, error: form.error });
      else await renderVendorPage(ctx, id, { error: form.error ?? Object.values(form.errors).find(Boolean) ?? null });
      ctx.status = status;
    }
  }

  router.post('/vendor/products/:id/images', vendor, async (ctx) => {
    const id = idParam(ctx.params.id);
    await pageAction(ctx, id, IMAGE_FIELDS, 'imageForm', async () => {
      const fields = parseForm(ImageFields, withoutEmpty(requestBody(ctx)));
      const file = await uploadedFile(ctx, 'image', MAX_IMAGE_BYTES);
      await media.addImage(actorOf(ctx), id, { data: file.data, alt: fields.alt, cover: fields.cover });
      return stateOf(ctx).t('media.done_image_add');
    });
  });

  router.post('/vendor/products/:id/images/:imageId/:step', vendor, async (ctx) => {
    const id = idParam(ctx.params.id);
    const imageId = idParam(ctx.params.imageId);
    const step = ctx.params.step as ImageStep;
    if (!IMAGE_STEPS.includes(step)) throw new AppError('not_found', 'errors.not_found');
    await pageAction(ctx, id, [], null, async () => {
      const actor = actorOf(ctx);
      if (step === 'delete') await media.removeImage(actor, id, imageId);
      else if (step === 'cover') await media.makeCover(actor, id, imageId);
      else await media.move(actor, id, imageId, step);
      return stateOf(ctx).t(`media.done_image_${step}`);
    });
  });

  router.post('/vendor/products/:id/documents', vendor, async (ctx) => {
    const id = idParam(ctx.params.id);
    await pageAction(ctx, id, DOCUMENT_FIELDS, 'documentForm', async () => {
      const fields = parseForm(DocumentFields, withoutEmpty(requestBody(ctx)));
      const file = await uploadedFile(ctx, 'document', MAX_DOCUMENT_BYTES);
      await media.addDocument(actorOf(ctx), id, { ...file, title: fields.title });
      return stateOf(ctx).t('media.done_document_add');
    });
  });

  router.post('/vendor/products/:id/documents/:documentId/delete', vendor, async (ctx) => {
    const id = idParam(ctx.params.id);
    const documentId = idParam(ctx.params.documentId);
    await pageAction(ctx, id, [], null, async () => {
      await media.removeDocument(actorOf(ctx), id, documentId);
      return stateOf(ctx).t('media.done_document_delete');
    });
  });

  // ── comparison: the products named in the address, side by side; no state kept, works without JavaScript ──
  router.get('/compare', async (ctx) => {
    const state = stateOf(ctx);
    let ids: number[];
    let query: { q?: string };
    try {
      ids = compareIds(ctx.query.ids);
      query = parseInput(CompareSearch, { q: ctx.query.q });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = 422;
      ctx.body = state.render('media/compare', { title: state.t('media.compare_title'), error: errorBody(ctx, err).message, back: compareBack(ctx), products: [], missing: [], candidates: [], q: '', searched: false, canAdd: false, idsParam: '', max: MAX_COMPARE });
      return;
    }
    const found = await Promise.all(
      ids.map(async (id) => {
        try {
          return await catalogue.product(id);
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found') return null;
          throw err;
        }
      }),
    );
    const shown = found.filter((p): p is NonNullable<typeof p> => p !== null);
    const shownIds = shown.map((p) => p.id);
    const idsParam = shownIds.join(',');
    const withMedia = await Promise.all(
      shown.map(async (p) => {
        const m: MediaView = await media.forProduct(null, p.id);
        const cover = m.images.find((i) => i.cover);
        return {
          ...p,
          coverUrl: cover ? cover.thumbUrl : `/media/products/${p.id}/cover`,
          coverAlt: cover?.alt || p.title,
          documents: m.documents,
          removeIds: shownIds.filter((x) => x !== p.id).join(','),
        };
      }),
    );
    const canAdd = shownIds.length < MAX_COMPARE;
    let candidates: Array<{ id: number; title: string; model: string; addIds: string }> = [];
    if (canAdd && query.q) {
      const result = await catalogue.search({ q: query.q, page: 1, pageSize: 8 } as Parameters<typeof catalogue.search>[0]);
      candidates = result.items.filter((p) => !shownIds.includes(p.id)).map((p) => ({ id: p.id, title: p.title, model: p.model, addIds: [...shownIds, p.id].join(',') }));
    }
    ctx.body = state.render('media/compare', {
      title: state.t('media.compare_title'),
      error: null,
      back: null,
      products: withMedia,
      missing: ids.filter((id) => !shownIds.includes(id)),
      candidates,
      q: query.q ?? '',
      searched: Boolean(query.q),
      canAdd,
      idsParam,
      max: MAX_COMPARE,
    });
  });
}
