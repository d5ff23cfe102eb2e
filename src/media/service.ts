import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { executorFor, writeTransaction, type Db, type Executor } from '../db';
import { invalidState, notFound } from '../errors';
import { authorize, can } from '../policies';
import type { Actor } from '../web';
import { MAX_DOCUMENTS, MAX_IMAGES, checkDocument, cleanFilename, processImage, sha256 } from './files';
import { placeholderSvg } from './placeholder';
import {
  coverOf,
  deleteDocument,
  deleteImage,
  documentBytes,
  documentsOf,
  findDocument,
  findImage,
  findMediaProduct,
  imageBytes,
  imagesOf,
  insertDocument,
  insertImage,
  nextImagePosition,
  setCover,
  setPosition,
  type DocumentRow,
  type ImageRow,
  type MediaProduct,
} from './repo';

export interface ImageView {
  id: number;
  position: number;
  cover: boolean;
  alt: string;
  width: number;
  height: number;
  size: number;
  sha256: string;
  contentType: string;
  url: string;
  thumbUrl: string;
}

export interface DocumentView {
  id: number;
  title: string;
  filename: string;
  size: number;
  sha256: string;
  contentType: string;
  url: string;
}

export interface MediaView {
  productId: number;
  images: ImageView[];
  documents: DocumentView[];
}

export type GalleryImage = ImageView & { altText: string };

export const sizeLabel = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** A file to send: its bytes, type, ETag and whether a shared cache may keep it. */
export interface MediaFile {
  data: Buffer;
  contentType: string;
  etag: string;
  /** Approved listings' files are public and never change under their URL; others only for their vendor and admins. */
  public: boolean;
  filename?: string;
}

const imageView = (r: ImageRow, cover: number | undefined): ImageView => ({
  id: r.id,
  position: r.position,
  cover: r.id === cover,
  alt: r.alt,
  width: r.width,
  height: r.height,
  size: r.size,
  sha256: r.sha256,
  contentType: r.content_type,
  url: `/media/products/${r.product_id}/images/${r.id}`,
  thumbUrl: `/media/products/${r.product_id}/images/${r.id}/thumb`,
});

const documentView = (r: DocumentRow): DocumentView => ({
  id: r.id,
  title: r.title || r.filename,
  filename: r.filename,
  size: r.size,
  sha256: r.sha256,
  contentType: r.content_type,
  url: `/media/products/${r.product_id}/documents/${r.id}`,
});

/**
 * A listing's pictures and spec sheets. Its vendor adds, orders and removes them (any other caller: 403; a listing
 * that does not exist: 404); everyone sees those of an approved listing, and only its vendor and the department those
 * of a listing not (or no longer) in the catalogue — to anyone else such a listing does not exist (404).
 */
