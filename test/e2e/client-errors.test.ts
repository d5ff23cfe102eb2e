import assert from 'node:assert/strict';
import net from 'node:net';
import { ENGINE } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/server';

/** Sends raw bytes and reads until the server closes the connection. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

/** What Node's parser refuses before the app runs is answered in the error shape too (API.md), never a bare line. */
describe(`requests the HTTP parser refuses (${ENGINE})`, function () {
  this.timeout(60000);
  let server: RunningServer;
  before(async () => {
    server = await startServer({});
  });
  after(async () => server?.stop());

  it('a query string past the header limit is 431 headers_too_large in the error shape; a shorter one reaches the app (422 naming q)', async () => {
    const answer = await raw(server.port, `GET /api/v1/products?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 431 /);
    assert.match(head!, /content-type: application\/json/i);
    const parsed = JSON.parse(body!) as { error: { code: string; message: string } };
    assert.equal(parsed.error.code, 'headers_too_large');
    assert.match(parsed.error.message, /请求头过大/);
    const shorter = await fetch(`${server.url}/api/v1/products?q=${'a'.repeat(5_000)}`);
    assert.equal(shorter.status, 422);
    assert.equal(((await shorter.json()) as { error: { field: string } }).error.field, 'q');
  });

  it('a request line that is not HTTP is 400 malformed in the error shape', async () => {
    const answer = await raw(server.port, 'HELLO\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 400 /);
    assert.equal((JSON.parse(body!) as { error: { code: string } }).error.code, 'malformed');
  });
});
