import path from 'node:path';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import helmet from 'koa-helmet';
import serve from 'koa-static';
import pino, { type Logger } from 'pino';
import { FakeClock, SystemClock, type Clock } from './clock';
import { loadConfig, type Config } from './config';
import { withVersionScope, type Db } from './db';
import type { Deps } from './deps';
import { moduleRouters } from './modules';
import { buildServices } from './services';
import { Ops, trustedClientAddress } from './ops';
import { ROOT } from './paths';
import {
  Views,
  bodyGuard,
  bodyParser,
  csrfProtection,
  csrfToken,
  errorHandler,
  identity,
  keepRouteMatches,
  locale,
  piecedBodies,
  requestLog,
  sessions,
  type AppState,
  type HostIdentity,
  type ViewGlobals,
} from './web';
import { adminNavCounts, navCounts } from './admin';
import { WebhookWorker, type WorkerOptions } from './integration';

export interface MarketplaceOptions {
  db: Db;
  config?: Partial<Config>;
  clock?: Clock;
  logger?: Logger;
  /** A host may supply the logged-in user; standalone mode uses the built-in login. */
  identity?: HostIdentity;
  /** The prefix the host mounts us under, when it does not use koa-mount (which sets ctx.mountPath itself). */
  basePath?: string;
  /**
   * Serve Prometheus metrics at /metrics (default `config.metrics`: off for a mounted plugin, on for `npm start`
   * unless METRICS=0). A host behind proxies also passes `config.trustProxy` (TRUST_PROXY's forms, parsed).
   */
  metrics?: boolean;
  /**
   * Run the webhook deliveries in this process (src/integration/worker.ts): `true`, or the loop's interval and the
   * worker's options. Off by default: tests drive `app.worker.runOnce()` themselves; `npm start` turns it on
   * (WEBHOOK_WORKER=0 turns it off there, for a deployment that runs `npm run worker` instead). A host that turns it
   * on calls `await app.worker.stop()` before closing the database.
   */
  worker?: boolean | (WorkerOptions & { intervalMs?: number });
}

export interface Marketplace extends Koa {
  deps: Deps;
  /** The webhook deliveries: started when `options.worker` says so; `runOnce()` drives one round. */
  worker: WebhookWorker;
  /** /healthz, /readyz, /metrics, requests in flight, draining (src/ops). */
  ops: Ops;
}

/** Stringifies to a CSRF token on first use and to the same token after. */
function lazyToken(ctx: Context): { toString(): string } {
  let token: string | null = null;
  return { toString: () => (token ??= csrfToken(ctx)) };
}

/** A query's single-valued parameters (a repeated one arrives as an array and is left out), less `omit`. */
function stringQuery(q: Record<string, unknown>, omit?: string): Record<string, string> {
  return Object.fromEntries(Object.entries(q).filter(([k, v]) => typeof v === 'string' && k !== omit)) as Record<string, string>;
}

/**
 * Where the language switch goes: this page for a GET. A page shown in answer to a form post (errors beside the
 * fields) sits at the form's POST address, which no GET serves; its switch goes back to the page the form was on
 * (a same-origin Referer, inside this app), else home.
 */
function languageSwitchTarget(ctx: Context, base: string): { path: string; query: Record<string, string> } {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return { path: ctx.path, query: stringQuery(ctx.query, 'lang') };
  if (URL.canParse(ctx.get('referer'))) {
    const from = new URL(ctx.get('referer'));
    if (from.host === ctx.host && (from.pathname === base || from.pathname.startsWith(`${base}/`))) {
      return { path: from.pathname.slice(base.length) || '/', query: stringQuery(Object.fromEntries(from.searchParams), 'lang') };
    }
  }
  return { path: '/', query: {} };
}

