import type Router from '@koa/router';

/**
 * @koa/router finds a request's routes by testing every route's pattern in turn (the app's router holds some 360) and
 * logs each test through `debug`; on a busy server that was a tenth of a cached page's time. The routes do not change
 * once the app is built, so what a method and path match is worked out once and kept (the most recent `max`; paths
 * carry ids, so there are many). Each caller gets its own copies of the lists: the router appends to `ctx.matched`.
 */
export function keepRouteMatches(router: Router, max = 10_000): void {
  const match = router.match.bind(router);
  const kept = new Map<string, ReturnType<Router['match']>>();
  router.match = (path: string, method: string) => {
    const key = `${method} ${path}`;
    let found = kept.get(key);
    if (found) {
      kept.delete(key);
    } else {
      found = match(path, method);
      if (kept.size >= max) kept.delete(kept.keys().next().value as string);
    }
    kept.set(key, found);
    return { ...found, path: [...found.path], pathAndMethod: [...found.pathAndMethod] };
  };
}
