import type { Marketplace } from '../../src/app';
import type { IdKind } from './world';

/** Every 'METHOD /path' the app's routers register, read from the @koa/router stacks (as the access matrix does). */
export function registeredRoutes(app: Marketplace): string[] {
  const out = new Set<string>();
  for (const mw of app.middleware as Array<{ router?: { stack: Array<{ methods: string[]; path: string | RegExp }> } }>) {
    for (const layer of mw.router?.stack ?? []) {
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${String(layer.path)}`);
    }
  }
  return [...out].sort();
}

/**
 * Addresses answered by middleware before the routers (src/ops: health and metrics; the static files), fuzzed too.
 * `:file` is a file under public/.
 */
export const MIDDLEWARE_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /static/:file'];

/** What the fuzzer sends to: every registered route, and the middleware's addresses. */
export const fuzzedRoutes = (app: Marketplace): string[] => [...registeredRoutes(app), ...MIDDLEWARE_ROUTES];

/**
 * What a field holds, so the generator can send a right value (to get past validation and reach the service and
 * the database) as often as a wrong one.
 */
export type FieldKind =
  | 'money'
  | 'int'
  | 'qty'
  | 'page'
  | 'year'
  | 'id:product'
  | 'id:purchaser'
  | 'id:order'
  | 'text'
  | 'search'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'certNo'
  | 'creditCode'
  | 'username'
  | 'password'
  | 'city'
  | 'field'
  | 'kind'
  | 'level'
  | 'badge'
  | 'sort'
  | 'status'
  | 'groupBy'
  | 'format'
  | 'channel'
  | 'lang'
  | 'items'
  | 'experts'
  | 'record'
  | 'staff'
  | 'indicators'
  | 'disposition'
  | 'id:objection'
  | 'any';

export interface RouteHints {
  body?: Record<string, FieldKind>;
  query?: Record<string, FieldKind>;
  /** Takes a multipart upload in field `file`. */
  file?: boolean;
}

const PAGING: Record<string, FieldKind> = { page: 'page', pageSize: 'page', lang: 'lang' };
const SEARCH: Record<string, FieldKind> = { q: 'search', kind: 'kind', level: 'level', field: 'field', city: 'city', badge: 'badge', priceMin: 'money', priceMax: 'money', sort: 'sort', ...PAGING };
const STATS: Record<string, FieldKind> = { from: 'date', to: 'date', channel: 'channel', field: 'field', level: 'level', kind: 'kind', city: 'city', vendorCity: 'city', purchaserType: 'any', cityOf: 'any', groupBy: 'groupBy', lang: 'lang' };
const CERT_LIST: Record<string, FieldKind> = { q: 'search', status: 'status', level: 'level', kind: 'kind', year: 'year', ...PAGING };
const LISTING: Record<string, FieldKind> = { certNo: 'certNo', boutique: 'bool', boutiqueEvidence: 'text', title: 'text', model: 'text', description: 'text', price: 'money', unit: 'text', stock: 'int', field: 'field', kind: 'kind' };
const CERT: Record<string, FieldKind> = { certNo: 'certNo', productName: 'text', enterpriseName: 'text', creditCode: 'creditCode', kind: 'kind', level: 'level', field: 'field', year: 'year', validUntil: 'date', indicators: 'indicators', keySupported: 'bool' };
const REGISTRATION: Record<string, FieldKind> = { enterpriseName: 'text', creditCode: 'creditCode', city: 'city', address: 'text', contact: 'text', username: 'username', password: 'password', displayName: 'text' };
const CASE: Record<string, FieldKind> = {
  productId: 'id:product',
  projectName: 'text',
  projectContent: 'text',
  budget: 'money',
  quantity: 'qty',
  reason: 'text',
  experts: 'experts',
  expertOpinion: 'text',
  contact: 'text',
  purchaserAddress: 'text',
  contactPerson: 'text',
  contactPhone: 'text',
  agency: 'any',
};
const FINANCE_DEPARTMENT: Record<string, FieldKind> = { name: 'text', address: 'text', contactPerson: 'text', phone: 'text' };
const OBJECTION: Record<string, FieldKind> = { name: 'text', organization: 'text', contact: 'text', content: 'text' };
const NEGOTIATE: Record<string, FieldKind> = { amount: 'money', record: 'record' };
const CONTRACT: Record<string, FieldKind> = { contractNo: 'text', signedAt: 'date', mainTerms: 'text' };
const ACCEPT: Record<string, FieldKind> = { team: 'staff', report: 'text', note: 'text' };
const PASSWORD: Record<string, FieldKind> = { currentPassword: 'password', newPassword: 'password' };
const REASON: Record<string, FieldKind> = { reason: 'text' };
const INTENTION: Record<string, FieldKind> = { projectName: 'text', goods: 'text', budget: 'money', expectedMonth: 'any', productId: 'id:product' };
const NOTE: Record<string, FieldKind> = { note: 'text' };
const RESOLVE: Record<string, FieldKind> = { upheld: 'bool', opinion: 'text', reply: 'text' };
const APPROVE: Record<string, FieldKind> = { opinion: 'text', approvalNo: 'text' };
const TERMINATE: Record<string, FieldKind> = { cause: 'text', explanation: 'text' };
const MARK: Record<string, FieldKind> = { disposition: 'disposition', duplicateOf: 'id:objection', remark: 'text' };
const BUDGET: Record<string, FieldKind> = { purchaserId: 'id:purchaser', amount: 'money' };
const ORDER_LIST: Record<string, FieldKind> = { status: 'status', ...PAGING };
const INS_CLAIM: Record<string, FieldKind> = { certNo: 'certNo', policyNo: 'text', insurer: 'text', insuredValue: 'money', premium: 'money', policyStart: 'date', policyEnd: 'date', policyYear: 'int', unitOrdinal: 'int', purchaserName: 'text', contractNo: 'text', nationalSubsidy: 'bool' };
const INS_REVIEW: Record<string, FieldKind> = { passed: 'bool', opinion: 'text' };
const INS_RULE: Record<string, FieldKind> = { version: 'text', fromYear: 'year', rateCap: 'any', percents: 'any', yearlyCap: 'money', note: 'text' };
const INS_NATIONAL: Record<string, FieldKind> = { year: 'year', projectName: 'text', enterpriseName: 'text', units: 'int', insuredValue: 'money', subsidy: 'money', note: 'text' };
const INS_QUERY: Record<string, FieldKind> = { status: 'status', year: 'year', ...PAGING };
const AUDIT: Record<string, FieldKind> = { entity: 'any', entityId: 'any', action: 'any', actor: 'any', from: 'date', to: 'date', ...PAGING };

/** Field names per route, from each route's zod schema (src/<module>/schema.ts) and API.md. Routes not listed get generic fields. */
export const HINTS: Record<string, RouteHints> = {
  'POST /api/v1/vendor/insurance-claims': { body: INS_CLAIM },
  'POST /api/v1/vendor/insurance-claims/preview': { body: INS_CLAIM },
  'POST /vendor/insurance-claims': { body: { ...INS_CLAIM, action: 'any' } },
  'POST /api/v1/vendor/insurance-claims/:id/correct': { body: INS_CLAIM },
  'POST /vendor/insurance-claims/:id/correct': { body: INS_CLAIM },
  'POST /api/v1/admin/insurance-claims/:id/review': { body: INS_REVIEW },
  'POST /admin/insurance-claims/:id/review': { body: INS_REVIEW },
  'POST /api/v1/finance/insurance-claims/:id/review': { body: INS_REVIEW },
  'POST /finance/insurance-claims/:id/review': { body: INS_REVIEW },
  'GET /api/v1/vendor/insurance-claims': { query: INS_QUERY },
  'GET /api/v1/admin/insurance-claims': { query: INS_QUERY },
  'GET /api/v1/finance/insurance-claims': { query: INS_QUERY },
  'POST /api/v1/admin/insurance-rules': { body: INS_RULE },
  'PATCH /api/v1/admin/insurance-rules/:id': { body: INS_RULE },
  'POST /admin/insurance-rules': { body: INS_RULE },
  'POST /admin/insurance-rules/:id': { body: INS_RULE },
  'POST /api/v1/admin/national-insurance': { body: INS_NATIONAL },
  'POST /admin/national-insurance': { body: INS_NATIONAL },
  'GET /api/v1/admin/national-insurance': { query: { year: 'year', lang: 'lang' } },
  'POST /api/v1/admin/clock': { body: { now: 'datetime' } },
  'POST /api/v1/auth/token': { body: { username: 'username', password: 'password' } },
  'POST /login': { body: { username: 'username', password: 'password', next: 'any' } },
  'GET /login': { query: { next: 'any', lang: 'lang' } },
  'POST /api/v1/auth/password': { body: PASSWORD },
  'POST /account/password': { body: PASSWORD },
  'GET /api/v1/products': { query: SEARCH },
  'GET /products': { query: SEARCH },
  'GET /': { query: { lang: 'lang' } },
  'GET /certificates': { query: { certNo: 'certNo', lang: 'lang' } },
  'POST /api/v1/vendors': { body: REGISTRATION },
  'POST /vendor/register': { body: REGISTRATION },
  'GET /api/v1/vendor/certifications': { query: CERT_LIST },
  'GET /api/v1/vendor/products': { query: { status: 'status', ...PAGING } },
  'POST /api/v1/vendor/products': { body: LISTING },
  'PATCH /api/v1/vendor/products/:id': { body: LISTING },
  'POST /vendor/products': { body: LISTING },
  'POST /vendor/products/:id': { body: LISTING },
  'GET /api/v1/admin/vendors': { query: { status: 'status', ...PAGING } },
  'GET /api/v1/admin/products': { query: { status: 'status', ...PAGING } },
  'POST /api/v1/admin/vendors/:id/reject': { body: REASON },
  'POST /api/v1/admin/products/:id/reject': { body: REASON },
  'POST /admin/vendors/:id/reject': { body: REASON },
  'POST /admin/products/:id/reject': { body: REASON },
  'GET /admin/vendors': { query: { status: 'status', ...PAGING } },
  'GET /admin/products': { query: { status: 'status', ...PAGING } },
  'GET /api/v1/admin/certifications': { query: CERT_LIST },
  'GET /admin/certifications': { query: CERT_LIST },
  'POST /api/v1/admin/certifications': { body: CERT },
  'POST /admin/certifications': { body: CERT },
  'PATCH /api/v1/admin/certifications/:id': { body: CERT },
  'POST /admin/certifications/:id': { body: CERT },
  'POST /api/v1/admin/certifications/:id/revoke': { body: REASON },
  'POST /admin/certifications/:id/revoke': { body: REASON },
  'POST /api/v1/admin/certifications/import': { file: true },
  'POST /admin/certifications/import': { file: true },
  'GET /api/v1/admin/audit': { query: AUDIT },
  'GET /admin/audit': { query: AUDIT },
  'POST /api/v1/admin/budgets': { body: BUDGET },
  'POST /admin/budgets': { body: BUDGET },
  'GET /api/v1/admin/ledger/transfers': { query: { kind: 'any', orderId: 'id:order', verify: 'any', ...PAGING } },
  'GET /api/v1/admin/ledger/accounts': { query: PAGING },
  'GET /api/v1/admin/budgets': { query: PAGING },
  'GET /admin/ledger': { query: { kind: 'any', orderId: 'id:order', verify: 'any', ...PAGING } },
  'POST /api/v1/orders': { body: { items: 'items' } },
  'GET /api/v1/orders': { query: ORDER_LIST },
  'GET /api/v1/vendor/orders': { query: ORDER_LIST },
  'GET /orders': { query: ORDER_LIST },
  'GET /vendor/orders': { query: ORDER_LIST },
  'POST /api/v1/orders/:id/accept': { body: NOTE },
  'POST /orders/:id/accept': { body: NOTE },
  'POST /api/v1/orders/:id/cancel': { body: { reason: 'text' } },
  'POST /orders/:id/cancel': { body: { reason: 'text', confirm: 'any' } },
  'POST /api/v1/orders/:id/decline': { body: { reason: 'text' } },
  'POST /orders/:id/decline': { body: { reason: 'text', confirm: 'any' } },
  'POST /api/v1/orders/:id/reject': { body: { reason: 'text' } },
  'POST /orders/:id/reject': { body: { reason: 'text' } },
  'POST /api/v1/orders/:id/refund': { body: { reason: 'text' } },
  'POST /orders/:id/refund': { body: { reason: 'text', confirm: 'any' } },
  'POST /cart/items': { body: { productId: 'id:product', quantity: 'qty' } },
  'POST /cart/items/:productId': { body: { quantity: 'qty' } },
  'POST /api/v1/admin/settings': { body: { keySupportedOnly: 'bool', directPurchaseLimit: 'money' } },
  'POST /admin/settings': { body: { keySupportedOnly: 'bool', directPurchaseLimit: 'money' } },
  'POST /api/v1/first-purchases': { body: CASE },
  'POST /first-purchases': { body: CASE },
  'PATCH /api/v1/first-purchases/:id': { body: CASE },
  'POST /first-purchases/:id/edit': { body: CASE },
  'GET /api/v1/first-purchases': { query: { status: 'status', ...PAGING } },
  'GET /first-purchases': { query: { status: 'status', ...PAGING } },
  'GET /first-purchases/new': { query: { productId: 'id:product' } },
  'POST /api/v1/first-purchases/:id/objections': { body: OBJECTION },
  'POST /notices/:id/objections': { body: OBJECTION },
  'POST /api/v1/first-purchases/:id/objections/:oid/resolve': { body: RESOLVE },
  'POST /first-purchases/:id/objections/:oid/resolve': { body: RESOLVE },
  'POST /api/v1/first-purchases/:id/objections/:oid/mark': { body: MARK },
  'POST /first-purchases/:id/objections/:oid/mark': { body: MARK },
  'POST /api/v1/first-purchases/:id/negotiate': { body: NEGOTIATE },
  'POST /first-purchases/:id/negotiate': { body: NEGOTIATE },
  'POST /api/v1/first-purchases/:id/contract': { body: CONTRACT },
  'POST /first-purchases/:id/contract': { body: CONTRACT },
  'POST /api/v1/first-purchases/:id/accept': { body: ACCEPT },
  'POST /first-purchases/:id/accept': { body: ACCEPT },
  'POST /api/v1/admin/settings/finance-department': { body: FINANCE_DEPARTMENT },
  'POST /admin/settings/finance-department': { body: FINANCE_DEPARTMENT },
  'POST /api/v1/first-purchases/:id/approve': { body: APPROVE },
  'POST /first-purchases/:id/approve': { body: APPROVE },
  'POST /api/v1/first-purchases/:id/terminate': { body: TERMINATE },
  'POST /first-purchases/:id/terminate': { body: TERMINATE },
  'POST /api/v1/first-purchases/:id/withdraw': { body: REASON },
  'POST /first-purchases/:id/withdraw': { body: REASON },
  'GET /api/v1/notices': { query: { type: 'any', ...PAGING } },
  'GET /notices': { query: { type: 'any', ...PAGING } },
  'GET /api/v1/admin/stats': { query: STATS },
  'GET /admin/stats': { query: STATS },
  'GET /api/v1/admin/stats/export': { query: { ...STATS, format: 'format' } },
  'GET /admin/stats/export': { query: { ...STATS, format: 'format' } },
  'GET /api/v1/stats/summary': { query: { year: 'year', lang: 'lang' } },
  'GET /stats': { query: { year: 'year', lang: 'lang' } },
  // integration (issue 17): the events feed, webhooks, the Atom feed and purchase intentions
  'GET /api/v1/events': { query: { after: 'int', pageSize: 'page' } },
  'GET /notices.atom': { query: { type: 'any' } },
  'POST /api/v1/admin/webhooks': { body: { url: 'any', events: 'any', secret: 'text' } },
  'POST /admin/webhooks': { body: { url: 'any', events: 'any', secret: 'text' } },
  'GET /api/v1/admin/webhooks': { query: PAGING },
  'GET /admin/webhooks': { query: PAGING },
  'GET /api/v1/admin/webhooks/:id/deliveries': { query: { status: 'status', ...PAGING } },
  'GET /admin/webhooks/:id': { query: { status: 'status', ...PAGING } },
  'POST /api/v1/purchase-intentions': { body: INTENTION },
  'POST /purchase-intentions': { body: INTENTION },
  'GET /api/v1/purchase-intentions': { query: { purchaserId: 'id:purchaser', ...PAGING } },
  'GET /purchase-intentions': { query: { purchaserId: 'id:purchaser', ...PAGING } },
  'POST /api/v1/admin/settings/purchase-intentions': { body: { required: 'bool', minDays: 'int' } },
};

/** What kind of object a path parameter names, from the route's path. */
export function paramKind(route: string, param: string): IdKind | 'certNo' | 'file' {
  if (param === 'certNo') return 'certNo';
  if (param === 'file') return 'file';
  if (param === 'oid') return 'objection';
  if (param === 'productId') return 'product';
  const path = route.split(' ')[1];
  if (/\/orders\/:id/.test(path)) return 'order';
  if (/products\/:id/.test(path)) return 'product';
  if (/first-purchases\/:id/.test(path)) return 'case';
  if (/notices\/:id/.test(path)) return 'notice';
  if (/vendors\/:id/.test(path)) return 'vendor';
  if (/certifications\/:id/.test(path)) return 'cert';
  return 'product';
}

/** The route's path parameters, in order. */
export const paramsOf = (route: string): string[] => [...route.split(' ')[1].matchAll(/:(\w+)/g)].map((m) => m[1]);

/** Session-changing routes: the harness gives each such request a throwaway login instead of the role's own. */
export const SESSION_ROUTES = new Set(['POST /login', 'POST /logout', 'POST /api/v1/auth/password', 'POST /account/password', 'POST /api/v1/auth/token']);

/**
 * The role most likely to be allowed to call a route, from its path alone (a guess, not the access rules: those are
 * the access matrix's). The generator sends half of a route's requests as this role, so that they get past the role
 * check into validation and the services; the other half as anyone.
 */
export function likelyRole(route: string): 'anonymous' | 'purchaser' | 'vendor' | 'admin' | 'finance' {
  const path = route.split(' ')[1];
  if (/^\/(api\/v1\/)?finance\b/.test(path) || /first-purchases\/:id\/(approve|filing)$/.test(path)) return 'finance';
  if (/^\/(api\/v1\/)?admin\b/.test(path) || /\/(approve|resolve|mark|reject|revoke)$/.test(path) || /\/refund$/.test(path)) return 'admin';
  if (/^\/(api\/v1\/)?vendor\b/.test(path) && !/register/.test(path)) return 'vendor';
  if (/\/(confirm|deliver)$/.test(path)) return 'vendor';
  if (/^\/(api\/v1\/)?(vendors|vendor\/register|notices|products|certificates|stats|catalogue|auth)\b/.test(path) || /objections$/.test(path) || path === '/' || path === '/login') return 'anonymous';
  return 'purchaser';
}

/**
 * The state of the object a step takes on (confirm takes a placed order, negotiate an approved case…): the generator
 * names such an object of the caller's own more often, so that steps succeed and lead to the next ones.
 */
export function stateFor(route: string): string | null {
  const path = route.split(' ')[1];
  const step = /\/(\w+)$/.exec(path)?.[1] ?? '';
  if (/\/orders\/:id\//.test(path)) return ({ confirm: 'placed', deliver: 'confirmed', accept: 'delivered', pay: 'accepted', cancel: 'placed', refund: 'paid' } as Record<string, string>)[step] ?? null;
  if (/first-purchases\/:id\//.test(path)) return ({ submit: 'draft', approve: 'noticeEnded', negotiate: 'approved', contract: 'awarded', accept: 'contracted', pay: 'accepted', withdraw: 'notice', filing: 'contracted', terminate: 'awarded', objections: 'notice' } as Record<string, string>)[step] ?? null;
  if (/products\/:id\/(approve|reject)$/.test(path)) return 'pending_review';
  if (/products\/:id\/relist$/.test(path)) return 'delisted';
  if (/products\/:id\/delist$/.test(path)) return 'approved';
  if (/vendors\/:id\/(approve|reject)$/.test(path)) return 'pending';
  return null;
}
