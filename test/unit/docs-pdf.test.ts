import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ORDER_DOCUMENTS } from '../../src/orders/documents';

const read = (file: string) => readFileSync(path.join(__dirname, '..', '..', file), 'utf8');

/** The PDF writer and the routes that serve its documents are where the docs list files and routes. */
describe('docs: the PDFs', () => {
  const routes = ['/notices/:id.pdf', '/first-purchases/:id/award-letter.pdf', `/orders/:id/{${ORDER_DOCUMENTS.join(',')}}.pdf`];

  it('docs/architecture.md names src/web/pdf.ts and the routes it serves', () => {
    const doc = read('docs/architecture.md');
    assert.match(doc, /pdf\.ts/);
    for (const route of routes) assert.ok(doc.includes(route), route);
  });

  it('the README’s tour lists the PDF routes and its library table the writer', () => {
    const readme = read('README.md');
    assert.ok(readme.includes('src/web/pdf.ts'));
    for (const route of routes) assert.ok(readme.includes(route), route);
  });
});
