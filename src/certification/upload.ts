import { readFile, unlink } from 'node:fs/promises';
import type { Context } from 'koa';
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