/** The plugin: a Koa app a host can mount (e.g. `mount('/market', createMarketplace({ db }))`). */
export function createMarketplace(options: MarketplaceOptions): Marketplace {
  // Defaults for what the caller leaves out; a secret the caller passes counts (production requires one).
  const config: Config = {
    ...loadConfig({ NODE_ENV: process.env.NODE_ENV, SESSION_SECRET: options.config?.sessionSecret ?? process.env.SESSION_SECRET }, { demoData: false }),
    ...options.config,
  };
  const fakeClock = config.fakeClock ? (options.clock instanceof FakeClock ? options.clock : new FakeClock()) : null;
  const clock: Clock = fakeClock ?? options.clock ?? new SystemClock();
  const log = options.logger ?? pino({ level: config.logLevel });
  const views = new Views();
  // What sessions and bearer tokens expire by: the app's clock, but real time under the FAKE_CLOCK testing aid when no
  // clock was injected (a test that injects one moves both) — jumping the business clock past a notice period must not
  // sign the callers out (docs/contract.md).
  const credentialClock: Clock = fakeClock && !options.clock ? new SystemClock() : clock;
  const services = buildServices(options.db, clock, { production: config.env === 'production', credentialClock });
  const deps: Deps = { db: options.db, clock, fakeClock, config, log, views, services };
  const auth = services.auth;
  const production = config.env === 'production';

  const app = new Koa() as Marketplace;
  app.deps = deps;
  app.ops = new Ops({ db: options.db, log, metrics: options.metrics ?? config.metrics, metricsToken: config.metricsToken });
  // X-Forwarded-* only as TRUST_PROXY says (standalone; mounted, the host's Koa reads them, and ctx.ip is set below).
  app.proxy = config.trustProxy !== false;
  app.maxIpsCount = typeof config.trustProxy === 'number' ? config.trustProxy : 0;
  app.silent = true;
  const workerOptions = typeof options.worker === 'object' ? options.worker : {};
  app.worker = new WebhookWorker(options.db, clock, log, { production: config.env === 'production', ...workerOptions });
  if (options.worker) app.worker.start(workerOptions.intervalMs);

  // Outermost: writes a page kept in pieces once every other middleware is done with the response (web/pieced-body.ts).
  app.use(piecedBodies(app));
  app.use(app.ops.front());
  app.use(trustedClientAddress(config.trustProxy));
  app.use(async (ctx: Context, next: Next) => {
    const state = ctx.state as AppState;
    const mounted = (ctx as unknown as { mountPath?: string }).mountPath;
    state.base = (options.basePath ?? (mounted && mounted !== '/' ? mounted : '')).replace(/\/$/, '');
    state.actor = null;
    state.authVia = null;
    state.session = null;
    state.render = (view, model = {}) => {
      const globals: ViewGlobals = {
        locale: state.locale,
        base: state.base,
        // Lazy: only a page that prints a form's token creates the session secret. (A getter would not do: spreading
        // the globals and Handlebars' data frames copy properties, which calls it on every render.)
        csrfToken: lazyToken(ctx),
        actor: state.actor ? { username: state.actor.username, role: state.actor.role, displayName: state.actor.displayName } : null,
        path: ctx.path,
        query: stringQuery(ctx.query),
        nav: { role: state.actor?.role ?? null, otherLang: state.locale === 'en' ? 'zh-CN' : 'en', lang: languageSwitchTarget(ctx, state.base), counts: navCounts(ctx) },
      };
      return views.render(view, model, globals);
    };
    await next();
  });
  app.use(requestLog(log));
  app.use(locale(production));
  app.use(errorHandler());
  app.use(app.ops.guard());
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'self'"],
        },
      },
      strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/static/')) return next();
    ctx.path = ctx.path.slice('/static'.length);
    await serve(path.join(ROOT, 'public'), { maxage: production ? 86400000 : 0, gzip: false })(ctx, next);
  });
  app.use(
    bodyParser({
      multipart: true,
      jsonLimit: '1mb',
      formLimit: '1mb',
      textLimit: '1mb',
      formidable: { maxFileSize: 10 * 1024 * 1024, maxFiles: 1, keepExtensions: true, allowEmptyFiles: true, minFileSize: 0 },
    }),
  );
  app.use(bodyGuard());
  // A GET changes nothing, so it reads each version counter once and every cache it asks answers at that version
  // (db/versioned-cache.ts `withVersionScope`): the session's, the catalogue's five or six lookups of a search.
  app.use((ctx, next) => (ctx.method === 'GET' || ctx.method === 'HEAD' ? withVersionScope(next) : next()));
  app.use(sessions(options.db, credentialClock, production));
  app.use(identity(auth, options.identity));
  app.use(privateAnswers());
  app.use(adminNavCounts(options.db));
  app.use(csrfProtection());

  const router = new Router();
  // One router holds every module's routes; its allowedMethods (below) answers 405/501 for all of them.
  for (const r of moduleRouters(deps, auth)) router.use(r.routes());
  keepRouteMatches(router);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return app;
}

/**
 * What a signed-in caller is answered (a page, JSON, a PDF) is theirs alone: `private, no-store`, unless the route
 * chose its own caching. Without it the browser's Back button showed an order or the audit log after the user had
 * signed out on a shared office PC, and a cache between could keep it (a penetration test, 2026-12-08).
 */
function privateAnswers() {
  return async (ctx: Context, next: Next): Promise<void> => {
    await next();
    if ((ctx.state as AppState).actor && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'private, no-store');
  };
}
