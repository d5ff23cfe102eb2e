import { readFile, unlink } from 'node:fs/promises';
import type { Context, Next } from 'koa';
import { AppError } from '../errors';

interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

/**
 * The file sent in multipart field `file`, read into memory (the import limits are small) and its temporary copy
 * removed. No file → 422 naming `file`.
 */
export async function uploadedFile(ctx: Context): Promise<{ name: string; data: Buffer }> {
  const files = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
  const all = Object.values(files).flat();
  const f = files.file;
  try {
    const file = Array.isArray(f) ? f[0] : f;
    if (!file || !file.filepath) throw new AppError('validation_failed', 'certification.import_no_file', { field: 'file' }, 'file');
    return { name: file.originalFilename ?? 'upload', data: await readFile(file.filepath) };
  } finally {
    await Promise.all(all.map((x) => unlink(x.filepath).catch(() => undefined)));
  }
}

/**
 * Multipart uploads land in temporary files before any route decides whether the caller may upload at all; this
 * removes whatever is left once the response is done (a 401/403 upload, a route that takes no file), so refused
 * uploads cannot fill the disk.
 */
export function discardUploads() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } finally {
      const files = (ctx.request as unknown as { files?: Record<string, UploadedFile | UploadedFile[]> }).files;
      if (files) await Promise.all(Object.values(files).flat().map((f) => unlink(f.filepath).catch(() => undefined)));
    }
  };
}
