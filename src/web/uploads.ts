import { once } from 'node:events';
import { unlink } from 'node:fs/promises';
import type { Context, Next } from 'koa';
import { koaBody, type KoaBodyMiddlewareOptions } from 'koa-body';
import { AppError } from '../errors';

type BodyOptions = Partial<KoaBodyMiddlewareOptions> & { formidable: NonNullable<KoaBodyMiddlewareOptions['formidable']> };

/** What formidable hands `fileBegin`: where its temporary file goes, and (once opened) the stream writing it. */
interface BegunFile {
  filepath: string;
  _writeStream?: NodeJS.WritableStream & { closed?: boolean; destroy(): void };
}

/** formidable's code for a request with more files than `maxFiles` (its `errors.maxFilesExceeded`). */
const MAX_FILES_EXCEEDED = 1015;

/**
 * The body parser (koa-body), and what becomes of uploads. Multipart files land in temporary files before any route
 * decides whether the caller may upload at all; every file formidable began for a request is removed when the request
 * is done — answered, refused (401/403/404), or failed in the parser itself. The parser's own clean-up misses one:
 * past `maxFiles` it reports the error from the file's `fileBegin` and opens that file afterwards, so a request with a
 * second file left it behind, whoever sent it and wherever. Such a request is a 422 naming the second file's field.
 */
export function bodyParser(options: BodyOptions): (ctx: Context, next: Next) => Promise<void> {
  const plain = koaBody({ ...options, onError: refusal(() => undefined) });
  return async (ctx, next) => {
    if (!ctx.is('multipart')) return plain(ctx, next);
    const begun: Array<{ field: string; file: BegunFile }> = [];
    const multipart = koaBody({
      ...options,
      formidable: { ...options.formidable, onFileBegin: (field, file) => void begun.push({ field, file: file as unknown as BegunFile }) },
      onError: refusal(() => begun[begun.length - 1]?.field),
    });
    try {
      await multipart(ctx, next);
    } finally {
      await Promise.all(begun.map(({ file }) => remove(file)));
    }
  };
}

/** koa-body's errors in ours: past a size limit 413 (naming `file` for a file), a second file 422, else their status. */
function refusal(lastFileField: () => string | undefined) {
  return (err: Error): never => {
    // formidable says its status as httpCode (413 past maxFileSize), raw-body as status (413 past the limits).
    const e = err as { status?: number; httpCode?: number; code?: number };
    if (e.code === MAX_FILES_EXCEEDED) {
      const field = lastFileField() ?? 'file';
      throw new AppError('validation_failed', 'validation.one_file', { field }, field);
    }
    const status = e.status ?? (e.httpCode && e.httpCode >= 400 && e.httpCode < 500 ? e.httpCode : 400);
    if (status === 413) throw new AppError('payload_too_large', 'errors.payload_too_large', {}, e.httpCode ? 'file' : undefined);
    throw Object.assign(err, { status });
  };
}

/** Removes a temporary upload, first closing a stream still writing it (so the file is not made again after). */
async function remove(file: BegunFile): Promise<void> {
  const stream = file._writeStream;
  if (stream && !stream.closed) {
    stream.destroy();
    await Promise.race([once(stream, 'close'), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => undefined);
  }
  await unlink(file.filepath).catch(() => undefined);
}