export class MediaService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The listing for reading its files, or 404. */
  private async readable(db: Executor, actor: Actor | null, productId: number): Promise<MediaProduct> {
    const p = await findMediaProduct(db, productId);
    if (!p) throw notFound('media.product_not_found');
    if (p.status === 'approved') return p;
    const owned = { vendorId: p.vendor_id };
    if (actor && (can(actor, 'product.read_own', owned) || can(actor, 'product.review', owned))) return p;
    throw notFound('media.product_not_found');
  }

  /** The listing for changing its files: 404 when there is none, 403 when it is another's. */
  private async own(db: Executor, actor: Actor, productId: number): Promise<MediaProduct> {
    const p = await findMediaProduct(db, productId);
    if (!p) throw notFound('media.product_not_found');
    authorize(actor, 'product.update', { vendorId: p.vendor_id });
    return p;
  }

  private async view(db: Executor, productId: number): Promise<MediaView> {
    // One after another: inside a transaction the three share one connection.
    const images = await imagesOf(db, productId);
    const documents = await documentsOf(db, productId);
    const cover = await coverOf(db, productId);
    return { productId, images: images.map((r) => imageView(r, cover?.id)), documents: documents.map(documentView) };
  }

  /** What the detail page and the JSON show: public for an approved listing, else its vendor and admins only. */
  async forProduct(actor: Actor | null, productId: number): Promise<MediaView> {
    const db = executorFor(this.db);
    await this.readable(db, actor, productId);
    return this.view(db, productId);
  }

  /**
   * The detail page's gallery of a listing the catalogue already shows (approved): the cover first, the others in
   * order, the spec sheets; alt text falls back to the product's title.
   */
  async gallery(productId: number, title: string): Promise<{ cover: GalleryImage | null; others: GalleryImage[]; documents: Array<DocumentView & { sizeLabel: string }> }> {
    const v = await this.view(executorFor(this.db), productId);
    const images = v.images.map((i) => ({ ...i, altText: i.alt || title }));
    const cover = images.find((i) => i.cover) ?? null;
    return { cover, others: images.filter((i) => i !== cover), documents: v.documents.map((d) => ({ ...d, sizeLabel: sizeLabel(d.size) })) };
  }

  /** The vendor's own view of a listing's files (any status), with the listing's title. */
  async forOwner(actor: Actor, productId: number): Promise<MediaView & { title: string; status: string }> {
    const db = executorFor(this.db);
    const p = await this.own(db, actor, productId);
    return { ...(await this.view(db, productId)), title: p.title, status: p.status };
  }

  async addImage(actor: Actor, productId: number, input: { data: Buffer; alt?: string; cover?: boolean }): Promise<ImageView> {
    // Checked and re-encoded before the transaction: sharp's work holds no lock.
    await this.own(executorFor(this.db), actor, productId);
    const img = await processImage(input.data);
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      const existing = await imagesOf(trx, p.id);
      if (existing.length >= MAX_IMAGES) throw invalidState('media.too_many_images', { n: MAX_IMAGES });
      const row = {
        product_id: p.id,
        position: await nextImagePosition(trx, p.id),
        is_cover: false,
        alt: (input.alt ?? '').trim().slice(0, 200),
        content_type: img.full.contentType,
        width: img.full.width,
        height: img.full.height,
        size: img.full.data.length,
        sha256: sha256(img.full.data),
        data: img.full.data,
        thumb_content_type: img.thumb.contentType,
        thumb_size: img.thumb.data.length,
        thumb_sha256: sha256(img.thumb.data),
        thumb_data: img.thumb.data,
        uploaded_by: actor.id,
        created_at: this.clock.now().toISOString(),
      };
      const id = await insertImage(trx, row);
      if (input.cover || existing.length === 0) await setCover(trx, p.id, id);
      await recordAudit(trx, this.clock, { actor, action: 'product.image_add', entity: 'product', entityId: p.id, after: { imageId: id, width: row.width, height: row.height, size: row.size, sha256: row.sha256 } });
      const cover = await coverOf(trx, p.id);
      return imageView((await findImage(trx, p.id, id)) as ImageRow, cover?.id);
    });
  }

  async removeImage(actor: Actor, productId: number, imageId: number): Promise<MediaView> {
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      const img = await findImage(trx, p.id, imageId);
      if (!img || !(await deleteImage(trx, img.id))) throw notFound('media.image_not_found');
      if (img.is_cover) {
        const next = (await imagesOf(trx, p.id))[0];
        if (next) await setCover(trx, p.id, next.id);
      }
      await recordAudit(trx, this.clock, { actor, action: 'product.image_remove', entity: 'product', entityId: p.id, before: { imageId: img.id, sha256: img.sha256 } });
      return this.view(trx, p.id);
    });
  }

  async makeCover(actor: Actor, productId: number, imageId: number): Promise<MediaView> {
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      const img = await findImage(trx, p.id, imageId);
      if (!img) throw notFound('media.image_not_found');
      await setCover(trx, p.id, img.id);
      await recordAudit(trx, this.clock, { actor, action: 'product.image_cover', entity: 'product', entityId: p.id, after: { imageId: img.id } });
      return this.view(trx, p.id);
    });
  }

  /** Moves a picture one place earlier (`up`) or later in the gallery. */
  async move(actor: Actor, productId: number, imageId: number, direction: 'up' | 'down'): Promise<MediaView> {
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      const images = await imagesOf(trx, p.id);
      const i = images.findIndex((r) => r.id === imageId);
      if (i < 0) throw notFound('media.image_not_found');
      const j = direction === 'up' ? i - 1 : i + 1;
      if (j >= 0 && j < images.length) {
        // Renumber the whole gallery 1…n in its new order (positions may have gaps after removals).
        const order = images.map((r) => r.id);
        [order[i], order[j]] = [order[j], order[i]];
        for (const [k, id] of order.entries()) await setPosition(trx, id, k + 1);
        await recordAudit(trx, this.clock, { actor, action: 'product.image_move', entity: 'product', entityId: p.id, after: { order } });
      }
      return this.view(trx, p.id);
    });
  }

  async addDocument(actor: Actor, productId: number, input: { name: string; data: Buffer; title?: string }): Promise<DocumentView> {
    checkDocument(input.data);
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      if ((await documentsOf(trx, p.id)).length >= MAX_DOCUMENTS) throw invalidState('media.too_many_documents', { n: MAX_DOCUMENTS });
      const filename = cleanFilename(input.name);
      const row = {
        product_id: p.id,
        title: (input.title ?? '').trim().slice(0, 200),
        filename,
        content_type: 'application/pdf',
        size: input.data.length,
        sha256: sha256(input.data),
        data: input.data,
        uploaded_by: actor.id,
        created_at: this.clock.now().toISOString(),
      };
      const id = await insertDocument(trx, row);
      await recordAudit(trx, this.clock, { actor, action: 'product.document_add', entity: 'product', entityId: p.id, after: { documentId: id, filename, size: row.size, sha256: row.sha256 } });
      return documentView((await findDocument(trx, p.id, id)) as DocumentRow);
    });
  }

  async removeDocument(actor: Actor, productId: number, documentId: number): Promise<MediaView> {
    return writeTransaction(this.db, async (trx) => {
      const p = await this.own(trx, actor, productId);
      const doc = await findDocument(trx, p.id, documentId);
      if (!doc || !(await deleteDocument(trx, doc.id))) throw notFound('media.document_not_found');
      await recordAudit(trx, this.clock, { actor, action: 'product.document_remove', entity: 'product', entityId: p.id, before: { documentId: doc.id, filename: doc.filename, sha256: doc.sha256 } });
      return this.view(trx, p.id);
    });
  }

  /** One picture (full or thumbnail) for whoever may see the listing. */
  async image(actor: Actor | null, productId: number, imageId: number, which: 'full' | 'thumb'): Promise<MediaFile> {
    const db = executorFor(this.db);
    const p = await this.readable(db, actor, productId);
    const img = await findImage(db, p.id, imageId);
    if (!img) throw notFound('media.image_not_found');
    const full = which === 'full';
    return { data: await imageBytes(db, img.id, which), contentType: full ? img.content_type : img.thumb_content_type, etag: full ? img.sha256 : img.thumb_sha256, public: p.status === 'approved' };
  }

  /** The cover's thumbnail, or the generated placeholder of the listing's field when it has no picture. */
  async cover(actor: Actor | null, productId: number): Promise<MediaFile & { placeholder: boolean }> {
    const db = executorFor(this.db);
    const p = await this.readable(db, actor, productId);
    const img = await coverOf(db, p.id);
    if (img) return { data: await imageBytes(db, img.id, 'thumb'), contentType: img.thumb_content_type, etag: img.thumb_sha256, public: p.status === 'approved', placeholder: false };
    const svg = Buffer.from(placeholderSvg(p.field));
    return { data: svg, contentType: 'image/svg+xml', etag: sha256(svg), public: p.status === 'approved', placeholder: true };
  }

  async document(actor: Actor | null, productId: number, documentId: number): Promise<MediaFile> {
    const db = executorFor(this.db);
    const p = await this.readable(db, actor, productId);
    const doc = await findDocument(db, p.id, documentId);
    if (!doc) throw notFound('media.document_not_found');
    return { data: await documentBytes(db, doc.id), contentType: doc.content_type, etag: doc.sha256, public: p.status === 'approved', filename: doc.filename };
  }
}
