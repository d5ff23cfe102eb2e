import { createHash, randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import type { Context } from 'koa';
import { AppError } from '../errors';
import { downloadName } from '../filenames';

/**
 * The files an application carries (test reports, user reports, IP documents): PDF, JPEG or PNG only, told by their
 * first bytes (never by the name or the type the uploader claims), at most MAX_ATTACHMENT_BYTES each and
 * MAX_ATTACHMENTS per application. They are kept in the database under a random name and served only as downloads
 * (Content-Disposition attachment, nosniff, the type the bytes said): never as something a browser would run.
 */

export const ATTACHMENT_KINDS = ['test_report', 'user_report', 'ip', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** 10 MB, the multipart parser's own cap too (app.ts: formidable maxFileSize). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;

const TYPES: Array<{ type: string; ext: string; magic: number[] }> = [
  { type: 'application/pdf', ext: '.pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', ext: '.png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', ext: '.jpg', magic: [0xff, 0xd8, 0xff] },
];

/** The type the file's first bytes say, or null when it is none of PDF, PNG, JPEG. */
export function sniffType(data: Buffer): { type: string; ext: string } | null {
  const hit = TYPES.find((t) => data.length >= t.magic.length && t.magic.every((b, i) => data[i] === b));
  return hit ? { type: hit.type, ext: hit.ext } : null;
}

/**
 * The uploader's name as the download will carry it: no directories, no control or quoting characters, at most 120
 * characters, and always ending in the extension of the type the bytes said (`report.html` holding a PDF is served
 * as `report.html.pdf`).
 */
export function cleanFilename(raw: string, ext: string): string {
  const name = downloadName(raw, 'attachment');
  return name.toLowerCase().endsWith(ext) || (ext === '.jpg' && name.toLowerCase().endsWith('.jpeg')) ? name : `${name}${ext}`;
}

export const randomStoredName = (): string => randomBytes(16).toString('hex');
export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Checks one file; the refusal names `file` (422, or 413 past the cap). */
export function checkAttachment(data: Buffer): { type: string; ext: string } {
  if (data.length === 0) throw new AppError('validation_failed', 'recognition.file_empty', {}, 'file');
  if (data.length > MAX_ATTACHMENT_BYTES) throw new AppError('payload_too_large', 'recognition.file_too_large', { mb: MAX_ATTACHMENT_BYTES / 1024 / 1024 }, 'file');
  const t = sniffType(data);
  if (!t) throw new AppError('validation_failed', 'recognition.file_type', {}, 'file');
  return t;
}

interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

/** The multipart field `file`, read and its temporary copy removed; none → 422 naming `file`. */
export async function uploadedAttachment(ctx: Context): Promise<{ name: string; data: Buffer }> {
  const files = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
  const f = files.file;
  try {
    const file = Array.isArray(f) ? f[0] : f;
    if (!file || !file.filepath) throw new AppError('validation_failed', 'recognition.file_missing', {}, 'file');
    if (file.size > MAX_ATTACHMENT_BYTES) throw new AppError('payload_too_large', 'recognition.file_too_large', { mb: MAX_ATTACHMENT_BYTES / 1024 / 1024 }, 'file');
    return { name: file.originalFilename ?? 'attachment', data: await readFile(file.filepath) };
  } finally {
    await Promise.all(Object.values(files).flat().map((x) => unlink(x.filepath).catch(() => undefined)));
  }
}

/** Serves a stored file as a download only. */
export function sendAttachment(ctx: Context, file: { filename: string; contentType: string; data: Buffer }): void {
  ctx.attachment(file.filename, { type: 'attachment' });
  ctx.type = file.contentType;
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = file.data;
}
