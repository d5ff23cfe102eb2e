import assert from 'node:assert/strict';
import { paginationModel } from '../../src/web/pagination';

const numbers = (m: ReturnType<typeof paginationModel>) => m.pages.map((p) => (p.gap ? '…' : p.current ? `[${p.n}]` : String(p.n))).join(' ');

describe('catalogue pagination model', () => {
  it('shows the first and last page and two either side of the current one, with gaps', () => {
    assert.equal(numbers(paginationModel('/products', {}, 6, 50)), '1 … 4 5 [6] 7 8 … 50');
    assert.equal(numbers(paginationModel('/products', {}, 1, 50)), '[1] 2 3 … 50');
    assert.equal(numbers(paginationModel('/products', {}, 50, 50)), '1 … 48 49 [50]');
    assert.equal(numbers(paginationModel('/products', {}, 3, 5)), '1 2 [3] 4 5');
    assert.equal(numbers(paginationModel('/products', {}, 1, 1)), '[1]');
  });

  it('gives previous and next, none past either end', () => {
    const m = paginationModel('/products', {}, 2, 3);
    assert.equal(m.prev, 1);
    assert.equal(m.next, 3);
    assert.equal(paginationModel('/products', {}, 1, 3).prev, null);
    assert.equal(paginationModel('/products', {}, 3, 3).next, null);
  });

  it('keeps the filters for the links but not the page', () => {
    const m = paginationModel('/products', { q: '机床', level: 'domestic', page: '4' }, 4, 9);
    assert.deepEqual(m.query, { q: '机床', level: 'domestic' });
    assert.equal(m.path, '/products');
  });

  it('treats a page past the end as having a way back', () => {
    const m = paginationModel('/products', {}, 12, 3);
    assert.equal(m.next, null);
    assert.equal(m.prev, 3);
  });
});
