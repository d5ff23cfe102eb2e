import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import type { Context } from 'koa';
import type sharpModule from 'sharp';
import { AppError, invalidField } from '../errors';
import { downloadName } from '../filenames';

/**
 * A listing's files, checked by what they are, never by their name or the type the uploader claims:
 * - pictures: JPEG, PNG or WebP by their first bytes, then by what sharp reads of their header; at most 8 MB and
 *   40 megapixels (a small file that would inflate to a huge bitmap is refused before it is decoded: sharp's
 *   `limitInputPixels`); stored only as sharp re-encodes them — WebP, at most 1600 px a side and a 400 px thumbnail,
 *   turned upright by their EXIF orientation and then with no metadata at all (no EXIF, GPS, XMP or ICC name);
 * - spec sheets: PDF by their first bytes (`%PDF-`), at most 10 MB, served only as downloads.
 */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const FULL_SIDE = 1600;
export const THUMB_SIDE = 400;
export const MAX_IMAGES = 8;
export const MAX_DOCUMENTS = 5;

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const startsWith = (data: Buffer, bytes: number[], at = 0) => data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);

/** The picture type the first bytes say (JPEG, PNG, WebP), or null. */
export function sniffImage(data: Buffer): 'jpeg' | 'png' | 'webp' | null {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return null;
}

export const isPdf = (data: Buffer): boolean => startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d]);

export interface ProcessedImage {
  full: { data: Buffer; contentType: string; width: number; height: number };
  thumb: { data: Buffer; contentType: string };
}

const refuse = (field: string, key: string, params: Record<string, string | number> = {}) => invalidField(field, key, params);

/** Checks a picture by its content and re-encodes it; every refusal is a 422 naming `field`. */
export async function processImage(data: Buffer, field = 'image'): Promise<ProcessedImage> {
  if (data.length === 0) throw refuse(field, 'media.file_empty');
  if (data.length > MAX_IMAGE_BYTES) throw refuse(field, 'media.image_too_large', { mb: MAX_IMAGE_BYTES / 1024 / 1024 });
  const sniffed = sniffImage(data);
  if (!sniffed) throw refuse(field, 'media.image_type');
  // sharp (libvips, ~17 MB resident) is loaded with the first picture, not at start: most processes never see one.
  const { default: sharp } = (await import('sharp')) as { default: typeof sharpModule };
  const open = () => sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', sequentialRead: true });
  let meta: Awaited<ReturnType<ReturnType<typeof sharpModule>['metadata']>>;
  try {
    meta = await open().metadata();
  } catch (err) {
    // A header claiming more pixels than limitInputPixels is refused here, before anything is decoded.
    if (/pixel limit/i.test(String((err as Error).message))) throw refuse(field, 'media.image_dimensions', { max: `${MAX_IMAGE_PIXELS / 1_000_000}` });
    throw refuse(field, 'media.image_unreadable');
  }
  if (meta.format !== sniffed) throw refuse(field, 'media.image_type');
  if (!meta.width || !meta.height) throw refuse(field, 'media.image_unreadable');
  if (meta.width * meta.height > MAX_IMAGE_PIXELS || meta.width > 20000 || meta.height > 20000) {
    throw refuse(field, 'media.image_dimensions', { max: `${MAX_IMAGE_PIXELS / 1_000_000}` });
  }
  try {
    // rotate(): upright by the EXIF orientation; sharp writes no metadata unless asked (keepMetadata/withExif).
    const full = await open().rotate().resize({ width: FULL_SIDE, height: FULL_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 82 }).toBuffer({ resolveWithObject: true });
    const thumb = await open().rotate().resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 76 }).toBuffer();
    return { full: { data: full.data, contentType: 'image/webp', width: full.info.width, height: full.info.height }, thumb: { data: thumb, contentType: 'image/webp' } };
  } catch {
    throw refuse(field, 'media.image_unreadable');
  }
}

/** Checks a spec sheet; every refusal is a 422 naming `field`. */
export function checkDocument(data: Buffer, field = 'document'): void {
  if (data.length === 0) throw refuse(field, 'media.file_empty');
  if (data.length > MAX_DOCUMENT_BYTES) throw refuse(field, 'media.document_too_large', { mb: MAX_DOCUMENT_BYTES / 1024 / 1024 });
  if (!isPdf(data)) throw refuse(field, 'media.document_type');
}

/**
 * The uploader's name as a download will carry it (as recognition/attachments.ts cleans it): no directories, no
 * control or quoting characters, at most 120 characters, always ending in `.pdf`.
 */
export function cleanFilename(raw: string): string {
  const name = downloadName(raw, 'spec-sheet');
  return name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`;
}

interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

/** The multipart file `field`, read, with every temporary copy of the request removed; none → 422 naming it. */
export async function uploadedFile(ctx: Context, field: string, maxBytes: number): Promise<{ name: string; data: Buffer }> {
  const files = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
  try {
    const f = files[field];
    const file = Array.isArray(f) ? f[0] : f;
    if (!file || !file.filepath) throw new AppError('validation_failed', 'media.file_missing', {}, field);
    if (file.size > maxBytes) throw new AppError('validation_failed', field === 'document' ? 'media.document_too_large' : 'media.image_too_large', { mb: maxBytes / 1024 / 1024 }, field);
    return { name: file.originalFilename ?? '', data: await readFile(file.filepath) };
  } finally {
    await Promise.all(Object.values(files).flat().map((x) => unlink(x.filepath).catch(() => undefined)));
  }
}
