import assert from 'node:assert/strict';
import Router from '@koa/router';
import { keepRouteMatches } from '../../src/web';

function router(): Router {
  const r = new Router();
  r.get('/products/:id', () => undefined);
  r.post('/products/:id', () => undefined);
  r.get('/products', () => undefined);
  return r;
}

/** A router whose own matching is counted, then kept: how often it really matched. */
function counted(max?: number): { r: Router; computed: () => number } {
  const r = router();
  let n = 0;
  const original = r.match.bind(r);
  r.match = (path: string, method: string) => {
    n++;
    return original(path, method);
  };
  keepRouteMatches(r, max);
  return { r, computed: () => n };
}

const summary = (m: ReturnType<Router['match']>) => ({ path: m.path.map((l) => l.path), pathAndMethod: m.pathAndMethod.map((l) => `${l.methods.join('|')} ${l.path}`), route: m.route });

describe('routing: kept route matches', () => {
  it('answers what the router itself answers, for known and unknown paths and methods, asked once or again', () => {
    const plain = router();
    const kept = router();
    keepRouteMatches(kept);
    for (const round of [1, 2]) {
      for (const [method, path] of [['GET', '/products/7'], ['POST', '/products/7'], ['PUT', '/products/7'], ['GET', '/products'], ['GET', '/nowhere']]) {
        assert.deepEqual(summary(kept.match(path, method)), summary(plain.match(path, method)), `${method} ${path}, round ${round}`);
      }
    }
  });

  it('gives each caller its own lists: the router appends to ctx.matched, and that must not change the next answer', () => {
    const r = router();
    keepRouteMatches(r);
    const first = r.match('/products/7', 'GET');
    first.path.push(first.path[0]);
    first.pathAndMethod.length = 0;
    const again = r.match('/products/7', 'GET');
    assert.equal(again.path.length, 2);
    assert.equal(again.pathAndMethod.length, 1);
    assert.equal(again.route, true);
  });

  it('keeps at most the given number of answers (paths carry ids: a flood of ids must not grow it without bound)', () => {
    const { r, computed } = counted(3);
    for (const id of [1, 2, 3, 4]) r.match(`/products/${id}`, 'GET');
    assert.equal(computed(), 4);
    r.match('/products/4', 'GET'); // kept
    assert.equal(computed(), 4);
    r.match('/products/1', 'GET'); // the oldest, gone
    assert.equal(computed(), 5);
  });

  it('keeps neither paths that reach no route nor long ones (anyone can send those: they are matched every time)', () => {
    const { r, computed } = counted();
    const long = `/products/${'9'.repeat(300)}`;
    for (let i = 0; i < 2; i++) {
      assert.equal(r.match('/nowhere', 'GET').route, false);
      assert.equal(r.match(long, 'GET').route, true);
    }
    assert.equal(computed(), 4);
  });
});
