import Router from '@koa/router';
import { actorOf, errorBody, idParam, requireRole, validate, type AppState } from '../web';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { importCertifications, importReport } from './import';
import { certificationPages } from './pages';
import { CertListQuery, CertificationInput, CertificationPatch } from './schema';
import { uploadedFile } from './upload';
import { mountApiSteps } from '../workflow';
import { CERT_DESK } from './transitions';

/** The certification registry, the admin's: list, add, edit, revoke (never delete), import the annual list. */
export function certificationRoutes(deps: Deps): Router {
  const router = new Router();
  const service = deps.services.certification;
  const admin = requireRole('admin');

  router.get('/api/v1/admin/certifications', admin, validate(CertListQuery, 'query'), async (ctx) => {
    ctx.body = await service.list(actorOf(ctx), ctx.state.input as CertListQuery);
  });

  router.post('/api/v1/admin/certifications', admin, validate(CertificationInput), async (ctx) => {
    ctx.status = 201;
    ctx.body = await service.create(actorOf(ctx), ctx.state.input as CertificationInput);
  });

  // Any rejected row (or an unusable file) → 422 with the whole report; nothing is written.
  router.post('/api/v1/admin/certifications/import', admin, async (ctx) => {
    const actor = actorOf(ctx);
    const outcome = await importCertifications(deps.db, deps.clock, actor, await uploadedFile(ctx));
    const report = importReport(outcome, (ctx.state as AppState).locale);
    if (outcome.ok) {
      ctx.body = report;
      return;
    }
    const err = outcome.fileError ?? new AppError('validation_failed', 'certification.import_rejected', { n: outcome.counts.rejected, field: 'file' }, 'file');
    ctx.status = 422;
    ctx.body = { error: errorBody(ctx, err), report };
  });

  router.post('/api/v1/admin/certifications/expire', admin, async (ctx) => {
    ctx.body = await service.expireOverdue(actorOf(ctx));
  });

  router.get('/api/v1/admin/certifications/:id', admin, async (ctx) => {
    ctx.body = await service.detail(actorOf(ctx), idParam(ctx.params.id));
  });

  router.patch('/api/v1/admin/certifications/:id', admin, validate(CertificationPatch), async (ctx) => {
    ctx.body = await service.update(actorOf(ctx), idParam(ctx.params.id), ctx.state.input as CertificationPatch);
  });

  // Revoke: derived from the certificate table (transitions.ts). No step of it moves money, so none is idempotent.
  mountApiSteps(router, CERT_DESK, { idParam, idempotent: async (_ctx, next) => next(), run: (step, actor, id, input) => service.run(step, actor, id, input) });

  certificationPages(router, deps, service);
  return router;
}
