import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { DEFAULT_LOCALE, t } from '../i18n';

/**
 * What Node's HTTP parser refuses before the app sees a request — headers past its 16 KB limit (a query string of
 * some 16,000 characters), a request line it cannot read — answered in the error shape of every other refusal
 * (API.md) instead of Node's bare status line: 431 `headers_too_large`, else 400 `malformed`. In the default language,
 * since the request's own is not known. The connection is closed after it, as Node does.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const code = tooLarge ? 'headers_too_large' : 'malformed';
    const body = JSON.stringify({ error: { code, message: t(DEFAULT_LOCALE, `errors.${code}`) } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
