import Router from '@koa/router';
import type { Deps } from '../deps';
import { actorOf, parseInput, requireRole, validate, type AppState } from '../web';
import { FirstPurchasePolicyInput } from './schema';

export function settingsRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.settings;
  const admin = requireRole('admin');

  router.get('/api/v1/admin/settings', admin, async (ctx) => {
    ctx.body = { firstPurchase: await service.read() };
  });

  router.post('/api/v1/admin/settings', admin, validate(FirstPurchasePolicyInput), async (ctx) => {
    ctx.body = { firstPurchase: await service.setFirstPurchasePolicy(actorOf(ctx), ctx.state.input as FirstPurchasePolicyInput) };
  });

  router.get('/admin/settings', admin, async (ctx) => {
    const state = ctx.state as AppState;
    ctx.body = state.render('settings/index', { title: state.t('settings.title'), policy: await service.read(), saved: ctx.query.saved === '1' });
  });

  router.post('/admin/settings', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
    // An unchecked checkbox sends nothing: that is "off".
    const input = parseInput(FirstPurchasePolicyInput, { keySupportedOnly: body.keySupportedOnly ?? false });
    await service.setFirstPurchasePolicy(actorOf(ctx), input);
    ctx.redirect(`${state.base}/admin/settings?saved=1`);
  });

  return router;
}
