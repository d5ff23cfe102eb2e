import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import {
  RATE_LIMITS,
  RateLimiter,
  actorOf,
  clientAddress,
  csrfToken,
  destroySession,
  emptyForm,
  enforce,
  errorBody,
  STATUS,
  formFailure,
  parseForm,
  parseInput,
  rateLimit,
  regenerateSession,
  requestBody,
  requireRole,
  safePath,
  setFlash,
  takeFlash,
  validate,
  type AppState,
  type Role,
  type RateKey,
} from '../web';
import { Credentials, LoginForm, PasswordChange } from './schema';
import type { AuthService } from './service';

/** Only a path on this site may follow a login: not '//host', not '/\\host' (browsers read both as another host). */
export const isLocalPath = (p: string): boolean => safePath(p) === p && !/[\\\s]/.test(p) && !/^\/%(2f|5c)/i.test(p);

const HOME_BY_ROLE: Record<Role, string> = { purchaser: '/purchaser', vendor: '/vendor', admin: '/admin', finance: '/finance', expert: '/expert' };

export function authRoutes(deps: Deps, auth: AuthService): Router {
  const router = new Router();

  // A CSRF token for a script that calls the JSON API on a cookie or host identity (send it as X-CSRF-Token, with the
  // session cookie this sets). Bearer callers need none.
  router.get('/api/v1/auth/csrf', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token: csrfToken(ctx) };
  });

  // Login requests per client address, whatever their outcome (failures also lock: src/auth/throttle.ts).
  const limiter = new RateLimiter(deps.db, deps.clock);
  const loginKeys = (ctx: Context): RateKey[] => [{ rule: RATE_LIMITS.loginPerAddress, subject: clientAddress(ctx) }];
  const loginLimit = rateLimit(limiter, loginKeys, { messageKey: 'auth.too_many_requests' });

  router.post('/api/v1/auth/token', loginLimit, validate(Credentials), async (ctx) => {
    const { username, password } = ctx.state.input as Credentials;
    const user = await auth.authenticate(username, password, { address: ctx.ip, log: (ctx.state as AppState).log });
    ctx.body = await auth.issueToken(user);
  });

  // Ends the bearer token this request authenticates with (logging out of the JSON API). A session, a host's user or
  // no identity at all has no token to end: 401.
  router.delete('/api/v1/auth/token', async (ctx) => {
    const state = ctx.state as AppState;
    const m = /^Bearer (\S+)$/.exec(ctx.get('authorization'));
    if (state.authVia !== 'bearer' || !state.actor || !m) throw new AppError('unauthenticated', 'auth.bearer_required');
    await auth.revokeToken(m[1], state.actor);
    ctx.status = 204;
  });

  router.get('/login', async (ctx) => {
    const state = ctx.state as AppState;
    ctx.body = state.render('auth/login', { title: state.t('auth.login_title'), username: '', next: String(ctx.query.next ?? ''), error: null });
  });

  router.post('/login', async (ctx) => {
    const state = ctx.state as AppState;
    const body = (ctx.request as unknown as { body: Record<string, unknown> }).body ?? {};
    try {
      await enforce(ctx, limiter, loginKeys(ctx), 'auth.too_many_requests');
      const input = parseInput(LoginForm, body);
      const user = await auth.authenticate(input.username, input.password, { address: ctx.ip, log: state.log });
      regenerateSession(ctx, { userId: user.id });
      const next = input.next && isLocalPath(input.next) ? input.next : state.base + (HOME_BY_ROLE[user.role] ?? '/');
      ctx.redirect(next);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = STATUS[err.code];
      if (err.code === 'too_many_attempts') ctx.set('Retry-After', String(err.params.retryAfter));
      ctx.body = state.render('auth/login', {
        title: state.t('auth.login_title'),
        username: typeof body.username === 'string' ? body.username : '',
        next: typeof body.next === 'string' ? body.next : '',
        error: errorBody(ctx, err).message,
      });
    }
  });

  const account = deps.services.account;
  const anyone = requireRole('purchaser', 'vendor', 'admin', 'finance', 'expert');
  const PASSWORD_FIELDS = ['currentPassword', 'newPassword'] as const;

  // Ends every other session and token of the user; the caller's own session continues under a new id.
  router.post('/api/v1/auth/password', anyone, validate(PasswordChange), async (ctx) => {
    const { currentPassword, newPassword } = ctx.state.input as PasswordChange;
    await account.changePassword(actorOf(ctx), currentPassword, newPassword);
    ctx.body = { changed: true };
  });

  router.get('/account/password', anyone, async (ctx) => {
    const state = ctx.state as AppState;
    ctx.body = state.render('auth/password', {
      title: state.t('auth.password_title'),
      flash: takeFlash(ctx),
      form: emptyForm(PASSWORD_FIELDS),
      hostManaged: state.authVia === 'host',
    });
  });

  router.post('/account/password', anyone, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      if (state.authVia === 'host') throw new AppError('forbidden', 'auth.password_host_managed');
      const input = parseForm(PasswordChange, body);
      const actor = actorOf(ctx);
      await account.changePassword(actor, input.currentPassword, input.newPassword);
      regenerateSession(ctx, { userId: actor.id });
      setFlash(ctx, state.t('auth.password_changed'));
      ctx.redirect(`${state.base}/account/password`);
    } catch (err) {
      const { form, status } = formFailure(ctx, err, PASSWORD_FIELDS, {});
      if (err instanceof AppError && err.code === 'too_many_attempts' && err.params.retryAfter) ctx.set('Retry-After', String(err.params.retryAfter));
      ctx.status = status;
      ctx.body = state.render('auth/password', { title: state.t('auth.password_title'), flash: null, form, hostManaged: state.authVia === 'host' });
    }
  });

  router.post('/logout', async (ctx) => {
    const state = ctx.state as AppState;
    destroySession(ctx);
    ctx.redirect(`${state.base}/`);
  });

  return router;
}
