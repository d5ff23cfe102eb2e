import type Router from '@koa/router';

/** Longer paths are matched every time: what anyone can send must not fill the memory (10,000 × 200 bytes at most). */
const MAX_KEPT_PATH = 200;

/**
 * @koa/router finds a request's routes by testing every route's pattern in turn (the app's router holds some 360) and
 * logs each test through `debug`; on a busy server that was a tenth of a cached page's time. The routes do not change
 * once the app is built, so what a method and path match is worked out once and kept (the most recent `max`; paths
 * carry ids, so there are many) — for paths that reach a route, up to MAX_KEPT_PATH characters long. Each caller gets
 * its own copies of the lists: the router appends to `ctx.matched`.
 */
export function keepRouteMatches(router: Router, max = 10_000): void {
  const match = router.match.bind(router);
  const kept = new Map<string, ReturnType<Router['match']>>();
  router.match = (path: string, method: string) => {
    const key = `${method} ${path}`;
    let found = kept.get(key);
    if (found) {
      kept.delete(key);
      kept.set(key, found);
    } else {
      found = match(path, method);
      if (found.route && path.length <= MAX_KEPT_PATH) {
        if (kept.size >= max) kept.delete(kept.keys().next().value as string);
        kept.set(key, found);
      }
    }
    return { ...found, path: [...found.path], pathAndMethod: [...found.pathAndMethod] };
  };
}
