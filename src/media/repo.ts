import type { Executor } from '../db';

/** The listing a file belongs to, as much as the media rules need of it. */
export interface MediaProduct {
  id: number;
  vendor_id: number;
  status: string;
  title: string;
  field: string;
}

export const findMediaProduct = (db: Executor, id: number): Promise<MediaProduct | undefined> =>
  db('products').where({ id }).first('id', 'vendor_id', 'status', 'title', 'field') as Promise<MediaProduct | undefined>;

// ——— pictures (the bytes are in the row; lists never read them) ———

export interface ImageRow {
  id: number;
  product_id: number;
  position: number;
  is_cover: boolean | number;
  alt: string;
  content_type: string;
  width: number;
  height: number;
  size: number;
  sha256: string;
  thumb_content_type: string;
  thumb_size: number;
  thumb_sha256: string;
  uploaded_by: number | null;
  created_at: string;
}

const IMAGE_COLUMNS = ['id', 'product_id', 'position', 'is_cover', 'alt', 'content_type', 'width', 'height', 'size', 'sha256', 'thumb_content_type', 'thumb_size', 'thumb_sha256', 'uploaded_by', 'created_at'];

const idOf = (row: unknown): number => (typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row));

export async function insertImage(db: Executor, row: Omit<ImageRow, 'id'> & { data: Buffer; thumb_data: Buffer }): Promise<number> {
  const [r] = await db('product_images').insert(row).returning('id');
  return idOf(r);
}

export const imagesOf = (db: Executor, productId: number): Promise<ImageRow[]> =>
  db('product_images').where({ product_id: productId }).orderBy([{ column: 'position' }, { column: 'id' }]).select(IMAGE_COLUMNS) as Promise<ImageRow[]>;

export const findImage = (db: Executor, productId: number, id: number): Promise<ImageRow | undefined> =>
  db('product_images').where({ product_id: productId, id }).first(IMAGE_COLUMNS) as Promise<ImageRow | undefined>;

/** The cover of a listing: the one marked, else the first. */
export const coverOf = (db: Executor, productId: number): Promise<ImageRow | undefined> =>
  db('product_images')
    .where({ product_id: productId })
    .orderBy([{ column: 'is_cover', order: 'desc' }, { column: 'position' }, { column: 'id' }])
    .first(IMAGE_COLUMNS) as Promise<ImageRow | undefined>;

export async function imageBytes(db: Executor, id: number, which: 'full' | 'thumb'): Promise<Buffer> {
  const column = which === 'full' ? 'data' : 'thumb_data';
  const row = (await db('product_images').where({ id }).first(column)) as Record<string, Buffer | Uint8Array> | undefined;
  return row ? Buffer.from(row[column]) : Buffer.alloc(0);
}

export async function nextImagePosition(db: Executor, productId: number): Promise<number> {
  const r = (await db('product_images').where({ product_id: productId }).max({ p: 'position' }).first()) as { p: number | null } | undefined;
  return Number(r?.p ?? 0) + 1;
}

export async function setCover(db: Executor, productId: number, id: number): Promise<void> {
  await db('product_images').where({ product_id: productId }).whereNot({ id }).where({ is_cover: true }).update({ is_cover: false });
  await db('product_images').where({ product_id: productId, id }).update({ is_cover: true });
}

export async function setPosition(db: Executor, id: number, position: number): Promise<void> {
  await db('product_images').where({ id }).update({ position });
}

export async function deleteImage(db: Executor, id: number): Promise<boolean> {
  return (await db('product_images').where({ id }).delete()) === 1;
}

// ——— spec sheets ———

export interface DocumentRow {
  id: number;
  product_id: number;
  title: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: number | null;
  created_at: string;
}

const DOCUMENT_COLUMNS = ['id', 'product_id', 'title', 'filename', 'content_type', 'size', 'sha256', 'uploaded_by', 'created_at'];

export async function insertDocument(db: Executor, row: Omit<DocumentRow, 'id'> & { data: Buffer }): Promise<number> {
  const [r] = await db('product_documents').insert(row).returning('id');
  return idOf(r);
}

export const documentsOf = (db: Executor, productId: number): Promise<DocumentRow[]> =>
  db('product_documents').where({ product_id: productId }).orderBy('id').select(DOCUMENT_COLUMNS) as Promise<DocumentRow[]>;

export const findDocument = (db: Executor, productId: number, id: number): Promise<DocumentRow | undefined> =>
  db('product_documents').where({ product_id: productId, id }).first(DOCUMENT_COLUMNS) as Promise<DocumentRow | undefined>;

export async function documentBytes(db: Executor, id: number): Promise<Buffer> {
  const row = (await db('product_documents').where({ id }).first('data')) as { data: Buffer | Uint8Array } | undefined;
  return row ? Buffer.from(row.data) : Buffer.alloc(0);
}

export async function deleteDocument(db: Executor, id: number): Promise<boolean> {
  return (await db('product_documents').where({ id }).delete()) === 1;
}
