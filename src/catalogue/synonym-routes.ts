import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { actorOf, emptyForm, formFailure, idParam, parseForm, requestBody, requireRole, validate, type AppState, type FormState } from '../web';
import { SynonymInput } from './schema';
import type { CatalogueService } from './service';

/** The fields of a synonym row's form. */
const FIELDS = ['term', 'synonyms', 'twoWay'] as const;

/**
 * The search synonym table, the department's to edit (issue 18 item 4): a JSON route and a page with a form per row.
 * A change bumps the catalogue version (its table's triggers), so searches use it at once.
 */
export function synonymRoutes(router: Router, deps: Deps): void {
  const service = deps.services.catalogue;
  const admin = requireRole('admin');

  router.get('/api/v1/admin/search-synonyms', admin, async (ctx) => {
    ctx.body = { items: await service.synonyms() };
  });

  router.post('/api/v1/admin/search-synonyms', admin, validate(SynonymInput), async (ctx) => {
    ctx.body = await service.createSynonym(actorOf(ctx), ctx.state.input as SynonymInput);
    ctx.status = 201;
  });

  router.put('/api/v1/admin/search-synonyms/:id', admin, validate(SynonymInput), async (ctx) => {
    ctx.body = await service.updateSynonym(actorOf(ctx), idParam(ctx.params.id), ctx.state.input as SynonymInput);
  });

  router.delete('/api/v1/admin/search-synonyms/:id', admin, async (ctx) => {
    await service.deleteSynonym(actorOf(ctx), idParam(ctx.params.id));
    ctx.status = 204;
  });

  router.get('/admin/search-synonyms', admin, async (ctx) => {
    await renderPage(ctx, service, { saved: ctx.query.saved === '1' });
  });

  router.post('/admin/search-synonyms', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const body = requestBody(ctx);
    try {
      await service.createSynonym(actorOf(ctx), parseForm(SynonymInput, formInput(body)));
    } catch (err) {
      const { form, status } = formFailure(ctx, err, FIELDS, body);
      await renderPage(ctx, service, { added: form });
      ctx.status = status;
      return;
    }
    ctx.redirect(`${state.base}/admin/search-synonyms?saved=1`);
  });

  router.post('/admin/search-synonyms/:id', admin, async (ctx) => {
    const state = ctx.state as AppState;
    const id = idParam(ctx.params.id);
    const body = requestBody(ctx);
    try {
      await service.updateSynonym(actorOf(ctx), id, parseForm(SynonymInput, formInput(body)));
    } catch (err) {
      const { form, status } = formFailure(ctx, err, FIELDS, body);
      await renderPage(ctx, service, { edited: { id, form } });
      ctx.status = status;
      return;
    }
    ctx.redirect(`${state.base}/admin/search-synonyms?saved=1#synonym-${id}`);
  });

  router.post('/admin/search-synonyms/:id/delete', admin, async (ctx) => {
    const state = ctx.state as AppState;
    await service.deleteSynonym(actorOf(ctx), idParam(ctx.params.id));
    ctx.redirect(`${state.base}/admin/search-synonyms?saved=1`);
  });
}

/** A form's fields as the schema takes them: an unticked checkbox sends nothing, which is one-way. */
function formInput(body: Record<string, unknown>): Record<string, unknown> {
  return { term: body.term, synonyms: body.synonyms ?? '', twoWay: body.twoWay ?? false };
}

async function renderPage(ctx: Context, service: CatalogueService, opts: { saved?: boolean; added?: FormState; edited?: { id: number; form: FormState } }): Promise<void> {
  const state = ctx.state as AppState;
  const rows = await service.synonyms();
  ctx.body = state.render('catalogue/synonyms', {
    title: state.t('catalogue.synonyms_title'),
    saved: opts.saved ?? false,
    add: opts.added ?? emptyForm(FIELDS, { twoWay: 'on' }),
    rows: rows.map((r) => {
      const typed = opts.edited?.id === r.id ? opts.edited.form : null;
      return {
        id: r.id,
        form: typed ?? emptyForm(FIELDS, { term: r.term, synonyms: r.synonyms.join('，'), twoWay: r.twoWay ? 'on' : '' }),
        twoWay: typed ? typed.values.twoWay === 'on' || typed.values.twoWay === 'true' : r.twoWay,
      };
    }),
  });
}
